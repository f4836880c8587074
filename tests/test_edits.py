"""Tests of sim.model.rewrite (each reform lever on small processes built here) and of its
scenario form, sim.model.edits."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import ModelError, ScenarioError
from sim.model.distributions import Exponential, Fixed, Triangular
from sim.model.edits import EDIT_VERBS, apply_edits
from sim.model.rewrite import (
    ACCEPTANCE_SHARE,
    accept_incomplete,
    commitment,
    green_channel,
    make_online,
    merge_steps,
    parallelise,
    remove_step,
    scale_duration,
    set_facts,
)
from sim.model.process import Duration, Flow, Node, Process, TaskFacts, parse_duration

DATA = Path(__file__).parent / "data" / "edits"


# -- builders -----------------------------------------------------------------------------------

def facts(**kw) -> TaskFacts:
    kw.setdefault("procedure", True)
    kw.setdefault("source", "assumption: test value")
    # The rewrite tests are about mechanics: their steps are permits every lever may act on (sim.model.legal).
    kw.setdefault("step_kind", "permit")
    kw.setdefault("levers", (("remove", True), ("commitment", True)))
    kw.setdefault("levers_source", "test: a step every lever applies to")
    return TaskFacts(**kw)


def chain(*steps: tuple[str, TaskFacts], pid: str = "p") -> Process:
    """start → steps in order → end."""
    ids = ["s", *[sid for sid, _ in steps], "e"]
    nodes = [Node("s", "start"), *[Node(sid, "task", f"步骤{sid}", facts=f) for sid, f in steps], Node("e", "end")]
    flows = [Flow(f"f{i}", a, b) for i, (a, b) in enumerate(zip(ids, ids[1:]))]
    return Process.build(pid, "测试流程", nodes, flows)


def simple(n: int = 3) -> Process:
    return chain(*[(f"t{i}", facts(agency=f"a{i}", documents=i + 1, work=parse_duration(f"{i + 1} h"),
                                   wait=parse_duration(f"triangular(1, 2, {3 + i}) workday"))) for i in range(n)])


def branchy() -> Process:
    """s → t_a → g (t_b 40% | t_c 60%) → j → t_d → e."""
    nodes = [Node("s", "start"), Node("t_a", "task", facts=facts(documents=2)), Node("g", "exclusive"),
             Node("t_b", "task", facts=facts()), Node("t_c", "task", facts=facts()), Node("j", "exclusive"),
             Node("t_d", "task", facts=facts(wait=parse_duration("5 workday"))), Node("e", "end")]
    flows = [Flow("f1", "s", "t_a"), Flow("f2", "t_a", "g"), Flow("f3", "g", "t_b", share=0.4),
             Flow("f4", "g", "t_c", share=0.6), Flow("f5", "t_b", "j"), Flow("f6", "t_c", "j"),
             Flow("f7", "j", "t_d"), Flow("f8", "t_d", "e")]
    return Process.build("pb", "分支流程", nodes, flows)


def reform_chain() -> Process:
    """The chain tests/data/edits/reform_edits.yaml is written for."""
    wd = lambda text: parse_duration(text)  # noqa: E731
    return chain(
        ("t_assess", facts(agency="nr", wait=wd("20 workday"))),
        ("t_name", facts(agency="amr", documents=2, work=wd("0.5 h"))),
        ("t_register", facts(agency="amr", documents=4, work=wd("1 h"), wait=wd("1 workday"))),
        ("t_seal", facts(agency="police", work=wd("0.5 h"))),
        ("t_bank", facts(agency="bank", work=wd("1 h"))),
        ("t_tax", facts(agency="tax", documents=2, work=wd("1 h"))),
        ("t_permit", facts(agency="housing", documents=5, work=wd("4 h"), wait=wd("uniform(5, 10) workday"))),
        ("t_fire", facts(agency="fire", documents=3, wait=wd("uniform(3, 7) workday"))),
        ("t_dig", facts(agency="roads", wait=wd("triangular(5, 10, 20) workday"))),
        ("t_connect", facts(agency="grid", wait=wd("4 workday"))),
        pid="reform",
    )


def assert_connected(p: Process) -> None:
    """Every node reachable from a start and reaching an end (networkx view)."""
    g = p.to_networkx()
    starts = [n.id for n in p.nodes.values() if n.kind == "start"]
    ends = [n.id for n in p.nodes.values() if n.kind == "end"]
    assert starts and ends
    for n in g.nodes:
        assert any(nx.has_path(g, s, n) for s in starts), f"{n} unreachable"
        assert any(nx.has_path(g, n, e) for e in ends), f"{n} reaches no end"
    for f in p.flows.values():
        assert f.source in p.nodes and f.target in p.nodes


def snapshot(p: Process) -> tuple:
    return (dict(p.nodes), dict(p.flows), p.notes)


# -- remove -------------------------------------------------------------------------------------

def test_remove_step_reconnects_predecessor_to_successor():
    p = simple(3)
    before = snapshot(p)
    q = remove_step(p, "t1")
    assert len(q.nodes) == len(p.nodes) - 1 and len(q.flows) == len(p.flows) - 1
    assert "t1" not in q.nodes
    assert q.successors("t0") == ["t2"]
    assert len(q.procedures()) == len(p.procedures()) - 1
    assert q.notes[-1].startswith('edit: removed step "t1"')
    assert_connected(q)
    assert snapshot(p) == before  # the original is untouched


def test_remove_step_in_a_branch_keeps_the_share():
    q = remove_step(branchy(), "t_b")
    flow = q.flows["f3"]
    assert (flow.source, flow.target, flow.share) == ("g", "j", 0.4)
    assert_connected(q)


def test_remove_unknown_step_says_did_you_mean():
    with pytest.raises(ModelError) as info:
        remove_step(simple(), "t_1")
    assert 'unknown step "t_1"' in str(info.value)
    assert 'did you mean "t1"?' in str(info.value)
    assert info.value.element_id == "t_1"


def test_remove_gateway_or_start_is_refused():
    with pytest.raises(ModelError, match='"g" is a exclusive element; expected a task or timer event'):
        remove_step(branchy(), "g")
    with pytest.raises(ModelError, match="expected a task or timer event"):
        remove_step(simple(), "s")


def test_remove_that_would_disconnect_is_refused():
    # a task with two outgoing flows (an implicit split) has no single successor to take its place
    p = Process.build("p", "p", [Node("s", "start"), Node("t", "task"), Node("e1", "end"), Node("e2", "end")],
                      [Flow("f1", "s", "t"), Flow("f2", "t", "e1"), Flow("f3", "t", "e2")])
    with pytest.raises(ModelError, match="has 2 outgoing flows; expected exactly one"):
        remove_step(p, "t")
    # a rework loop t1 → t2 → t1: removing t2 would leave a flow from t1 to itself
    loop = Process.build("p", "p", [Node("s", "start"), Node("t1", "task"), Node("g", "exclusive"),
                                    Node("t2", "task"), Node("e", "end")],
                         [Flow("a", "s", "t1"), Flow("b", "t1", "g"), Flow("c", "g", "e", share=0.8),
                          Flow("d", "g", "t2", share=0.2), Flow("r", "t2", "t1")])
    q = remove_step(loop, "t2")  # g → t1 directly: still fine
    assert q.flows["d"].target == "t1"
    assert_connected(q)
    # a rework step that returns to its own gateway: removing it would leave g → g
    rework = Process.build("p", "p", [Node("s", "start"), Node("g", "exclusive"), Node("t", "task"), Node("e", "end")],
                           [Flow("a", "s", "g"), Flow("b", "g", "t", share=0.3), Flow("c", "t", "g"),
                            Flow("d", "g", "e", share=0.7)])
    with pytest.raises(ModelError, match='would break the process: flow "b" would lead from "g" to itself') as info:
        remove_step(rework, "t")
    assert info.value.element_id == "t"


# -- merge --------------------------------------------------------------------------------------

def test_merge_steps_rules():
    p = simple(3)
    before = snapshot(p)
    q = merge_steps(p, ["t1", "t0"], name="一窗受理")  # order given does not matter
    assert [n.id for n in q.tasks()] == ["t0", "t2"]
    assert len(q.flows) == len(p.flows) - 1
    merged = q.nodes["t0"]
    f = merged.facts
    assert merged.name == "一窗受理"
    assert f.documents == 2  # max(1, 2)
    assert f.work == Duration(Fixed(3.0), "hour")  # 1 h + 2 h as a fixed duration
    assert f.wait == p.nodes["t1"].facts.wait  # the larger wait, kept whole
    assert f.agency == "a0"
    assert f.procedure and f.extra["merged_from"] == "t0,t1"
    assert "edit: merged t0, t1" in f.source and "(scenario)" in f.source
    assert q.successors("s") == ["t0"] and q.successors("t0") == ["t2"]
    assert len(q.procedures()) == 2
    assert_connected(q)
    assert snapshot(p) == before


def test_merge_given_documents_new_id_and_summed_wait():
    p = simple(3)
    q = merge_steps(p, ["t0", "t1", "t2"], new_id="t_window", documents=4, wait="sum", source="seed 二(一)1")
    f = q.nodes["t_window"].facts
    assert [n.id for n in q.tasks()] == ["t_window"]
    assert f.documents == 4
    assert f.wait.unit == "workday" and f.wait.dist.is_fixed
    assert f.wait.mean == pytest.approx(sum(p.nodes[t].facts.wait.mean for t in ("t0", "t1", "t2")))
    assert f.source.endswith("(seed 二(一)1)")
    assert_connected(q)


def test_merge_mixed_units_says_the_conversion():
    p = chain(("a", facts(work=parse_duration("4 h"))), ("b", facts(work=parse_duration("1 workday"))))
    q = merge_steps(p, ["a", "b"])
    assert q.nodes["a"].facts.work == Duration(Fixed(11.0), "hour")  # 4 h + one 7-hour working day (default office hours)
    assert "1 workday = 7 h" in q.notes[-1]
    same = merge_steps(reform_chain(), ["t_name", "t_register"])  # work in h, wait in workday: no conversion
    assert "1 workday = 7 h" not in same.notes[-1]


def test_merge_not_consecutive_or_other_branch_is_refused():
    p = branchy()
    with pytest.raises(ModelError, match="not consecutive"):
        merge_steps(p, ["t_a", "t_d"])
    with pytest.raises(ModelError, match="on different branches") as info:
        merge_steps(p, ["t_b", "t_c"])
    assert info.value.element_id in ("t_b", "t_c")
    with pytest.raises(ModelError, match="expected a task"):
        merge_steps(p, ["t_a", "g"])
    with pytest.raises(ModelError, match='new id "t2" is already used'):
        merge_steps(simple(), ["t0", "t1"], new_id="t2")
    with pytest.raises(ModelError, match="at least two"):
        merge_steps(p, ["t_a"])


def test_merge_unknown_id_did_you_mean():
    with pytest.raises(ModelError, match='unknown step "t_z"') as info:
        merge_steps(branchy(), ["t_a", "t_z"])
    assert info.value.element_id == "t_z"
    with pytest.raises(ModelError, match='did you mean "t2"'):
        merge_steps(simple(), ["t1", "t_2"])


# -- parallelise --------------------------------------------------------------------------------

def test_parallelise_adds_split_and_join():
    p = simple(4)
    before = snapshot(p)
    q = parallelise(p, ["t1", "t2", "t3"])
    assert len(q.nodes) == len(p.nodes) + 2
    # s→t0, t0→split, join→e, plus in/out for three steps
    assert len(q.flows) == 3 + 2 * 3
    split = next(n for n in q.nodes.values() if n.kind == "parallel" and len(q.successors(n.id)) == 3)
    join = next(n for n in q.nodes.values() if n.kind == "parallel" and len(q.incoming(n.id)) == 3)
    assert q.successors("t0") == [split.id]
    assert sorted(q.successors(split.id)) == ["t1", "t2", "t3"]
    assert q.successors(join.id) == ["e"]
    assert len(q.procedures()) == len(p.procedures())
    assert "并联审批" in q.nodes["t2"].facts.source
    assert_connected(q)
    assert snapshot(p) == before


def test_parallelise_refuses_a_non_chain():
    with pytest.raises(ModelError, match="different branches"):
        parallelise(branchy(), ["t_b", "t_c"])
    with pytest.raises(ModelError, match="not consecutive"):
        parallelise(simple(4), ["t0", "t2"])


# -- online, commitment, accept incomplete, green channel ---------------------------------------

def test_make_online():
    p = simple()
    q = make_online(p, "t1", work_factor=0.5)
    f = q.nodes["t1"].facts
    assert f.online and f.work.mean == pytest.approx(1.0)
    assert "made online, work x0.5 (scenario)" in f.source
    assert not p.nodes["t1"].facts.online
    with pytest.raises(ModelError, match="work_factor must be a number > 0"):
        make_online(p, "t1", work_factor=0)


def test_commitment_without_inspection():
    p = simple()
    q = commitment(p, "t2")
    f = q.nodes["t2"].facts
    assert f.commitment and f.wait is None
    assert f.work == Duration(Fixed(3 * ACCEPTANCE_SHARE), "hour")
    assert f.procedure  # the applicant still files the commitment
    assert len(q.nodes) == len(p.nodes)
    q2 = commitment(p, "t2", acceptance="0.25 h")
    assert q2.nodes["t2"].facts.work == parse_duration("0.25 h")


def test_commitment_with_inspection_share():
    p = simple()
    q = commitment(p, "t1", inspection_share=0.1, inspection="2 h")
    assert len(q.nodes) == len(p.nodes) + 3
    inspect = next(n for n in q.tasks() if n.facts.extra.get("inspection_of") == "t1")
    assert not inspect.facts.procedure and inspect.facts.work == parse_duration("2 h")
    gate = q.nodes[q.successors("t1")[0]]
    assert gate.kind == "exclusive"
    shares = sorted(f.share for f in q.outgoing(gate.id))
    assert shares == pytest.approx([0.1, 0.9])
    assert sum(shares) == pytest.approx(1.0)
    assert len(q.procedures()) == len(p.procedures())
    assert_connected(q)
    # every case inspected: no gateway, the inspection sits on the path
    q1 = commitment(p, "t1", inspection_share=1.0)
    assert len(q1.nodes) == len(p.nodes) + 1
    assert q1.nodes[q1.successors("t1")[0]].facts.work == p.nodes["t1"].facts.work
    assert_connected(q1)


def test_commitment_bad_share():
    with pytest.raises(ModelError, match="inspection_share must be a number between 0 and 1, got 1.5"):
        commitment(simple(), "t1", inspection_share=1.5)


def test_accept_incomplete():
    p = chain(("t", facts(documents=3, wait=parse_duration("uniform(4, 8) workday"))))
    q = accept_incomplete(p, "t", saved="2 workday")
    f = q.nodes["t"].facts
    assert f.documents == 2
    assert f.wait.mean == pytest.approx(4.0)
    assert "容缺受理" in f.source
    assert accept_incomplete(p, "t", saved="10 workday").nodes["t"].facts.wait is None
    assert accept_incomplete(p, "t", factor=0.5).nodes["t"].facts.wait.mean == pytest.approx(3.0)
    assert accept_incomplete(p, "t").nodes["t"].facts.wait == p.nodes["t"].facts.wait
    with pytest.raises(ModelError, match="not both"):
        accept_incomplete(p, "t", saved="1 workday", factor=0.5)
    nowait = chain(("t", facts(documents=1)))
    with pytest.raises(ModelError, match="has no wait to cut"):
        accept_incomplete(nowait, "t", saved="1 workday")


def test_green_channel_caps_the_maximum_of_a_bounded_wait():
    p = chain(("t", facts(wait=parse_duration("triangular(5, 10, 20) workday"))))
    q = green_channel(p, "t", "8 workday")
    f = q.nodes["t"].facts
    assert f.statutory_limit == parse_duration("8 workday")
    assert isinstance(f.wait.dist, Triangular)
    assert f.wait.dist.sample(1.0) == pytest.approx(8.0)
    assert f.wait.mean == pytest.approx(p.nodes["t"].facts.wait.mean * 8 / 20)


def test_green_channel_caps_the_95th_percentile_of_an_unbounded_wait():
    p = chain(("t", facts(wait=Duration(Exponential(10), "day"))))
    q = green_channel(p, "t", "20 day")
    assert q.nodes["t"].facts.wait.dist.sample(0.95) == pytest.approx(20.0)
    within = green_channel(p, "t", "60 day")
    assert within.nodes["t"].facts.wait == p.nodes["t"].facts.wait


def test_green_channel_bad_limit():
    with pytest.raises(ModelError, match="unknown time unit"):
        green_channel(simple(), "t1", "8 weeks")


# -- scale and set ------------------------------------------------------------------------------

@pytest.mark.parametrize("part, work_mean, wait_mean", [("work", 1.6, 3.0), ("wait", 2.0, 2.4), ("both", 1.6, 2.4)])
def test_scale_duration(part, work_mean, wait_mean):
    p = chain(("t", facts(work=parse_duration("2 h"), wait=parse_duration("uniform(2, 4) workday"))))
    f = scale_duration(p, "t", 0.8, part).nodes["t"].facts
    assert f.work.mean == pytest.approx(work_mean) and f.wait.mean == pytest.approx(wait_mean)
    assert f"{part} x0.8" in f.source


def test_scale_timer_and_missing_parts():
    p = Process.build("p", "p", [Node("s", "start"), Node("w", "timer", timer=parse_duration("20 day")), Node("e", "end")],
                      [Flow("f1", "s", "w"), Flow("f2", "w", "e")])
    assert scale_duration(p, "w", 1.2, "wait").nodes["w"].timer.mean == pytest.approx(24.0)
    with pytest.raises(ModelError, match="no work"):
        scale_duration(p, "w", 1.2, "work")
    nowait = chain(("t", facts(work=parse_duration("1 h"))))
    with pytest.raises(ModelError, match='"t" has no wait'):
        scale_duration(nowait, "t", 1.2, "wait")
    with pytest.raises(ModelError, match="factor must be a number > 0"):
        scale_duration(nowait, "t", -1)
    with pytest.raises(ModelError, match='part must be "work", "wait" or "both"'):
        scale_duration(nowait, "t", 1.1, "all")  # type: ignore[arg-type]


def test_set_facts():
    p = simple()
    q = set_facts(p, "t1", documents=0, online=True, wait="3 workday", name="电子证照核验", source="seed 二(十五)")
    n = q.nodes["t1"]
    assert (n.facts.documents, n.facts.online, n.facts.wait, n.name) == (0, True, parse_duration("3 workday"), "电子证照核验")
    assert "documents=2->0" in n.facts.source and n.facts.source.endswith("(seed 二(十五))")
    assert set_facts(p, "t1", wait=None).nodes["t1"].facts.wait is None
    with pytest.raises(ModelError, match='unknown fact "documnets" \\(did you mean "documents"\\?\\)'):
        set_facts(p, "t1", documnets=1)
    with pytest.raises(ModelError, match="documents must be a whole number >= 0"):
        set_facts(p, "t1", documents=-1)
    with pytest.raises(ModelError, match="online must be true or false"):
        set_facts(p, "t1", online="yes")


# -- the scenario form --------------------------------------------------------------------------

def test_apply_edits_every_lever_from_yaml():
    p = reform_chain()
    edits = yaml.safe_load((DATA / "reform_edits.yaml").read_text(encoding="utf-8"))["edits"]
    assert {next(k for k in e if k in EDIT_VERBS) for e in edits} == set(EDIT_VERBS) - {"staff", "demand"}  # the scenario levers are tested in test_run_prep
    q = apply_edits(p, edits)
    assert "t_assess" not in q.nodes
    assert q.nodes["t_name"].name == "一窗受理" and q.nodes["t_name"].facts.documents == 3
    assert q.nodes["t_name"].facts.extra["merged_from"] == "t_name,t_register"
    assert any(n.kind == "parallel" for n in q.nodes.values())
    assert q.nodes["t_tax"].facts.online and q.nodes["t_tax"].facts.documents == 0
    assert q.nodes["t_permit"].facts.commitment
    assert q.nodes["t_fire"].facts.wait.mean == pytest.approx(3.0)
    assert q.nodes["t_dig"].facts.statutory_limit == parse_duration("8 workday")
    assert "(seed 二(三)2(3))" in q.nodes["t_dig"].facts.source
    assert q.nodes["t_connect"].facts.wait.mean == pytest.approx(3.2)
    new = q.nodes["t_e_licence"]  # added after the merged step, before what followed it
    assert (q.successors("t_name"), q.successors("t_e_licence")) == (["t_e_licence"], ["g_par_t_seal"])
    assert new.facts.online and new.facts.step_kind == "service" and new.facts.source.endswith("(seed 二(一)2(4) (test))")
    assert len(q.procedures()) < len(p.procedures())
    assert len(q.notes) == len(edits) + len(p.notes)
    assert_connected(q)


def test_apply_edits_reports_all_shape_problems_together():
    edits = yaml.safe_load((DATA / "broken_edits.yaml").read_text(encoding="utf-8"))["edits"]
    with pytest.raises(ScenarioError) as info:
        apply_edits(reform_chain(), edits, file="broken_edits.yaml")
    paths = [path for path, _ in info.value.problems]
    assert paths == ["edits[0]", "edits[1].inspection_share", "edits[2]"]
    text = str(info.value)
    assert 'did you mean "remove"?' in text
    assert "expected a share between 0 and 1, got 1.5" in text
    assert "green_channel needs limit" in text
    assert text.startswith("broken_edits.yaml: edits[0]:")


def test_apply_edits_names_the_failing_index():
    with pytest.raises(ScenarioError) as info:
        apply_edits(simple(), [{"online": "t0"}, {"remove": "t1"}, {"merge": ["t0", "t2"]}, {"remove": "t_0"}])
    # t0 → t2 are consecutive once t1 is removed, so the merge runs; the unknown id stops it
    (path, what), = info.value.problems
    assert path == "edits[3].remove"
    assert what.startswith('unknown step "t_0" (did you mean "t0"?)')
    with pytest.raises(ScenarioError) as info:
        apply_edits(branchy(), [{"online": "t_a"}, {"merge": ["t_b", "t_c"]}])
    (path, what), = info.value.problems
    assert path == "edits[1].merge"
    assert "different branches" in what


def test_apply_edits_unknown_key_and_bad_list():
    with pytest.raises(ScenarioError, match=r'edits\[0\]\.limt: unknown key "limt" for green_channel \(did you mean "limit"\?\)'):
        apply_edits(simple(), [{"green_channel": "t0", "limt": "8 workday"}])
    with pytest.raises(ScenarioError, match="expected a list of edits"):
        apply_edits(simple(), {"remove": "t0"})  # type: ignore[arg-type]
    with pytest.raises(ScenarioError, match=r"edits\[0\]: expected exactly one edit per item"):
        apply_edits(simple(), [{"remove": "t0", "online": "t1"}])
    with pytest.raises(ScenarioError, match=r'edits\[0\]\.remove: unknown step "t7"'):
        apply_edits(simple(), [{"remove": "t7"}])


# -- random chains ------------------------------------------------------------------------------

@st.composite
def chains_and_edits(draw):
    n = draw(st.integers(2, 8))
    steps = [(f"t{i}", TaskFacts(procedure=draw(st.booleans()), documents=draw(st.integers(0, 5)),
                                 work=Duration(Fixed(draw(st.integers(1, 8))), "hour"),
                                 wait=draw(st.one_of(st.none(), st.just(parse_duration("uniform(1, 3) workday"))))))
             for i in range(n)]
    ops = draw(st.lists(st.tuples(st.sampled_from(["remove", "merge", "parallel"]),
                                  st.integers(0, n - 1), st.integers(2, 4)), max_size=5))
    return chain(*steps), ops


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains_and_edits())
def test_random_edits_keep_graph_connected_and_never_add_procedures(case):
    p, ops = case
    for verb, start, length in ops:
        tasks = [n.id for n in p.tasks()]
        if not tasks:
            break
        window = tasks[start % len(tasks): start % len(tasks) + length]
        before_nodes, procedures = snapshot(p), len(p.procedures())
        try:
            if verb == "remove":
                q = remove_step(p, window[0])
            elif verb == "merge":
                q = merge_steps(p, window)
            else:
                q = parallelise(p, window)
        except ModelError as exc:
            # refusals are allowed (a window of one, steps already in parallel branches) but must
            # say what was expected
            assert "expected" in str(exc)
            continue
        assert snapshot(p) == before_nodes
        assert_connected(q)
        assert len(q.procedures()) <= procedures
        assert len(set(q.nodes) | set(q.flows)) == len(q.nodes) + len(q.flows)  # ids stay distinct
        p = q


# -- BPMN round trip ----------------------------------------------------------------------------

def _comparable(p: Process) -> tuple:
    """Graph and facts as the BPMN file carries them (durations at their written precision)."""
    def dur(d: Duration | None) -> str | None:
        return None if d is None else f"{d.dist!r} {d.unit}"

    def fact_view(f: TaskFacts | None) -> tuple | None:
        if f is None:
            return None
        return (f.agency, f.procedure, f.documents, f.fee, f.online, dur(f.statutory_limit), dur(f.work),
                dur(f.wait), f.stage, f.commitment, f.source, f.name_en, dict(f.extra))

    nodes = {n.id: (n.kind, n.name, fact_view(n.facts), dur(n.timer), n.default_flow) for n in p.nodes.values()}
    flows = {f.id: (f.source, f.target, f.condition, f.share) for f in p.flows.values()}
    return nodes, flows


def test_edited_process_writes_to_bpmn_and_reloads_equal(tmp_path):
    from sim.bpmn.loader import load_process
    from sim.bpmn.writer import write_bpmn

    edits = yaml.safe_load((DATA / "reform_edits.yaml").read_text(encoding="utf-8"))["edits"]  # the inspection share too
    q = apply_edits(reform_chain(), edits)
    path = tmp_path / "edited.bpmn"
    write_bpmn(q, path)
    r = load_process(path)
    assert _comparable(r) == _comparable(q)
    assert r.nodes["t_name"].facts.extra["merged_from"] == "t_name,t_register"


# -- the typed levers (sim.model.levers) ------------------------------------------------------

def test_every_verb_is_a_frozen_lever_with_labels_in_both_languages():
    import dataclasses

    from sim.model.levers import LEVERS, Lever

    assert set(LEVERS) == set(EDIT_VERBS)
    examples = {"remove": ("t1",), "merge": (("t0", "t1"),), "parallel": (("t0", "t1"),), "online": ("t1",),
                "commitment": ("t1",), "accept_incomplete": ("t1",), "green_channel": ("t1", parse_duration("1 workday")),
                "scale": ("t1", 0.8), "set": ("t1", {"documents": 1}), "staff": ("a", 2), "demand": (2.0,),
                "add": ("t_new", "t1", None, {"name": "e-licence", "agency": "a", "kind": "service"})}
    for verb, cls in LEVERS.items():
        lever = cls(*examples[verb])
        assert isinstance(lever, Lever) and lever.verb == verb
        zh, en = lever.label(), lever.label("en")
        assert zh != en and any("\u4e00" <= ch <= "\u9fff" for ch in zh), (verb, zh)  # Chinese first
        assert hash(lever) == hash(cls(*examples[verb]))  # usable as a key (the sensitivity tables)
        with pytest.raises(dataclasses.FrozenInstanceError):
            lever.source = "x"  # type: ignore[misc]
    with pytest.raises(ValueError, match='lang must be "zh" or "en"'):
        LEVERS["online"]("t1").label("fr")


def test_yaml_edits_become_the_same_levers_and_apply_leaves_the_original():
    from sim.model.edits import parse_edits
    from sim.model.levers import Merge, Online

    p = simple()
    levers = parse_edits([{"online": "t1", "source": "seed 二(一)"}, {"merge": ["t0", "t1"], "name": "一窗受理"}])
    assert levers == (Online("t1", source="seed 二(一)"), Merge(("t0", "t1"), name="一窗受理"))
    q = levers[0].apply(p)
    assert q.nodes["t1"].facts.online and not (p.nodes["t1"].facts and p.nodes["t1"].facts.online)
    assert apply_edits(p, levers).nodes.keys() == apply_edits(p, [{"online": "t1"}, {"merge": ["t0", "t1"]}]).nodes.keys()
    with pytest.raises(ScenarioError, match=r"edits\[0\]\.demand: changes the scenario, not the process"):
        apply_edits(p, [{"demand": 2.0}])


# -- only legal levers (sim.model.legal) ----------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
LOWRISK = ROOT / "processes" / "construction_lowrisk_2021.bpmn"


def test_commitment_on_physical_works_is_refused_naming_step_lever_and_rule():
    from sim.bpmn.loader import load_process

    p = load_process(LOWRISK)
    with pytest.raises(ScenarioError) as err:
        apply_edits(p, [{"online": "t_filing"}, {"commitment": "t_external_connection"}], file="w.yaml")
    text = str(err.value)
    assert text.startswith("w.yaml: edits[1].commitment: lever commitment is not allowed on step \"t_external_connection\"")
    assert "kind works" in text and "rule physical_works" in text and "seed 二(三)2(2)" in text and "override_rule" in text


def test_override_rule_applies_the_lever_and_records_a_planners_assumption():
    from sim.analysis.provenance import grade
    from sim.bpmn.loader import load_process

    p = load_process(LOWRISK)
    q = apply_edits(p, [{"commitment": "t_external_connection", "override_rule": "what-if: works pre-approved by the grid"}])
    facts = q.nodes["t_external_connection"].facts
    assert facts.commitment and facts.wait is None
    trail = facts.source.rsplit("edit: ", 1)[1]
    assert "assumption: planner's override of rule physical_works on t_external_connection: what-if: works pre-approved" in trail
    assert grade(trail[trail.index("assumption:"):]) == "assumption"


def test_override_rule_where_the_rules_allow_it_is_an_error():
    from sim.bpmn.loader import load_process

    with pytest.raises(ScenarioError, match=r"edits\[0\]\.online\.override_rule: the rules allow online on t_filing: nothing to override"):
        apply_edits(load_process(LOWRISK), [{"online": "t_filing", "override_rule": "why not"}])
    with pytest.raises(ScenarioError, match=r"edits\[0\]\.override_rule: expected the planner's reason"):
        apply_edits(load_process(LOWRISK), [{"online": "t_filing", "override_rule": " "}])


def test_set_cannot_smuggle_a_forbidden_lever_or_reclassify_a_step():
    from sim.bpmn.loader import load_process
    from sim.model.levers import Set

    p = load_process(LOWRISK)
    with pytest.raises(ScenarioError, match=r'lever set \(as commitment\) is not allowed on step "t_joint_acceptance".*kind inspection'):
        apply_edits(p, [Set("t_joint_acceptance", {"commitment": True})])  # YAML reads commitment as a verb: typed form
    with pytest.raises(ScenarioError, match=r"edits\[0\]\.step_kind: step_kind says what the step legally is"):
        apply_edits(p, [{"set": "t_joint_acceptance", "step_kind": "permit"}])
    assert apply_edits(p, [{"set": "t_joint_acceptance", "documents": 1}]).nodes["t_joint_acceptance"].facts.documents == 1


def test_a_refused_lever_in_a_scenario_file_exits_2_and_override_runs(tmp_path, capsys):
    import shutil

    from sim.cli import main

    shutil.copy(LOWRISK, tmp_path / "p.bpmn")
    edit = {"commitment": "t_joint_acceptance", "source": "assumption: test"}
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump({"process": "p.bpmn", "edits": [edit]}, allow_unicode=True), encoding="utf-8")
    assert main(["run", str(tmp_path / "bad.yaml"), "--cases", "20", "--replications", "1"]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml: edits[0].commitment" in err and "t_joint_acceptance" in err and "rule on_site_inspection" in err
    assert "Traceback" not in err
    edit["override_rule"] = "what-if: self-certified acceptance"
    (tmp_path / "ok.yaml").write_text(yaml.safe_dump({"process": "p.bpmn", "edits": [edit]}, allow_unicode=True), encoding="utf-8")
    assert main(["run", str(tmp_path / "ok.yaml"), "--cases", "20", "--replications", "1"]) == 0


def test_bundled_what_ifs_that_bend_a_rule_say_so():
    import sim

    for name in ("whatif_commitment_drawing_review", "whatif_green_channel_external"):
        sc = sim.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        assert [lv.override for lv in sc.edits if lv.override], name


def test_excluded_levers_key_is_checked_and_extends_appends(tmp_path):
    import sim
    from sim.model.scenario import parse_scenario

    with pytest.raises(ScenarioError, match=r'excluded_levers\[1\]: unknown lever "onlin" \(did you mean "online"\?\)'):
        parse_scenario({"excluded_levers": ["commitment", {"lever": "onlin"}]}, file="x.yaml")
    (tmp_path / "base.yaml").write_text("excluded_levers: [commitment]\n", encoding="utf-8")
    (tmp_path / "child.yaml").write_text("extends: base.yaml\nexcluded_levers:\n  - {lever: staff, agencies: [tax], reason: no hiring}\n",
                                         encoding="utf-8")
    sc = sim.load_scenario(tmp_path / "child.yaml")
    assert [(e.verb, e.steps, e.reason) for e in sc.excluded_levers] == [("commitment", (), ""), ("staff", ("tax",), "no hiring")]


# -- add: a step the reform creates (sim.model.rewrite.add_step) ---------------------------------

def test_add_inserts_a_step_after_or_before_a_node_and_keeps_the_original():
    p = simple()
    q = apply_edits(p, [{"add": "t_new", "after": "t0", "name": "新环节", "agency": "a0", "kind": "service", "online": True,
                         "work": "0.5 h", "source": "seed 二(一)2(4)"}])
    assert (q.successors("t0"), q.successors("t_new")) == (["t_new"], ["t1"]) and "t_new" not in p.nodes
    new = q.nodes["t_new"].facts
    assert (new.online, new.step_kind, new.work, new.procedure) == (True, "service", parse_duration("0.5 h"), False)
    assert new.source == "edit: step added after t0 (seed 二(一)2(4))"
    r = apply_edits(p, [{"add": "t_new", "before": "e", "name": "新环节", "agency": "a0", "kind": "service", "source": "x"}])
    assert r.successors("t2") == ["t_new"] and r.successors("t_new") == ["e"]
    assert_connected(q), assert_connected(r)


def test_add_with_when_puts_the_new_step_behind_a_gateway_only_those_cases_take():
    q = apply_edits(simple(), [{"add": "t_new", "after": "t0", "when": "big or urgent", "name": "新环节", "agency": "a0",
                                "kind": "service", "source": "x"}])
    gate, merge = q.nodes["g_t_new"], q.nodes["m_t_new"]
    assert gate.kind == merge.kind == "exclusive" and q.successors("t0") == ["g_t_new"]
    cond = [f for f in q.outgoing("g_t_new") if f.target == "t_new"]
    assert [f.condition for f in cond] == ["big or urgent"] and q.flows[gate.default_flow].target == "m_t_new"
    assert q.successors("t_new") == ["m_t_new"] and q.successors("m_t_new") == ["t1"]
    assert q.attributes() == ["big", "urgent"]
    assert_connected(q)
    with pytest.raises(ScenarioError, match=r"edits\[0\]\.add: when: .*not allowed"):
        apply_edits(simple(), [{"add": "t_new", "after": "t0", "when": "__import__('os')", "name": "x", "agency": "a0",
                                "kind": "service", "source": "x"}])


def test_add_states_the_filing_fact_an_analysis_reads():
    from sim.analysis.filings import FILES_PROPERTY

    q = apply_edits(simple(), [{"add": "t_file", "after": "t0", "name": "合并申报", "agency": "a0", "kind": "filing",
                                "taxes_filed": "property, stamp", "source": "x"}])
    assert q.nodes["t_file"].facts.extra[FILES_PROPERTY] == "property, stamp"


@pytest.mark.parametrize("item, where, words", [
    ({"add": "t0", "after": "t1"}, "edits[0].add", 'id "t0" is already used'),
    ({"add": "t_new", "after": "t_9"}, "edits[0].add", 'unknown step "t_9"'),
    ({"add": "t_new", "after": "s", "before": "e"}, "edits[0]", "exactly one of after"),
    ({"add": "t_new", "after": "t0", "kind": "works", "online": True}, "edits[0].add", "lever add (as online) is not allowed"),
    ({"add": "t_new", "after": "t0", "kind": "servce"}, "edits[0].kind", 'did you mean "service"'),
    ({"add": "t_new", "after": "t0", "documents": -1}, "edits[0].documents", "whole number >= 0"),
])
def test_add_problems_are_located(item, where, words):
    item = {"name": "新环节", "agency": "a0", "kind": "service", "source": "x", **item}
    with pytest.raises(ScenarioError) as info:
        apply_edits(simple(), [item])
    assert any(p == where and words in what for p, what in info.value.problems), info.value.problems


def test_staff_keeps_its_add_parameter():
    from sim.model.edits import parse_edits
    from sim.model.levers import Staff

    assert parse_edits([{"staff": "a0", "add": 2}]) == (Staff(agency="a0", add=2),)


def test_merge_kind_is_one_of_the_merged_steps_kinds():
    p = chain(("t0", facts(step_kind="permit")), ("t1", facts(step_kind="registration")))
    assert apply_edits(p, [{"merge": ["t0", "t1"]}]).nodes["t0"].facts.step_kind == "permit+registration"
    assert apply_edits(p, [{"merge": ["t0", "t1"], "kind": "registration"}]).nodes["t0"].facts.step_kind == "registration"
    with pytest.raises(ScenarioError, match='kind "filing" is not the kind of any merged step'):
        apply_edits(p, [{"merge": ["t0", "t1"], "kind": "filing"}])


def test_removing_the_only_step_of_a_branch_leaves_the_default_flow_alone():
    """s → g (t_b if x, else default) → j → e: without t_b both flows would join g to j (two tokens at a join)."""
    nodes = [Node("s", "start"), Node("g", "exclusive", default_flow="f4"), Node("t_b", "task", facts=facts()),
             Node("j", "exclusive"), Node("e", "end")]
    flows = [Flow("f1", "s", "g"), Flow("f2", "g", "t_b", condition="x"), Flow("f3", "t_b", "j"), Flow("f4", "g", "j"),
             Flow("f5", "j", "e")]
    q = apply_edits(Process.build("p", "p", nodes, flows), [{"remove": "t_b"}])
    assert [(f.id, f.source, f.target) for f in q.flows.values()] == [("f1", "s", "g"), ("f4", "g", "j"), ("f5", "j", "e")]
    assert "branch flow f2 dropped" in q.notes[-1]
