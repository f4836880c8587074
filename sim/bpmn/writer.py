"""Write a :class:`~sim.model.process.Process` as a BPMN 2.0 file with diagram interchange (DI).

The file opens in bpmn.io / Camunda Modeler, passes SpiffWorkflow's schema validator and reads
back through ``SpiffBpmnParser`` to the same nodes, flows and properties; the facts of each step
are ``spiffworkflow:properties`` as ``docs/bpmn-conventions.md`` describes. Output is
deterministic (same process, same bytes), so generated files diff cleanly in git.

Example:
    >>> from sim.model.process import Process, Node, Flow, TaskFacts
    >>> p = Process.build("p", "示例", [Node("s", "start"), Node("t", "task", "登记",
    ...     facts=TaskFacts(agency="registrar", procedure=True)), Node("e", "end")],
    ...     [Flow("f1", "s", "t"), Flow("f2", "t", "e")])
    >>> b'<spiffworkflow:property name="agency" value="registrar"/>' in to_bpmn_xml(p)
    True
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path

from lxml import etree

from ..errors import ModelError
from ..files import atomic_write
from ..model import legal
from ..model.durations import convert
from ..model.process import Duration, Node, Process, TaskFacts
from ..model.ranges import RANGE_PREFIX
from .layout import layout_process
from .xml import BPMN_NS, BPMNDI_NS, DC_NS, DI_NS, SPIFF_NS, XSI_NS
from .xml import NSMAP as READ_NSMAP

__all__ = ["write_bpmn", "to_bpmn_xml", "duration_text", "NSMAP"]

NSMAP = {**READ_NSMAP, "xsi": XSI_NS}  # prefixes as bpmn.io writes them

_TAGS = {
    "start": "startEvent",
    "end": "endEvent",
    "task": "userTask",
    "exclusive": "exclusiveGateway",
    "parallel": "parallelGateway",
    "inclusive": "inclusiveGateway",
    "timer": "intermediateCatchEvent",
    "pass": "intermediateThrowEvent",  # a none event: passes the token on, takes no time
}
_UNIT_TEXT = {"hour": "h", "workday": "workday", "day": "day"}
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_RESERVED_IDS = {"Start", "End"}  # clash with SpiffWorkflow's internal task names


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _num(x: float) -> str:
    return f"{x:g}"


def duration_text(d: Duration) -> str:
    """``"triangular(0.5, 1, 2) h"``: the distribution's repr and the unit as the conventions write it.

    >>> from sim.model.process import parse_duration
    >>> duration_text(parse_duration("triangular(0.5,1,2) hour"))
    'triangular(0.5, 1, 2) h'
    """
    return f"{d.dist!r} {_UNIT_TEXT[d.unit]}"


def _iso_duration(d: Duration) -> str:
    """An ISO-8601 duration near the mean of ``d`` for engines that only read ``timeDuration``.

    Working days have no ISO form: they are written as calendar days (:func:`sim.model.durations.convert`, rounded up) and the
    exact value goes into the ``wait`` property, which ReformSim reads first.
    """
    mean = d.dist.mean
    if d.unit == "hour":
        return f"PT{_num(round(mean, 3))}H"
    days = math.ceil(convert(mean, "workday", "day")) if d.unit == "workday" else round(mean, 3)
    return f"P{_num(days)}D"


def _fact_properties(facts: TaskFacts, is_task: bool) -> list[tuple[str, str]]:
    """Properties of a node's facts; a task writes its count fields even when zero/false."""
    props: list[tuple[str, str]] = []
    if facts.name_en:
        props.append(("name_en", facts.name_en))
    if facts.agency:
        props.append(("agency", facts.agency))
    if is_task or facts.procedure:
        props.append(("procedure", "true" if facts.procedure else "false"))
    if is_task or facts.documents:
        props.append(("documents", str(int(facts.documents))))
    if is_task or facts.fee:
        props.append(("fee", _num(float(facts.fee))))
    if is_task or facts.online:
        props.append(("online", "true" if facts.online else "false"))
    for key in ("statutory_limit", "work", "wait"):
        value = getattr(facts, key)
        if value is not None:
            props.append((key, duration_text(value)))
    if facts.stage:
        props.append(("stage", facts.stage))
    if facts.commitment:
        props.append(("commitment", "true"))
    if facts.source:
        props.append(("source", facts.source))
    if facts.step_kind:
        props.append(("step_kind", facts.step_kind))
    if facts.levers:
        props += [("levers", legal.format_levers(facts.levers)), ("levers_source", facts.levers_source)]
    known = {k for k, _ in props}
    props.extend((k, str(v)) for k, v in facts.extra.items() if k not in known)
    return props


