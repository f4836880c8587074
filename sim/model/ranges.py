"""The written form of a plausible range: ``"<lo>-<hi> <unit> | <reason>[ | source: <where>]"``.

A range says how far an uncertain number could plausibly be from the value the model uses, and
why. It is written next to the number it ranges: in a BPMN file as the property
``range.<property>`` of the element that holds the number (``range.wait`` and ``range.work`` on a
step, ``range.share`` on a sequence flow, ``range.agency.<id>.staff``,
``range.arrivals.rate_per_workday`` and ``range.attribute.<name>`` on the process), in a scenario
under ``ranges:`` by assumption id (:mod:`sim.model.assumptions`). For a step's wait or work the
range is on the distribution's mean, in the duration's own unit; the shape is kept. A range on a
sourced (not assumed) number is its published uncertainty and names its own ``source:``.

Example:
    >>> r = parse_range("0.05-1 workday | no published Hainan per-step figure")
    >>> r.lo, r.hi, r.unit, r.reason
    (0.05, 1.0, 'workday', 'no published Hainan per-step figure')
    >>> parse_range("8–16 staff | one city's window | source: HN.starting_a_business.plan_2020_2021").source
    'HN.starting_a_business.plan_2020_2021'
    >>> str(parse_range("0.1-0.5 | a fifth either side"))
    '0.1-0.5 | a fifth either side'
    >>> parse_range("1 workday | why")
    Traceback (most recent call last):
    ...
    ValueError: expected a range like "0.05-1 workday | reason" (lo-hi, optional unit, then | and a one-line reason), got "1 workday | why"
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .process import TIME_UNITS

__all__ = ["Range", "parse_range", "RANGE_UNITS", "RANGE_PREFIX", "normalise_unit"]

RANGE_PREFIX = "range."  # a BPMN property "range.<property>" ranges the property "<property>"
# the units a range may name; a duration's unit is spelled as in sim.model.process.TIME_UNITS
RANGE_UNITS = ("workday", "h", "day", "staff", "per_workday", "share", "factor")  # factor: an edit's multiplier
_SHORT = {"hour": "h", "workday": "workday", "day": "day"}
_NUMBER = r"(\d+(?:\.\d+)?(?:e[-+]?\d+)?)"
_RANGE = re.compile(rf"^\s*{_NUMBER}\s*(?:-|–|—|~|to)\s*{_NUMBER}\s*([^\s|]*)\s*\|(.*)$", re.I | re.S)
_SYNTAX = 'expected a range like "0.05-1 workday | reason" (lo-hi, optional unit, then | and a one-line reason)'


def normalise_unit(text: str) -> str:
    """A unit as :class:`~sim.model.assumptions.Assumption` writes it (``"工作日"`` → ``"workday"``, ``"hours"`` → ``"h"``)."""
    t = text.strip().lower()
    if t in TIME_UNITS:
        return _SHORT[TIME_UNITS[t]]
    aliases = {"staff": "staff", "人": "staff", "per_workday": "per_workday", "/workday": "per_workday",
               "share": "share", "p": "share", "factor": "factor", "×": "factor", "x": "factor", "倍": "factor"}
    if t not in aliases:
        raise ValueError(f'unknown unit "{text}" in a range; expected one of {", ".join(RANGE_UNITS)}')
    return aliases[t]


@dataclass(frozen=True)
class Range:
    """``lo``..``hi`` in ``unit`` ("" = the unit of the number it ranges), ``reason`` why, ``source`` for a sourced number."""

    lo: float
    hi: float
    unit: str = ""
    reason: str = ""
    source: str = ""

    def __str__(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        tail = f" | source: {self.source}" if self.source else ""
        return f"{self.lo:g}-{self.hi:g}{unit} | {self.reason}{tail}"

    def contains(self, value: float) -> bool:
        # a relative tolerance: a central written to 2 digits (triangular(0.41, 0.68, 0.95)) may sit on a bound
        eps = 1e-9 * max(1.0, abs(value))
        return self.lo - eps <= value <= self.hi + eps


def parse_range(text: str) -> Range:
    """Parse the written form (module docstring); ``ValueError`` says what was expected."""
    m = _RANGE.match(str(text))
    if not m:
        raise ValueError(f'{_SYNTAX}, got "{str(text)[:80]}"')
    lo, hi = float(m.group(1)), float(m.group(2))
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
        raise ValueError(f"expected lo <= hi in a range, got {lo:g}-{hi:g}")
    unit = normalise_unit(m.group(3)) if m.group(3) else ""
    parts = [p.strip() for p in m.group(4).split("|")]
    reason, source = parts[0], ""
    for extra in parts[1:]:
        key, sep, value = extra.partition(":")
        if not sep or key.strip().lower() != "source" or not value.strip():
            raise ValueError(f'unexpected "| {extra}" in a range; expected at most "| source: <where the range comes from>"')
        source = value.strip()
    if not reason:
        raise ValueError(f"a range needs a one-line reason after |; {_SYNTAX}")
    return Range(lo, hi, unit, reason, source)
