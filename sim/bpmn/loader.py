"""Load a BPMN file into a :class:`~sim.model.process.Process` through SpiffWorkflow's parser.

SpiffWorkflow (``SpiffBpmnParser``, with its schema validator) is the interpreter of BPMN: it
checks the file and builds the workflow spec. The spec is then compiled once into ReformSim's
lightweight graph — subprocesses and call activities flattened, properties validated into
:class:`~sim.model.process.TaskFacts` — which the ``compiled`` executor walks and the
``spiff`` executor cross-checks. The spec itself is kept on :class:`LoadedProcess` for the
``spiff`` executor.

Every problem is a :class:`~sim.errors.ModelError` naming file, element id, tag and line.

Example:
    >>> import sim
    >>> from pathlib import Path
    >>> chain = load_process(Path(sim.__file__).parents[1] / "processes" / "company_setup_2021.bpmn")
    >>> chain.id, len(chain.procedures()) > 0
    ('company_setup_2021', True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from ..errors import ExpressionError, ModelError, did_you_mean
from ..model.distributions import parse_distribution
from ..model.expressions import compile_condition
from ..model.process import Duration, Flow, Node, Process, TaskFacts, parse_duration
from .xml import NSMAP, local, read_xml

__all__ = ["load_process", "load_bpmn", "LoadedProcess", "TASK_PROPERTIES"]

TASK_PROPERTIES = (
    "name_en", "agency", "procedure", "documents", "fee", "online", "statutory_limit", "work", "wait",
    "stage", "commitment", "source", "merged_from", "inspection_of",
)
_NUMERIC = ("documents", "fee", "statutory_limit", "work", "wait")
_TASK_TAGS = {"task", "userTask", "manualTask", "serviceTask", "sendTask", "receiveTask", "scriptTask", "businessRuleTask"}
_RESERVED_IDS = {"Start", "End", "Root"}


@dataclass
class LoadedProcess:
    """The compiled graph plus what the ``spiff`` executor needs: the spec and its subprocess specs."""

    process: Process
    spec: Any
    subprocess_specs: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None


def load_process(path: str | Path, process_id: str | None = None) -> Process:
    """Load and validate a BPMN file; return the flattened process graph."""
    return load_bpmn(path, process_id).process


def load_bpmn(path: str | Path, process_id: str | None = None, *, extra_files: list[Path] | None = None) -> LoadedProcess:
    """Like :func:`load_process`, keeping the SpiffWorkflow spec for the ``spiff`` executor.

    ``extra_files`` are other BPMN files whose processes call activities may call; files in the
    same folder are searched when a called process is not found.
    """
    path = Path(path)
    name = str(path)
    tree = read_xml(path, name)
    root = tree.getroot()
    if local(root.tag) != "definitions" or etree.QName(root).namespace != NSMAP["bpmn"]:
        raise ModelError(f"not a BPMN 2.0 file: the root element is <{local(root.tag)}>, expected <bpmn:definitions> "
                         f"in namespace {NSMAP['bpmn']}", file=name, line=root.sourceline)
    elements = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for rid in _RESERVED_IDS & set(elements):
        el = elements[rid]
        raise ModelError(f'the id "{rid}" clashes with SpiffWorkflow\'s internal task names; rename it (e.g. "{rid.lower()}_event")',
                         file=name, element_id=rid, tag=local(el.tag), line=el.sourceline)

    notes: list[str] = []
    try:
        original_tags = _as_simulation_steps(root, notes)
    except ModelError as exc:
        raise ModelError(exc.message, file=name, element_id=exc.element_id, tag=exc.tag, line=exc.line) from None
    _mark_share_flows(root)
    elements = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}  # after the rewrite
    parser = SpiffBpmnParser(validator=VALIDATOR)
    _add(parser, tree, name)
    for extra in extra_files or []:
        _add(parser, read_xml(extra), str(extra))
    processes = root.findall("bpmn:process", NSMAP)
    if not processes:
        raise ModelError("the file has no <bpmn:process>", file=name, line=root.sourceline)
    proc_el = _choose_process(processes, process_id, name)
    pid = proc_el.get("id")
    others = [p.get("id") for p in processes if p is not proc_el and p.find("bpmn:startEvent", NSMAP) is not None]
    if others and process_id is None:
        notes.append(f'pool "{proc_el.get("name") or pid}" ({pid}) simulated; {", ".join(others)} taken as outside parties '
                     "(choose another with process_id)")
    _mark_executable(parser, processes, notes, pid)
    _add_siblings_for_calls(parser, root, path, notes)
    try:
        spec = parser.get_spec(pid)
        subspecs = parser.get_subprocess_specs(pid)
    except ValidationException as exc:
        raise _from_validation(exc, name, elements) from None
    except SpiffWorkflowException as exc:
        raise ModelError(f"SpiffWorkflow cannot build the process: {exc}", file=name, element_id=pid, tag="process") from None

    compiler = _Compiler(name, elements, subspecs, notes, original_tags)
    process = compiler.compile(spec, proc_el)
    return LoadedProcess(process=process, spec=spec, subprocess_specs=subspecs, path=path)


_SHARE_PLACEHOLDER = "__reformsim_share__"


def _mark_share_flows(root: Any) -> None:
    """SpiffWorkflow refuses a non-default gateway flow without a condition; flows routed by share
    (or, in diagrams from other modelers, by nothing) get a placeholder that only ReformSim reads."""
    for tag in ("exclusiveGateway", "inclusiveGateway"):
        for gw in root.iter(f"{{{NSMAP['bpmn']}}}{tag}"):
            outgoing = [(o.text or "").strip() for o in gw.findall("bpmn:outgoing", NSMAP)]
            if len(outgoing) < 2:
                continue
            for flow in root.iter(f"{{{NSMAP['bpmn']}}}sequenceFlow"):
                if flow.get("id") in outgoing and flow.get("id") != gw.get("default") and flow.find("bpmn:conditionExpression", NSMAP) is None:
                    cond = etree.SubElement(flow, f"{{{NSMAP['bpmn']}}}conditionExpression")
                    cond.text = _SHARE_PLACEHOLDER


_STEP_TAGS = ("serviceTask", "scriptTask", "businessRuleTask", "sendTask", "receiveTask", "manualTask", "task")
_USER_TASK_ATTRIBUTES = {"id", "name", "default", "isForCompensation", "startQuantity", "completionQuantity", "implementation"}
_IGNORED = ("dataObject", "dataObjectReference", "dataStoreReference", "dataInputAssociation", "dataOutputAssociation",
            "ioSpecification", "property")


def _as_simulation_steps(root: Any, notes: list[str]) -> dict[str, str]:
    """Prepare a diagram for simulation, in the parsed tree only (the file is not changed).

    Every kind of task becomes a step performed by staff (a SpiffWorkflow user task): scripts
    are never run, services never called, rules never evaluated, messages never awaited. Data
    objects and stores are dropped. A message/signal/conditional catch event becomes a hand-off
    wait of zero unless the scenario gives ``steps.<id>.wait``. Returns id -> original tag, and
    says what it did in ``notes``.
    """
    bpmn = NSMAP["bpmn"]
    original: dict[str, str] = {}
    changed: dict[str, list[str]] = {}
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or etree.QName(el).namespace != bpmn:
            continue
        tag = local(el.tag)
        if tag in _STEP_TAGS:
            original[el.get("id")] = tag
            if tag != "task" and tag != "manualTask":
                changed.setdefault(tag, []).append(el.get("id"))
            el.tag = f"{{{bpmn}}}userTask"
            for attr in list(el.attrib):
                if "}" not in attr and attr not in _USER_TASK_ATTRIBUTES:
                    del el.attrib[attr]
            for child in list(el):
                if isinstance(child.tag, str) and local(child.tag) in ("script", "ioSpecification", "rendering"):
                    el.remove(child)
        elif tag == "eventBasedGateway":
            raise ModelError("an event-based gateway waits for whichever event comes first, which the simulation cannot "
                             "know; replace it with an exclusive gateway whose flows carry the share of each outcome",
                             element_id=el.get("id"), tag=tag, line=el.sourceline)
        elif tag in _IGNORED:
            parent = el.getparent()
            if parent is not None:
                parent.remove(el)
                if tag.startswith(("dataObject", "dataStore")):
                    changed.setdefault("data", []).append(el.get("id") or tag)
        elif tag in ("intermediateCatchEvent", "intermediateThrowEvent"):
            for definition in list(el):
                kind = local(definition.tag) if isinstance(definition.tag, str) else ""
                if kind in ("messageEventDefinition", "signalEventDefinition", "conditionalEventDefinition"):
                    el.remove(definition)
                    if tag == "intermediateCatchEvent":
                        timer = etree.SubElement(el, f"{{{bpmn}}}timerEventDefinition")
                        etree.SubElement(timer, f"{{{bpmn}}}timeDuration").text = '"PT0H"'
                    changed.setdefault(f"{tag}:{kind}", []).append(el.get("id"))
    _empty_subprocesses_as_steps(root, changed)
    _boundary_events_as_outcomes(root, changed)
    for what, ids in changed.items():
        shown = ", ".join(str(i) for i in ids[:6]) + (" …" if len(ids) > 6 else "")
        if what == "data":
            notes.append(f"data objects and stores ignored ({shown})")
        elif what.startswith("intermediateCatchEvent"):
            notes.append(f"{what.split(':')[1].replace('EventDefinition', '')} catch event(s) {shown}: a hand-off from another "
                         "party, taken as immediate; give it time with steps.<id>.wait in the scenario")
        elif what == "boundary":
            notes.append(f"boundary event(s) {shown}: their path is an outcome of the task it is attached to, taken by "
                         "no case unless the scenario gives its share (routing: <flow id>: share)")
        elif what == "empty subProcess":
            notes.append(f"collapsed subprocess(es) {shown} with no content simulated as single steps")
        elif what.startswith("intermediateThrowEvent"):
            notes.append(f"{what.split(':')[1].replace('EventDefinition', '')} throw event(s) {shown}: passed through")
        else:
            notes.append(f"{what}(s) {shown} simulated as steps; nothing is executed")
    return original


def _empty_subprocesses_as_steps(root: Any, changed: dict[str, list[str]]) -> None:
    """A collapsed subprocess drawn with no content is one step."""
    bpmn = NSMAP["bpmn"]
    for sub in list(root.iter(f"{{{bpmn}}}subProcess")):
        if sub.find("bpmn:startEvent", NSMAP) is None and not any(
                isinstance(c.tag, str) and local(c.tag).endswith(("Task", "task", "Event", "Gateway", "subProcess")) for c in sub):
            sub.tag = f"{{{bpmn}}}userTask"
            for child in list(sub):
                if isinstance(child.tag, str) and local(child.tag) not in ("incoming", "outgoing", "extensionElements"):
                    sub.remove(child)
            for attr in list(sub.attrib):
                if "}" not in attr and attr not in _USER_TASK_ATTRIBUTES:
                    del sub.attrib[attr]
            changed.setdefault("empty subProcess", []).append(sub.get("id"))


def _boundary_events_as_outcomes(root: Any, changed: dict[str, list[str]]) -> None:
    """Rewrite each boundary event as an exclusive choice after its task.

    The simulation cannot know when a deadline or an error strikes; what it can do is send a share
    of cases down the exception path. The task's normal flow gets share 1 and the boundary's flows
    share 0 (with a source saying so), so by default nothing changes until the scenario says how
    often the exception happens (``routing: {flow: share}``).
    """
    bpmn, spiff = NSMAP["bpmn"], NSMAP["spiffworkflow"]
    by_id = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for b in list(root.iter(f"{{{bpmn}}}boundaryEvent")):
        bid, task_id = b.get("id"), b.get("attachedToRef")
        task = by_id.get(task_id)
        b_out = [by_id.get((o.text or "").strip()) for o in b.findall("bpmn:outgoing", NSMAP)]
        b_out = [f for f in b_out if f is not None]
        parent = b.getparent()
        parent.remove(b)
        changed.setdefault("boundary", []).append(bid)
        if not b_out or task is None:
            continue
        task_out = [by_id.get((o.text or "").strip()) for o in task.findall("bpmn:outgoing", NSMAP)]
        if len(task_out) != 1 or task_out[0] is None:
            raise ModelError(f"boundary event on a task with {len(task_out)} outgoing flows cannot be turned into an outcome; "
                             "give the task exactly one outgoing flow", element_id=bid, tag="boundaryEvent", line=b.sourceline)
        gw_id, link_id = f"{task_id}__outcome", f"{task_id}__to_outcome"
        gateway = etree.SubElement(parent, f"{{{bpmn}}}exclusiveGateway", id=gw_id, name=b.get("name") or "")
        etree.SubElement(gateway, f"{{{bpmn}}}incoming").text = link_id
        link = etree.SubElement(parent, f"{{{bpmn}}}sequenceFlow", id=link_id, sourceRef=task_id, targetRef=gw_id)
        for out in task.findall("bpmn:outgoing", NSMAP):
            out.text = link_id
        for flow, share in [(task_out[0], "1"), *((f, "0") for f in b_out)]:
            flow.set("sourceRef", gw_id)
            etree.SubElement(gateway, f"{{{bpmn}}}outgoing").text = flow.get("id")
            ext = flow.find("bpmn:extensionElements", NSMAP)
            if ext is None:
                ext = etree.Element(f"{{{bpmn}}}extensionElements")
                flow.insert(0, ext)
            props = etree.SubElement(ext, f"{{{spiff}}}properties")
            etree.SubElement(props, f"{{{spiff}}}property", name="share", value=share)
            etree.SubElement(props, f"{{{spiff}}}property", name="source",
                             value=f"assumption: boundary event {bid} rewritten as an outcome; set routing to give its share")
        # keep the schema's order: the gateway and the new flow must precede nothing in particular
        _ = link


def _add(parser: SpiffBpmnParser, tree: etree._ElementTree, name: str) -> None:
    try:
        parser.add_bpmn_xml(tree, filename=name)
    except ValidationException as exc:
        raise _from_validation(exc, name, {}) from None
    except SpiffWorkflowException as exc:
        raise ModelError(f"SpiffWorkflow rejected the file: {exc}", file=name) from None


def _from_validation(exc: ValidationException, name: str, elements: dict[str, Any]) -> ModelError:
    message = str(getattr(exc, "msg", None) or exc.args[0] if exc.args else exc)
    message = re.sub(r"\s+", " ", message).strip()
    element_id = getattr(exc, "id", "") or None
    line = getattr(exc, "line_number", None) or None
    tag = getattr(exc, "tag", "") or None
    if element_id and element_id in elements and not line:
        line = elements[element_id].sourceline
    if "schema" not in message.lower() and not element_id:
        message = f"the file does not follow the BPMN 2.0 schema: {message}"
    return ModelError(message, file=getattr(exc, "file_name", None) or name, element_id=element_id, tag=tag,
                      line=int(line) if isinstance(line, int) or (isinstance(line, str) and line.isdigit()) else None)


def _choose_process(processes: list[Any], process_id: str | None, name: str) -> Any:
    if process_id is not None:
        for el in processes:
            if el.get("id") == process_id:
                return el
        ids = [el.get("id") for el in processes]
        raise ModelError(f'no process with id "{process_id}"{did_you_mean(process_id, ids)}; the file has {", ".join(ids)}', file=name)
    # A collaboration may hold several pools (the applicant's, the service centre's): run the one
    # with the most steps that nobody calls; the others are outside parties (message flows to
    # them are hand-offs). process_id chooses another.
    with_nodes = [el for el in processes if el.find("bpmn:startEvent", NSMAP) is not None]
    if len(with_nodes) > 1:
        callers = [el for el in with_nodes if not _is_called(el, processes)]
        with_nodes = sorted(callers or with_nodes, key=lambda el: -sum(1 for x in el.iter() if isinstance(x.tag, str) and
                                                                         local(x.tag).endswith(("Task", "task", "subProcess"))))
    if not with_nodes:
        raise ModelError("no process in the file has a start event; add one (the simulation needs to know where cases begin)",
                         file=name, element_id=processes[0].get("id"), tag="process", line=processes[0].sourceline)
    return with_nodes[0]


def _is_called(proc_el: Any, processes: list[Any]) -> bool:
    pid = proc_el.get("id")
    return any(ca.get("calledElement") == pid for el in processes for ca in el.iter(f"{{{NSMAP['bpmn']}}}callActivity"))


def _mark_executable(parser: SpiffBpmnParser, processes: list[Any], notes: list[str], chosen: str) -> None:
    # bpmn.io marks processes isExecutable="false" by default; simulation does not execute code, so treat all as runnable.
    for proc in processes:
        pp = parser.process_parsers.get(proc.get("id"))
        if pp is not None and not pp.process_executable:
            pp.process_executable = True
            if proc.get("id") == chosen:
                notes.append(f'process {chosen} is marked isExecutable="false"; simulated anyway (nothing is executed)')


def _add_siblings_for_calls(parser: SpiffBpmnParser, root: Any, path: Path, notes: list[str]) -> None:
    called = {ca.get("calledElement") for ca in root.iter(f"{{{NSMAP['bpmn']}}}callActivity") if ca.get("calledElement")}
    missing = {c for c in called if c not in parser.process_parsers}
    if not missing:
        return
    for sibling in sorted(path.parent.glob("*.bpmn")):
        if sibling.resolve() == path.resolve():
            continue
        try:
            sib_tree = read_xml(sibling)
        except ModelError:
            continue
        ids = {p.get("id") for p in sib_tree.getroot().findall("bpmn:process", NSMAP)}
        if ids & missing:
            _add(parser, sib_tree, str(sibling))
            notes.append(f"call activity target(s) {', '.join(sorted(ids & missing))} read from {sibling.name}")
            missing -= ids
        if not missing:
            return


def _properties(el: Any) -> dict[str, tuple[str, int | None]]:
    """``spiffworkflow:property`` name -> (value, line) directly under the element's extensionElements."""
    out: dict[str, tuple[str, int | None]] = {}
    for prop in el.findall("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NSMAP):
        out[prop.get("name", "")] = (prop.get("value", "") if prop.get("value") is not None else (prop.text or ""), prop.sourceline)
    return out


class _Compiler:
    """Turns a SpiffWorkflow spec into the flattened graph, validating facts on the way."""

    def __init__(self, file: str, elements: dict[str, Any], subspecs: dict[str, Any], notes: list[str],
                 original_tags: dict[str, str] | None = None) -> None:
        self.original_tags = original_tags or {}
        self.file = file
        self.elements = elements
        self.subspecs = subspecs
        self.notes = notes
        self.nodes: list[Node] = []
        self.flows: list[Flow] = []
        self.foreign = True  # no ReformSim property anywhere: a diagram from another modeler

    # -- errors -------------------------------------------------------------------------------
    def error(self, message: str, element_id: str | None, line: int | None = None) -> ModelError:
        el = self.elements.get(element_id) if element_id else None
        tag = self.original_tags.get(element_id or "") or (local(el.tag) if el is not None else None)
        return ModelError(message, file=self.file, element_id=element_id, tag=tag, line=line or (el.sourceline if el is not None else None))

    # -- entry --------------------------------------------------------------------------------
    def compile(self, spec: Any, proc_el: Any) -> Process:
        defaults = {k: v for k, (v, _) in _properties(proc_el).items()}
        self._scope(spec, prefix="", scope="")
        if not any(n.kind == "start" for n in self.nodes):
            raise self.error("the process has no start event", proc_el.get("id"))
        if not any(n.kind == "end" for n in self.nodes):
            raise self.error("the process has no end event; cases would never finish", proc_el.get("id"))
        self._check_gateways()
        self._check_every_node_can_finish()
        if self.foreign:
            self.notes.append("no ReformSim step facts in the file: steps take the documented default "
                              "duration (work 1 h, no wait) unless the scenario sets steps.<id>")
        return Process.build(
            proc_el.get("id"), proc_el.get("name") or proc_el.get("id"), self.nodes, self.flows,
            name_en=defaults.get("name_en", ""), file=self.file, defaults=MappingProxyType(defaults), notes=tuple(self.notes),
        )

    def _scope(self, spec: Any, prefix: str, scope: str) -> tuple[list[str], list[str]]:
        """Compile one (sub)process spec; return its start and end node ids (already prefixed)."""
        starts: list[str] = []
        ends: list[str] = []
        entry: dict[str, str] = {}  # bpmn id -> node id that incoming flows should target
        exit_: dict[str, str] = {}  # bpmn id -> node id that outgoing flows leave from
        for ts in spec.task_specs.values():
            bpmn_id = getattr(ts, "bpmn_id", None)
            if bpmn_id is None:
                continue  # SpiffWorkflow's own Start/End/EndJoin
            kind = type(ts).__name__
            nid = prefix + bpmn_id
            el = self.elements.get(bpmn_id)
            tag = self.original_tags.get(bpmn_id) or (local(el.tag) if el is not None else kind)
            line = el.sourceline if el is not None else None
            name = getattr(ts, "bpmn_name", None) or ""
            base = dict(id=nid, name=name, scope=scope, tag=tag, line=line, file=self.file)
            if kind == "StartEvent":
                self.nodes.append(Node(kind="start", **base))
                starts.append(nid)
            elif kind == "EndEvent":
                self.nodes.append(Node(kind="end", **base))
                ends.append(nid)
            elif tag in _TASK_TAGS:
                self.nodes.append(Node(kind="task", facts=self._facts(bpmn_id, el), **base))
            elif kind == "ExclusiveGateway":
                self.nodes.append(Node(kind="exclusive", default_flow=self._default(el, prefix), **base))
            elif kind == "InclusiveGateway":
                self.nodes.append(Node(kind="inclusive", default_flow=self._default(el, prefix), **base))
            elif kind == "ParallelGateway":
                self.nodes.append(Node(kind="parallel", **base))
            elif kind == "IntermediateCatchEvent" and isinstance(ts.event_definition, TimerEventDefinition):
                self.nodes.append(Node(kind="timer", timer=self._timer(bpmn_id, el, ts.event_definition), **base))
            elif kind in ("IntermediateThrowEvent",) and type(ts.event_definition).__name__ == "NoneEventDefinition":
                self.nodes.append(Node(kind="pass", **base))
            elif kind in ("SubWorkflowTask", "CallActivity", "TransactionSubprocess"):
                sub = self.subspecs.get(ts.spec)
                if sub is None:
                    raise self.error(f'calls process "{ts.spec}", which is not in this file or its folder'
                                     f"{did_you_mean(ts.spec, self.subspecs)}", bpmn_id)
                child_prefix = prefix if kind != "CallActivity" else f"{nid}/"
                if self.foreign is True and _properties(el):
                    self.foreign = False
                sub_starts, sub_ends = self._scope(sub, child_prefix, scope=f"{scope}/{bpmn_id}" if scope else bpmn_id)  # noqa: E501
                inner = f"{scope}/{bpmn_id}" if scope else bpmn_id
                if len(sub_starts) != 1 or not sub_ends:
                    raise self.error(f"the subprocess has {len(sub_starts)} start and {len(sub_ends)} end events; it needs "
                                     "exactly one start event and at least one end event", bpmn_id)
                self._retype(sub_starts[0], "pass")
                for end in sub_ends:
                    self._retype(end, "pass")
                entry[bpmn_id] = sub_starts[0]
                if len(sub_ends) == 1:
                    exit_[bpmn_id] = sub_ends[0]
                else:
                    # several end events: the subprocess completes when all its tokens are done
                    exit_id = f"{nid}__exit"
                    self.nodes.append(Node(exit_id, "scope_exit", name, scope=scope, closes=inner, tag=tag, line=line, file=self.file))
                    self.flows.extend(Flow(f"{end}__to_exit", end, exit_id) for end in sub_ends)
                    self.nodes = [replace(n, opens=exit_id) if n.id == sub_starts[0] else n for n in self.nodes]
                    exit_[bpmn_id] = exit_id
            elif kind == "BoundaryEvent":
                raise self.error("boundary events are not simulated yet; model the exception path with an exclusive "
                                 "gateway after the task instead", bpmn_id)
            else:
                raise self.error(f"{tag} ({kind}) cannot be simulated; use a task, gateway, timer event or subprocess", bpmn_id)
        # sequence flows of this scope, from the XML (ids, conditions, shares, lines)
        for ts in spec.task_specs.values():
            bpmn_id = getattr(ts, "bpmn_id", None)
            el = self.elements.get(bpmn_id) if bpmn_id else None
            if el is None:
                continue
            for out in el.findall("bpmn:outgoing", NSMAP):
                fid = (out.text or "").strip()
                fel = self.elements.get(fid)
                if fel is None or local(fel.tag) != "sequenceFlow":
                    raise self.error(f'outgoing flow "{fid}" does not exist{did_you_mean(fid, self.elements)}', bpmn_id, out.sourceline)
                self.flows.append(self._flow(fel, prefix, entry, exit_))
        return starts, ends

    def _retype(self, node_id: str, kind: str) -> None:
        self.nodes = [replace(n, kind=kind) if n.id == node_id else n for n in self.nodes]  # type: ignore[arg-type]

    def _default(self, el: Any, prefix: str) -> str | None:
        default = el.get("default") if el is not None else None
        return prefix + default if default else None

    def _flow(self, fel: Any, prefix: str, entry: dict[str, str], exit_: dict[str, str]) -> Flow:
        fid = fel.get("id")
        src, tgt = fel.get("sourceRef"), fel.get("targetRef")
        for ref in (src, tgt):
            if ref not in self.elements:
                raise self.error(f'refers to "{ref}", which does not exist{did_you_mean(ref, self.elements)}', fid)
        cond_el = fel.find("bpmn:conditionExpression", NSMAP)
        condition = (cond_el.text or "").strip() if cond_el is not None else None
        if condition == _SHARE_PLACEHOLDER:
            condition = None
        if condition:
            condition = normalise_condition(condition)
            try:
                compile_condition(condition)
            except ExpressionError as exc:
                raise self.error(f"condition refused: {exc}", fid, cond_el.sourceline) from None
        props = _properties(fel)
        share = None
        if "share" in props:
            self.foreign = False
            value, line = props["share"]
            try:
                share = float(value)
            except ValueError:
                raise self.error(f'share must be a number between 0 and 1, got "{value}"', fid, line) from None
            if not 0 <= share <= 1:
                raise self.error(f"share must be between 0 and 1, got {share}", fid, line)
            if not props.get("source", ("", None))[0].strip():
                raise self.error("the share needs a source (calibration.yaml id, seed clause, or 'assumption: why')", fid, line)
        return Flow(prefix + fid, exit_.get(src, prefix + src), entry.get(tgt, prefix + tgt), condition or None, share,
                    fel.get("name") or "", fel.sourceline, props.get("source", ("", None))[0])

    def _facts(self, bpmn_id: str, el: Any) -> TaskFacts:
        props = _properties(el)
        if props:
            self.foreign = False
        kw: dict[str, Any] = {}
        extra: dict[str, str] = {}
        for key, (value, line) in props.items():
            if key not in TASK_PROPERTIES:
                hint = did_you_mean(key, TASK_PROPERTIES)
                if hint:
                    raise self.error(f'unknown property "{key}"{hint}', bpmn_id, line)
                extra[key] = value
                continue
            kw[key] = self._fact_value(bpmn_id, key, value, line)
        numbers = [k for k in _NUMERIC if k in kw and kw[k] not in (0, None)]
        if numbers and not str(kw.get("source", "")).strip():
            raise self.error(f"{', '.join(numbers)} given without a source; add property source "
                             "(calibration.yaml id, seed clause, or 'assumption: why')", bpmn_id)
        if kw.get("work") is not None and not kw.get("agency") and not self._lane(el):
            raise self.error("work (staff effort) needs an agency whose staff does it; add property agency", bpmn_id)
        if "agency" not in kw and self._lane(el):
            kw["agency"] = self._lane(el)
        if not props:
            kw["work"] = Duration(parse_distribution(1.0), "hour")
            kw["source"] = "assumption: no facts in the file, documented default work of 1 h"
            kw["agency"] = kw.get("agency") or "unassigned"
        for key in ("merged_from", "inspection_of"):
            if key in kw:
                extra[key] = kw.pop(key)
        return TaskFacts(extra=MappingProxyType(extra), **kw)

    def _lane(self, el: Any) -> str | None:
        if el is None:
            return None
        root = el.getroottree().getroot()
        lanes = list(root.iter(f"{{{NSMAP['bpmn']}}}lane"))
        while el is not None and local(el.tag) != "process":  # a step inside a subprocess: its subprocess's lane
            for lane in lanes:
                if any((ref.text or "").strip() == el.get("id") for ref in lane.findall("bpmn:flowNodeRef", NSMAP)):
                    return lane.get("name") or lane.get("id")
            el = el.getparent()
        return None

    def _fact_value(self, bpmn_id: str, key: str, value: str, line: int | None) -> Any:
        try:
            if key in ("procedure", "online", "commitment"):
                v = value.strip().lower()
                if v not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(f'expected true or false, got "{value}"')
                return v in ("true", "1", "yes")
            if key == "documents":
                if not value.strip().isdigit():
                    raise ValueError(f'expected a whole number >= 0, got "{value}"')
                return int(value)
            if key == "fee":
                fee = float(value)
                if fee < 0:
                    raise ValueError(f"expected a fee >= 0, got {value}")
                return fee
            if key in ("statutory_limit", "wait"):
                return parse_duration(value)
            if key == "work":
                return parse_duration(value, default_unit="hour")
            return value
        except ValueError as exc:
            msg = str(exc)
            if "could not convert" in msg:
                msg = f'expected a number, got "{value}"'
            raise self.error(f"property {key}: {msg}", bpmn_id, line) from None

    def _timer(self, bpmn_id: str, el: Any, definition: Any) -> Duration:
        props = _properties(el)
        if "wait" in props:
            value, line = props["wait"]
            if not props.get("source", ("", None))[0].strip():
                raise self.error("wait given without a source (calibration.yaml id, seed clause, or 'assumption: why')", bpmn_id, line)
            return self._fact_value(bpmn_id, "wait", value, line)
        expression = (getattr(definition, "expression", "") or "").strip().strip("\"'")
        if not expression:
            raise self.error("the timer has no duration; give timeDuration (e.g. \"P20D\") or property wait (e.g. 20 workday)", bpmn_id)
        m = re.fullmatch(r"P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?)?", expression)
        if not m or not any(m.groups()):
            raise self.error(f'timer duration "{expression}" is not an ISO-8601 duration in days/hours such as "P20D" or "PT4H"', bpmn_id)
        days, hours, minutes = (float(g) if g else 0.0 for g in m.groups())
        if hours or minutes:
            return Duration(parse_distribution(days * 24 + hours + minutes / 60), "hour")
        return Duration(parse_distribution(days), "day")

    def _check_every_node_can_finish(self) -> None:
        """A node from which no end event can be reached traps its cases (a loop without exit)."""
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(n.id for n in self.nodes)
        g.add_edges_from((f.source, f.target) for f in self.flows)
        can_finish: set[str] = set()
        for end in (n.id for n in self.nodes if n.kind == "end"):
            can_finish |= nx.ancestors(g, end) | {end}
        for node in self.nodes:
            if node.id not in can_finish:
                raise self.error("no path leads from here to an end event, so cases reaching it would never finish "
                                 "(a loop without an exit?); add a flow towards an end event", node.id.rsplit("/", 1)[-1])

    def _check_gateways(self) -> None:
        by_source: dict[str, list[Flow]] = {}
        for f in self.flows:
            by_source.setdefault(f.source, []).append(f)
        for node in self.nodes:
            outs = by_source.get(node.id, [])
            if node.kind in ("task", "timer", "start", "pass") and len(outs) > 1:
                self.notes.append(f"{node.id}: {len(outs)} outgoing flows without a gateway are taken in parallel (BPMN semantics)")
            if node.kind not in ("exclusive", "inclusive") or len(outs) < 2:
                continue
            shares = [f.share for f in outs if f.id != node.default_flow]
            conds = [f.condition for f in outs if f.id != node.default_flow]
            if all(s is not None for s in shares) and shares:
                total = sum(s for s in shares if s is not None)
                if node.kind == "exclusive" and abs(total - 1) > 1e-6 and node.default_flow is None:
                    raise self.error(f"the shares of the outgoing flows add up to {total:g}, expected 1", node.id.rsplit('/', 1)[-1])
            elif any(c is None and s is None for c, s in zip(conds, shares)):
                if any(c is not None for c in conds) or any(s is not None for s in shares):
                    missing = [f.id for f in outs if f.condition is None and f.share is None and f.id != node.default_flow]
                    raise self.error(f"outgoing flow(s) {', '.join(missing)} have neither a condition nor a share; give each "
                                     "non-default flow a conditionExpression, or give every flow a share", node.id.rsplit('/', 1)[-1])
                self.notes.append(f"gateway {node.id}: no conditions or shares, branches taken with equal shares "
                                  "(set routing: in the scenario)")


def normalise_condition(text: str) -> str:
    """Accept the expression dialects modelers write: ``${a && !b}`` (JUEL) becomes ``a and not b``,
    ``=price = 0`` (FEEL) becomes ``price == 0``.

    >>> normalise_condition("${a && !b}"), normalise_condition("=price = 0")
    ('a  and   not b', 'price == 0')
    """
    text = text.strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    if text.startswith("="):  # Camunda 8 FEEL: "=price = 0"; a lone "=" compares
        text = re.sub(r"(?<![<>!=])=(?!=)", "==", text[1:])
    text = re.sub(r"&&", " and ", text)
    text = re.sub(r"\|\|", " or ", text)
    text = re.sub(r"!(?!=)", " not ", text)
    return text.strip()
