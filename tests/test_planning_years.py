"""Planning past the official calendar's last year: a projected or supplied calendar, said on every run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from sim.model.calendar import calendar_years

ROOT = Path(__file__).parents[1]
PROCESS = ROOT / "processes" / "company_setup_2021.bpmn"
NEXT = calendar_years()[1] + 1  # the first year the official data does not cover


def _scenario(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    shutil.copy(PROCESS, tmp_path / PROCESS.name)  # inside the plan's folder: files may not point outside it (sim.inputs)
    path.write_text(f"process: {PROCESS.name}\nsource: 'assumption: a planning year'\n{text}", encoding="utf-8")
    return path


def test_a_run_past_the_data_uses_the_projection_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = _scenario(tmp_path, f"start: {NEXT}-03-01\n")
    assert main(["run", str(plan), "--cases", "40", "--replications", "2", "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["calendar"] == {str(NEXT): "projected"}
    assert any("projected from the statutory rules" in n for n in data["notes"])
    assert f"warning: {NEXT} 年的节假日按《全国年节及纪念日放假办法》推算" in captured.err


def test_a_run_on_official_years_carries_no_projection_note(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(PROCESS), "--cases", "40", "--replications", "2", "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert set(data["calendar"].values()) == {"official"}
    assert not any("projected" in n for n in data["notes"]) and "warning" not in captured.err


def test_a_supplied_arrangement_replaces_the_projection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Holidays from the second day on: cases that arrive on the first day and are not done by its
    # evening wait out the closed week, which only the supplied year knows about.
    (tmp_path / "days.yaml").write_text(
        f"source: test arrangement\nyears:\n  {NEXT}:\n    holidays: [{NEXT}-03-02/{NEXT}-03-05]\n", encoding="utf-8")
    supplied = _scenario(tmp_path, f"start: {NEXT}-03-01\ncalendar: days.yaml\n")
    assert main(["run", str(supplied), "--cases", "40", "--replications", "2", "--json"]) == 0
    captured = capsys.readouterr()
    with_week_off = json.loads(captured.out)
    assert with_week_off["calendar"] == {str(NEXT): "supplied"} and "warning" not in captured.err
    projected = _scenario(tmp_path, f"start: {NEXT}-03-01\n")
    assert main(["run", str(projected), "--cases", "40", "--replications", "2", "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert with_week_off["kpis"]["calendar_days"]["max"] > plain["kpis"]["calendar_days"]["max"] + 3


@pytest.mark.parametrize(("text", "message"), [
    ("start: 2150-03-01\n", "start: 2150 is outside every holiday calendar"),
    ("start: 2021-13-01\n", "start:"),
    ("calendar: missing.yaml\n", "calendar: file not found"),
    ("calendar: {source: x, years: {2027: {holidays: [2027-02-31]}}}\n", "calendar.years.2027.holidays[0]"),
])
def test_bad_dates_and_calendars_are_located_errors(tmp_path: Path, text: str, message: str) -> None:
    plan = _scenario(tmp_path, text)
    done = subprocess.run([sys.executable, "-m", "sim.cli", "run", str(plan), "--cases", "10", "--replications", "1"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2, done.stderr
    assert str(plan) in done.stderr and message in done.stderr
    assert "Traceback" not in done.stderr


def _ics(events: str) -> str:
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nX-WR-CALNAME:节假日 {NEXT}\r\n{events}END:VCALENDAR\r\n"


def test_an_ics_calendar_is_read_like_the_yaml_form(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the same closed week as the YAML test above, from an iCalendar subscription file
    (tmp_path / "days.ics").write_text(_ics(
        f"BEGIN:VEVENT\r\nSUMMARY:假期 休\r\nDTSTART;VALUE=DATE:{NEXT}0302\r\nDTEND;VALUE=DATE:{NEXT}0306\r\nEND:VEVENT\r\n"
        f"BEGIN:VEVENT\r\nSUMMARY:补班\r\nDTSTART;VALUE=DATE:{NEXT}0307\r\nEND:VEVENT\r\n"), encoding="utf-8")
    (tmp_path / "days.yaml").write_text(
        f"source: same\nyears:\n  {NEXT}:\n    holidays: [{NEXT}-03-02/{NEXT}-03-05]\n    workdays: [{NEXT}-03-07]\n",
        encoding="utf-8")
    results = []
    for name in ("days.ics", "days.yaml"):
        plan = _scenario(tmp_path, f"start: {NEXT}-03-01\ncalendar: {name}\n")
        assert main(["run", str(plan), "--cases", "40", "--replications", "2", "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["calendar"] == {str(NEXT): "supplied"}
        results.append(data["kpis"])
    assert results[0] == results[1]  # one arrangement, whichever form it came in


@pytest.mark.parametrize(("events", "message"), [
    ("BEGIN:VEVENT\r\nSUMMARY:会议\r\nDTSTART:20270302T090000\r\nEND:VEVENT\r\n", "is a timed event"),
    ("", "no all-day events"),
    (f"BEGIN:VEVENT\r\nSUMMARY:x\r\nDTSTART;VALUE=DATE:{NEXT}0305\r\nDTEND;VALUE=DATE:{NEXT}0301\r\nEND:VEVENT\r\n",
     "DTEND must be a date after DTSTART"),
])
def test_a_bad_ics_calendar_is_a_located_error(tmp_path: Path, events: str, message: str) -> None:
    (tmp_path / "days.ics").write_text(_ics(events), encoding="utf-8")
    plan = _scenario(tmp_path, f"start: {NEXT}-03-01\ncalendar: days.ics\n")
    done = subprocess.run([sys.executable, "-m", "sim.cli", "run", str(plan), "--cases", "10", "--replications", "1"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2, done.stderr
    assert "days.ics" in done.stderr and message in done.stderr and "Traceback" not in done.stderr


def test_an_assessment_on_a_projected_year_warns_in_json_and_report(tmp_path: Path) -> None:
    from sim.analysis.assess import assess
    from sim.model.scenario import parse_scenario
    from sim.report.html import write_report
    from sim.targets import load_register

    data = ROOT / "tests" / "data" / "assess"
    register = load_register(data / "targets.yaml", expected_ids=("T03", "T04", "T30"), root=data)
    plan = parse_scenario({"name": "next year", "start": f"{NEXT}-03-01"})
    a = assess(register, replications=2, cases=30, seed=5, scenario=plan)
    assert a.calendar() == {NEXT: "projected"}
    (note,) = a.calendar_notes()
    assert f"{NEXT} 年的节假日" in note
    page = write_report(a, [], tmp_path / "out", lang="zh", diagrams=False).read_text(encoding="utf-8")
    assert '<p class="warning">' in page and f"{NEXT} 年的节假日" in page
    official = assess(register, replications=2, cases=30, seed=5)
    assert official.calendar_notes() == [] and set(official.calendar().values()) == {"official"}


def test_a_runs_calendar_lists_the_years_it_reached_not_the_ones_an_earlier_run_built(tmp_path: Path) -> None:
    # The clocks are shared by the runs of a process (work_clock's cache): a run into the projected year
    # must not make a later run on official years report it.
    import sim

    slow = sim.load_scenario(_scenario(tmp_path, "arrivals: {rate_per_workday: 0.1, source: 'assumption: a slow trickle'}\n"))
    long = sim.simulate(slow.process, slow, cases=400, replications=1, seed=1)  # 4,000 working days: past the data
    assert long.calendar().get(NEXT) == "projected"
    short = sim.simulate(PROCESS, None, cases=20, replications=1, seed=1)
    assert set(short.calendar().values()) == {"official"} and not short.calendar_notes()
