"""A small builder shared by the service-chain scripts (gas, water, property, trade, deregistration, taxes).

It keeps the scripts to the facts: each step says its numbers and where they come from, and
the builder turns them into :class:`sim.model.process.Process` nodes and flows.

Example:
    >>> b = Builder("demo", "示例", "Demo")
    >>> b.chain("start", b.task("t_a", "申请", "Apply", agency="x", procedure=True,
    ...     limit="1 workday", source="assumption: demo"), "end")
    >>> [n.id for n in b.build().tasks()]
    ['t_a']
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script: `python processes/_src/gas.py`
    sys.path.insert(0, str(ROOT))

from sim.model import legal  # noqa: E402
from sim.model.process import Flow, Node, Process, TaskFacts, parse_duration  # noqa: E402

try:  # the staffing rule and the range rules are common to every chain (see common.STAFF_RULE, common.RangeRules)
    from .common import DEFAULT_RULES, STAFF_RULE, RangeRules, Spread, apply_rules, range_properties
except ImportError:  # run as a script
    from common import DEFAULT_RULES, STAFF_RULE, RangeRules, Spread, apply_rules, range_properties  # type: ignore[no-redef]

__all__ = ["Builder", "ROOT", "write_all", "STAFF_RULE", "Spread"]


class Builder:
    """Collects nodes and flows; ids are given by the caller so they stay stable across edits."""

    def __init__(self, pid: str, name: str, name_en: str, defaults: dict[str, str] | None = None,
                 rules: RangeRules | None = DEFAULT_RULES) -> None:
        self.pid, self.name, self.name_en = pid, name, name_en
        self.defaults = dict(defaults or {})
        self.rules = rules  # how assumed numbers without a range of their own are ranged (common.RangeRules)
        self.nodes: dict[str, Node] = {}
        self.flows: list[Flow] = []
        self._gw_source: dict[str, str] = {}

    def _add(self, node: Node) -> str:
        if node.id in self.nodes:
            raise ValueError(f'node id "{node.id}" used twice in {self.pid}')
        self.nodes[node.id] = node
        return node.id

    def task(self, id: str, name: str, name_en: str, *, agency: str, procedure: bool, source: str,
             documents: int = 0, fee: float = 0.0, online: bool = False, limit: str | None = None,
             work: str | None = None, wait: str | None = None, stage: str | None = None,
             commitment: bool = False, kind: str | None = None, levers: str = "", levers_source: str = "",
             ranges: dict[str, str | Spread] | None = None) -> str:
        """A task; ``kind`` is its step_kind (sim.model.legal), ``levers``/``levers_source`` its own exceptions,
        ``ranges`` the plausible ranges of its work/wait (``{"wait": "1-3 workday | why"}``, sim.model.ranges)."""
        facts = TaskFacts(
            agency=agency, procedure=procedure, documents=documents, fee=float(fee), online=online,
            statutory_limit=parse_duration(limit) if limit else None,
            work=parse_duration(work) if work else None,
            wait=parse_duration(wait) if wait else None,
            stage=stage, commitment=commitment, source=source, name_en=name_en,
            step_kind=legal.check_kind(kind) if kind else None, levers=legal.parse_levers(levers), levers_source=levers_source,
            extra=range_properties(ranges, work=work, wait=wait),
        )
        return self._add(Node(id, "task", name, facts=facts))

    def timer(self, id: str, name: str, name_en: str, wait: str, source: str, wait_range: str = "") -> str:
        extra = {"range.wait": wait_range} if wait_range else {}
        return self._add(Node(id, "timer", name, timer=parse_duration(wait),
                              facts=TaskFacts(source=source, name_en=name_en, extra=extra)))

    def attribute(self, name: str, probability: float, source: str, range: str = "") -> str:
        """Declare a case attribute's default probability (process property), its source and optionally its range."""
        self.defaults[f"attribute.{name}"] = str(probability)
        if range:
            self.defaults[f"range.attribute.{name}"] = range
        self.defaults["source"] = "; ".join(x for x in (self.defaults.get("source", ""), f"attribute.{name}: {source}") if x)
        return name

    def gateway(self, id: str, kind: str, name: str = "", name_en: str = "", source: str = "") -> str:
        """A gateway (``name_en``: its English label); ``source`` names where its branch shares come from (written on
        each share flow)."""
        if source:
            self._gw_source[id] = source
        return self._add(Node(id, kind, name, facts=TaskFacts(name_en=name_en) if name_en else None))  # type: ignore[arg-type]

    def flow(self, a: str, b: str, *, condition: str | None = None, share: float | None = None,
             name: str = "", default: bool = False) -> str:
        # Named by its ends, not by position: adding a flow elsewhere never re-points a scenario's routing.
        fid = base = f"f_{a}__{b}"
        n = 1
        while any(f.id == fid for f in self.flows):
            n += 1
            fid = f"{base}_{n}"
        source = self._gw_source.get(a, "") if share is not None else ""
        self.flows.append(Flow(fid, a, b, condition=condition, share=share, name=name, share_source=source))
        if default:
            node = self.nodes[a]
            self.nodes[a] = Node(node.id, node.kind, node.name, facts=node.facts, default_flow=fid)
        return fid

    def chain(self, *ids: str) -> None:
        """Sequence flows between consecutive ids; "start"/"end" create the events."""
        resolved = []
        for i in ids:
            if i in ("start", "end") and f"ev_{i}" not in self.nodes:
                zh, en = {"start": ("开始", "Start"), "end": ("办结", "Done")}[i]
                self._add(Node(f"ev_{i}", i, zh, facts=TaskFacts(name_en=en)))
            resolved.append(f"ev_{i}" if i in ("start", "end") else i)
        for a, b in zip(resolved, resolved[1:]):
            self.flow(a, b)

    def build(self) -> Process:
        return apply_rules(Process.build(self.pid, self.name, list(self.nodes.values()), self.flows,
                                         name_en=self.name_en, defaults=self.defaults), self.rules)


def write_all(processes: dict[str, Process], outdir: Path | None = None) -> list[Path]:
    """Write each process as ``<outdir>/<name>.bpmn`` (default: the repository's processes/)."""
    from sim.bpmn.writer import write_bpmn  # late: the builders are testable without the writer

    outdir = outdir or ROOT / "processes"
    written = []
    for name, process in processes.items():
        path = outdir / f"{name}.bpmn"
        write_bpmn(process, path)
        written.append(path)
    return written
