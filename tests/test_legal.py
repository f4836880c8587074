"""sim.model.legal: the one table of which levers the rules allow on which kind of step, and the
step kinds of every bundled model."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.bpmn.loader import load_process
from sim.errors import ModelError, ScenarioError
from sim.model import legal
from sim.model.process import Node, TaskFacts

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = sorted((ROOT / "processes").glob("*.bpmn"))


def test_every_kind_rules_on_every_step_lever_with_a_source():
    for kind in legal.KINDS.values():
        assert set(kind.allowed) | set(kind.forbidden) == set(legal.STEP_VERBS), kind.name
        for rule in [*kind.allowed.values(), *kind.forbidden.values()]:
            assert rule.source.strip() and rule.zh.strip() and rule.en.strip(), (kind.name, rule.id)


@pytest.mark.parametrize("kind", ["works", "inspection", "registration"])
def test_no_commitment_on_works_inspections_or_registrations(kind):
    # The examples: 外线工程施工, 联合验收, 登记审核 must never be turned into a commitment.
    node = Node("t", "task", facts=TaskFacts(step_kind=kind))
    assert not legal.ruling(node, "commitment").allowed
    assert legal.ruling(node, "parallel").allowed


def test_a_permit_needs_a_list_for_commitment_and_the_step_can_name_it():
    plain = Node("t", "task", facts=TaskFacts(step_kind="permit"))
    r = legal.ruling(plain, "commitment")
    assert not r.allowed and r.rule.id == "commitment_list"
    listed = Node("t", "task", facts=TaskFacts(step_kind="permit", levers=(("commitment", True),), levers_source="seed 二(四)2(2)"))
    r = legal.ruling(listed, "commitment")
    assert r.allowed and r.own and r.rule.source == "seed 二(四)2(2)"


def test_a_merged_step_allows_only_what_every_part_allows():
    merged = Node("t", "task", facts=TaskFacts(step_kind="permit+works"))
    assert not legal.ruling(merged, "online").allowed  # works forbid it
    assert legal.ruling(merged, "parallel").allowed


def test_unclassified_and_timer_steps():
    bare = Node("t", "task", facts=TaskFacts())
    assert legal.kind_of(bare) == "unclassified"
    assert not legal.ruling(bare, "commitment").allowed and not legal.ruling(bare, "remove").allowed
    assert legal.ruling(bare, "scale").allowed
    timer = Node("tm", "timer")
    assert legal.kind_of(timer) == "timer"
    assert [v for v in legal.STEP_VERBS if legal.ruling(timer, v).allowed] == ["parallel"]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_bundled_step_has_a_kind_consistent_with_its_facts(path):
    # A step already committed or online must be one the rules allow that for: otherwise the
    # model contradicts its own rules (or a new step was added without a kind).
    process = load_process(path)
    for node in process.tasks():
        assert legal.kind_of(node) in legal.DECLARED_KINDS, f"{path.name}: {node.id} has no step_kind"
        if node.facts.commitment:
            assert legal.ruling(node, "commitment").allowed, f"{path.name}: {node.id} is a commitment the rules do not allow"
        if node.facts.online:
            assert legal.ruling(node, "online").allowed, f"{path.name}: {node.id} is online but its kind forbids it"
        if node.facts.levers:
            assert node.facts.levers_source.strip(), f"{path.name}: {node.id} has levers without levers_source"


def _bpmn(tmp_path: Path, props: str) -> Path:
    text = (ROOT / "tests" / "data" / "assess" / "processes" / "company_setup_2021.bpmn").read_text(encoding="utf-8")
    marker = '<spiffworkflow:property name="agency" value="market_regulation"/>'
    assert marker in text
    path = tmp_path / "p.bpmn"
    path.write_text(text.replace(marker, marker + props, 1), encoding="utf-8")
    return path


def test_loader_refuses_an_unknown_kind_and_levers_without_source(tmp_path):
    with pytest.raises(ModelError, match=r'p\.bpmn.*property step_kind: unknown step_kind "permt" \(did you mean "permit"\?\)'):
        load_process(_bpmn(tmp_path, '<spiffworkflow:property name="step_kind" value="permt"/>'))
    with pytest.raises(ModelError, match=r"levers given without levers_source"):
        load_process(_bpmn(tmp_path, '<spiffworkflow:property name="levers" value="+commitment"/>'))
    with pytest.raises(ModelError, match=r'levers: unknown lever "comitment"'):
        load_process(_bpmn(tmp_path, '<spiffworkflow:property name="levers" value="+comitment"/>'
                                     '<spiffworkflow:property name="levers_source" value="x"/>'))


def test_exclusions_parse_and_name_unknown_targets():
    ex, problems = legal.parse_exclusions(["commitment", {"lever": "staff", "agencies": ["tax"], "reason": "no hiring in 2021"}])
    assert not problems and ex[0].covers("commitment", "anything") and ex[1].covers("staff", "tax")
    assert not ex[1].covers("staff", "market_regulation")
    _, problems = legal.parse_exclusions([{"lever": "online", "step": ["t"]}, {"lever": "staff", "steps": ["t"]}])
    assert [p for p, _ in problems] == ["excluded_levers[0].step", "excluded_levers[1].steps"]
    process = load_process(BUNDLED[0])
    with pytest.raises(ScenarioError, match=r'excluded_levers\[0\]: unknown step "t_sael"'):
        legal.check_exclusion_targets(legal.parse_exclusions([{"lever": "online", "steps": ["t_sael"]}])[0], [process])
