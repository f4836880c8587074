"""The sources file and the citations in the bundled models, scenarios and register.

Each test names what it would catch: a malformed entry, a cited id with no entry, a time figure
whose source cannot be graded, a grade not read from the file, a read of the team's folder beside the project, and a model
number whose source cites the target it is judged on.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from sim import sources
from sim.analysis import provenance
from sim.sources import GRADES, SourcesError, cited_ids, entries, resolve

ROOT = Path(__file__).resolve().parents[1]
# the bundled files whose source texts must cite the sources file
CITING = sorted(ROOT.glob("processes/*.bpmn")) + sorted(ROOT.glob("scenarios/*.yaml")) \
    + sorted(ROOT.glob("sim/**/*.py"))
TIME_FIELDS = ("work", "wait", "timer", "arrivals", "staff", "hours")


def test_every_entry_is_well_formed() -> None:
    table = entries()
    assert len(table) >= 30
    for fid, e in table.items():
        assert re.fullmatch(sources.ID_PATTERN, fid), fid  # an id a source text can cite
        assert isinstance(e["value"], (int, float)), fid
        assert e["grade"] in GRADES, fid
        assert "|" in e["citation"] and "http" in e["citation"], f"{fid}: citation needs 'publication | URL'"


def test_a_malformed_entry_is_refused_with_file_and_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "sources.yaml"
    bad.write_text("entries:\n- {id: CN.x.y, value: 1, grade: plan, measures: m, citation: c}\n", encoding="utf-8")
    monkeypatch.setattr(sources, "SOURCES_FILE", bad)
    entries.cache_clear()
    try:
        with pytest.raises(SourcesError, match=r"sources\.yaml: entries\[0\].*missing unit"):
            entries()
    finally:
        entries.cache_clear()


@pytest.mark.parametrize("path", CITING, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_cited_figure_id_resolves(path: Path) -> None:
    unknown = [i for i in cited_ids(path.read_text(encoding="utf-8")) if resolve(i) is None]
    assert not unknown, f"{path.name} cites ids missing from sim/data/sources.yaml: {sorted(set(unknown))}"


@pytest.mark.parametrize("path", sorted(ROOT.glob("processes/*.bpmn")), ids=lambda p: p.name)
def test_every_time_figure_has_a_gradable_source(path: Path) -> None:
    ungraded = []
    for el in etree.parse(str(path)).iter("{*}property"):
        if el.get("name") == "source":
            for field, text in provenance.attributions(el.get("value") or "").items():
                if field in TIME_FIELDS and provenance.grade(text) == "unsourced":
                    ungraded.append(f"{field}: {text}")
    assert not ungraded, f"{path.name}: time figures whose source is no id, clause, statute or assumption: {ungraded}"


def test_provenance_grades_an_id_through_the_sources_file() -> None:
    # a national target is a plan figure; the text patterns alone would call "CN." measured
    assert provenance.grade("CN.target.registering_property.2019.target_working_days (5)") == "plan"
    assert provenance.grade("CN.rule.deregistration.2021.notice_days_after") == "statute"
    assert provenance.grade("CN.target.starting_a_business.2018.per_step_pre_reform_days.seal (4)") == "measured"
    assert provenance.grade("assumption: CN.rule.deregistration.2021 read loosely") == "assumption"


# The team's folder beside the project (named here only in pieces, so this file is no hit of its own).
_TEAM = "sha" + "red"
_SHARED = re.compile(rf"\.\./{_TEAM}|[\"']{_TEAM}[\"']|/work/{_TEAM}")


def test_nothing_reads_the_team_shared_folder() -> None:
    # a clone of the project has no team folder beside it; benchmarks (run by hand) and docs may name it
    hits = []
    for top in ("sim", "tests", "processes", "scenarios", "notebooks", "scripts"):
        for f in (ROOT / top).rglob("*"):
            if f.is_file() and f.suffix in {".py", ".yaml", ".bpmn", ".json", ".ipynb", ".sh", ".cfg"} \
                    and f.resolve() != Path(__file__).resolve():
                for n, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                    if _SHARED.search(line):
                        hits.append(f"{f.relative_to(ROOT)}:{n}")
    assert not hits, f"reads of the team folder beside the project: {hits}"


# What a source may not say: that a number was chosen to meet the target it is then judged against.
_CITES_TARGET = re.compile(r"\bT\d\d\b|must fit|so the whole fits|within the limit|\btargets?:")


@pytest.mark.parametrize("path", sorted((ROOT / "processes").glob("*.bpmn")), ids=lambda p: p.name)
def test_no_model_number_cites_a_target(path: Path) -> None:
    # every fact of a step: durations, and the counts and fees the design checks read too
    import sim

    process = sim.load_process(path)
    bad = []
    for node in process.nodes.values():
        if node.facts is None:
            continue
        for name, text in provenance.attributions(node.facts.source).items():
            if _CITES_TARGET.search(text):
                bad.append(f"{node.id}.{name or 'source'}")
    if _CITES_TARGET.search(process.defaults.get("source", "")):
        bad.append("process source")
    assert not bad, f"sources that cite a target: {bad}"
