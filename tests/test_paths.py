"""Static path counts on small hand-built graphs."""

from __future__ import annotations

import pytest

from sim.analysis.paths import max_counts, path_counts
from sim.errors import ModelError
from sim.model.process import Flow, Node, Process, TaskFacts, parse_duration


def task(id: str, *, proc: bool = True, docs: int = 0, fee: float = 0, limit: str | None = None,
         stage: str | None = None) -> Node:
    return Node(id, "task", facts=TaskFacts(procedure=proc, documents=docs, fee=fee, stage=stage,
                                            statutory_limit=parse_duration(limit) if limit else None))


def build(nodes: list[Node], edges: list[tuple[str, str] | tuple[str, str, str]], **node_kw: str) -> Process:
    flows = [Flow(f"f{i}", e[0], e[1], condition=e[2] if len(e) > 2 else None) for i, e in enumerate(edges)]
    nodes = [Node(n.id, n.kind, n.name, facts=n.facts, timer=n.timer, default_flow=node_kw.get(n.id)) for n in nodes]
    return Process.build("p", "p", nodes, flows)


def test_linear_chain_is_one_path_with_summed_counts():
    p = build([Node("s", "start"), task("a", docs=2, fee=10, limit="2 workday"), task("b", proc=False, docs=1,
               limit="3 workday"), Node("e", "end")], [("s", "a"), ("a", "b"), ("b", "e")])
    (only,) = path_counts(p)
    assert (only.procedures, only.documents, only.fee) == (1, 3, 10.0)
    assert only.statutory == {"workday": 5.0}
    assert only.critical_path == ("a", "b")


def test_exclusive_branches_are_alternatives():
    p = build([Node("s", "start"), Node("x", "exclusive"), task("a", docs=1), task("b", docs=4), task("c", docs=1),
               Node("m", "exclusive"), Node("e", "end")],
              [("s", "x"), ("x", "a"), ("x", "b"), ("b", "c"), ("a", "m"), ("c", "m"), ("m", "e")])
    paths = path_counts(p)
    assert [(c.steps, c.procedures, c.documents) for c in paths] == [(("a",), 1, 1), (("b", "c"), 2, 5)]
    assert max_counts(p).procedures == 2 and max_counts(p).documents == 5 and max_counts(p).paths == 2


def test_parallel_branches_are_all_taken_and_the_longest_is_critical():
    p = build([Node("s", "start"), Node("ps", "parallel"), task("a", limit="5 workday"), task("b", limit="1 workday"),
               task("c", limit="2 day"), Node("pj", "parallel"), task("z", limit="1 workday"), Node("e", "end")],
              [("s", "ps"), ("ps", "a"), ("ps", "b"), ("b", "c"), ("a", "pj"), ("c", "pj"), ("pj", "z"), ("z", "e")])
    (only,) = path_counts(p)
    assert only.procedures == 4
    assert only.critical_path == ("a", "z")  # 5 workdays beat 1 workday + 2 calendar days
    assert only.statutory == {"workday": 6.0}


def test_timer_wait_counts_on_the_critical_path():
    timer = Node("t45", "timer", timer=parse_duration("45 day"))
    p = build([Node("s", "start"), Node("ps", "parallel"), timer, task("tax", limit="20 workday"),
               Node("pj", "parallel"), Node("e", "end")],
              [("s", "ps"), ("ps", "t45"), ("ps", "tax"), ("t45", "pj"), ("tax", "pj"), ("pj", "e")])
    (only,) = path_counts(p)
    assert only.critical_path == ("t45",) and only.statutory == {"day": 45.0}
    assert only.procedures == 1


def test_inclusive_split_gives_every_non_empty_subset_and_the_default_alone():
    p = build([Node("s", "start"), Node("i", "inclusive"), task("a"), task("b"), task("d"), Node("j", "inclusive"),
               Node("e", "end")],
              [("s", "i"), ("i", "a"), ("i", "b"), ("i", "d"), ("a", "j"), ("b", "j"), ("d", "j"), ("j", "e")],
              i="f3")
    steps = sorted(tuple(sorted(c.steps)) for c in path_counts(p))
    assert steps == [("a",), ("a", "b"), ("b",), ("d",)]


def test_loop_is_taken_at_most_once_and_repeats_do_not_add_procedures():
    p = build([Node("s", "start"), task("apply", docs=2, limit="1 workday"), Node("x", "exclusive"),
               task("fix", proc=False), task("done", limit="1 workday"), Node("e", "end")],
              [("s", "apply"), ("apply", "x"), ("x", "fix"), ("fix", "apply"), ("x", "done"), ("done", "e")])
    paths = path_counts(p)
    assert sorted(c.steps for c in paths) == [("apply", "done"), ("apply", "fix", "apply", "done")]
    looped = next(c for c in paths if "fix" in c.steps)
    assert looped.procedures == 2 and looped.documents == 2  # distinct steps, as Doing Business counts
    assert looped.statutory == {"workday": 3.0}  # the repeated step's limit is lived twice


def test_attributes_choose_the_branch():
    p = build([Node("s", "start"), Node("x", "exclusive"), task("road", limit="8 workday"), Node("m", "exclusive"),
               Node("e", "end")],
              [("s", "x"), ("x", "road", "touches_major_road"), ("x", "m"), ("road", "m"), ("m", "e")], x="f2")
    assert [c.steps for c in path_counts(p, {"touches_major_road": True})] == [("road",)]
    assert [c.steps for c in path_counts(p, {"touches_major_road": False})] == [()]
    assert len(path_counts(p)) == 2


def test_stages_are_counted_once_each():
    p = build([Node("s", "start"), task("a", stage="施工许可"), task("b", stage="施工许可"), task("c", stage="竣工验收"),
               Node("e", "end")], [("s", "a"), ("a", "b"), ("b", "c"), ("c", "e")])
    assert path_counts(p)[0].stages == ("施工许可", "竣工验收") and max_counts(p).stages == 2


def test_parallel_join_after_an_exclusive_split_is_reported_stuck():
    p = build([Node("s", "start"), Node("x", "exclusive"), task("a"), task("b"), Node("pj", "parallel"),
               Node("e", "end")], [("s", "x"), ("x", "a"), ("x", "b"), ("a", "pj"), ("b", "pj"), ("pj", "e")])
    with pytest.raises(ModelError, match="stuck"):
        path_counts(p)


def test_too_many_paths_is_an_error_not_a_hang():
    nodes: list[Node] = [Node("s", "start")]
    edges: list[tuple[str, str]] = []
    prev = "s"
    for i in range(6):  # 2**6 = 64 paths
        nodes += [Node(f"x{i}", "exclusive"), task(f"a{i}"), task(f"b{i}"), Node(f"m{i}", "exclusive")]
        edges += [(prev, f"x{i}"), (f"x{i}", f"a{i}"), (f"x{i}", f"b{i}"), (f"a{i}", f"m{i}"), (f"b{i}", f"m{i}")]
        prev = f"m{i}"
    nodes.append(Node("e", "end"))
    edges.append((prev, "e"))
    p = build(nodes, edges)
    assert len(path_counts(p)) == 64
    with pytest.raises(ModelError, match="more than 10 distinct paths"):
        path_counts(p, limit=10)
