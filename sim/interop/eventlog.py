"""Event logs out: simulated task records as CSV or XES (IEEE 1849-2016), readable by pm4py.

One event per executed step: ``time:timestamp`` is when it ended, ``start_timestamp`` when a
staff member took it up, ``enable_timestamp`` when the case reached it. The case id is
``"<replication>-<case_id>"`` so replications never merge. Timestamps carry the +08:00 offset
(China Standard Time, no daylight saving): the simulated offices work on Beijing time, and an
explicit offset stops readers such as pm4py (which convert to UTC) from shifting clock times
silently.

XES layout: one ``complete`` event per step with ``start_timestamp`` as a date attribute, not a
``start``/``complete`` pair. pm4py's ``read_xes`` then yields one row per step with the start
time as a column, which its interval-aware functions (``start_timestamp_key``) use directly; a
pair would need re-pairing by activity name, which is ambiguous when a case runs the same step
twice in parallel.

Files are written to a temporary file beside the target and moved into place with
``os.replace``, so an interrupted run leaves the old file or none, never half of one.
:func:`check_event_log_path` is the one check of a log's location (suffix, an existing folder
that takes files); the engine calls it before simulating, the writer again before writing.

Example:
    >>> import datetime as dt, tempfile, pathlib
    >>> from sim.model.calendar import OpeningHours, WorkClock
    >>> from sim.model.records import TaskRecord
    >>> clock = WorkClock(dt.date(2021, 7, 1), OpeningHours.parse("09:00-17:00"))
    >>> recs = [TaskRecord(0, 1, "t_a", "登记", "registrar", 9.0, 9.5, 10.0)]
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "log.csv"
    >>> write_event_log(recs, out, clock)
    1
    >>> out.read_text(encoding="utf-8").splitlines()[1]
    '0-1,登记,registrar,2021-07-01T10:00:00+08:00,2021-07-01T09:30:00+08:00,2021-07-01T09:00:00+08:00,complete,0,t_a,task'
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Literal
from xml.sax.saxutils import quoteattr

from ..errors import SimulationError
from ..files import atomic_open, output_file
from ..model.calendar import WorkClock
from ..model.records import TaskRecord

__all__ = ["write_event_log", "check_event_log_path", "CSV_COLUMNS", "TZ"]

TZ = dt.timezone(dt.timedelta(hours=8), "CST")  # China Standard Time

CSV_COLUMNS = (
    "case:concept:name",
    "concept:name",
    "org:resource",
    "time:timestamp",
    "start_timestamp",
    "enable_timestamp",
    "lifecycle:transition",
    "replication",
    "activity_id",
    "kind",
)

LogFormat = Literal["csv", "xes"]


def write_event_log(
    records: Iterable[TaskRecord], path: str | os.PathLike[str], clock: WorkClock, *, fmt: LogFormat | None = None
) -> int:
    """Write ``records`` as an event log at ``path``; return the number of events written.

    The format comes from the suffix (``.csv`` or ``.xes``) unless ``fmt`` is given. CSV is
    streamed record by record; XES buffers one replication at a time (a trace must hold all
    events of its case), so memory stays bounded by the largest replication.
    """
    target, kind = check_event_log_path(path, fmt=fmt)
    with atomic_open(target, "w", newline="") as fh:
        return _write_csv(records, fh, clock) if kind == "csv" else _write_xes(records, fh, clock)


def check_event_log_path(path: str | os.PathLike[str], *, fmt: LogFormat | None = None) -> tuple[Path, LogFormat]:
    """``(path, format)`` once ``path`` is known to be writable as an event log; a located error otherwise.

    The format comes from the suffix unless ``fmt`` is given: :class:`~sim.errors.SimulationError`
    for a suffix that says neither, :class:`~sim.files.OutputError` for a folder, a missing folder
    or one that takes no files. Nothing is created.
    """
    target = Path(path)
    if target.is_dir():  # say "a folder" rather than "no suffix" when --event-log names one
        output_file(target, what="event log")
    kind = fmt or target.suffix.lower().lstrip(".")
    if kind not in ("csv", "xes"):
        raise SimulationError(
            f'{target}: cannot tell the event log format from the suffix "{target.suffix}"; '
            'name the file .csv or .xes, or pass fmt="csv" / fmt="xes"'
        )
    return output_file(target, what="event log"), kind  # type: ignore[return-value]


def _iso(clock: WorkClock, t: float) -> str:
    # Rounded to the millisecond: float hours carry noise that would print as odd microseconds.
    stamp = dt.datetime.combine(clock.origin, dt.time(), TZ) + dt.timedelta(milliseconds=round(t * 3_600_000))
    return stamp.isoformat(timespec="milliseconds" if stamp.microsecond else "seconds")


def _case(r: TaskRecord) -> str:
    return f"{r.replication}-{r.case_id}"


def _write_csv(records: Iterable[TaskRecord], fh: IO[str], clock: WorkClock) -> int:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for r in records:
        writer.writerow((
            _case(r), r.activity, r.agency or "", _iso(clock, r.end), _iso(clock, r.start), _iso(clock, r.enable),
            "complete", r.replication, r.node_id, r.kind,
        ))
        n += 1
    return n


_XES_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <global scope="trace">
    <string key="concept:name" value="__INVALID__"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00+00:00"/>
    <string key="lifecycle:transition" value="complete"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <string key="concept:name" value="ReformSim simulated log"/>
"""


def _write_xes(records: Iterable[TaskRecord], fh: IO[str], clock: WorkClock) -> int:
    fh.write(_XES_HEAD)
    written: set[tuple[int, int]] = set()
    cases: dict[tuple[int, int], list[TaskRecord]] = {}
    current: int | None = None
    n = 0

    def flush() -> None:
        for key, events in cases.items():
            if key in written:
                raise SimulationError(
                    f"event log: records of case {key[0]}-{key[1]} arrived after its trace was written; "
                    "pass records grouped by replication (as the engine emits them)"
                )
            written.add(key)
            _write_trace(fh, key, events, clock)
        cases.clear()

    for r in records:
        if current is not None and r.replication != current:
            flush()
        current = r.replication
        cases.setdefault((r.replication, r.case_id), []).append(r)
        n += 1
    flush()
    fh.write("</log>\n")
    return n


def _write_trace(fh: IO[str], key: tuple[int, int], events: list[TaskRecord], clock: WorkClock) -> None:
    out = [
        "  <trace>\n",
        f'    <string key="concept:name" value="{key[0]}-{key[1]}"/>\n',
        f'    <int key="replication" value="{key[0]}"/>\n',
    ]
    for r in sorted(events, key=lambda e: (e.end, e.start)):
        out.append("    <event>\n")
        out.append(f'      <string key="concept:name" value={quoteattr(r.activity)}/>\n')
        if r.agency:
            out.append(f'      <string key="org:resource" value={quoteattr(r.agency)}/>\n')
        out.append(f'      <date key="time:timestamp" value="{_iso(clock, r.end)}"/>\n')
        out.append(f'      <date key="start_timestamp" value="{_iso(clock, r.start)}"/>\n')
        out.append(f'      <date key="enable_timestamp" value="{_iso(clock, r.enable)}"/>\n')
        out.append('      <string key="lifecycle:transition" value="complete"/>\n')
        out.append(f'      <string key="activity_id" value={quoteattr(r.node_id)}/>\n')
        out.append(f'      <string key="kind" value={quoteattr(r.kind)}/>\n')
        out.append("    </event>\n")
    out.append("  </trace>\n")
    fh.write("".join(out))
