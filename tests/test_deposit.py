"""The migrant-wage deposit calculator against its clause (seed 二(二)2(3), T10), at every boundary and cap."""

from __future__ import annotations

import math

import pytest

from sim.analysis.deposit import BANDS, COMMITMENT_MAX, CUTS, deposit, max_rate, schedule, steps
from sim.errors import ScenarioError

M = 1_000_000  # 万元 × 100


@pytest.mark.parametrize(("value", "expected"), [
    (0, 0.0),
    (1 * M, 0.0),
    (3 * M, 0.0),  # "300万元以下" includes 300万 (以下 包括本数): commitment, no cash
    (3 * M + 1, (3 * M + 1) * 0.025),  # just above: the 2.5% band
    (50 * M, 1.25 * M),
    (100 * M - 1, (100 * M - 1) * 0.025),  # 1亿元(不含)以下: still 2.5%
    (100 * M, 2.0 * M),  # 1亿元(含): 2.0%
    (300 * M, 6.0 * M),  # 2.0% reaches the 600万 cap exactly here
    (400 * M, 6.0 * M),  # capped
    (500 * M - 1, 6.0 * M),  # 5亿元(不含): the 600万 cap still
    (500 * M, 7.5 * M),  # 5亿元(含)以上: 1.5%
    (8 * M / 0.015, 8.0 * M),  # 1.5% reaches the 800万 cap
    (1000 * M, 8.0 * M),  # capped
    (10_000 * M, 8.0 * M),
])
def test_schedule_at_the_clause_boundaries_and_caps(value: float, expected: float) -> None:
    assert deposit(value) == pytest.approx(expected, abs=1e-3)


def test_bands_are_the_clauses_rates_and_caps_and_cover_every_value_once() -> None:
    assert [(b.rate, b.cap) for b in BANDS] == [(0.025, None), (0.020, 6 * M), (0.015, 8 * M)]
    assert BANDS[0].low == 0 and math.isinf(BANDS[-1].high)
    assert all(a.high == b.low for a, b in zip(BANDS, BANDS[1:]))  # no gap, no overlap
    assert COMMITMENT_MAX == 3 * M


def test_commitment_is_a_commitment_not_a_zero_rate() -> None:
    d = schedule(2 * M)
    assert d.commitment and d.band is None and d.amount == 0
    assert not schedule(3 * M + 1).commitment


@pytest.mark.parametrize(("periods", "left"), [(0, 1.0), (1, 0.6), (2, 0.3), (3, 0.0), (5, 0.0)])
def test_cuts_of_40_30_30_percent_of_the_original(periods: int, left: float) -> None:
    assert CUTS == (0.4, 0.3, 0.3)
    assert deposit(50 * M, clean_periods=periods) == pytest.approx(1.25 * M * left)
    assert deposit(1000 * M, clean_periods=periods) == pytest.approx(8 * M * left)  # cut from the capped amount


def test_the_schedule_jumps_at_band_edges_and_never_exceeds_25_percent() -> None:
    jumps = {edge: (below, at) for edge, below, at in steps()}
    assert jumps[100 * M][0] > jumps[100 * M][1]  # a contract of 1亿 stores less than one just below it
    assert jumps[500 * M][0] < jumps[500 * M][1]
    assert max_rate() == pytest.approx(0.025)
    assert all(schedule(v).effective_rate <= 0.025 + 1e-12 for v in range(3 * M + 1, 1200 * M, 7_777_777))


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf, "1000", True, None])
def test_a_bad_contract_value_is_a_clear_error(bad: object) -> None:
    with pytest.raises(ScenarioError, match=r"deposit\(\): contract_value: expected a contract value in yuan"):
        deposit(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_bad_clean_periods_is_a_clear_error(bad: object) -> None:
    with pytest.raises(ScenarioError, match=r"clean_periods: expected the number of qualifying periods"):
        deposit(10 * M, clean_periods=bad)  # type: ignore[arg-type]
