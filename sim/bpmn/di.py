"""The diagram interchange (DI) of a BPMN file: every element with its properties, shapes and edges.

Part of the one BPMN reader: :func:`sim.bpmn.loader.load_bpmn` reads the DI from the same parsed
tree as the process (``LoadedProcess.document``), so drawings and diffs never parse a file again.
It reads any BPMN with DI (ReformSim's own, bpmn.io, Camunda Modeler): pools and lanes,
(sub)processes, tasks, gateways, events, data objects, annotations, sequence and message flows.
:class:`Bounds` is the one rectangle type of the package (the automatic layout uses it too).

Example:
    >>> from pathlib import Path
    >>> data = Path(__file__).parents[2] / "tests" / "data" / "diagram"
    >>> doc = read_document(data / "chinese_chain.bpmn")
    >>> [s.name for s in doc.diagram.shapes if s.is_task][:2]
    ['网上申请（一网通办）', '设立登记（注册官审核）']
    >>> doc.diagram.shape("t_register").element.label("en")
    'Company registration (registrar review)'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..errors import ModelError
from .xml import BPMN_NS, BPMNDI_NS, CAMUNDA_NS, DC_NS, DI_NS, SPIFF_NS, local, read_xml

__all__ = [
    "Bounds", "Element", "Shape", "Edge", "DiagramDI", "BpmnDocument", "read_document", "require_diagram",
    "TASK_KINDS", "ACTIVITY_KINDS", "GATEWAY_KINDS", "EVENT_KINDS",
]

TASK_KINDS = frozenset(
    {
        "task",
        "userTask",
        "serviceTask",
        "manualTask",
        "scriptTask",
        "businessRuleTask",
        "sendTask",
        "receiveTask",
    }
)
ACTIVITY_KINDS = TASK_KINDS | {"subProcess", "callActivity", "transaction", "adHocSubProcess"}
GATEWAY_KINDS = frozenset(
    {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
)
EVENT_KINDS = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)


@dataclass(frozen=True)
class Bounds:
    """A rectangle in DI coordinates (y grows downwards, as in every BPMN editor)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def overlaps(self, other: "Bounds") -> bool:
        return self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom


@dataclass(frozen=True)
class Element:
    """One semantic BPMN element: kind is the local tag name (``userTask``, ``lane``...)."""

    id: str
    kind: str
    name: str
    properties: Mapping[str, str] = field(default_factory=dict)
    event_definitions: tuple[str, ...] = ()
    source_ref: str | None = None
    target_ref: str | None = None
    attached_to: str | None = None
    cancel_activity: bool = True
    timer_duration: str | None = None  # text of timerEventDefinition/timeDuration, e.g. '"P20D"'
    line: int | None = None
    default: str | None = None  # a gateway's (or activity's) default flow
    condition: str | None = None  # a sequence flow's conditionExpression, as written
    parent: str | None = None  # id of the element it sits in (its process, subprocess, laneSet...)

    def label(self, lang: str = "zh") -> str:
        """The name to show: ``name_en`` for English when the element has one."""
        if lang == "en" and self.properties.get("name_en"):
            return self.properties["name_en"]
        return self.name


@dataclass(frozen=True)
class Shape:
    """A ``bpmndi:BPMNShape`` with the element it shows."""

    element: Element
    bounds: Bounds
    label_bounds: Bounds | None = None
    is_expanded: bool | None = None
    is_horizontal: bool = True

    @property
    def id(self) -> str:
        return self.element.id

    @property
    def kind(self) -> str:
        return self.element.kind

    @property
    def name(self) -> str:
        return self.element.name

    @property
    def is_task(self) -> bool:
        return self.element.kind in ACTIVITY_KINDS


@dataclass(frozen=True)
class Edge:
    """A ``bpmndi:BPMNEdge``: its element (sequence/message flow, association) and waypoints."""

    element: Element
    waypoints: tuple[tuple[float, float], ...]
    label_bounds: Bounds | None = None

    @property
    def id(self) -> str:
        return self.element.id

    @property
    def kind(self) -> str:
        return self.element.kind


@dataclass(frozen=True)
class DiagramDI:
    """The first diagram of a BPMN file: shapes in drawing order and edges."""

    file: Path
    shapes: tuple[Shape, ...]
    edges: tuple[Edge, ...]

    def shape(self, element_id: str) -> Shape | None:
        return next((s for s in self.shapes if s.id == element_id), None)


@dataclass(frozen=True)
class BpmnDocument:
    """Every element with an id, in document order, and the diagram when the file has DI."""

    file: Path
    elements: Mapping[str, Element]
    diagram: DiagramDI | None

    def flows(self) -> list[Element]:
        return [e for e in self.elements.values() if e.kind == "sequenceFlow"]

    def activities(self) -> list[Element]:
        return [e for e in self.elements.values() if e.kind in ACTIVITY_KINDS]


# --------------------------------------------------------------------------- reading


def _properties(el: etree._Element) -> dict[str, str]:
    """``spiffworkflow:properties`` (and Camunda's ``camunda:properties``) of one element."""
    props: dict[str, str] = {}
    for ext in el.findall(f"{{{BPMN_NS}}}extensionElements"):
        for ns in (SPIFF_NS, CAMUNDA_NS):
            for prop in ext.iterfind(f"{{{ns}}}properties/{{{ns}}}property"):
                name = prop.get("name")
                if name:
                    props[name] = prop.get("value", prop.text or "")
    return props


