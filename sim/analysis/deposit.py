"""The migrant-wage deposit 农民工工资保证金 of the 2021 plan, as a calculator (seed 二(二)2(3), target T10).

The clause, in full (琼营商〔2021〕2号 二(二)2(3)):

* 工程合同造价 300万元以下的小微工程建设项目，工资保证金实行承诺制 — no cash deposit, a written commitment.
  "以下" includes the figure itself (the statutory reading of 以上/以下/以内, 民法典 第1259条), so a
  contract of exactly 3,000,000 yuan is under the commitment system.
* 合同造价 1亿元(不含)以下: 2.5% of the contract value.
* 1亿元(含) 至 5亿元(不含): 2.0%, 累计存储金额不超过 600万元 (capped at 6,000,000 yuan).
* 5亿元(含) 以上: 1.5%, capped at 8,000,000 yuan.
* 差异化减免: a general contractor with no wage arrears in 3 years (and real-name management, a wage
  account, wages paid by the contractor, the deposit stored and rights information published) has the
  deposit of new projects cut "按40%、30%、30%的比例递减". The three cuts add up to 100%, so they are read
  as shares of the schedule's amount: after 1, 2 and 3 qualifying periods the firm stores 60%, 30% and
  0% of it. (The other reading, each cut taken off what remains — 60%, 42%, 29.4% — would never reach
  zero; the plan does not say which it means, so the reading is stated here and in T10's reason.)

What the schedule does that a planner should know: the deposit is not monotone in the contract value.
A contract just below 1亿 stores 2.5% (almost 2.5M yuan), one of exactly 1亿 stores 2.0% (2M yuan);
one just below 5亿 stores the 6M cap, one of 5亿 stores 7.5M. :func:`steps` lists these jumps.

Example:
    >>> deposit(3_000_000), deposit(3_000_001)
    (0.0, 75000.025)
    >>> deposit(300_000_000), deposit(1_000_000_000)  # the caps
    (6000000.0, 8000000.0)
    >>> deposit(50_000_000, clean_periods=1)  # 60% of 1.25M after one clean period
    750000.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import ScenarioError

__all__ = ["Band", "BANDS", "COMMITMENT_MAX", "CUTS", "Deposit", "deposit", "schedule", "steps", "max_rate",
           "CLAUSE", "FIGURES"]

CLAUSE = "二(二)2(3)"
# 300万元以下 (included: 民法典 第1259条) 实行承诺制.
COMMITMENT_MAX = 3_000_000.0
# 差异化减免: 按40%、30%、30%的比例递减 — shares of the schedule's amount, cut after each qualifying period.
CUTS = (0.40, 0.30, 0.30)


@dataclass(frozen=True)
class Band:
    """Contract values from ``low`` (included) to ``high`` (excluded) store ``rate``, at most ``cap`` yuan."""

    low: float
    high: float
    rate: float
    cap: float | None = None


BANDS = (
    Band(0.0, 100_000_000.0, 0.025),  # 1亿元(不含)以下 2.5%
    Band(100_000_000.0, 500_000_000.0, 0.020, 6_000_000.0),  # 1亿元(含)至5亿元(不含) 2.0%, ≤ 600万元
    Band(500_000_000.0, math.inf, 0.015, 8_000_000.0),  # 5亿元(含)以上 1.5%, ≤ 800万元
)
# Contract values a report shows the schedule at: the boundaries and either side of them, the caps'
# onset (6M / 2% = 3亿; 8M / 1.5% ≈ 5.33亿) and a small and a large project.
FIGURES = (3_000_000.0, 3_000_001.0, 50_000_000.0, 99_999_999.0, 100_000_000.0, 300_000_000.0, 499_999_999.0,
           500_000_000.0, 533_333_334.0, 1_000_000_000.0)


@dataclass(frozen=True)
class Deposit:
    """What one contract stores: ``amount`` yuan (0 under the commitment system) and how it was reached."""

    contract_value: float
    commitment: bool  # 承诺制: a commitment instead of cash
    band: Band | None
    capped: bool
    clean_periods: int
    amount: float

    @property
    def effective_rate(self) -> float:
        """``amount / contract_value`` (0 for a zero contract)."""
        return self.amount / self.contract_value if self.contract_value > 0 else 0.0


def _checked(contract_value: object, clean_periods: object) -> tuple[float, int]:
    if isinstance(contract_value, bool) or not isinstance(contract_value, (int, float)) \
            or not math.isfinite(contract_value) or contract_value < 0:
        raise ScenarioError([("contract_value", f"expected a contract value in yuan, a finite number ≥ 0, "
                                                f"got {contract_value!r}")], file="deposit()")
    if isinstance(clean_periods, bool) or not isinstance(clean_periods, int) or clean_periods < 0:
        raise ScenarioError([("clean_periods", f"expected the number of qualifying periods without wage arrears, "
                                               f"a whole number ≥ 0, got {clean_periods!r}")], file="deposit()")
    return float(contract_value), clean_periods


def schedule(contract_value: float, clean_periods: int = 0) -> Deposit:
    """The deposit of one contract of ``contract_value`` yuan, with how the clause produced it.

    ``clean_periods``: qualifying periods (3 years each without wage arrears, clause 差异化减免) the
    general contractor has behind it; beyond three the deposit stays 0.

    >>> schedule(200_000_000)
    Deposit(contract_value=200000000.0, commitment=False, band=Band(low=100000000.0, high=500000000.0, rate=0.02, cap=6000000.0), capped=False, clean_periods=0, amount=4000000.0)
    >>> schedule(-1)
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: deposit(): contract_value: expected a contract value in yuan, a finite number ≥ 0, got -1
    """
    value, periods = _checked(contract_value, clean_periods)
    if value <= COMMITMENT_MAX:
        return Deposit(value, True, None, False, periods, 0.0)
    band = next(b for b in BANDS if b.low <= value < b.high)
    raw = value * band.rate
    capped = band.cap is not None and raw > band.cap
    full = band.cap if capped and band.cap is not None else raw
    remaining = max(0.0, 1.0 - sum(CUTS[:periods]))
    return Deposit(value, False, band, capped, periods, round(full * remaining, 6))


def deposit(contract_value: float, clean_periods: int = 0) -> float:
    """Yuan stored for one contract (0 under the commitment system); see :func:`schedule`.

    >>> deposit(99_999_999) > deposit(100_000_000)  # the schedule jumps down at 1亿
    True
    """
    return schedule(contract_value, clean_periods).amount


def steps() -> list[tuple[float, float, float]]:
    """Where the deposit jumps as the contract value crosses a boundary: ``(value, just below, at it)``.

    >>> [(v, round(a), round(b)) for v, a, b in steps()]
    [(3000000.0, 0, 75000), (100000000.0, 2500000, 2000000), (500000000.0, 6000000, 7500000)]
    """
    out = []
    for edge in (COMMITMENT_MAX, *(b.low for b in BANDS[1:])):
        below = deposit(edge if edge == COMMITMENT_MAX else edge - 1e-3)
        at = deposit(math.nextafter(edge, math.inf) if edge == COMMITMENT_MAX else edge)
        out.append((edge, below, at))
    return out


def max_rate(values: tuple[float, ...] = FIGURES) -> float:
    """The highest effective rate (amount / contract value) over ``values`` and either side of each boundary.

    >>> max_rate()
    0.025
    """
    probes = set(values) | {v for edge, _, _ in steps() for v in (edge, edge + 1.0)}
    probes |= {b.high - 1.0 for b in BANDS if math.isfinite(b.high)}
    return max(schedule(v).effective_rate for v in probes if v > 0)
