"""An iCalendar (``.ics``) holiday calendar read as a scenario's ``calendar:`` arrangement.

Planners often have the State Council's holiday notice as an ``.ics`` subscription (calendar apps
publish one per year). A scenario may name such a file instead of the YAML form
(docs/calendar.md); it is turned into that form here and then checked like any other
arrangement (:func:`sim.model.official_days.parse_calendar`).

Reading rules, the ones those calendars follow:

* every all-day ``VEVENT`` is a day off (``DTSTART;VALUE=DATE`` to the exclusive ``DTEND``;
  no ``DTEND`` is one day), except
* an event whose ``SUMMARY`` marks a make-up working day — it contains 班 (补班, 上班) or the
  English words "working day", "workday" or "make-up" — which lists its days as 调休 working days;
* timed events (with a clock time) are not holiday arrangements and are refused, naming the event;
* the arrangement's ``source`` is the calendar's ``X-WR-CALNAME`` and the file's name.

Example:
    >>> text = '''BEGIN:VCALENDAR
    ... VERSION:2.0
    ... X-WR-CALNAME:中国节假日 2027
    ... BEGIN:VEVENT
    ... SUMMARY:春节 休
    ... DTSTART;VALUE=DATE:20270205
    ... DTEND;VALUE=DATE:20270212
    ... END:VEVENT
    ... BEGIN:VEVENT
    ... SUMMARY:春节 补班
    ... DTSTART;VALUE=DATE:20270220
    ... END:VEVENT
    ... END:VCALENDAR
    ... '''
    >>> form = calendar_from_ics(text, file="holidays_2027.ics")
    >>> form["years"][2027]["holidays"], form["years"][2027]["workdays"]
    (['2027-02-05/2027-02-11'], ['2027-02-20'])
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import icalendar

from ..errors import ScenarioError

__all__ = ["calendar_from_ics"]

# what a make-up working day's SUMMARY says (Chinese calendars: 补班 / 上班; English exports)
_WORKDAY = re.compile(r"班|working day|workday|make-up", re.IGNORECASE)


def calendar_from_ics(text: str, *, file: str) -> dict[str, Any]:
    """The ``calendar:`` mapping (source, years → holidays/workdays) an iCalendar text describes."""
    try:
        cal = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise ScenarioError([("calendar", f"not an iCalendar (.ics) file: {str(exc)[:200]}")], file=file) from None
    problems: list[tuple[str, str]] = []
    years: dict[int, dict[str, list[str]]] = {}
    for n, event in enumerate(cal.walk("VEVENT")):
        summary = str(event.get("SUMMARY", "")).strip()
        where = f"VEVENT[{n}]" + (f" ({summary[:40]})" if summary else "")
        first, last = _span(event, where, problems)
        if first is None or last is None:
            continue
        if first.year != last.year:
            problems.append((where, f"runs from {first} into {last.year}; split it at the new year"))
            continue
        kind = "workdays" if _WORKDAY.search(summary) else "holidays"
        item = first.isoformat() if first == last else f"{first.isoformat()}/{last.isoformat()}"
        years.setdefault(first.year, {"holidays": [], "workdays": []})[kind].append(item)
    if not years and not problems:
        problems.append(("calendar", "the .ics file has no all-day events: expected the year's holidays and 调休 working days"))
    if problems:
        raise ScenarioError(problems, file=file)
    name = str(cal.get("X-WR-CALNAME", "")).strip()
    source = f"iCalendar file {file.rsplit('/', 1)[-1]}" + (f" ({name})" if name else "")
    return {"source": source, "years": years}


def _span(event: Any, where: str, problems: list[tuple[str, str]]) -> tuple[dt.date | None, dt.date | None]:
    """First and last day (inclusive) of an all-day event; a problem for anything else."""
    start = event.get("DTSTART")
    if start is None:
        problems.append((where, "has no DTSTART"))
        return None, None
    first = start.dt
    if isinstance(first, dt.datetime):
        problems.append((where, "is a timed event; a holiday arrangement lists whole days (DTSTART;VALUE=DATE:YYYYMMDD)"))
        return None, None
    end = event.get("DTEND")
    if end is None:
        return first, first
    after = end.dt
    if isinstance(after, dt.datetime) or after <= first:
        problems.append((where, "DTEND must be a date after DTSTART (all-day events end the day after their last day)"))
        return None, None
    return first, after - dt.timedelta(days=1)
