"""Tests of sim.report.diff: classification of before/after steps, counts, the side-by-side drawing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.analysis.paths import max_counts
from sim.bpmn.loader import load_bpmn, load_process
from sim.errors import ModelError
from sim.report.diff import CLASS_COLOURS, Change, Merge, diff_processes, render_diff

DATA = Path(__file__).parent / "data" / "diagram"
BEFORE, AFTER = load_bpmn(DATA / "before.bpmn"), load_bpmn(DATA / "after.bpmn")
AFTER_TEXT = (DATA / "after.bpmn").read_text(encoding="utf-8")
BEFORE_TEXT = (DATA / "before.bpmn").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def diff():  # noqa: ANN201
    return diff_processes(BEFORE, AFTER)


def test_removed_added_and_matched(diff) -> None:  # noqa: ANN001
    assert diff.removed == ["t_check"]
    assert diff.added == ["t_guide"]
    # t_invoice became t_invoice_ukey: matched by name, not id.
    assert diff.matched == {"t_apply": "t_apply", "t_seal": "t_seal", "t_invoice": "t_invoice_ukey",
                            "t_bank": "t_bank"}


def test_merged_by_name_and_by_merged_from(diff) -> None:  # noqa: ANN001
    assert diff.merged == [
        Merge(("t_name", "t_register"), "t_register"),  # "名称核准与设立登记" holds both names
        Merge(("t_tax", "t_social"), "t_post"),  # merged_from="t_tax, t_social"
    ]


def test_parallelised_shortened_online_commitment(diff) -> None:  # noqa: ANN001
    assert diff.parallelised == [("t_seal", "t_invoice_ukey")]
    assert diff.shortened == [
        Change("t_apply", "t_apply", "statutory_limit", 1.0, 0.5),
        Change("t_seal", "t_seal", "statutory_limit", 1.0, 0.5),
        Change("t_invoice", "t_invoice_ukey", "wait+work", 2.0, 0.4),  # uniform(1,3) -> uniform(0.2,0.6)
    ]
    assert diff.made_online == ["t_apply"]
    assert diff.commitment == ["t_bank"]


def test_counts_are_the_worst_path_of_the_one_counter(diff) -> None:  # noqa: ANN001
    assert diff.before_counts == max_counts(BEFORE.process)
    assert (diff.before_counts.procedures, diff.before_counts.documents) == (9, 22)
    assert diff.before_counts.statutory == {"workday": 18.0}
    # 0.5 + 0.5 + max(0.5, 2) + 1 + 2: the parallel branches count once, by the longer one.
    assert (diff.after_counts.procedures, diff.after_counts.documents) == (6, 10)
    assert diff.after_counts.statutory == {"workday": 6.0}


def test_timer_periods_stay_calendar_days_and_alternatives_are_not_added() -> None:
    counts = max_counts(load_process(DATA / "chinese_chain.bpmn"))
    # apply 0.5 + inspect 3 (the longer alternative, not both) + seal/invoice 0.5 + bank 1; the "P20D" notice
    # is 20 calendar days beside them, not 20 × 5/7 working days added to them.
    assert counts.statutory == {"workday": pytest.approx(0.5 + 3 + 0.5 + 1), "day": 20.0}
    assert counts.statutory_text("zh") == "5 工作日 + 20 天"


def test_same_file_has_no_changes() -> None:
    d = diff_processes(BEFORE, BEFORE)
    assert d.classes_present() == []
    assert len(d.matched) == 9


def test_highlights_colour_each_changed_step_once(diff) -> None:  # noqa: ANN001
    before, after = diff.highlights()
    assert before["t_check"] == CLASS_COLOURS["removed"]
    assert before["t_name"] == before["t_register"] == CLASS_COLOURS["merged"]
    assert after["t_guide"] == CLASS_COLOURS["added"]
    assert after["t_apply"] == CLASS_COLOURS["made_online"]  # also shortened, shown as a dot
    assert after["t_bank"] == CLASS_COLOURS["commitment"]
    assert "t_bank" not in before


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_render_diff_png_and_svg(tmp_path: Path, lang: str) -> None:
    png = render_diff(BEFORE, AFTER, tmp_path / "diff.png", lang=lang)
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 30_000
    svg = render_diff(BEFORE, AFTER, tmp_path / "diff.svg", lang=lang).read_text(encoding="utf-8")
    # Both diagrams are drawn: the removed step and the added one appear, each once.
    assert len(re.findall(r'<g id="t_check"', svg)) == 1
    assert len(re.findall(r'<g id="t_guide"', svg)) == 1


def test_merged_from_naming_an_unknown_step_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "after_bad.bpmn"
    bad.write_text(AFTER_TEXT.replace("t_tax, t_social", "t_tax, t_nothing"), encoding="utf-8")
    with pytest.raises(ModelError) as info:
        diff_processes(BEFORE, load_bpmn(bad))
    message = str(info.value)
    assert "after_bad.bpmn" in message and 'id="t_post"' in message and '"t_nothing"' in message


def test_bad_flag_value_names_the_property(tmp_path: Path) -> None:
    bad = tmp_path / "before_bad.bpmn"
    bad.write_text(BEFORE_TEXT.replace('name="online" value="false"', 'name="online" value="maybe"', 1), encoding="utf-8")
    with pytest.raises(ModelError, match=r'before_bad.bpmn.*id="t_apply".*property online: expected true or false'):
        load_bpmn(bad)  # the one reader checks the facts; the diff never sees a bad flag


def test_chain_without_statutory_limits_says_so(tmp_path: Path) -> None:
    text = re.sub(r'\s*<spiffworkflow:property name="statutory_limit" value="[^"]*"/>', "", BEFORE_TEXT)
    path = tmp_path / "no_limits.bpmn"
    path.write_text(text, encoding="utf-8")
    d = diff_processes(load_process(path), AFTER)
    assert d.before_counts.statutory == {} and d.before_counts.statutory_text() == ""


def test_diff_takes_loaded_processes_not_paths() -> None:
    with pytest.raises(TypeError, match="expected a process"):
        diff_processes(DATA / "before.bpmn", AFTER)


def test_render_needs_the_diagram_and_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"no_di.bpmn.*no diagram interchange"):
        render_diff(load_bpmn(DATA / "no_di.bpmn"), AFTER, tmp_path / "d.png")
    assert not (tmp_path / "d.png").exists()


def test_drawing_needs_no_second_read_of_the_files(tmp_path: Path) -> None:
    """The loader reads process and diagram from one parse: once loaded, the files may be gone."""
    copies = []
    for name in ("before.bpmn", "after.bpmn"):
        copy = tmp_path / name
        copy.write_bytes((DATA / name).read_bytes())
        copies.append(copy)
    before, after = (load_bpmn(p) for p in copies)
    for p in copies:
        p.unlink()
    out = render_diff(before, after, tmp_path / "diff.svg")
    assert '<g id="t_guide"' in out.read_text(encoding="utf-8")
    assert before.document is not None and before.document.diagram.shape("t_check") is not None


def test_a_shortened_notice_is_told_in_its_own_unit() -> None:
    root = Path(__file__).resolve().parents[1] / "processes"
    d = diff_processes(load_process(root / "deregistration_simple_baseline.bpmn"), load_process(root / "deregistration_simple_2021.bpmn"))
    notice = next(c for c in d.shortened if c.after_id == "tm_public_notice")
    assert (notice.before, notice.after, notice.unit) == (45.0, 20.0, "day")  # calendar days, not 32.14 → 14.29 workdays


# --- renamed steps and what each panel colours (issue 11 item 10) ------------------------------------------
def _chain(steps: list[tuple[str, str, str]]) -> "Process":  # noqa: F821 - annotation only
    """start → steps (id, name, agency) in sequence → end."""
    from sim.model.process import Flow, Node, Process, TaskFacts

    nodes = [Node("s", "start")] + [Node(i, "task", n, facts=TaskFacts(agency=a, procedure=True, source="assumption: test"))
                                    for i, n, a in steps] + [Node("e", "end")]
    ids = [n.id for n in nodes]
    return Process.build("p", "p", nodes, [Flow(f"f{k}", a, b) for k, (a, b) in enumerate(zip(ids, ids[1:]))])


def test_same_id_with_a_new_name_is_renamed_not_removed_and_added() -> None:
    before = _chain([("t_a", "申请", "x"), ("t_b", "审核", "x")])
    after = _chain([("t_a", "网上申请", "x"), ("t_b", "审核", "x")])
    d = diff_processes(before, after)
    assert d.renamed == [("t_a", "t_a")] and d.removed == [] and d.added == []
    cb, ca = d.step_classes()
    assert cb == {"t_a": ["renamed"]} and ca == {"t_a": ["renamed"]}
    assert "renamed" in d.classes_present()


def test_same_agency_and_position_with_a_new_id_and_name_is_renamed() -> None:
    before = _chain([("t_a", "申请", "x"), ("t_old", "现场核查", "inspector"), ("t_c", "发证", "x")])
    after = _chain([("t_a", "申请", "x"), ("t_new", "远程核验", "inspector"), ("t_c", "发证", "x")])
    d = diff_processes(before, after)
    assert d.renamed == [("t_old", "t_new")] and d.matched["t_old"] == "t_new"
    assert d.removed == [] and d.added == []


def test_two_consecutive_renamed_steps_pair_up_in_order() -> None:
    before = _chain([("b1", "一", "x"), ("b2", "二", "x"), ("t_end", "办结", "y")])
    after = _chain([("a1", "甲", "x"), ("a2", "乙", "x"), ("t_end", "办结", "y")])
    d = diff_processes(before, after)
    assert d.renamed == [("b1", "a1"), ("b2", "a2")] and d.removed == [] and d.added == []


def test_another_agency_at_the_same_place_is_removed_and_added() -> None:
    """The rule can fail: a step of a different agency at the same place is a different step."""
    before = _chain([("t_a", "申请", "x"), ("t_old", "现场核查", "inspector"), ("t_c", "发证", "x")])
    after = _chain([("t_a", "申请", "x"), ("t_new", "银行开户", "bank"), ("t_c", "发证", "x")])
    d = diff_processes(before, after)
    assert d.renamed == [] and d.removed == ["t_old"] and d.added == ["t_new"]


def test_an_ambiguous_position_is_not_guessed() -> None:
    """Two leftover steps of one agency fit the same place: neither is paired."""
    from sim.model.process import Flow, Node, Process, TaskFacts

    def par(ids: tuple[str, str]) -> Process:
        f = TaskFacts(agency="x", procedure=True, source="assumption: test")
        nodes = [Node("s", "start"), Node("g", "parallel"), Node(ids[0], "task", ids[0], facts=f),
                 Node(ids[1], "task", ids[1], facts=f), Node("j", "parallel"), Node("e", "end")]
        flows = [Flow("1", "s", "g"), Flow("2", "g", ids[0]), Flow("3", "g", ids[1]), Flow("4", ids[0], "j"),
                 Flow("5", ids[1], "j"), Flow("6", "j", "e")]
        return Process.build("p", "p", nodes, flows)

    d = diff_processes(par(("b1", "b2")), par(("a1", "a2")))
    assert d.renamed == [] and sorted(d.removed) == ["b1", "b2"] and sorted(d.added) == ["a1", "a2"]


def test_the_before_panel_colours_only_what_the_before_side_has(diff) -> None:  # noqa: ANN001
    before, after = diff.step_classes()
    # t_seal and t_invoice ran one after the other before: "parallelised" belongs to the after panel only
    assert "parallelised" in after["t_seal"] and "parallelised" in after["t_invoice_ukey"]
    assert all("parallelised" not in v for v in before.values())
    allowed_before = {"removed", "merged", "renamed"}
    assert all(set(v) <= allowed_before for v in before.values()), before
    assert set(before) <= {n.id for n in BEFORE.process.nodes.values()}
    assert set(after) <= {n.id for n in AFTER.process.nodes.values()}


def test_bundled_gas_permits_are_renamed_not_removed_and_added() -> None:
    root = Path(__file__).resolve().parents[1] / "processes"
    d = diff_processes(load_process(root / "gas_baseline.bpmn"), load_process(root / "gas_2021.bpmn"))
    assert d.removed == [] and d.added == []
    assert {b for b, _ in d.renamed} >= {"t_planning", "t_green", "t_road_dig", "t_major_road"}
