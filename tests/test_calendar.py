"""The official working-day calendar: holidays, 调休 make-up days, opening hours."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.errors import CalendarError
from sim.model.calendar import OpeningHours, WorkClock, calendar_years, is_official_workday

HOURS = OpeningHours.parse("09:00-12:00,13:00-17:00")


def test_national_day_2021() -> None:
    off = [dt.date(2021, 10, d) for d in range(1, 8)]
    assert not any(is_official_workday(d) for d in off)
    assert is_official_workday(dt.date(2021, 9, 26))  # Sunday, make-up working day
    assert is_official_workday(dt.date(2021, 10, 9))  # Saturday, make-up working day
    assert not is_official_workday(dt.date(2021, 10, 10))


def test_working_days_across_national_day_2021() -> None:
    clock = WorkClock(dt.date(2021, 9, 24), HOURS)
    end = (dt.date(2021, 10, 11) - dt.date(2021, 9, 24)).days * 24.0
    # 24, 26 (调休), 27, 28, 29, 30 Sep; 8 Oct; 9 Oct (调休)
    assert clock.workdays_between(0.0, end) == pytest.approx(8.0)


def test_work_pauses_over_the_holiday() -> None:
    clock = WorkClock(dt.date(2021, 9, 30), HOURS)
    done = clock.work_end(16.0, 2.0)  # 1 h on 30 Sep, then the office is closed 1-7 Oct
    assert clock.to_datetime(done) == dt.datetime(2021, 10, 8, 10, 0)
    assert clock.to_datetime(clock.add_workdays(9.0, 1.0)) == dt.datetime(2021, 9, 30, 17, 0)
    assert clock.to_datetime(clock.add_workdays(16.0, 1.0)) == dt.datetime(2021, 10, 8, 16, 0)


def test_next_open() -> None:
    clock = WorkClock(dt.date(2021, 9, 24), HOURS)
    assert clock.to_datetime(clock.next_open(12.5)) == dt.datetime(2021, 9, 24, 13, 0)
    assert clock.to_datetime(clock.next_open(17.5)) == dt.datetime(2021, 9, 26, 9, 0)  # Sat off, Sun worked


def test_dates_outside_the_calendar_are_refused_plainly() -> None:
    first, last = calendar_years()
    with pytest.raises(CalendarError, match=f"covers {first}–{last}"):
        is_official_workday(dt.date(last + 1, 3, 1))
    clock = WorkClock(dt.date(last, 12, 1), HOURS)
    with pytest.raises(CalendarError, match="past the official holiday calendar"):
        clock.work_end(0.0, 7.0 * 60)


@pytest.mark.parametrize("text", ["9-17-18", "12:00-09:00", "", "09:00-25:00"])
def test_bad_opening_hours(text: str) -> None:
    with pytest.raises(ValueError, match="opening hours"):
        OpeningHours.parse(text)
