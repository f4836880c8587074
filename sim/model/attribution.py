"""Who says so: a ``source`` text split into per-field attributions, each graded by kind of source.

A model's ``source`` texts attribute numbers field by field
(``"statutory_limit: seed 二(一)1; work, wait: assumption: registrar queue"``). Each attribution is
graded:

- ``statute`` — a law, regulation or statutory time limit (条例, 办法, 规定, 法, "statutory");
- ``measured`` — a published measurement (Doing Business, a calibration figure id, a survey);
- ``plan`` — a clause of the plan itself (``seed 二(一)1``, 琼营商〔2021〕2号);
- ``assumption`` — ``assumption: why``;
- ``unsourced`` — none of these.

This is the one reading of attributions: the provenance of verdicts (:mod:`sim.analysis.provenance`)
and the assumption ranges (:mod:`sim.model.assumptions`) both use it, so "is this number an
assumption?" has one answer.

Example:
    >>> grade("assumption: no published figure"), grade("seed 二(一)1"), grade("DB2020 China, Shanghai")
    ('assumption', 'plan', 'measured')
    >>> attributions("statutory_limit: seed 二(一)1; work, wait: assumption: queue")["wait"]
    'assumption: queue'
    >>> grade_of("statutory_limit: seed 二(一)1; work, wait: assumption: queue", "work")
    'assumption'
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..sources import cited_ids, entries

__all__ = ["GRADES", "grade", "attributions", "grade_of", "is_assumed"]

GRADES = ("statute", "measured", "plan", "assumption", "unsourced")
# the fact names a source text may attribute (a segment "work, wait: ..." names two)
_FIELDS = {"work", "wait", "statutory_limit", "documents", "fee", "online", "procedure", "timer", "stage",
           "commitment", "agency", "share", "arrivals", "staff", "hours", "target", "scope"}
_SEGMENT_KEY = re.compile(r"^\s*([a-z_.*]+(?:\s*,\s*[a-z_.*]+)*)\s*:\s*(.*)$", re.S)
_STATUTE = re.compile(r"条例|办法|规定|法第|法》|《.*法|regulation|statut|law\b|\blaw", re.I)
_MEASURED = re.compile(r"\bDB ?20\d\d|Doing Business|calibration|measured|survey|统计|published|\bCN\.|\bHN\.", re.I)
_PLAN = re.compile(r"^\s*seed\b|琼营商|二\([一二三四五六七八九十]+\)|plan clause", re.I)


def grade(text: str) -> str:
    """The grade of one attribution text (see the module docstring)."""
    t = text.strip()
    if not t:
        return "unsourced"
    if t.lower().startswith("assumption"):
        return "assumption"
    by_id = _grade_by_id(t)
    if by_id:
        return by_id
    if _STATUTE.search(t):
        return "statute"
    if _MEASURED.search(t):
        return "measured"
    if _PLAN.search(t):
        return "plan"
    return "unsourced"


def _grade_by_id(text: str) -> str | None:
    """The grade the sources file gives the id a text starts with (a group's, if all its entries agree)."""
    ids = cited_ids(text)
    if not ids or not text.startswith(ids[0]):
        return None
    table = entries()
    group = [e["grade"] for k, e in table.items() if k == ids[0] or k.startswith(ids[0] + ".")]
    return group[0] if group and len(set(group)) == 1 else None


def attributions(source: str) -> dict[str, str]:
    """Field → attribution text from a ``source`` property; ``""`` holds the text that names no field."""
    out: dict[str, str] = {}
    general: list[str] = []
    for segment in source.split(";"):
        m = _SEGMENT_KEY.match(segment)
        keys = [k.strip() for k in m.group(1).split(",")] if m else []
        # "agency.*.hours: ..." and "arrivals.rate_per_workday: ..." name process-level fields by their head
        # "attribute.<name>: ..." (a case-attribute mix) is kept under its full key: each attribute has its own
        heads = [k if k.startswith("attribute.") else k.split(".")[-1] if k.startswith("agency") else k.split(".")[0]
                 for k in keys]
        if m and heads and all(h in _FIELDS or h.startswith("attribute.") for h in heads):
            for h in heads:
                out[h] = m.group(2).strip()
        elif segment.strip():
            general.append(segment.strip())
    out[""] = "; ".join(general)
    return out


def grade_of(source: str, field: str) -> str:
    """The grade of ``field``'s attribution in ``source`` (the text naming no field if none names it)."""
    attrs = attributions(source)
    return grade(attrs.get(field) or attrs.get("", ""))


_ASSUMED = re.compile(r"\bassum", re.I)


@lru_cache(maxsize=8192)  # pure in its strings (the sources file is read once); every load and point asks again
def is_assumed(source: str, field: str) -> bool:
    """Whether ``field``'s attribution rests, wholly or partly, on an assumption: graded ``assumption``, or a
    sourced figure whose text says an assumption enters it ("calibrated …, assumption: 1 of the 8 days").
    Erring towards "assumed" is deliberate: such a number then needs a plausible range (sim.model.assumptions).

    >>> is_assumed("wait: DB2018 share, assumption: 1 of the 8 days; work: seed 二(一)1", "wait")
    True
    >>> is_assumed("wait: DB2018 share, assumption: 1 of the 8 days; work: seed 二(一)1", "work")
    False
    """
    attrs = attributions(source)
    text = attrs.get(field) or attrs.get("", "")
    return grade(text) == "assumption" or bool(_ASSUMED.search(text))
