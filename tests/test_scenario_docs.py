"""docs/scenarios.md against the parser: every example parses, every accepted key is documented, the file is current.

The parser takes the keys it accepts from sim.model.schema (and the edit verbs from
sim.model.edits.EDIT_SCHEMA); the manual is generated from the same declaration by
scripts/gen_scenario_docs.py. These tests would catch: a manual edited by hand or left stale; an
example that no longer parses; a key the parser accepts that the manual does not list (or one the
manual lists that the parser refuses); a block whose unknown keys are not refused with "did you mean".
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import yaml

import sim
from sim.catalog import bundled_catalog
from sim.cli import main
from sim.errors import ScenarioError
from sim.model.edits import _VERBS, COMMON_KEYS, EDIT_SCHEMA, FACT_KEYS
from sim.model.levers import LEVERS
from sim.model.rewrite import _FACT_NAMES
from sim.model.scenario import parse_scenario
from sim.model.schema import SCENARIO, Key
from sim.scenarios import load_scenario

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "scenarios.md"
_spec = importlib.util.spec_from_file_location("gen_scenario_docs", ROOT / "scripts" / "gen_scenario_docs.py")
GEN = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(GEN)


def _yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.S)


def test_the_committed_manual_is_the_generated_one():
    assert DOC.read_text(encoding="utf-8") == GEN.render(), "docs/scenarios.md is stale: run python scripts/gen_scenario_docs.py --write"


def test_every_yaml_example_of_the_manual_parses():
    blocks = _yaml_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) > 80  # one per key and lever: a manual that lost its examples fails here
    for block in blocks:
        data = yaml.safe_load(block)
        try:
            parse_scenario(data, file="docs/scenarios.md")
        except ScenarioError as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"an example of docs/scenarios.md does not parse:\n{block}\n{exc}")


def _headings(text: str) -> set[str]:
    return set(re.findall(r"^### `([^`]+)`$", text, flags=re.M))


def _paths(key: Key, prefix: str = "") -> list[str]:
    out = []
    for k in key.keys:
        path = f"{prefix}{k.name}"
        out.append(path)
        sep = "[]." if k.kind == "exclusions" else "."
        out += _paths(k, path + sep)
        if k.each is not None:
            out += _paths(k.each, f"{path}.{k.each.name}.") if k.each.keys else [f"{path}.{k.each.name}"]
    return out


def test_every_key_and_lever_the_parser_accepts_is_documented():
    headings = _headings(DOC.read_text(encoding="utf-8"))
    missing = [p for p in _paths(SCENARIO) if p not in headings]
    assert not missing, f"keys of the schema missing from docs/scenarios.md: {missing}"
    assert {v.name for v in EDIT_SCHEMA} == set(LEVERS) == set(_VERBS)
    for verb, (_, _, params) in _VERBS.items():  # the parser's own table of each verb's keys
        assert f"edits: {verb}" in headings
        for name in params:
            assert f"edits: {verb}.{name}" in headings
    for key in COMMON_KEYS:
        assert f"edits: *.{key.name}" in headings
    for fact in (*_FACT_NAMES, "name"):  # what rewrite.set_facts accepts
        assert f"edits: set.{fact}" in headings
    assert {f.name for f in FACT_KEYS} == {*_FACT_NAMES, "name"}


@pytest.mark.parametrize("name", [k.name for k in SCENARIO.keys])
def test_each_top_level_key_is_accepted_and_a_near_miss_is_refused_with_did_you_mean(name):
    key = SCENARIO.child(name)
    parse_scenario({name: key.example})  # the documented example of the key alone
    with pytest.raises(ScenarioError) as info:
        parse_scenario({name + "x": key.example})
    assert f'{name}x: unknown setting (did you mean "{name}"?)' in str(info.value)


@pytest.mark.parametrize("path", ["arrivals", "agencies.market_regulation", "steps.t_review", "attributes.needs_permit"])
def test_the_schema_is_what_each_block_accepts(path):
    """A key the schema declares for the block parses; one it does not is refused at its path."""
    parts = path.split(".")
    block = SCENARIO.child(parts[0])
    schema = block if len(parts) == 1 else block.each
    base = block.example if len(parts) == 1 else block.example[parts[1]]
    for sub in schema.keys:
        data = {**base, **dict(sub.needs), sub.name: sub.example}
        if sub.name == "times_h":
            data.pop("growth", None)
        parse_scenario(_nest(parts, data))
    with pytest.raises(ScenarioError) as info:
        parse_scenario(_nest(parts, {**base, "colour": 1}))
    assert f"{path}.colour: unknown setting" in str(info.value)


def _nest(parts: list[str], value: dict) -> dict:
    for part in reversed(parts):
        value = {part: value}
    return value


def test_calendar_and_exclusion_keys_match_their_parsers():
    """calendar: and excluded_levers: are parsed in sim.model.official_days and sim.model.legal: the schema
    documents exactly the keys they accept."""
    cal = SCENARIO.child("calendar")
    for sub in cal.keys:
        parse_scenario({"calendar": {**cal.example, sub.name: sub.example}})
    with pytest.raises(ScenarioError, match=r"calendar\.colour: unknown setting"):
        parse_scenario({"calendar": {**cal.example, "colour": 1}})
    year = cal.child("years").each
    with pytest.raises(ScenarioError, match=r"calendar\.years\.2027\.colour: unknown setting"):
        parse_scenario({"calendar": {"source": "x", "years": {2027: {"colour": []}}}})
    assert year.names() == ("holidays", "workdays")
    exc = SCENARIO.child("excluded_levers")
    for sub in exc.keys:
        parse_scenario({"excluded_levers": [{"lever": "online", **dict(sub.needs), sub.name: sub.example}]})
    with pytest.raises(ScenarioError, match=r"excluded_levers\[0\]\.colour: unknown key"):
        parse_scenario({"excluded_levers": [{"lever": "online", "colour": 1}]})


def test_bounds_come_from_the_schema():
    """The parser refuses a value just past the schema's bound, and names the key's path."""
    cases = SCENARIO.child("cases")
    parse_scenario({"cases": int(cases.high)})
    with pytest.raises(ScenarioError, match="cases:"):
        parse_scenario({"cases": int(cases.high) + 1})
    staff = SCENARIO.child("agencies").each.child("staff")
    with pytest.raises(ScenarioError, match=r"agencies\.a\.staff:"):
        parse_scenario({"agencies": {"a": {"staff": int(staff.high) + 1, "source": "assumption: x"}}})


# -- an example what-if for every chain, and new-scenario --------------------------------------------

CATALOG = bundled_catalog()
CHAINS = sorted({e.chain for e in CATALOG.entries.values()})
WHATIFS = sorted((ROOT / "scenarios").glob("whatif_*.yaml"))


def _chain_of(path: Path) -> str:
    return CATALOG.chain_of(load_scenario(path).process)


def test_every_chain_has_an_example_whatif():
    covered = {_chain_of(p) for p in WHATIFS}
    assert set(CHAINS) <= covered, f"chains without an example what-if in scenarios/: {sorted(set(CHAINS) - covered)}"


@pytest.mark.parametrize("path", WHATIFS, ids=[p.stem for p in WHATIFS])
def test_each_example_whatif_changes_its_chain_and_runs(path):
    """The what-if applies levers to a model of its chain (a file whose edits were dropped or no longer fit fails)
    and runs with a few cases."""
    scenario = load_scenario(path)
    assert scenario.edits or "arrivals" in scenario.explicit or scenario.agencies, f"{path.name} tries nothing"
    assert _chain_of(path) in CHAINS
    result = sim.simulate(scenario.process, scenario, cases=20, replications=1, seed=3)
    assert result.kpi("workdays").count == 20
    for lever in result.levers:  # every lever says where it comes from (not the parser's placeholder)
        assert lever.source.strip() and lever.source != "scenario", lever


SINGLE = [c for c in CHAINS if sum(1 for e in CATALOG.entries.values() if e.chain == c and e.variant == "2021") == 1]


@pytest.mark.parametrize("chain", SINGLE)
def test_new_scenario_writes_a_file_that_loads_and_runs(chain, tmp_path):
    out = tmp_path / f"{chain}.yaml"
    assert main(["new-scenario", chain, "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    scenario = load_scenario(out, root="/")  # tmp_path is outside the project: let process: reach it
    process = sim.load_process(scenario.process)
    for node in process.tasks():  # every step listed with the levers the rules allow on it
        assert f"#   {node.id}  " in text
    assert set(scenario.agencies) == set(process.agencies())
    assert all(a.staff and a.source for a in scenario.agencies.values())
    result = sim.simulate(process, scenario, cases=10, replications=1)
    assert result.kpi("workdays").count == 10


def test_new_scenario_never_replaces_a_file(tmp_path, capsys):
    out = tmp_path / "mine.yaml"
    out.write_text("mine: true\n", encoding="utf-8")
    assert main(["new-scenario", "gas", "--out", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "mine: true\n"
    assert "exists" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["mine.yaml"]  # no temporary file left behind


def test_new_scenario_names_unknown_and_ambiguous_chains(tmp_path, capsys):
    assert main(["new-scenario", "gass", "--out", str(tmp_path / "a.yaml")]) == 2
    assert 'did you mean "gas"' in capsys.readouterr().err
    several = next(c for c in CHAINS if c not in SINGLE)
    assert main(["new-scenario", several, "--out", str(tmp_path / "b.yaml")]) == 2
    err = capsys.readouterr().err
    assert "name the one to start from" in err and ".bpmn" in err
    assert not list(tmp_path.iterdir())
    first = sorted(e.file for e in CATALOG.entries.values() if e.chain == several and e.variant == "2021")[0]
    assert main(["new-scenario", first, "--out", str(tmp_path / "c.yaml")]) == 0
    assert load_scenario(tmp_path / "c.yaml", root="/").process.endswith(first)
