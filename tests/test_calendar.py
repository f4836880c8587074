"""The official working-day calendar: holidays, 调休 make-up days, opening hours."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from sim.errors import CalendarError, ScenarioError
from sim.model.calendar import OpeningHours, WorkClock, calendar_years, is_official_workday
from sim.model.official_days import OfficialDays, ProjectedCalendarWarning, parse_calendar

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


def test_years_past_the_official_data_are_projected_with_a_warning() -> None:
    first, last = calendar_years()
    days = OfficialDays()
    assert days.basis(last) == "official" and days.basis(last + 1) == "projected"
    with pytest.warns(ProjectedCalendarWarning, match=f"{last + 1}"):
        days.year_workdays(last + 1)
    # 2027 by the statutory rules: 除夕 to 初三 is 5–8 Feb (Fri–Mon); the two weekend days are
    # given back on 9 and 10 Feb (article 5); 11 Feb is worked. National Day 1–3 Oct falls Fri–Sun.
    with pytest.warns(ProjectedCalendarWarning):
        off = [d for d in (dt.date(2027, 2, 5), dt.date(2027, 2, 8), dt.date(2027, 2, 9), dt.date(2027, 2, 10),
                           dt.date(2027, 10, 1), dt.date(2027, 10, 4)) if days.is_workday(d)]
        assert off == []
        assert days.is_workday(dt.date(2027, 2, 11)) and days.is_workday(dt.date(2027, 3, 1))
        assert not days.is_workday(dt.date(2027, 2, 20))  # a Saturday: no 调休 make-up day is assumed


def test_a_clock_runs_into_projected_years_and_records_what_it_rested_on() -> None:
    _, last = calendar_years()
    clock = WorkClock(dt.date(last, 12, 1), HOURS)
    with pytest.warns(ProjectedCalendarWarning):
        end = clock.work_end(9.0, 7.0 * 60)  # 60 working days from 1 Dec: well into the next year
    assert clock.to_datetime(end).year == last + 1
    assert clock.years_used == {last: "official", last + 1: "projected"}


def test_a_clock_builds_only_the_years_it_reaches() -> None:
    clock = WorkClock(dt.date(2021, 7, 1), HOURS)
    clock.work_end(9.0, 7.0 * 5)
    assert clock.years_used == {2021: "official"}


@pytest.mark.filterwarnings("ignore::sim.model.official_days.ProjectedCalendarWarning")
def test_a_runaway_clock_names_the_likely_causes() -> None:
    clock = WorkClock(dt.date(2021, 7, 1), HOURS)
    with pytest.raises(CalendarError, match="30 years after the start 2021-07-01: a case that never finishes, a duration"):
        clock.work_end(0.0, 7.0 * 250 * 40)


def test_years_no_calendar_covers_are_refused_plainly() -> None:
    with pytest.raises(CalendarError, match="outside every holiday calendar"):
        is_official_workday(dt.date(2150, 3, 1))


def test_a_supplied_arrangement_decides_its_year() -> None:
    days = parse_calendar({"source": "国务院办公厅关于2027年部分节假日安排的通知", "years": {2027: {
        "holidays": ["2027-02-05/2027-02-12"], "workdays": [dt.date(2027, 2, 20)]}}})
    assert days.basis(2027) == "supplied" and days.basis(2021) == "official"
    assert not days.is_workday(dt.date(2027, 2, 12))  # a day the projection would have worked
    assert days.is_workday(dt.date(2027, 2, 20))  # the 调休 Saturday
    assert days.is_workday(dt.date(2027, 2, 11)) is False


@pytest.mark.parametrize(("data", "where"), [
    ({"years": {2027: {"holidays": []}}}, "calendar.source"),
    ({"source": "x", "years": {2027: {"holidays": ["2027-02-30"]}}}, "calendar.years.2027.holidays[0]"),
    ({"source": "x", "years": {2027: {"holidays": ["2027-03-01/2027-02-01"]}}}, "calendar.years.2027.holidays[0]"),
    ({"source": "x", "years": {2027: {"workdays": ["2027-03-01"]}}}, "calendar.years.2027.workdays"),  # a Monday
    ({"source": "x", "years": {2027: {"holidays": ["2027-02-20"], "workdays": ["2027-02-20"]}}}, "calendar.years.2027"),
    ({"source": "x", "years": {2027: {"holiday": []}}}, "calendar.years.2027.holiday"),
    ({"source": "x", "years": {"2027": {}}}, "calendar.years.2027"),
    ({"source": "x"}, "calendar.years"),
])
def test_a_bad_arrangement_is_located(data: dict, where: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(f"{where}:")):
        parse_calendar(data)


@pytest.mark.parametrize("text", ["9-17-18", "12:00-09:00", "", "09:00-25:00"])
def test_bad_opening_hours(text: str) -> None:
    with pytest.raises(ValueError, match="opening hours"):
        OpeningHours.parse(text)
