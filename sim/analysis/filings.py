"""Tax filings per firm and year, by the firm's tax mix (target T30, seed 二(十)1 and 2(1)).

The plan: 城镇土地使用税、房产税、车船税、印花税、耕地占用税、资源税、土地增值税、契税、环境保护税、烟叶税等十个
财产行为税合并申报，进一步压减纳税次数 — the ten property and behaviour taxes filed on one return, to cut the
number of filings. It follows the national rule (国家税务总局公告2021年第9号, from 2021-06-01: the ten taxes on one
《财产和行为税纳税申报表》; sources id ``CN.rule.taxes.combined_filing.2021``).

What a filing is, and what the combined return changes:

* Each tax keeps its own period, set by its law (:data:`TAXES`: months in which a return falls due; the
  statutory periods are cited by their ids ``CN.rule.taxes.period.*`` in ``sim/data/sources.yaml``), or is
  filed per transaction (按次: deed tax, farmland occupation tax, land appreciation tax).
* Before: one return per tax and period — a firm liable for property tax and land use tax (both quarterly)
  files 8 times a year.
* After: the taxes a filing step covers that fall due in the same month go on one return — the same firm
  files 4 times. A tax filed per transaction stays its own filing (it falls due on the transaction's own
  deadline; assumption, conservative for the reform).

Which taxes a filing step covers is a fact of the process file: the step's ``taxes_filed`` property
(``processes/_src/taxes.py``). Which taxes a firm owes is a case attribute ``liable_<tax>`` with its share
from the process defaults or the scenario (the mix), so a scenario can change the mix. The count is drawn
over simulated firms (``cases`` per replication), so a verdict has an interval; the same seed draws the
same firms for the baseline and the reform (common random numbers).

Example:
    >>> steps = {"combined": frozenset(t.key for t in TAXES)}
    >>> filings({"property": True, "land_use": True}, {}, steps)  # both quarterly, one return each quarter
    4
    >>> filings({"property": True, "land_use": True}, {}, {"a": frozenset({"property"}), "b": frozenset({"land_use"})})
    8
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ModelError, ScenarioError
from ..model.process import Process
from ..model.rewrite import TAXES_FILED
from ..model.scenario import Scenario, resolve_scenario

__all__ = ["Tax", "TAXES", "TRANSACTIONS", "FILES_PROPERTY", "filing_steps", "filings", "FilingsSample", "sample",
           "provenance_counts", "QUARTERS", "liable_shares"]

QUARTERS = (1, 4, 7, 10)  # a quarterly return falls due in the month after the quarter
MONTHLY = tuple(range(1, 13))
FILES_PROPERTY = TAXES_FILED  # the step fact: which taxes this filing step files (comma-separated keys)


@dataclass(frozen=True)
class Tax:
    """One of the ten taxes: its filing months (empty: per transaction), the share of firms liable, and sources.

    ``period_source`` grades the filing period (a statute where the law fixes it, else an assumption with
    its range); ``share`` is the share of firms liable in a year, always an assumption here (no published
    Hainan figure), with ``share_range`` the plausible range.
    """

    key: str
    zh: str
    en: str
    months: tuple[int, ...]
    period_source: str
    share: float
    share_range: tuple[float, float]
    share_source: str

    @property
    def per_transaction(self) -> bool:
        return not self.months



def _province(law: str) -> str:
    return (f"assumption: quarterly — {law} leaves the period to the province (按年计算、分期缴纳) and our sources "
            "hold no Hainan period; plausible 2 (half-yearly) to 4 a year")


TAXES: tuple[Tax, ...] = (
    Tax("land_use", "城镇土地使用税", "Urban land use tax", QUARTERS, _province("《城镇土地使用税暂行条例》第八条"),
        0.3, (0.15, 0.6), "assumption: firms that hold land use rights (most small firms rent); plausible 15–60%"),
    Tax("property", "房产税", "Property tax", QUARTERS, _province("《房产税暂行条例》第七条"),
        0.3, (0.15, 0.6), "assumption: firms that own premises (most small firms rent); plausible 15–60%"),
    Tax("vehicle", "车船税", "Vehicle and vessel tax", (1,),
        "CN.rule.taxes.period.vehicle (《车船税法》第九条 按年申报缴纳); the month: assumption: with the first quarter's returns",
        0.1, (0.02, 0.3), "assumption: most firms' vehicle tax is collected by the insurer with the compulsory "
                          "insurance (《车船税法》第六条), so few file it; plausible 2–30%"),
    Tax("stamp", "印花税", "Stamp duty", QUARTERS,
        "assumption: quarterly (《印花税法》 按季、按年或者按次计征; before it, 汇总缴纳 up to monthly); plausible 1–12 a year",
        0.9, (0.7, 1.0), "assumption: nearly every trading firm signs taxable contracts; plausible 70–100%"),
    Tax("farmland", "耕地占用税", "Farmland occupation tax", (), "CN.rule.taxes.period.farmland (《耕地占用税法》第十条, 按次)",
        0.01, (0.0, 0.05), "assumption: rare, only firms occupying farmland that year; plausible 0–5%"),
    Tax("resource", "资源税", "Resource tax", QUARTERS,
        "assumption: quarterly (《资源税法》第十二条 按月或者按季申报); plausible 4–12 a year",
        0.03, (0.01, 0.1), "assumption: mining and water-extracting firms; plausible 1–10%"),
    Tax("land_vat", "土地增值税", "Land appreciation tax", (), "CN.rule.taxes.period.land_vat (《土地增值税暂行条例》第十条, 按次)",
        0.03, (0.01, 0.1), "assumption: firms transferring real estate that year; plausible 1–10%"),
    Tax("deed", "契税", "Deed tax", (), "CN.rule.taxes.period.deed (《契税法》第十条, 按次)",
        0.05, (0.02, 0.1), "assumption: firms acquiring land or buildings that year; plausible 2–10%"),
    Tax("environment", "环境保护税", "Environmental protection tax", QUARTERS, "CN.rule.taxes.period.environment (《环境保护税法》第十八条 按月计算，按季申报)",
        0.05, (0.02, 0.15), "assumption: firms discharging taxable pollutants; plausible 2–15%"),
    Tax("tobacco", "烟叶税", "Tobacco leaf tax", MONTHLY, "CN.rule.taxes.period.tobacco (《烟叶税法》第八条 按月计征)",
        0.001, (0.0, 0.01), "assumption: only tobacco purchasers; plausible 0–1%"),
)
# assumption: a firm liable for a per-transaction tax has 1 such transaction a year on average (Poisson,
# at least 1); plausible 1–3.
TRANSACTIONS = 1.0
_BY_KEY = {t.key: t for t in TAXES}


def filing_steps(process: Process) -> dict[str, frozenset[str]]:
    """Step id → the taxes it files, from each step's ``taxes_filed`` fact; errors name the file and step.

    >>> from pathlib import Path
    >>> import sim
    >>> steps = filing_steps(sim.load_process(Path(sim.__file__).parents[1] / "processes" / "taxes_2021.bpmn"))
    >>> {k: len(v) for k, v in steps.items()}
    {'t_file_combined': 10}
    """
    out: dict[str, frozenset[str]] = {}
    for node in process.tasks():
        text = node.facts.extra.get(FILES_PROPERTY, "") if node.facts is not None else ""
        if not text:
            continue
        keys = frozenset(k.strip() for k in text.split(",") if k.strip())
        unknown = sorted(keys - set(_BY_KEY))
        if unknown:
            raise ModelError(f'{FILES_PROPERTY} names {", ".join(unknown)}; expected tax keys of sim.analysis.filings '
                             f'({", ".join(_BY_KEY)})', file=process.file, element_id=node.id, tag=node.tag or None,
                             line=node.line)
        out[node.id] = keys
    if not out:
        raise ModelError(f"no step says which taxes it files (property {FILES_PROPERTY}); filings per firm-year "
                         "cannot be counted", file=process.file)
    return out


def filings(liable: Mapping[str, bool], transactions: Mapping[str, int], steps: Mapping[str, frozenset[str]]) -> int:
    """Filings in a year of one firm: per step, one return per month in which any covered periodic tax falls
    due, plus one per transaction of each covered per-transaction tax the firm owes (default 1 transaction)."""
    total = 0
    for covered in steps.values():
        owed = [_BY_KEY[k] for k in covered if liable.get(k)]
        total += len({m for t in owed for m in t.months})
        total += sum(transactions.get(t.key, 1) for t in owed if t.per_transaction)
    return total


@dataclass(frozen=True)
class FilingsSample:
    """Filings per firm-year of simulated firms: ``per_replication[i]`` holds one value per firm."""

    process: str
    steps: Mapping[str, frozenset[str]]
    shares: Mapping[str, float]
    per_replication: tuple[np.ndarray, ...]

    def means(self) -> np.ndarray:
        return np.array([v.mean() for v in self.per_replication])


def liable_shares(process: Process, scenario: Scenario | None) -> dict[str, float]:
    """Tax key -> the share of firms liable, from the process's ``liable_<tax>`` attributes or the scenario's mix."""
    resolved = resolve_scenario(process, scenario or Scenario())
    out: dict[str, float] = {}
    for t in TAXES:
        spec = resolved.attributes.get(f"liable_{t.key}")
        if spec is None or spec.p is None:
            raise ScenarioError([(f"attributes.liable_{t.key}", f"expected the share of firms liable for {t.zh} "
                                                                  "(a yes/no attribute read by a gateway)")],
                                file=process.file)
        out[t.key] = float(spec.p)
    return out


def sample(process: Process, scenario: Scenario | None = None, *, cases: int, replications: int, seed: int,
           shares: Mapping[str, float] | None = None) -> FilingsSample:
    """Draw ``cases`` firms per replication (tax mix from the process's shares, or ``shares``) and count filings.

    The firms' random numbers depend only on ``seed``, the replication and the firm, never on the
    process, so a baseline and its reform sampled with one seed see the same firms.

    >>> from pathlib import Path
    >>> import sim
    >>> root = Path(sim.__file__).parents[1] / "processes"
    >>> a = sample(sim.load_process(root / "taxes_baseline.bpmn"), cases=200, replications=2, seed=1)
    >>> b = sample(sim.load_process(root / "taxes_2021.bpmn"), cases=200, replications=2, seed=1)
    >>> bool((b.means() < a.means()).all())
    True
    """
    steps = filing_steps(process)
    p = dict(shares) if shares is not None else liable_shares(process, scenario)
    keys = [t.key for t in TAXES]
    reps = []
    for r in range(replications):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(r,))))
        u = rng.random((cases, len(keys)))
        extra = rng.poisson(max(TRANSACTIONS - 1.0, 0.0), (cases, len(keys)))
        values = np.empty(cases)
        for c in range(cases):
            liable = {k: bool(u[c, i] < p[k]) for i, k in enumerate(keys)}
            values[c] = filings(liable, {k: 1 + int(extra[c, i]) for i, k in enumerate(keys)}, steps)
        reps.append(values)
    return FilingsSample(process.file or process.id, steps, p, tuple(reps))


def provenance_counts() -> dict[str, Any]:
    """The numbers a filings count rests on, by grade: each tax's period and its share of firms liable.

    >>> provenance_counts()["counts"]["statute"], provenance_counts()["counts"]["assumption"]
    (6, 15)
    """
    from .provenance import GRADES, grade

    counts = {g: 0 for g in GRADES}
    for t in TAXES:
        counts[grade(t.period_source)] += 1
        counts[grade(t.share_source)] += 1
    counts["assumption"] += 1  # TRANSACTIONS
    return {"counts": counts, "assumed_time_share": 1.0, "assumption_driven": True}
