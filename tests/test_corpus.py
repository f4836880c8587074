"""Real BPMN files drawn in other modelers (tests/data/corpus, origins in SOURCES.md): each has a pinned
outcome — it simulates, or it is refused with a ReformSimError naming this element and saying this.

Example: ``.venv/bin/python -m pytest tests/test_corpus.py -q``
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sim

CORPUS = Path(__file__).parent / "data" / "corpus"
FILES = sorted(CORPUS.glob("*.bpmn"))


def test_corpus_is_there_and_every_file_has_its_origin_noted() -> None:
    assert len(FILES) >= 6
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for path in FILES:
        assert f"`{path.name}`" in sources, f"{path.name} has no origin/licence line in SOURCES.md"


# Each corpus file's pinned outcome: "runs", or ("refused", what the message must name, a fragment of why).
# A file changing outcome is a decision, not drift: change its row here and say why in the commit.
EXPECTED: dict[str, str | tuple[str, str, str]] = {
    "bonita_gateways_no_events": "runs",  # was refused: no start/end events, which BPMN allows (implicit start and end)
    "bpmnio_data_objects_not_executable": "runs",
    "bpmnio_pools_lanes_message_flows": "runs",
    "camunda_event_based_timer": "runs",  # was refused; event-based gateways are races now (issue 15)
    "camunda_feel_conditions": ("refused", "attributes.price", 'flow "price-gt-zero"'),
    "camunda_nested_subprocess_inclusive": ("refused", "attributes.COUNT", 'flow "Flow_gate_to_30_real"'),
    "camunda_parallel_user_tasks": "runs",
    "trisotech_call_activities_global_tasks": "runs",  # was refused: five global-task calls, no flows, all start at once
    # hand-written, one construct each (SOURCES.md); "runs" rows say in RUNS_THROUGH what every case does
    "called_review": "runs",
    "hand_activiti_chinese_approval": ("refused", "attributes.result", "compare it with text ('同意', '驳回'"),
    "hand_annotation_before_boundary": "runs",
    "hand_call_sibling": "runs",
    "hand_data_store": "runs",
    "hand_empty_timer": ("refused", 'intermediateCatchEvent id="notice"', "add <bpmn:timeDuration>"),
    "hand_error_ref_missing": "runs",
    "hand_event_based_gateway": "runs",
    "hand_flowable_style_holiday": "runs",
    "hand_implicit_merge": "runs",
    "hand_implicit_split": "runs",
    "hand_multi_instance_cardinality": "runs",
    "hand_nested_parallel_drawn": "runs",
    "hand_multi_instance_no_cardinality": ("refused", 'userTask id="countersign"', "<bpmn:loopCardinality>3</bpmn:loopCardinality>"),
    "hand_no_outgoing_children": "runs",
    "hand_nonint_timer_before_join": "runs",
    "hand_string_conditions_juel": "runs",
    "hand_string_conditions_yes_no": ("refused", "attributes.inspection", "compare it with text ('No', 'Yes'"),
    "hand_two_boundary_events": "runs",
}

# For files that run: (steps every case passes, how often at least; steps no case passes) on the defaults.
RUNS_THROUGH: dict[str, tuple[dict[str, int], tuple[str, ...]]] = {
    "camunda_event_based_timer": ({"message": 1}, ("timer1",)),  # the message (immediate) wins the race against PT1S
    "bonita_gateways_no_events": ({"_dJuGt6GGEemnBZ1fq05xIw": 1, "_2kiYIKIeEemNWZb5Naps6w": 1}, ()),
    "trisotech_call_activities_global_tasks": ({f"call_activity_calling_global_{k}_id": 1 for k in (
        "task", "business_rule_task", "manual_task", "script_task", "user_task")}, ()),
    "hand_flowable_style_holiday": ({"approveTask": 1}, ()),
    "hand_call_sibling": ({"accept": 1, "call_review/score": 1, "call_review/sign": 1}, ()),
    "hand_event_based_gateway": ({"notify": 1, "reply": 1, "accept": 1}, ("deadline", "reject")),
    "hand_implicit_merge": ({"check_a": 1, "check_b": 1, "notify": 2}, ()),  # one token per incoming flow
    "hand_implicit_split": ({"check_a": 1, "check_b": 1, "archive": 1}, ()),
    "hand_multi_instance_cardinality": ({"countersign": 1, "countersign__2": 1, "countersign__3": 1}, ("countersign__4",)),
    "hand_nonint_timer_before_join": ({"review": 1, "remind_after": 1, "remind": 1}, ()),  # the join gets both tokens
    "hand_two_boundary_events": ({"review": 1, "reminder": 1, "log_reminder": 1}, ("escalate", "explain")),
    "hand_annotation_before_boundary": ({"review": 1}, ("return",)),
    "hand_no_outgoing_children": ({"apply": 1, "check_a": 1, "check_b": 1}, ()),
    "hand_nested_parallel_drawn": ({"a": 1, "b": 1, "c": 1, "d": 1, "z": 1}, ()),
}


def test_every_corpus_file_has_a_pinned_outcome() -> None:
    assert sorted(EXPECTED) == [p.stem for p in FILES]


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_file_has_its_pinned_outcome(path: Path) -> None:
    expected = EXPECTED[path.stem]
    if expected == "runs":
        result = sim.simulate(path, cases=30, replications=1)
        # it ran: every case finished and the KPIs are numbers
        assert sum(r.cases for r in result.replications) == 30
        assert result.kpi("workdays").count == 30
        assert result.kpi("workdays").mean >= 0
        every, never = RUNS_THROUGH.get(path.stem, ({}, ()))
        for steps, n in result.path_frequencies().items():
            for step, times in every.items():
                assert steps.count(step) >= times, f"{n} case(s) passed {step} fewer than {times} time(s): {steps}"
            assert not set(never) & set(steps), f"{n} case(s) took {set(never) & set(steps)}: {steps}"
        return
    _, where, why = expected
    with pytest.raises(sim.ReformSimError) as info:
        sim.simulate(path, cases=30, replications=1)
    message = str(info.value)
    assert path.name in message, message
    if isinstance(info.value, sim.ModelError):  # an element of the file: its line too
        assert info.value.line and f"{path.name}:{info.value.line}:" in message, message
    assert where in message, f"expected the message to name {where}: {message}"
    assert why in message, message
    assert re.search(r'id="[^"]+"|"[A-Za-z_][\w.-]*"|attributes\.\w+', message), f"no element named in: {message}"
    # a planner cannot act on Python object reprs leaking from the parser
    assert "<Element" not in message and " at 0x" not in message, message


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_the_cli_exits_0_or_2_on_the_spiff_executor_never_with_a_traceback(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sim.cli import main

    code = main(["run", str(path), "--cases", "5", "--replications", "1", "--executor", "spiff"])
    err = capsys.readouterr().err
    assert code == (0 if EXPECTED[path.stem] == "runs" else 2), err
    assert "Traceback" not in err and "internal error" not in err, err


@pytest.mark.parametrize("name", ["camunda_event_based_timer", "hand_two_boundary_events", "trisotech_call_activities_global_tasks"])
def test_a_file_with_one_element_or_attribute_removed_is_loaded_or_refused_never_crashes(name: str, tmp_path: Path) -> None:
    """Every element, and every element's first attribute, removed in turn: a ReformSimError or a process, nothing else."""
    from lxml import etree

    source = CORPUS / f"{name}.bpmn"
    count = len([e for e in etree.parse(str(source)).getroot().iter() if isinstance(e.tag, str)])
    for i in range(1, count):
        for mode in ("element", "attribute"):
            tree = etree.parse(str(source))
            victim = [e for e in tree.getroot().iter() if isinstance(e.tag, str)][i]
            if mode == "element":
                victim.getparent().remove(victim)
            elif victim.attrib:
                del victim.attrib[next(iter(victim.attrib))]
            mutant = tmp_path / f"{name}.bpmn"
            tree.write(str(mutant))
            try:
                sim.load_bpmn(mutant)
            except sim.ReformSimError:
                pass
