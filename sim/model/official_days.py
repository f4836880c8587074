"""Which days are official working days, year by year — and on what that rests.

Three layers, the first that covers a year decides it:

1. **supplied** — a holiday arrangement the planner gives (a scenario's ``calendar:``, e.g. the
   State Council's notice for a year the packages do not have yet; see docs/calendar.md);
2. **official** — the maintained ``chinese_calendar`` package: public holidays and 调休 make-up
   working days as published, for the years it covers (2004–2026 in version 1.11);
3. **projected** — for later years, the statutory rules of 《全国年节及纪念日放假办法》 (as
   revised in 2024): New Year 1 day, Spring Festival 4 days (除夕 to 初三), Qingming 1, Labour
   Day 2, Dragon Boat 1, Mid-Autumn 1, National Day 3, with a holiday that falls on a weekend
   given back on the next working day (article 5). The lunar dates and that rule come from the
   maintained ``holidays`` package (``holidays.China``). The 调休 make-up working days of such a
   year are decided by the yearly notice and are *unknown*: a projected year has none, and every
   use of one raises a :class:`ProjectedCalendarWarning` so that the outputs say so.

Example:
    >>> import datetime as dt
    >>> days = OfficialDays()
    >>> days.is_workday(dt.date(2021, 9, 26)), days.basis(2021)      # a 调休 Sunday of 2021
    (True, 'official')
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     spring = days.is_workday(dt.date(2099, 1, 21))            # 初一 of 2099, projected
    >>> spring, days.basis(2099), caught[0].category.__name__
    (False, 'projected', 'ProjectedCalendarWarning')
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import chinese_calendar

from ..errors import CalendarError, ScenarioError

__all__ = [
    "OfficialDays",
    "ProjectedCalendarWarning",
    "SuppliedYear",
    "official_years",
    "parse_calendar",
    "PROJECTION_LAST_YEAR",
]

Basis = Literal["supplied", "official", "projected"]

# holidays.China computes lunar dates from its own tables, which end in 2099; the statutory
# rules behind the projection date from the 2024 revision, so earlier years are never projected.
PROJECTION_LAST_YEAR = 2099
_LONGEST_RANGE_DAYS = 31  # no holiday block of the national calendar is longer than a month


class ProjectedCalendarWarning(UserWarning):
    """A run used a year whose holidays were projected from the statutory rules (调休 unknown)."""


@lru_cache(maxsize=1)
def official_years() -> tuple[int, int]:
    """First and last year the installed ``chinese_calendar`` data covers."""
    from chinese_calendar import constants

    years = [d.year for d in constants.holidays] + [d.year for d in constants.workdays]
    return min(years), max(years)


@dataclass(frozen=True)
class SuppliedYear:
    """One year's holiday arrangement as the planner supplied it: days off and 调休 working days."""

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


@lru_cache(maxsize=None)
def _projected_holidays(year: int) -> frozenset[dt.date]:
    import holidays  # imported here: only runs that reach past the official data need it

    return frozenset(holidays.China(years=year, categories=(holidays.PUBLIC,)).keys())


@dataclass(frozen=True)
class OfficialDays:
    """The official calendar: supplied years, then ``chinese_calendar``, then the projection.

    Plain, hashable data (a tuple of supplied years), so it travels to a process pool or a Dask
    worker and keys the per-year tables' cache.
    """

    supplied: tuple[SuppliedYear, ...] = ()

    def supplied_year(self, year: int) -> SuppliedYear | None:
        return next((s for s in self.supplied if s.year == year), None)

    def basis(self, year: int) -> Basis:
        """On what the working days of ``year`` rest; raises when no layer covers it."""
        if self.supplied_year(year) is not None:
            return "supplied"
        first, last = official_years()
        if first <= year <= last:
            return "official"
        if last < year <= PROJECTION_LAST_YEAR:
            return "projected"
        raise CalendarError(
            f"{year} is outside every holiday calendar ReformSim has: the official data covers {first}–{last} "
            f"(chinese_calendar {chinese_calendar.__version__}), the statutory projection {last + 1}–{PROJECTION_LAST_YEAR}; "
            f"choose a start date inside them, or supply the year's arrangement with a scenario's calendar: (docs/calendar.md)"
        )

    def year_workdays(self, year: int) -> tuple[bool, ...]:
        """Whether each day of ``year`` (1 January first) is an official working day.

        Warns (:class:`ProjectedCalendarWarning`) each time a projected year is used, so that every
        run that rests on a projection says so.
        """
        table = _year_table(self, year)
        if self.basis(year) == "projected":
            warnings.warn(ProjectedCalendarWarning(projection_note(year)), stacklevel=2)
        return table

    def is_workday(self, day: dt.date) -> bool:
        return self.year_workdays(day.year)[day.timetuple().tm_yday - 1]

    def years(self) -> tuple[int, ...]:
        return tuple(sorted(s.year for s in self.supplied))


def projection_note(year: int) -> str:
    """What a planner must know about a projected year, zh first."""
    return (f"{year} 年的节假日按《全国年节及纪念日放假办法》推算（调休上班日未知，未计入）；如已公布当年安排，请用情景的 calendar: 提供 / "
            f"the holidays of {year} are projected from the statutory rules (make-up working days unknown, none counted); "
            f"supply the published arrangement with a scenario's calendar: (docs/calendar.md)")


