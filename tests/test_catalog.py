"""The catalog of bundled models (processes/catalog.yaml) and its reader, sim.catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.catalog import bundled_catalog, load_catalog
from sim.errors import ScenarioError
from sim.targets import load_register

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = ROOT / "processes"


def test_every_bundled_bpmn_is_in_the_catalog_and_vice_versa() -> None:
    files = {p.name for p in PROCESSES.glob("*.bpmn")}
    listed = set(bundled_catalog().entries)
    assert files - listed == set(), "BPMN files missing from processes/catalog.yaml"
    assert listed - files == set(), "catalog entries without a BPMN file"


def test_baselines_are_earlier_variants_of_the_same_chain() -> None:
    cat = bundled_catalog()
    for name, entry in cat.entries.items():
        if entry.variant == "baseline":
            assert entry.baseline is None, f"{name}: a baseline is compared with nothing"
        elif entry.baseline is not None:
            assert cat.entry(entry.baseline).chain == entry.chain


def test_register_baselines_agree_with_the_catalog() -> None:
    """Where the target register compares a file with a baseline, both belong to one chain of the catalog."""
    cat = bundled_catalog()
    register = load_register(ROOT / "scenarios" / "targets.yaml", root=ROOT)
    pairs = [(p, c.test.baseline) for _, c in register.tested() if c.test and c.test.baseline for p in c.test.processes]
    assert pairs, "the register names no baselines: this test checks nothing"
    for process, baseline in pairs:
        assert cat.chain_of(process) == cat.chain_of(baseline), f"{process} vs {baseline}"
        assert cat.baseline_path(Path(process)) is not None


def test_labels_are_the_names_in_the_files() -> None:
    from sim.bpmn.loader import load_process

    cat = bundled_catalog()
    for name in cat.entries:
        p = load_process(PROCESSES / name)
        assert (cat.entry(name).label("zh"), cat.entry(name).label("en")) == (p.name, p.name_en)


@pytest.mark.parametrize(("text", "where", "expected"), [
    ("models: []\n", "models", "mapping"),
    ("models:\n  a.bpmn: {chain: x, variant: 2019, baseline: null, label: {zh: 甲, en: A}}\n", "models.a.bpmn.variant",
     "baseline, 2021"),
    ("models:\n  a.bpmn: {chain: x, variant: '2021', baseline: b.bpmn, label: {zh: 甲, en: A}}\n", "models.a.bpmn.baseline",
     "not in the catalog"),
    ("models:\n  a.bpmn: {chain: x, variant: '2021', baseline: null, label: {zh: 甲}}\n", "models.a.bpmn.label", "zh"),
    ("models:\n  a.bpmn: {chain: x, variant: '2021', basline: null, label: {zh: 甲, en: A}}\n", "models.a.bpmn.basline",
     "did you mean"),
    ("models:\n  a.bpmn: {chain: x, variant: '2021', baseline: b.bpmn, label: {zh: 甲, en: A}}\n"
     "  b.bpmn: {chain: y, variant: baseline, baseline: null, label: {zh: 乙, en: B}}\n", "models.a.bpmn.baseline",
     "belongs to chain y"),
    ("models:\n  a.bpmn: [\n", "line", "not valid YAML"),
])
def test_a_bad_catalog_is_refused_naming_the_entry(tmp_path: Path, text: str, where: str, expected: str) -> None:
    bad = tmp_path / "catalog.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_catalog(bad)
    message = str(info.value)
    assert str(bad) in message and where in message and expected in message


def test_a_file_not_in_the_catalog_is_named() -> None:
    with pytest.raises(ScenarioError, match="gas_2012.bpmn.*did you mean"):
        bundled_catalog().entry("gas_2012.bpmn")
    assert bundled_catalog().get("mine.bpmn") is None and bundled_catalog().baseline_path(Path("mine.bpmn")) is None
