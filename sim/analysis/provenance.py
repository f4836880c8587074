"""What a verdict rests on: every number behind a simulated time, graded by its source.

A model's ``source`` texts attribute numbers to where they come from, field by field
(``"statutory_limit: seed 二(一)1; work, wait: assumption: registrar queue"``). Each attribution is
graded:

- ``statute`` — a law, regulation or statutory time limit (条例, 办法, 规定, 法, "statutory");
- ``measured`` — a published measurement (Doing Business, a calibration figure id, a survey);
- ``plan`` — a clause of the plan itself (``seed 二(一)1``, 琼营商〔2021〕2号);
- ``assumption`` — ``assumption: why``;
- ``unsourced`` — none of these (the loader refuses numbers without any source, so this is text
  that names something we cannot classify).

Only the numbers that make time count for a time verdict: each step's ``work`` and ``wait``,
timers, and the process-level arrivals, staff and opening hours. :func:`time_provenance` counts
them by grade and weighs each step by its share of the mean elapsed time, so a verdict can say
"rests on 6 assumed durations, 2 statutory limits" and whether assumptions dominate it.

Example:
    >>> grade("assumption: no published figure"), grade("seed 二(一)1"), grade("DB2020 China, Shanghai")
    ('assumption', 'plan', 'measured')
    >>> attributions("statutory_limit: seed 二(一)1; work, wait: assumption: queue")["wait"]
    'assumption: queue'
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..model.process import Process
from ..sources import cited_ids, entries

__all__ = ["GRADES", "grade", "attributions", "Provenance", "time_provenance", "source_rows"]

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
        heads = [k.split(".")[-1] if k.startswith("agency") else k.split(".")[0] for k in keys]
        if m and heads and all(h in _FIELDS for h in heads):
            for h in heads:
                out[h] = m.group(2).strip()
        elif segment.strip():
            general.append(segment.strip())
    out[""] = "; ".join(general)
    return out


def _of(attrs: dict[str, str], name: str) -> str:
    return grade(attrs.get(name) or attrs.get("", ""))


@dataclass
class Provenance:
    """Counts by grade of the numbers behind a time verdict, and the assumed share of the time."""

    counts: Counter[str] = field(default_factory=Counter)
    assumed_time_share: float = 0.0  # share of the mean elapsed time spent in steps whose duration is assumed

    @property
    def assumption_driven(self) -> bool:
        return self.assumed_time_share > 0.5

    def as_dict(self) -> dict[str, Any]:
        return {"counts": {g: self.counts.get(g, 0) for g in GRADES}, "assumed_time_share": round(self.assumed_time_share, 4),
                "assumption_driven": self.assumption_driven}

    def text(self, lang: str = "zh") -> str:
        names = _GRADE_NAMES[lang]
        parts = [f"{n} {names[g]}" if lang == "zh" else f"{n} {names[g]}" for g in GRADES if (n := self.counts.get(g, 0))]
        share = f"{self.assumed_time_share:.0%}"
        if lang == "zh":
            return f"依据：{'，'.join(parts)}；假设的时长占平均用时 {share}" + ("（以假设为主）" if self.assumption_driven else "")
        return f"rests on {', '.join(parts)}; assumed durations make {share} of the mean time" + (
            " (assumption-driven)" if self.assumption_driven else "")


_GRADE_NAMES = {
    "zh": {"statute": "项法定", "measured": "项公开测量", "plan": "项方案条款", "assumption": "项假设", "unsourced": "项来源不明"},
    "en": {"statute": "statutory", "measured": "measured", "plan": "plan clause", "assumption": "assumed", "unsourced": "unclassified"},
}


def time_provenance(process: Process, step_time: dict[str, float] | None = None) -> Provenance:
    """Grade every number behind the chain's time; ``step_time`` (step id → mean elapsed) weighs the steps.

    >>> from pathlib import Path
    >>> import sim
    >>> chain = sim.load_process(Path(sim.__file__).parents[1] / "processes" / "company_setup_2021.bpmn")
    >>> p = time_provenance(chain)
    >>> p.counts["assumption"] > 0
    True
    """
    prov = Provenance()
    assumed, total = 0.0, 0.0
    for node in process.nodes.values():
        facts = node.facts
        if node.kind == "timer" and node.timer is not None:
            prov.counts["assumption" if not facts else _of(attributions(facts.source), "timer")] += 1
        if facts is None:
            continue
        attrs = attributions(facts.source)
        grades = [_of(attrs, name) for name in ("work", "wait") if getattr(facts, name) is not None]
        prov.counts.update(grades)
        weight = (step_time or {}).get(node.id, 0.0)
        total += weight
        if grades and all(g == "assumption" for g in grades):
            assumed += weight
    process_attrs = attributions(process.defaults.get("source", ""))
    for name in ("arrivals", "staff", "hours"):
        prov.counts[_of(process_attrs, name)] += 1
    prov.assumed_time_share = assumed / total if total > 0 else 0.0
    return prov


def source_rows(process: Process) -> list[dict[str, str]]:
    """Every number behind the chain's time with its source text and grade, for the report.

    >>> from pathlib import Path
    >>> import sim
    >>> rows = source_rows(sim.load_process(Path(sim.__file__).parents[1] / "processes" / "company_setup_2021.bpmn"))
    >>> sorted({r["grade"] for r in rows}) <= sorted(GRADES), rows[0]["number"]
    (True, 'arrivals')
    """
    rows: list[dict[str, str]] = []
    process_attrs = attributions(process.defaults.get("source", ""))
    for name in ("arrivals", "staff", "hours"):
        text = process_attrs.get(name) or process_attrs.get("", "")
        rows.append({"step": process.name or process.id, "number": name, "value": "", "source": text, "grade": grade(text)})
    for node in process.nodes.values():
        if node.facts is None:
            continue
        attrs = attributions(node.facts.source)
        for name in ("work", "wait"):
            value = getattr(node.facts, name)
            if value is not None:
                text = attrs.get(name) or attrs.get("", "")
                rows.append({"step": node.label, "number": name, "value": str(value), "source": text, "grade": grade(text)})
    return rows