def _properties(parent: etree._Element, props: list[tuple[str, str]]) -> None:
    if not props:
        return
    ext = etree.SubElement(parent, _q(BPMN_NS, "extensionElements"))
    holder = etree.SubElement(ext, _q(SPIFF_NS, "properties"))
    for name, value in props:
        etree.SubElement(holder, _q(SPIFF_NS, "property"), name=name, value=value)


def _validate(process: Process) -> None:
    def err(msg: str, element_id: str | None, tag: str | None = None) -> ModelError:
        return ModelError(msg, file=process.file, element_id=element_id, tag=tag)

    ids: set[str] = {process.id}
    if not _NCNAME.match(process.id):
        raise err(f'process id "{process.id}" is not a valid XML id; expected ASCII letters, digits, "_", "-", "."', process.id, "process")
    for kind, items in (("node", process.nodes.values()), ("flow", process.flows.values())):
        for item in items:
            if not _NCNAME.match(item.id):
                raise err(f'{kind} id is not a valid XML id; expected ASCII letters, digits, "_", "-", "." starting with a letter or "_"', item.id)
            if item.id in _RESERVED_IDS:
                raise err(f'{kind} id "{item.id}" clashes with SpiffWorkflow\'s internal names; use e.g. "start_1"', item.id)
            if item.id in ids:
                raise err(f'id "{item.id}" is used twice; every node, flow and the process need distinct ids', item.id)
            ids.add(item.id)
    for node in process.nodes.values():
        if node.kind not in _TAGS:
            raise err(f'unknown node kind "{node.kind}"; expected one of {", ".join(_TAGS)}', node.id)
        if node.kind == "timer" and node.timer is None:
            raise err("timer event without a duration; set Node.timer", node.id, "intermediateCatchEvent")
        if node.default_flow is not None:
            if node.kind not in ("exclusive", "inclusive"):
                raise err("only exclusive and inclusive gateways may have a default flow", node.id, _TAGS[node.kind])
            flow = process.flows.get(node.default_flow)
            if flow is None or flow.source != node.id:
                raise err(f'default flow "{node.default_flow}" is not an outgoing flow of this gateway', node.id, _TAGS[node.kind])
    for flow in process.flows.values():
        for end in (flow.source, flow.target):
            if end not in process.nodes:
                raise err(f'flow refers to unknown node "{end}"', flow.id, "sequenceFlow")
        if flow.share is not None and not 0 <= flow.share <= 1:
            raise err(f"share must be between 0 and 1, got {flow.share}", flow.id, "sequenceFlow")


def _node_element(parent: etree._Element, process: Process, node: Node) -> None:
    attrs = {"id": node.id}
    if node.name:
        attrs["name"] = node.name
    if node.default_flow:
        attrs["default"] = node.default_flow
    el = etree.SubElement(parent, _q(BPMN_NS, _TAGS[node.kind]), attrs)
    props = _fact_properties(node.facts, node.kind == "task") if node.facts is not None else []
    if node.kind == "timer" and node.timer is not None:
        # The timer's own duration is the wait; ISO timeDuration cannot say "workday" or a spread.
        kept = [p for p in props if p[0] not in ("wait", "source")]
        if node.timer.unit == "workday" or not node.timer.dist.is_fixed:
            kept.append(("wait", duration_text(node.timer)))
        props = kept + [p for p in props if p[0] == "source"]
    _properties(el, props)
    for f in process.flows.values():
        if f.target == node.id:
            etree.SubElement(el, _q(BPMN_NS, "incoming")).text = f.id
    for f in process.flows.values():
        if f.source == node.id:
            etree.SubElement(el, _q(BPMN_NS, "outgoing")).text = f.id
    if node.kind == "timer" and node.timer is not None:
        ted = etree.SubElement(el, _q(BPMN_NS, "timerEventDefinition"), id=f"{node.id}_timer")
        dur = etree.SubElement(ted, _q(BPMN_NS, "timeDuration"), {_q(XSI_NS, "type"): "bpmn:tFormalExpression"})
        dur.text = f'"{_iso_duration(node.timer)}"'


