"""The official Chinese working-day calendar on simulated time.

SimPy time is in hours since midnight of the scenario's start date. A :class:`WorkClock`
combines the official calendar (public holidays and 调休 make-up working days: supplied,
published or projected, see :mod:`sim.model.official_days`) with opening hours, and answers the questions the
engine and the KPIs need: when does ``h`` hours of work started at ``t`` end, how many working
days lie between two instants, when is the office next open.

Internally it keeps ``open_before[k]`` = open hours before day ``k``, so the working time
``W(t)`` and its inverse are a lookup plus a bisection — cheap enough for every task of every case.

Example:
    >>> from datetime import date
    >>> clock = WorkClock(date(2021, 9, 30), OpeningHours.parse("09:00-12:00,13:00-17:00"))
    >>> clock.hours_per_day
    7.0
    >>> t = clock.work_end(9.0, 7.0)              # a full day of work from 30 Sep, 09:00 ...
    >>> clock.to_datetime(t).isoformat()          # ... ends at 17:00 the same day
    '2021-09-30T17:00:00'
    >>> clock.to_datetime(clock.work_end(16.0, 2.0)).isoformat()   # 1 h left on 30 Sep, then National Day
    '2021-10-08T10:00:00'
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from ..errors import CalendarError
from .official_days import OfficialDays, official_years

__all__ = ["OpeningHours", "WorkClock", "calendar_years", "is_official_workday", "MAX_SIMULATED_YEARS"]

OFFICIAL = OfficialDays()  # the package's calendar, projected past its last year; scenarios may supply years
# No approval chain of the plan runs for decades: past this, a case is stuck or a number absurd.
MAX_SIMULATED_YEARS = 30


def calendar_years() -> tuple[int, int]:
    """First and last year of the official holiday data (``chinese_calendar``); later years are projected."""
    return official_years()


def is_official_workday(day: dt.date, days: OfficialDays = OFFICIAL) -> bool:
    """True on an official working day (weekday not a holiday, or a 调休 make-up day).

    >>> is_official_workday(dt.date(2021, 9, 26)), is_official_workday(dt.date(2021, 10, 1))
    (True, False)
    """
    return days.is_workday(day)


@dataclass(frozen=True)
class OpeningHours:
    """Opening hours on a working day as (start, end) hours, e.g. ((9, 12), (13.5, 17.5)).

    >>> OpeningHours.parse("09:00-12:00,13:30-17:30")
    OpeningHours(periods=((9.0, 12.0), (13.5, 17.5)))
    """

    periods: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        last = 0.0
        for start, end in self.periods:
            if not (last <= start < end <= 24):
                raise ValueError(f"opening hours must be increasing, non-overlapping periods within 00:00-24:00, got {self}")
            last = end
        if not self.periods:
            raise ValueError("opening hours must have at least one period (an agency that never opens never finishes)")

    @classmethod
    def parse(cls, text: str) -> "OpeningHours":
        periods = []
        for part in str(text).split(","):
            try:
                a, b = part.strip().split("-")
                periods.append((_hours(a), _hours(b)))
            except ValueError:
                raise ValueError(f'expected opening hours like "09:00-12:00,13:30-17:30", got "{text}"') from None
        return cls(tuple(periods))

    @property
    def hours(self) -> float:
        return sum(b - a for a, b in self.periods)

    def __str__(self) -> str:
        return ",".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in self.periods)


def _hours(text: str) -> float:
    h, _, m = text.strip().partition(":")
    value = int(h) + (int(m) if m else 0) / 60
    if not 0 <= value <= 24:
        raise ValueError(text)
    return value


def _hhmm(x: float) -> str:
    return f"{int(x):02d}:{round((x - int(x)) * 60):02d}"


class WorkClock:
    """Working time on the official calendar with given opening hours, from ``origin`` (00:00)."""

    def __init__(self, origin: dt.date, hours: OpeningHours, days: OfficialDays = OFFICIAL) -> None:
        self.origin = origin
        self.hours = hours
        self.days = days
        self.hours_per_day = hours.hours
        self.years_used: dict[int, str] = {}  # year -> basis ("official", "supplied", "projected")
        # Day tables grow a year at a time as simulated time reaches it: a run builds only the
        # years it needs (most need one or two), and runs past the official data's last year.
        self._workday: list[bool] = []
        self._open_before = [0.0]
        self._last_day = -1  # last day index with a table entry
        self._limit_day = (dt.date(origin.year + MAX_SIMULATED_YEARS, 1, 1) - origin).days
        self._extend_to(0)
        # open hours before each period start within a day, for the within-day part of W(t)
        self._period_cum = []
        acc = 0.0
        for a, b in hours.periods:
            self._period_cum.append(acc)
            acc += b - a
        self._last_t, self._last_w = -1.0, 0.0
        self._periods = [(a, b, before) for (a, b), before in zip(hours.periods, self._period_cum)]

    def _extend_to(self, k: int) -> None:
        """Build the day tables through the end of the year that holds day index ``k``."""
        if k >= self._limit_day:
            raise CalendarError(
                f"simulated time reached {self.to_datetime(24.0 * k):%Y-%m-%d}, {MAX_SIMULATED_YEARS} years after the start "
                f"{self.origin}: a case that never finishes, a duration in the wrong unit, or arrivals too rare for the "
                f"cases asked; check the step durations, loops and the arrival rate"
            )
        while self._last_day < k:
            day = self.origin + dt.timedelta(days=self._last_day + 1)
            self.years_used[day.year] = self.days.basis(day.year)
            table = self.days.year_workdays(day.year)
            start = day.timetuple().tm_yday - 1
            acc = self._open_before[-1]
            for open_day in table[start:]:
                self._workday.append(open_day)
                acc += self.hours_per_day if open_day else 0.0
                self._open_before.append(acc)
            self._last_day = len(self._workday) - 1

    # -- conversions --------------------------------------------------------------------------
    def to_datetime(self, t: float) -> dt.datetime:
        return dt.datetime.combine(self.origin, dt.time()) + dt.timedelta(hours=t)

    def _day(self, t: float) -> int:
        k = int(t // 24)
        if k > self._last_day:
            self._extend_to(k)
        return k

    def is_workday(self, day_index: int) -> bool:
        self._day(day_index * 24.0)
        return self._workday[day_index]

    # -- working time -------------------------------------------------------------------------
    def working_time(self, t: float) -> float:
        """W(t): open hours between the origin and ``t`` (hot: called several times per step)."""
        if t == self._last_t:  # one step's end is the next step's start: a one-entry cache pays
            return self._last_w
        k = int(t // 24)
        if k > self._last_day:
            self._extend_to(k)
        base = self._open_before[k]
        w = base
        if self._workday[k]:
            h = t - 24 * k
            for a, b, before in self._periods:
                if h <= a:
                    break
                w = base + before + ((b if h > b else h) - a)
        self._last_t, self._last_w = t, w
        return w

    def at_working_time(self, w: float) -> float:
        """The earliest instant ``t`` with W(t) = w that lies in an open period (inverse of W)."""
        while self._open_before[-1] < w:  # grow the tables until they hold working time w
            self._extend_to(self._last_day + 1)
        k = bisect.bisect_left(self._open_before, w) - 1
        k = max(k, 0)
        # skip closed days: find the first day k whose open interval contains w
        while not self._workday[k] or self._open_before[k + 1] < w:
            k += 1
            if k > self._last_day:
                self._extend_to(k)
        rest = w - self._open_before[k]
        for (a, b), before in zip(self.hours.periods, self._period_cum):
            if rest <= before + (b - a):
                return 24 * k + a + (rest - before)
        return 24 * k + self.hours.periods[-1][1]  # pragma: no cover - guarded by the loop above

    def work_end(self, t: float, hours: float) -> float:
        """When ``hours`` of work started at ``t`` ends, counting only open hours."""
        if hours <= 0:
            return t
        return self.at_working_time(self.working_time(t) + hours)

    def next_open(self, t: float) -> float:
        """``t`` itself if the office is open then, else the next opening instant."""
        k = self._day(t)
        h = t - 24 * k
        while True:
            if self._workday[k]:
                for a, b in self.hours.periods:
                    if h < b:
                        return 24 * k + max(h, a)
            k += 1
            h = 0.0
            self._day(24.0 * k)

    def add_workdays(self, t: float, days: float) -> float:
        """The instant ``days`` working days (of open hours) after ``t``."""
        return self.work_end(t, days * self.hours_per_day)

    def workdays_between(self, t0: float, t1: float) -> float:
        """Working days of open time between two instants (the statutory clock)."""
        return (self.working_time(t1) - self.working_time(t0)) / self.hours_per_day
