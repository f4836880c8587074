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

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# the one reading of attributions lives in the model layer (sim.model.attribution); re-exported here
from ..model.attribution import GRADES, attributions, grade
from ..model.process import Process

__all__ = ["GRADES", "grade", "attributions", "Provenance", "time_provenance", "source_rows"]

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
