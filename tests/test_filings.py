"""Tax filings per firm-year by tax mix (T30, seed 二(十)1, 2(1)): the count, the files' facts, the sampling."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest

from sim.analysis import filings as fl
from sim.analysis.provenance import grade
from sim.bpmn.loader import load_process
from sim.errors import ModelError, ScenarioError
from sim.model.scenario import AttributeSpec, Scenario

PROCESSES = Path(__file__).resolve().parents[1] / "processes"
BEFORE, AFTER = load_process(PROCESSES / "taxes_baseline.bpmn"), load_process(PROCESSES / "taxes_2021.bpmn")
ALL = frozenset(t.key for t in fl.TAXES)
SEPARATE = {t.key: frozenset({t.key}) for t in fl.TAXES}


def test_the_ten_taxes_of_the_clause_with_a_graded_period_and_share() -> None:
    assert [t.zh for t in fl.TAXES] == ["城镇土地使用税", "房产税", "车船税", "印花税", "耕地占用税", "资源税", "土地增值税",
                                        "契税", "环境保护税", "烟叶税"]  # the order of 二(十)2(1)
    for t in fl.TAXES:
        assert grade(t.period_source) in ("statute", "assumption"), t.key
        assert grade(t.share_source) == "assumption" and t.share_range[0] <= t.share <= t.share_range[1], t.key
        assert all(1 <= m <= 12 for m in t.months)


@pytest.mark.parametrize(("liable", "separate", "combined"), [
    ({"stamp": True}, 4, 4),  # one quarterly tax: nothing to combine
    ({"stamp": True, "property": True, "land_use": True}, 12, 4),  # three quarterly taxes: one return a quarter
    ({"stamp": True, "tobacco": True}, 16, 12),  # monthly tobacco tax: the quarterly months coincide
    ({"stamp": True, "vehicle": True}, 5, 4),  # the annual vehicle tax falls in a quarterly month
    ({"deed": True, "stamp": True}, 5, 5),  # a per-transaction tax stays its own filing
    ({}, 0, 0),
])
def test_filings_per_firm_year_separate_and_combined(liable: dict[str, bool], separate: int, combined: int) -> None:
    assert fl.filings(liable, {}, SEPARATE) == separate
    assert fl.filings(liable, {}, {"all": ALL}) == combined


def test_transactions_count_per_transaction() -> None:
    assert fl.filings({"deed": True, "land_vat": True}, {"deed": 3}, {"all": ALL}) == 4


def test_the_files_say_which_taxes_each_step_files() -> None:
    assert fl.filing_steps(BEFORE) == {f"t_file_{k}": frozenset({k}) for k in SEPARATE}
    assert fl.filing_steps(AFTER) == {"t_file_combined": ALL}


def test_a_file_without_filing_facts_or_with_an_unknown_tax_is_an_error() -> None:
    with pytest.raises(ModelError, match=r"company_setup_2021.bpmn.*no step says which taxes it files"):
        fl.filing_steps(load_process(PROCESSES / "company_setup_2021.bpmn"))
    node = AFTER.nodes["t_file_combined"]
    bad = replace(node, facts=replace(node.facts, extra=MappingProxyType({fl.FILES_PROPERTY: "stamp, stmp"})))
    broken = replace(AFTER, nodes=MappingProxyType({**AFTER.nodes, "t_file_combined": bad}))
    with pytest.raises(ModelError, match=r'id="t_file_combined".*taxes_filed names stmp'):
        fl.filing_steps(broken)


def test_same_seed_same_firms_and_the_reform_never_adds_a_filing() -> None:
    a = fl.sample(BEFORE, cases=150, replications=3, seed=11)
    b = fl.sample(AFTER, cases=150, replications=3, seed=11)
    again = fl.sample(AFTER, cases=150, replications=3, seed=11)
    assert all(np.array_equal(x, y) for x, y in zip(b.per_replication, again.per_replication))
    for before, after in zip(a.per_replication, b.per_replication):
        assert (after <= before).all() and (after < before).any()  # firm by firm: same firms, fewer or equal filings
    assert b.means().mean() < a.means().mean()


def test_the_mix_comes_from_the_scenario() -> None:
    """A scenario where every firm owes only stamp duty leaves nothing to combine: the cut is 0."""
    only_stamp = Scenario(attributes=MappingProxyType({f"liable_{t.key}": AttributeSpec(
        f"liable_{t.key}", p=1.0 if t.key == "stamp" else 0.0, source="assumption: test") for t in fl.TAXES}))
    a = fl.sample(BEFORE, only_stamp, cases=50, replications=2, seed=3)
    b = fl.sample(AFTER, only_stamp, cases=50, replications=2, seed=3)
    assert a.means().tolist() == b.means().tolist() == [4.0, 4.0]


def test_a_process_without_the_mix_is_an_error_naming_the_attribute() -> None:
    no_mix = replace(AFTER, defaults=MappingProxyType({k: v for k, v in AFTER.defaults.items()
                                                      if k != "attribute.liable_stamp"}))
    with pytest.raises(ScenarioError, match=r"attributes.liable_stamp"):
        fl.sample(no_mix, Scenario(attributes=MappingProxyType({"liable_stamp": AttributeSpec("liable_stamp", values=(
            ("a", 1.0),), source="assumption: test")})), cases=5, replications=1, seed=1)


def test_statutory_periods_cite_the_sources_file_and_match_its_figures() -> None:
    from sim.sources import cited_ids, resolve

    for t in fl.TAXES:
        for fid in cited_ids(t.period_source):
            entry = resolve(fid)
            assert entry is not None, fid
            if t.months:  # a periodic tax: returns a year as the law (the sources file) says
                assert len(t.months) == entry["value"], t.key
            else:
                assert t.per_transaction and entry["value"] == 1, t.key
    assert resolve("CN.rule.taxes.combined_filing.2021")["value"] == len(fl.TAXES) == 10
