"""Ranges of the numbers that enter ReformSim, and the one check that holds them.

The scenario parser, the BPMN loader, the CLI argument types and the API all call
:func:`check_number`, so a number is refused with the same words wherever it enters.

Example:
    >>> check_number(3, low=1, whole=True)
    3
    >>> check_number(float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: expected a finite number >= 0, got nan
"""

from __future__ import annotations

import math
import os
from typing import Any

__all__ = [
    "CASE_BUDGET",
    "CASE_BUDGET_ENV",
    "MAX_CASES",
    "MAX_DOCUMENTS",
    "MAX_DURATION",
    "MAX_FEE",
    "MAX_GROWTH",
    "MAX_RATE",
    "MAX_REPLICATIONS",
    "MAX_STAFF",
    "MAX_WORKERS",
    "SEED_MAX",
    "SHARE_TOLERANCE",
    "case_budget",
    "check_argument",
    "check_case_budget",
    "check_number",
    "check_run_arguments",
]

# assumption: no approval step or chain is planned over more than 10 years; beyond that a value is a typo
# (and calendar arithmetic overflows). Working days: about 250 a year (2021 had 250 official working days).
MAX_DURATION: dict[str, float] = {"hour": 10 * 365.25 * 24, "day": 10 * 365.25, "workday": 10 * 250.0}
MAX_STAFF = 10_000  # assumption: far above any 政务服务中心 window count; more is a typo
MAX_RATE = 1_000_000.0  # assumption: applications per working day, far above any province's volume
MAX_GROWTH = 1_000.0  # assumption: a demand multiplier beyond ×1000 is a typo
MAX_FEE = 1e10  # assumption: yuan; above any administrative fee
MAX_DOCUMENTS = 1_000  # assumption: documents per step
MAX_CASES = 10_000_000  # assumption: cases per replication a run can finish in reasonable time
MAX_REPLICATIONS = 100_000  # assumption: as for cases
MAX_WORKERS = 1_024  # assumption: local processes
# assumption: simulated cases in one run (replications × cases; a compare or sweep counts all its runs):
# about an hour on one core at the compiled executor's 18,000 cases/s (README, Performance), longer on
# big chains. More is likelier a typo, or a scenario file from someone else, than a plan; the
# environment variable raises (or lowers) it.
CASE_BUDGET = 50_000_000
CASE_BUDGET_ENV = "REFORMSIM_MAX_CASES"
SEED_MAX = 2**63 - 1  # the run history stores seeds as SQLite INTEGER (signed 64 bit)
SHARE_TOLERANCE = 1e-6  # routing shares of one gateway must add up to 1 within this


def check_number(value: Any, *, low: float = 0.0, high: float | None = None, whole: bool = False,
                 above: bool = False, unit: str = "") -> Any:
    """``value`` if it is a finite (whole) number in [low, high] (or (low, high] with ``above``), else ``ValueError``."""
    kind = "a whole number" if whole else "a finite number"
    rng = f"> {low:g}" if above else f">= {low:g}"
    if high is not None:
        rng += f" and <= {high:g}"
    expected = f"expected {kind} {rng}{' ' + unit if unit else ''}, got {value!r}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(expected)  # noqa: TRY004 - callers turn one ValueError into a located message
    if whole and not isinstance(value, int):
        raise ValueError(expected)
    if not math.isfinite(value) or value < low or (above and value == low) or (high is not None and value > high):
        raise ValueError(expected)
    return value


def check_argument(name: str, value: Any, **bounds: Any) -> Any:
    """:func:`check_number` for an API argument; the error names it, SimPy style.

    >>> check_argument("replications", 0, low=1, whole=True)
    Traceback (most recent call last):
    ...
    sim.errors.SimulationError: "replications" must be a whole number >= 1, got 0
    """
    from ..errors import SimulationError

    try:
        return check_number(value, **bounds)
    except ValueError as exc:
        raise SimulationError(f'"{name}" must be {str(exc).removeprefix("expected ")}') from None


def check_run_arguments(*, cases: Any = None, replications: Any = None, seed: Any = None, workers: Any = None) -> None:
    """Check the run-size arguments the API takes (``None``: not given, the scenario's value holds)."""
    for name, value, bounds in (("cases", cases, {"low": 1, "high": MAX_CASES}),
                                ("replications", replications, {"low": 1, "high": MAX_REPLICATIONS}),
                                ("seed", seed, {"low": 0, "high": SEED_MAX}),
                                ("workers", workers, {"low": 1, "high": MAX_WORKERS})):
        if value is not None:
            check_argument(name, value, whole=True, **bounds)


def case_budget() -> int:
    """The most simulated cases one run may have: ``$REFORMSIM_MAX_CASES`` when set, else :data:`CASE_BUDGET`.

    >>> case_budget() == CASE_BUDGET or CASE_BUDGET_ENV in os.environ
    True
    """
    return env_budget(CASE_BUDGET_ENV, CASE_BUDGET, "cases")


def env_budget(variable: str, default: int, what: str) -> int:
    """A budget the planner may raise or lower with an environment variable: its whole number, else ``default``.

    >>> env_budget("REFORMSIM_NO_SUCH_BUDGET", 7, "runs")
    7
    """
    from ..errors import SimulationError

    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        return check_number(int(text.replace("_", "")), low=1, whole=True)
    except ValueError:
        raise SimulationError(f"the environment variable {variable}={text[:40]!r}: expected a whole number of "
                              f"{what} >= 1 (the default budget is {default:,})") from None


def check_case_budget(runs: list[tuple[int, int]]) -> None:
    """Refuse, before anything runs, ``(replications, cases)`` runs adding up to more cases than :func:`case_budget`.

    >>> check_case_budget([(10, 1_000), (10, 1_000)])
    >>> check_case_budget([(100_000, 10_000)])
    Traceback (most recent call last):
    ...
    sim.errors.SimulationError: 100,000 replications × 10,000 cases = 1,000,000,000 simulated cases, above the budget of 50,000,000; lower --replications or --cases, or raise the budget with the environment variable REFORMSIM_MAX_CASES (e.g. REFORMSIM_MAX_CASES=1000000000 reformsim ...)
    """
    from ..errors import SimulationError

    total = sum(r * c for r, c in runs)
    budget = case_budget()
    if total > budget:
        sizes = {(r, c) for r, c in runs}
        what = (f"{runs[0][0]:,} replications × {runs[0][1]:,} cases" if len(runs) == 1
                else f"{len(runs)} runs of " + (f"{runs[0][0]:,} replications × {runs[0][1]:,} cases" if len(sizes) == 1 else "several sizes"))
        raise SimulationError(f"{what} = {total:,} simulated cases, above the budget of {budget:,}; lower --replications or "
                              f"--cases, or raise the budget with the environment variable {CASE_BUDGET_ENV} "
                              f"(e.g. {CASE_BUDGET_ENV}={total} reformsim ...)")
