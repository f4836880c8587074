"""The one duration convention for numbers written in different units outside the engine.

The engine converts time with the real calendar (holidays, 调休, each agency's opening hours;
:mod:`sim.model.calendar`). Everywhere else — combining a merge's durations, comparing
statutory limits in a diagram diff, ordering paths, writing an ISO duration into BPMN — a
number in ``hour``, ``workday`` or ``day`` is converted here, and only here:

- a working day has as many hours as the agency is open (its ``OpeningHours``; the scenario
  default ``09:00-12:00,13:30-17:30`` = 7 h when no agency is known);
- a week has 5 working days in 7 calendar days, so 1 workday = 7/5 calendar days.
  assumption: holidays and 调休 ignored — these conversions only combine or compare numbers,
  they never decide a simulated case's time.

Example:
    >>> convert(14, "hour", "workday")
    2.0
    >>> convert(1, "workday", "day")
    1.4
    >>> from sim.model.calendar import OpeningHours
    >>> convert(1, "workday", "hour", opening=OpeningHours.parse("08:00-12:00,14:00-18:00"))
    8.0
"""

from __future__ import annotations

from .calendar import OpeningHours
from .process import TimeUnit

__all__ = ["DEFAULT_OPENING", "DAYS_PER_WORKDAY", "workday_hours", "convert", "describe"]

# The scenario's documented default office hours (sim.model.scenario.DEFAULTS["office_hours"]).
DEFAULT_OPENING = OpeningHours.parse("09:00-12:00,13:30-17:30")
DAYS_PER_WORKDAY = 7.0 / 5.0  # 5 working days in a 7-day week, holidays ignored (see module docstring)


def workday_hours(opening: OpeningHours | None = None) -> float:
    """Hours in one working day: the agency's opening hours (default office hours when None).

    >>> workday_hours()
    7.0
    """
    return (opening or DEFAULT_OPENING).hours


def _in_workdays(unit: TimeUnit, opening: OpeningHours | None) -> float:
    if unit == "workday":
        return 1.0
    if unit == "hour":
        return 1.0 / workday_hours(opening)
    if unit == "day":
        return 1.0 / DAYS_PER_WORKDAY
    raise ValueError(f'unknown time unit "{unit}"; expected hour, workday or day')


def convert(value: float, unit: TimeUnit, to: TimeUnit, *, opening: OpeningHours | None = None) -> float:
    """``value`` in ``unit`` expressed in ``to`` under this module's convention."""
    if unit == to:
        return float(value)
    return value * _in_workdays(unit, opening) / _in_workdays(to, opening)


def describe(opening: OpeningHours | None = None) -> str:
    """The convention in words, for notes that combine units.

    >>> describe()
    '1 workday = 7 h = 1.4 day (assumption: opening hours per working day, 5-day week, holidays ignored)'
    """
    return (f"1 workday = {workday_hours(opening):g} h = {DAYS_PER_WORKDAY:g} day "
            "(assumption: opening hours per working day, 5-day week, holidays ignored)")
