"""Property and behaviour taxes 财产行为税: ten returns filed separately versus together (seed 二(十)1, T30).

A case is one filing occasion of a firm with a tax mix: the firm is liable for some of the ten taxes
(case attributes ``liable_<tax>``, the share of firms liable in a year), and before the reform files one
return per tax; after it, one combined return (合并申报, seed 二(十)2(1), following the national rule
``CN.rule.taxes.combined_filing.2021``). Each filing step says which taxes it files (``taxes_filed``).

Filings per firm and year — what T30 judges — are counted by :mod:`sim.analysis.filings` from these
facts and each tax's own filing period (its law, or an assumption with a range); the tax list, the
shares and their sources live there, once, and are written into the files from it.

Example:
    >>> sorted(build())
    ['taxes_2021', 'taxes_baseline']
    >>> build()["taxes_2021"].nodes["t_file_combined"].facts.extra["taxes_filed"].count(",")
    9
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from svc_kit import ROOT, STAFF_RULE, Builder, write_all

from sim.analysis.filings import FILES_PROPERTY, TAXES
from sim.model.measures import build_from_measures, load_measures
from sim.model.process import Process

DEFAULTS = {
    "arrivals.rate_per_workday": "200",
    "agency.tax.staff": "15",
    "source": "the list of ten taxes: seed 二(十)2(1); arrivals: assumption: illustrative filing volume; "
              f"staff: {STAFF_RULE}, sized on the baseline (ten separate returns)",
}
FILE = "assumption: e-tax return prepared by the firm and accepted the same day; work is the tax office's check"
# The rule that lets a separate return be dropped (sim.model.legal: a step is removed only where a rule cancels it).
COMBINED_RULE = ("CN.rule.taxes.combined_filing.2021 (国家税务总局公告2021年第9号): from 2021-06-01 the ten property and "
                 "behaviour taxes are declared on one 财产和行为税纳税申报表, the separate return is no longer filed")


def _builder(pid: str, zh: str, en: str) -> Builder:
    b = Builder(pid, zh, en, DEFAULTS)
    for t in TAXES:  # the mix: share of firms liable for each tax in a year (sim.analysis.filings.TAXES)
        b.attribute(f"liable_{t.key}", t.share, t.share_source)
    return b


def _files(b: Builder, step: str, keys: list[str]) -> None:
    """Record on ``step`` which taxes it files (read by sim.analysis.filings)."""
    node = b.nodes[step]
    assert node.facts is not None
    b.nodes[step] = replace(node, facts=replace(node.facts, extra=MappingProxyType({FILES_PROPERTY: ", ".join(keys)})))


def baseline() -> Process:
    b = _builder("taxes_baseline", "财产行为税分别申报", "Property and behaviour taxes filed separately")
    split = b.gateway("p_taxes", "parallel", "各税种", "Each tax")
    join = b.gateway("p_taxes_join", "parallel")
    b.chain("start", split)
    for tax in TAXES:
        key, zh, en = tax.key, tax.zh, tax.en
        g = b.gateway(f"g_{key}", "exclusive", f"应缴{zh}？", f"{en} due?")
        m = b.gateway(f"m_{key}", "exclusive")
        t = b.task(f"t_file_{key}", f"{zh}申报", f"{en} return", agency="tax", procedure=True, documents=1,
                   online=True, wait="uniform(0, 0.25) workday", work="triangular(0.05, 0.1, 0.25) h",
                   source=f"one return per tax before the reform: seed 二(十)2(1); documents, wait, work: {FILE}", kind="filing",
                   levers="+remove", levers_source=COMBINED_RULE)
        _files(b, t, [key])
        b.chain(split, g)
        b.flow(g, t, condition=f"liable_{key}", name="是")
        b.flow(g, m, name="否", default=True)
        b.chain(t, m, join)
    b.chain(join, "end")
    return b.build()


def reform() -> Process:
    """The baseline plus the measure of seed 二(十) in processes/measures/taxes_2021.yaml (sim.model.measures)."""
    return build_from_measures(baseline(), load_measures(ROOT / "processes" / "measures" / "taxes_2021.yaml"))


def build() -> dict[str, Process]:
    return {"taxes_baseline": baseline(), "taxes_2021": reform()}


def main() -> None:
    """Write this chain's BPMN files into processes/ (called by build_all.py)."""
    for path in write_all(build()):
        print(path)


if __name__ == "__main__":
    main()