def _element(el: etree._Element) -> Element:
    kind = local(el.tag)
    defs = tuple(
        local(child.tag).removesuffix("EventDefinition")
        for child in el
        if local(child.tag).endswith("EventDefinition")
    )
    name = el.get("name") or ""
    duration = el.find(f"{{{BPMN_NS}}}timerEventDefinition/{{{BPMN_NS}}}timeDuration")
    condition = el.find(f"{{{BPMN_NS}}}conditionExpression")
    parent = el.getparent()
    if kind == "textAnnotation":
        text = el.find(f"{{{BPMN_NS}}}text")
        name = (text.text or "") if text is not None else ""
    return Element(
        id=el.get("id", ""),
        kind=kind,
        name=" ".join(name.split()) if kind != "textAnnotation" else name.strip(),
        properties=_properties(el),
        event_definitions=defs,
        source_ref=el.get("sourceRef"),
        target_ref=el.get("targetRef"),
        attached_to=el.get("attachedToRef"),
        cancel_activity=el.get("cancelActivity", "true") != "false",
        timer_duration=(duration.text or "").strip() or None if duration is not None else None,
        line=el.sourceline,
        default=el.get("default"),
        condition=(condition.text or "").strip() if condition is not None else None,
        parent=parent.get("id") if parent is not None else None,
    )


def _bounds(el: etree._Element | None, path: Path, owner: str) -> Bounds | None:
    if el is None:
        return None
    try:
        values = [float(el.get(k, "nan")) for k in ("x", "y", "width", "height")]
    except ValueError:
        values = [math.nan]
    if any(math.isnan(v) for v in values):
        raise ModelError(
            "dc:Bounds needs numeric x, y, width and height", file=str(path), element_id=owner,
            tag="BPMNShape", line=el.sourceline,
        )
    return Bounds(*values)


def read_document(source: str | Path | etree._Element, name: str | None = None) -> BpmnDocument:
    """Read the elements (with their properties) and, when present, the first diagram.

    ``source`` is a file or the root of a tree already parsed with :func:`sim.bpmn.xml.read_xml`
    (the loader passes its own, so a file is parsed once).
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        root = read_xml(path, name).getroot()
    else:
        root, path = source, Path(name or "<bpmn>")
    if local(root.tag) != "definitions" or etree.QName(root.tag).namespace != BPMN_NS:
        raise ModelError(
            f"not a BPMN 2.0 file: root element is <{local(root.tag)}>, expected <bpmn:definitions> "
            f"in namespace {BPMN_NS}",
            file=str(path),
            line=root.sourceline,
        )
    elements: dict[str, Element] = {}
    for el in root.iter():
        if isinstance(el.tag, str) and etree.QName(el.tag).namespace == BPMN_NS and el.get("id"):
            elements.setdefault(el.get("id"), _element(el))
    diagram_el = root.find(f"{{{BPMNDI_NS}}}BPMNDiagram")
    diagram = None
    if diagram_el is not None:
        diagram = _read_diagram(path, diagram_el, elements)
    return BpmnDocument(path, elements, diagram)


_DRAW_ORDER = {"participant": 0, "lane": 1, "group": 2}


def _read_diagram(path: Path, diagram_el: etree._Element, elements: dict[str, Element]) -> DiagramDI | None:
    shapes: list[Shape] = []
    edges: list[Edge] = []
    plane = diagram_el.find(f"{{{BPMNDI_NS}}}BPMNPlane")
    if plane is None:
        return None
    for el in plane:
        tag = local(el.tag)
        if tag not in ("BPMNShape", "BPMNEdge"):
            continue
        ref = el.get("bpmnElement", "")
        element = elements.get(ref)
        if element is None:
            raise ModelError(
                f'DI refers to bpmnElement="{ref}", which no BPMN element has as id',
                file=str(path), element_id=el.get("id"), tag=tag, line=el.sourceline,
            )
        label = el.find(f"{{{BPMNDI_NS}}}BPMNLabel/{{{DC_NS}}}Bounds")
        if tag == "BPMNShape":
            bounds = _bounds(el.find(f"{{{DC_NS}}}Bounds"), path, ref)
            if bounds is None:
                raise ModelError("BPMNShape has no dc:Bounds", file=str(path), element_id=ref,
                                 tag=tag, line=el.sourceline)
            expanded = el.get("isExpanded")
            shapes.append(
                Shape(
                    element,
                    bounds,
                    _bounds(label, path, ref),
                    None if expanded is None else expanded == "true",
                    el.get("isHorizontal", "true") != "false",
                )
            )
        else:
            points = []
            for wp in el.findall(f"{{{DI_NS}}}waypoint"):
                try:
                    points.append((float(wp.get("x")), float(wp.get("y"))))
                except (TypeError, ValueError) as exc:
                    raise ModelError("di:waypoint needs numeric x and y", file=str(path), element_id=ref,
                                     tag=tag, line=wp.sourceline) from exc
            if len(points) < 2:
                raise ModelError(f"BPMNEdge has {len(points)} waypoint(s), expected at least 2",
                                 file=str(path), element_id=ref, tag=tag, line=el.sourceline)
            edges.append(Edge(element, tuple(points), _bounds(label, path, ref)))
    # Containers first so that they sit behind what they contain; larger subprocesses first.
    shapes.sort(key=lambda s: (_DRAW_ORDER.get(s.kind, 3), -(s.bounds.width * s.bounds.height)
                               if s.kind in ("subProcess", "transaction", "adHocSubProcess") else 0))
    return DiagramDI(path, tuple(shapes), tuple(edges))


def require_diagram(doc: BpmnDocument) -> DiagramDI:
    """The diagram of a document; a :class:`~sim.errors.ModelError` naming the file if it has none."""
    if doc.diagram is None or not doc.diagram.shapes:
        raise ModelError(
            "has no diagram interchange (no bpmndi:BPMNDiagram with shapes), so it cannot be drawn; "
            "open and save it in bpmn.io / Camunda Modeler, or write it with sim.bpmn's writer",
            file=str(doc.file),
        )
    return doc.diagram
