"""The Doing-Business clock for one case.

Doing Business counts calendar days with three rules (the DB methodology; the minimum is
``DB.method.minimum_time_per_procedure`` in ``sim/data/sources.yaml``): a procedure takes at least 1 day (0.5 if fully
online); simultaneous procedures cannot start on the same day, except online ones; the total is
the critical path. Given a case's simulated procedures (start, end in hours, online), we replay
them in start order, each shifted by the extra time the minimum rule added to procedures that
ended before it started, and bumped to the next day when it would start on the same day as the
previous non-online procedure it overlaps.

Example:
    >>> db_days(0.0, 10.0, [(1.0, 3.0, False), (1.0, 4.0, False)])   # two 2-3 h procedures, same morning
    2.0416666666666665
"""

from __future__ import annotations

__all__ = ["db_days"]


def db_days(arrival: float, end: float, procedures: list[tuple[float, float, bool]]) -> float:
    """Doing-Business days of a case from ``(start_h, end_h, online)`` of its procedures."""
    if not procedures:
        return (end - arrival) / 24
    shifted: list[tuple[float, float]] = []  # (actual end, end on the DB clock)
    prev_start: float | None = None
    prev_online = True
    latest = end
    for start, stop, online in sorted(procedures):
        # a procedure that began after another ended cannot begin before that one's DB end
        s = start
        for actual_end, shifted_end in shifted:
            if actual_end <= start and shifted_end > s:
                s = shifted_end
        delay = s - start
        # "<=", not "==": the previous one may itself have been bumped past this one's day
        if prev_start is not None and not online and not prev_online and int(s // 24) <= int(prev_start // 24):
            s = prev_start + 24.0
        e = s + max(stop - start, 12.0 if online else 24.0)
        shifted.append((stop, e))
        prev_start, prev_online = s, online
        latest = max(latest, e)
        latest = max(latest, end + delay)
    return (latest - arrival) / 24