@lru_cache(maxsize=256)
def _year_table(days: OfficialDays, year: int) -> tuple[bool, ...]:
    basis = days.basis(year)
    first = dt.date(year, 1, 1)
    dates = [first + dt.timedelta(days=k) for k in range((dt.date(year + 1, 1, 1) - first).days)]
    if basis == "supplied":
        supplied = days.supplied_year(year)
        assert supplied is not None
        return tuple(supplied.is_workday(d) for d in dates)
    if basis == "official":
        return tuple(bool(chinese_calendar.is_workday(d)) for d in dates)
    off = _projected_holidays(year)
    return tuple(d.weekday() < 5 and d not in off for d in dates)


# -- the calendar: form of a scenario (a file's contents or an inline mapping) ----------------------


def parse_calendar(data: Any, *, file: str | None = None, path: str = "calendar") -> OfficialDays:
    """Validate a supplied holiday arrangement; raise :class:`ScenarioError` listing every problem.

    The form (see docs/calendar.md)::

        source: 国务院办公厅关于2027年部分节假日安排的通知
        years:
          2027:
            holidays: [2027-01-01, 2027-02-05/2027-02-11]   # dates, or start/end ranges (inclusive)
            workdays: [2027-02-20]                          # 调休 make-up working days (weekend days)

    >>> days = parse_calendar({"source": "notice", "years": {2027: {"holidays": ["2027-02-05/2027-02-11"],
    ...                                                               "workdays": ["2027-02-20"]}}})
    >>> days.basis(2027), days.is_workday(dt.date(2027, 2, 8)), days.is_workday(dt.date(2027, 2, 20))
    ('supplied', False, True)
    >>> parse_calendar({"source": "notice", "years": {2027: {"holidays": ["2028-01-01"]}}})
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: <scenario>: calendar.years.2027.holidays[0]: 2028-01-01 is not in 2027
    """
    problems: list[tuple[str, str]] = []
    if not isinstance(data, Mapping):
        raise ScenarioError([(path, f"expected a holiday arrangement (source:, years:) or a file name, got {type(data).__name__}")],
                            file=file)
    for key in data:
        if key not in ("source", "years", "description"):
            problems.append((f"{path}.{key}", "unknown setting (expected source, years, description)"))
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        problems.append((f"{path}.source", "name where the arrangement comes from (e.g. the State Council's notice for the year)"))
        source = ""
    years = data.get("years")
    supplied: dict[int, SuppliedYear] = {}
    if not isinstance(years, Mapping) or not years:
        problems.append((f"{path}.years", "expected a mapping of years to their holidays: and workdays:"))
        years = {}
    for year, block in years.items():
        here = f"{path}.years.{year}"
        if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= PROJECTION_LAST_YEAR:
            problems.append((here, f"expected a year between 1900 and {PROJECTION_LAST_YEAR}"))
            continue
        if not isinstance(block, Mapping):
            problems.append((here, "expected holidays: and workdays: lists"))
            continue
        for key in block:
            if key not in ("holidays", "workdays"):
                problems.append((f"{here}.{key}", "unknown setting (expected holidays, workdays)"))
        off = _dates(block.get("holidays", []), year, f"{here}.holidays", problems)
        on = _dates(block.get("workdays", []), year, f"{here}.workdays", problems)
        for day in sorted(on):
            if day.weekday() < 5:
                problems.append((f"{here}.workdays", f"{day} is a weekday; list only weekend days worked in exchange (调休)"))
        for day in sorted(on & off):
            problems.append((here, f"{day} is listed both as a holiday and as a working day"))
        supplied[year] = SuppliedYear(year, frozenset(off), frozenset(on), str(source))
    if problems:
        raise ScenarioError(problems, file=file)
    return OfficialDays(tuple(supplied[y] for y in sorted(supplied)))


def _dates(items: Any, year: int, path: str, problems: list[tuple[str, str]]) -> set[dt.date]:
    if not isinstance(items, list):
        problems.append((path, "expected a list of dates (2027-02-05) or ranges (2027-02-05/2027-02-11)"))
        return set()
    out: set[dt.date] = set()
    for i, item in enumerate(items):
        here = f"{path}[{i}]"
        try:
            first, last = _range(item)
        except ValueError:
            problems.append((here, f"expected a date like 2027-02-05 or a range like 2027-02-05/2027-02-11, got {str(item)[:40]!r}"))
            continue
        if last < first or (last - first).days >= _LONGEST_RANGE_DAYS:
            problems.append((here, f"a range must run forward and last at most {_LONGEST_RANGE_DAYS} days"))
            continue
        for day in _each(first, last):
            if day.year != year:
                problems.append((here, f"{day} is not in {year}"))
                break
            out.add(day)
    return out


def _range(item: Any) -> tuple[dt.date, dt.date]:
    if isinstance(item, dt.date) and not isinstance(item, dt.datetime):
        return item, item
    if not isinstance(item, str):
        raise ValueError(item)
    a, sep, b = item.partition("/")
    first = dt.date.fromisoformat(a.strip())
    return first, (dt.date.fromisoformat(b.strip()) if sep else first)


def _each(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    for k in range((last - first).days + 1):
        yield first + dt.timedelta(days=k)