def to_bpmn_xml(process: Process, *, flow_sources: Mapping[str, str] | None = None) -> bytes:
    """The BPMN 2.0 document (UTF-8 bytes) for ``process``, with DI laid out left to right.

    A flow's ``share`` is written with its ``share_source``; ``flow_sources`` (flow id -> source
    text) can give or override it. The conventions require a source for every share.
    """
    _validate(process)
    flow_sources = flow_sources or {}
    layout = layout_process(process)
    root = etree.Element(
        _q(BPMN_NS, "definitions"),
        {"id": f"{process.id}_definitions", "targetNamespace": "http://reformsim.example/bpmn", "exporter": "ReformSim"},
        nsmap=NSMAP,
    )
    proc_attrs = {"id": process.id, "isExecutable": "true"}
    if process.name:
        proc_attrs["name"] = process.name
    proc = etree.SubElement(root, _q(BPMN_NS, "process"), proc_attrs)
    props: list[tuple[str, str]] = []
    if process.name_en:
        props.append(("name_en", process.name_en))
    props.extend((k, str(v)) for k, v in process.defaults.items() if not (k == "name_en" and process.name_en))
    _properties(proc, props)

    for node in process.nodes.values():
        _node_element(proc, process, node)
    for f in process.flows.values():
        attrs = {"id": f.id, "sourceRef": f.source, "targetRef": f.target}
        if f.name:
            attrs["name"] = f.name
        el = etree.SubElement(proc, _q(BPMN_NS, "sequenceFlow"), attrs)
        if f.share is not None:
            source = (flow_sources.get(f.id) or f.share_source).strip()
            if not source:
                raise ModelError("a share needs a source: set the flow's share_source (calibration id, seed clause or "
                                 "'assumption: why')", file=process.file, element_id=f.id, tag="sequenceFlow")
            _properties(el, [("share", _num(f.share)), ("source", source),
                             *([(f"{RANGE_PREFIX}share", f.share_range)] if f.share_range else [])])
        if f.condition:
            cond = etree.SubElement(el, _q(BPMN_NS, "conditionExpression"), {_q(XSI_NS, "type"): "bpmn:tFormalExpression"})
            cond.text = f.condition

    diagram = etree.SubElement(root, _q(BPMNDI_NS, "BPMNDiagram"), id=f"{process.id}_diagram")
    plane = etree.SubElement(diagram, _q(BPMNDI_NS, "BPMNPlane"), id=f"{process.id}_plane", bpmnElement=process.id)
    for node in process.nodes.values():
        b = layout.shapes[node.id]
        attrs = {"id": f"{node.id}_di", "bpmnElement": node.id}
        if node.kind == "exclusive":
            attrs["isMarkerVisible"] = "true"
        shape = etree.SubElement(plane, _q(BPMNDI_NS, "BPMNShape"), attrs)
        etree.SubElement(shape, _q(DC_NS, "Bounds"), x=_num(b.x), y=_num(b.y), width=_num(b.width), height=_num(b.height))
    for f in process.flows.values():
        edge = etree.SubElement(plane, _q(BPMNDI_NS, "BPMNEdge"), id=f"{f.id}_di", bpmnElement=f.id)
        for x, y in layout.edges[f.id]:
            etree.SubElement(edge, _q(DI_NS, "waypoint"), x=_num(x), y=_num(y))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_bpmn(process: Process, path: Path | str, *, flow_sources: Mapping[str, str] | None = None) -> None:
    """Write ``process`` to ``path`` atomically (a temporary file in the same folder, then rename)."""
    atomic_write(path, to_bpmn_xml(process, flow_sources=flow_sources))
