"""Tests of sim.model.durations: the one working-day convention, and that no module keeps its own."""

import re
from pathlib import Path

import pytest

import sim
from sim.model.calendar import OpeningHours
from sim.model.durations import DAYS_PER_WORKDAY, convert, workday_hours
from sim.model.scenario import DEFAULTS


def test_a_working_day_has_the_opening_hours():
    assert workday_hours() == OpeningHours.parse(DEFAULTS["office_hours"]).hours == 7.0
    eight = OpeningHours.parse("08:00-12:00,14:00-18:00")
    assert convert(2, "workday", "hour", opening=eight) == 16.0
    assert convert(3.5, "hour", "workday") == pytest.approx(0.5)


def test_days_and_round_trips():
    assert convert(5, "workday", "day") == pytest.approx(7.0)
    assert DAYS_PER_WORKDAY == pytest.approx(1.4)
    for unit in ("hour", "workday", "day"):
        for to in ("hour", "workday", "day"):
            assert convert(convert(2.5, unit, to), to, unit) == pytest.approx(2.5)
    with pytest.raises(ValueError, match="expected hour, workday or day"):
        convert(1, "week", "day")  # type: ignore[arg-type]


# literals that used to encode a private working-day convention in some module
_PRIVATE = re.compile(r"33\.6|\b7\.0 */ *5|\b7 */ *5\b|5\.0 */ *7|24(\.0)? *\* *7 */ *5|_HOURS_PER_WORKDAY|_DAYS_PER_WORKDAY|_WORKDAYS_PER_DAY")


def test_no_module_keeps_its_own_working_day():
    root = Path(sim.__file__).parent
    offenders = [f"{p.relative_to(root)}:{i}" for p in root.rglob("*.py") if p.name != "durations.py"
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if _PRIVATE.search(line)]
    assert offenders == []
