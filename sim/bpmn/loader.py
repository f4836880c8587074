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

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from .. import inputs
from ..errors import ExpressionError, ModelError, ScenarioError, did_you_mean
from ..model.distributions import parse_distribution
from ..model.expressions import compile_condition
from ..model.bounds import MAX_DOCUMENTS, MAX_FEE, MAX_RATE, MAX_STAFF, check_number
from ..model import legal
from ..model.assumptions import check_process
from ..model.ranges import RANGE_PREFIX
from ..model.calendar import OpeningHours
from ..model.process import Duration, Flow, Node, Process, TaskFacts, check_duration, parse_duration
from ..stack import with_deep_stack
from .di import BpmnDocument, read_document
from .prepare import NO_TIME, SHARE_PLACEHOLDER, iso_duration, prepare_for_simulation
from .xml import BPMNDI_NS, NSMAP, flows_from, local, read_xml, sequence_flows

__all__ = ["load_process", "load_bpmn", "LoadedProcess", "TASK_PROPERTIES"]

TASK_PROPERTIES = (
    "name_en", "agency", "procedure", "documents", "fee", "online", "statutory_limit", "work", "wait",
    "stage", "commitment", "source", "merged_from", "inspection_of", "step_kind", "levers", "levers_source",
)
_NUMERIC = ("documents", "fee", "statutory_limit", "work", "wait")
_TASK_TAGS = {"task", "userTask", "manualTask", "serviceTask", "sendTask", "receiveTask", "scriptTask", "businessRuleTask"}
_RESERVED_IDS = {"Start", "End", "Root"}
# assumption: a step drawn in another modeler with no facts takes 1 h of work (the documented default); a quarter
# of an hour to half a working day covers a form check to a substantive review.
NO_FACTS_WORK_RANGE = "0.25-4 h | documented default for a step without facts: a form check to half a day's review"


@dataclass
class LoadedProcess:
    """The compiled graph plus what the ``spiff`` executor needs: the spec and its subprocess specs."""

    process: Process
    spec: Any
    subprocess_specs: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    document: BpmnDocument | None = None  # the elements and diagram as written (sim.bpmn.di): drawings, diffs


def load_process(path: str | Path, process_id: str | None = None) -> Process:
    """Load and validate a BPMN file; return the flattened process graph."""
    return load_bpmn(path, process_id).process


def load_bpmn(path: str | Path, process_id: str | None = None, *, extra_files: list[Path] | None = None,
              instances: Mapping[str, int] | None = None) -> LoadedProcess:
    """Like :func:`load_process`, keeping the SpiffWorkflow spec for the ``spiff`` executor.

    ``instances`` (step id -> copies; :meth:`sim.model.scenario.Scenario.instances`) sets how many times
    each multi-instance step runs; a step id that is no multi-instance step is a ScenarioError.

    ``extra_files`` are other BPMN files whose processes call activities may call; a called
    process found in neither is read from ``<calledElement>.bpmn`` in the same folder, else it
    is a :class:`ModelError` naming the call activity.
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

    if root.find("bpmn:process", NSMAP) is None:  # before the drawing: a drawing of nothing is not the first problem
        raise ModelError("the file has no <bpmn:process>, so there is nothing to simulate (only a drawing or "
                         "pools without content); export the process itself, with its tasks and sequence flows", file=name, line=root.sourceline)
    document = read_document(root, name)  # before prepare_for_simulation rewrites the tree
    notes: list[str] = []
    docs: dict[str, _Doc] = {}
    counts = _Counts(dict(instances or {}), set())
    parser = SpiffBpmnParser(validator=VALIDATOR)
    _add(parser, _prepared(tree, name, notes, docs, counts), name)
    for extra in extra_files or []:
        _add(parser, _prepared(read_xml(extra), str(extra), notes, docs, counts), str(extra))
    processes = root.findall("bpmn:process", NSMAP)
    proc_el = _choose_process(processes, process_id, name)
    pid = proc_el.get("id")
    others = [p.get("id") for p in processes if p is not proc_el and p.find("bpmn:startEvent", NSMAP) is not None]
    if others and process_id is None:
        notes.append(f'pool "{proc_el.get("name") or pid}" ({pid}) simulated; {", ".join(others)} taken as outside parties '
                     "(choose another with process_id)")
    _mark_executable(parser, processes, notes, pid)
    _add_siblings_for_calls(parser, root, path, notes, docs, counts)
    unused = sorted(set(counts.given) - counts.used)
    if unused:
        raise ScenarioError([(f"steps.{sid}.instances", f'"{sid}" is not a multi-instance step of {name}{did_you_mean(sid, elements)}')
                             for sid in unused])
    try:
        # SpiffWorkflow's parser follows flows recursively: give long chains the stack they need
        spec, subspecs = with_deep_stack(_specs, parser, pid, nodes=len(elements))
    except ValidationException as exc:
        raise _from_validation(exc, name, docs[name].elements) from None
    except SpiffWorkflowException as exc:
        raise ModelError(f"SpiffWorkflow cannot build the process: {exc}", file=name, element_id=pid, tag="process") from None

    compiler = _Compiler(docs, name, subspecs, notes)
    process = compiler.compile(spec, proc_el)
    return LoadedProcess(process=process, spec=spec, subprocess_specs=subspecs, path=path, document=document)


@dataclass(frozen=True)
class _Doc:
    """One prepared BPMN file: its elements after the rewrite, the tags they had, and flows by source."""

    file: str
    elements: dict[str, Any]
    original_tags: dict[str, str]
    flows_from: dict[str, list[Any]]


@dataclass(frozen=True)
class _Counts:
    """Copies of multi-instance steps the scenario gives, and which of them a file used."""

    given: dict[str, int]
    used: set[str]


def _prepared(tree: etree._ElementTree, name: str, notes: list[str], docs: dict[str, _Doc], counts: _Counts) -> etree._ElementTree:
    """Rewrite ``tree`` for simulation (:mod:`sim.bpmn.prepare`) and record it in ``docs`` under ``name``;
    every file a case runs through gets the same preparation, and its errors name that file."""
    root = tree.getroot()
    _name_anonymous_flows(root, notes)
    _check_flow_elements(root, name)
    try:
        original_tags = prepare_for_simulation(root, notes, counts.given, counts.used)
    except ModelError as exc:
        raise ModelError(exc.message, file=name, element_id=exc.element_id, tag=exc.tag, line=exc.line) from None
    elements = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}  # after the rewrite
    docs[name] = _Doc(name, elements, original_tags, flows_from(root))
    return tree


def _name_anonymous_flows(root: Any, notes: list[str]) -> None:
    """Give each sequence flow without an id one (``flow_<source>_<target>``, made unique), and say so.

    The BPMN schema makes ``id`` optional and Activiti/Flowable engine tests omit it on flows (their
    ``sourceRef``/``targetRef`` say all there is); the rest of the loader keys flows by id, and an id
    must be an XML NCName (the schema's ``xs:ID``), hence the underscores.

    Example: ``<sequenceFlow sourceRef="fork" targetRef="task1"/>`` gets ``id="flow_fork_task1"``.
    """
    taken = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    named = []
    for flow in sequence_flows(root):
        if flow.get("id"):
            continue
        base = f'flow_{flow.get("sourceRef") or "nothing"}_{flow.get("targetRef") or "nothing"}'
        fid, n = base, 1
        while fid in taken:  # two flows between the same pair (Flowable pushes two tokens down one path)
            n += 1
            fid = f"{base}_{n}"
        taken.add(fid)
        flow.set("id", fid)
        named.append(fid)
    if named:
        notes.append(f"{len(named)} sequence flow(s) without an id named by their ends: {', '.join(named)}")


def _check_flow_elements(root: Any, name: str) -> None:
    """Every flow node has an id (sequence flows refer to nodes by it) and every sequence flow joins two
    elements of the file (the graph is built from these references)."""
    for scope in [*root.iter(f"{{{NSMAP['bpmn']}}}process"), *root.iter(f"{{{NSMAP['bpmn']}}}subProcess")]:
        for el in scope:
            if isinstance(el.tag, str) and etree.QName(el).namespace == NSMAP["bpmn"] and not el.get("id") and \
                    local(el.tag) not in ("extensionElements", "documentation", "laneSet", "incoming", "outgoing", "text",
                                          "ioSpecification", "property", "multiInstanceLoopCharacteristics"):
                raise ModelError(f"the {local(el.tag)} has no id; give it one (sequence flows refer to flow nodes by id)",
                                 file=name, tag=local(el.tag), line=el.sourceline)
    elements = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for flow in sequence_flows(root):
        for attr in ("sourceRef", "targetRef"):
            ref = flow.get(attr)
            if not ref or ref not in elements:
                shown = f'"{ref}", which does not exist{did_you_mean(ref, elements)}' if ref else "nothing"
                raise ModelError(f"{attr} names {shown}; point it at the id of a flow node of the process",
                                 file=name, element_id=flow.get("id"), tag="sequenceFlow", line=flow.sourceline)


def _specs(parser: SpiffBpmnParser, pid: str) -> tuple[Any, dict[str, Any]]:
    return parser.get_spec(pid), parser.get_subprocess_specs(pid)


def _add(parser: SpiffBpmnParser, tree: etree._ElementTree, name: str) -> None:
    try:
        parser.add_bpmn_xml(tree, filename=name)
    except ValidationException as exc:
        raise _from_validation(exc, name, {}) from None
    except SpiffWorkflowException as exc:
        raise ModelError(f"SpiffWorkflow rejected the file: {exc}", file=name) from None


_INTERNAL = re.compile(r"[A-Z]\w*(Error|Exception)\(")  # e.g. TypeError("NodeParser.raise_validation_exception() got …")


def _from_validation(exc: ValidationException, name: str, elements: dict[str, Any]) -> ModelError:
    message = str(getattr(exc, "msg", None) or exc.args[0] if exc.args else exc)
    message = re.sub(r"\s+", " ", message).strip()
    element_id = getattr(exc, "id", "") or None
    line = getattr(exc, "line_number", None) or None
    tag = getattr(exc, "tag", "") or None
    if element_id and element_id in elements and not line:
        line = elements[element_id].sourceline
    if _INTERNAL.match(message):  # SpiffWorkflow wraps its own crashes as repr(exception): not for a planner
        message = (f"SpiffWorkflow's parser fails on this {tag or 'element'} ({message.split('(', 1)[0]} inside the parser); "
                   "check that every id it refers to (errorRef, messageRef, calledElement, attachedToRef) exists in the file "
                   "and that it follows the BPMN 2.0 schema")
    elif "schema" not in message.lower() and not element_id:
        message = f"the file does not follow the BPMN 2.0 schema: {_schema_text(message)}"
    return ModelError(message, file=getattr(exc, "file_name", None) or name, element_id=element_id, tag=tag,
                      line=int(line) if isinstance(line, int) or (isinstance(line, str) and line.isdigit()) else None)


_XSD_NAME = re.compile(r"'?\{(?P<ns>[^}]*)\}(?P<tag>[\w.-]+)'?")
_XSD_PREFIX = {NSMAP["bpmn"]: "bpmn", BPMNDI_NS: "bpmndi"}
_XSD_ADVICE = (  # lxml's schema sentence -> what the modeler changes
    (re.compile(r"attribute '([\w:.-]+)': The attribute '\1' is not allowed"),
     r'attribute "\1" is not allowed there; remove it (or move it into <bpmn:extensionElements>)'),
    (re.compile(r"This element is not expected\.(?: Expected is (?:one of )?\( ?(.+?) ?\))?"),
     lambda m: "this element is not allowed here" + (f"; expected {m.group(1)}" if m.group(1) else "") +
     "; move it or remove it (vendor elements belong in <bpmn:extensionElements>)"),
)


def _schema_text(message: str) -> str:
    """lxml's XSD sentence, said with BPMN prefixes and what to change.

    Example: ``Element '{…/MODEL}messageEventDefinition', attribute 'name': The attribute 'name' is not allowed.``
    -> ``<bpmn:messageEventDefinition>: attribute "name" is not allowed there; remove it (…)``.
    """
    def name(m: re.Match[str]) -> str:
        prefix = _XSD_PREFIX.get(m.group("ns"))
        return f"<{prefix}:{m.group('tag')}>" if prefix else f"<{m.group('tag')}> (namespace {m.group('ns')})"

    text = _XSD_NAME.sub(name, message)
    text = re.sub(r"^Element (<[^>]+>(?: \(namespace [^)]*\))?)[,:] ", r"\1: ", text)
    text = re.sub(r"^Element '([\w.-]+)'[,:] ", r"<\1> (in no namespace): ", text)
    for pattern, advice in _XSD_ADVICE:
        text = pattern.sub(advice, text)
    return text.rstrip(".")


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
        raise ModelError("no process in the file has a start event, nor a flow node without incoming flow where cases "
                         "could begin; add a start event",
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


# A calledElement names a file only when it is a plain id: no path separators, no "..".
_FILE_ID = re.compile(r"[A-Za-z_][\w.-]*\Z")


def _add_siblings_for_calls(parser: SpiffBpmnParser, root: Any, path: Path, notes: list[str], docs: dict[str, _Doc],
                            counts: _Counts) -> None:
    """Make every called process available: in this file, else in ``<calledElement>.bpmn`` beside it.

    The rule is one stat per missing id and never opens an unrelated file: scanning the folder
    (or indexing the ids of every sibling) would read each of maybe hundreds of files, and one
    FIFO among them would hang the load. A called file may call further processes the same way.
    """
    allowed = inputs.allowed_root(path)
    todo = [(root, str(path))]
    tried: set[str] = set()
    while todo:
        tree_root, file = todo.pop()
        for ca in tree_root.iter(f"{{{NSMAP['bpmn']}}}callActivity"):
            called = ca.get("calledElement")
            if not called or called in parser.process_parsers or called in tried:
                continue
            tried.add(called)
            sibling = path.parent / f"{called}.bpmn"
            if _FILE_ID.match(called) and os.path.lexists(sibling) and inputs.is_inside(sibling, allowed):
                sib_tree = read_xml(sibling)  # regular file, size-limited; a broken one is its own ModelError
                _add(parser, _prepared(sib_tree, str(sibling), notes, docs, counts), str(sibling))
                if called in parser.process_parsers:
                    notes.append(f"call activity target {called} read from {sibling.name}")
                    todo.append((sib_tree.getroot(), str(sibling)))
                    continue
            other = next((el for el in tree_root.iter() if isinstance(el.tag, str) and el.get("id") == called), None)
            what = (f"a {local(other.tag)}, not a process (only processes can be called here)" if other is not None
                    else f"no process with that id in this file, nor a file {sibling.name} in {path.parent} that defines it")
            raise ModelError(f'calls "{called}" (calledElement), but there is {what}', file=file,
                             element_id=ca.get("id"), tag="callActivity", line=ca.sourceline)


def _properties(el: Any) -> dict[str, tuple[str, int | None]]:
    """``spiffworkflow:property`` name -> (value, line) directly under the element's extensionElements."""
    out: dict[str, tuple[str, int | None]] = {}
    for prop in el.findall("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NSMAP):
        out[prop.get("name", "")] = (prop.get("value", "") if prop.get("value") is not None else (prop.text or ""), prop.sourceline)
    return out


class _Compiler:
    """Turns a SpiffWorkflow spec into the flattened graph, validating facts on the way."""

    def __init__(self, docs: dict[str, _Doc], main: str, subspecs: dict[str, Any], notes: list[str]) -> None:
        self.docs = docs
        self._enter(docs[main])
        self.subspecs = subspecs
        self.notes = notes
        self.nodes: list[Node] = []
        self.flows: list[Flow] = []
        self.foreign = True  # no ReformSim property anywhere: a diagram from another modeler
        self.ranged = False  # the file writes a range somewhere: then every assumption in it needs one
        self.calls: list[str] = []  # processes being flattened, outermost first: a call back into one is recursion

    def _enter(self, doc: _Doc) -> None:
        """Compile from ``doc`` now (a call activity into a sibling file switches to that file)."""
        self.doc = doc
        self.file = doc.file
        self.elements = doc.elements
        self.original_tags = doc.original_tags

    # -- errors -------------------------------------------------------------------------------
    def error(self, message: str, element_id: str | None, line: int | None = None) -> ModelError:
        el = self.elements.get(element_id) if element_id else None
        tag = self.original_tags.get(element_id or "") or (local(el.tag) if el is not None else None)
        return ModelError(message, file=self.file, element_id=element_id, tag=tag, line=line or (el.sourceline if el is not None else None))

    def node_error(self, node: Node, message: str) -> ModelError:
        """An error about a compiled node, located in the file that holds it (a called file, maybe)."""
        return ModelError(message, file=node.file or self.file, element_id=node.id.rsplit("/", 1)[-1], tag=node.tag or None,
                          line=node.line)

    # -- entry --------------------------------------------------------------------------------
    def compile(self, spec: Any, proc_el: Any) -> Process:
        defaults = {k: v for k, (v, _) in _properties(proc_el).items()}
        self._check_process_properties(proc_el)
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
        process = Process.build(
            proc_el.get("id"), proc_el.get("name") or proc_el.get("id"), self.nodes, self.flows,
            name_en=defaults.get("name_en", ""), file=self.file, defaults=MappingProxyType(defaults), notes=tuple(self.notes),
        )
        # Ranges must contain their numbers and a sourced number's range its own source; a file that writes any
        # range must range every assumption (sim.model.assumptions; a file with none runs at its point values).
        check_process(process, strict=self.ranged or any(k.startswith(RANGE_PREFIX) for k in defaults))
        return process

    def _check_process_properties(self, proc_el: Any) -> None:
        """Range-check the process-level numbers (agency staff and hours, arrival rate, attribute mixes) where they enter."""
        for key, (value, line) in _properties(proc_el).items():
            try:
                if key.startswith("agency.") and key.endswith(".staff"):
                    check_number(int(value) if value.strip().lstrip("-").isdigit() else value, low=1, high=MAX_STAFF, whole=True,
                                 unit="staff")
                elif key.startswith("agency.") and key.endswith(".hours"):
                    OpeningHours.parse(value)
                elif key == "arrivals.rate_per_workday":
                    check_number(float(value), high=MAX_RATE, above=True, unit="applications per working day")
                elif key.startswith("attribute."):
                    check_number(float(value), high=1.0, unit="(share of cases)")
            except ValueError as exc:
                msg = f'expected a number, got "{value}"' if "could not convert" in str(exc) else str(exc)
                raise self.error(f"process property {key}: {msg}", proc_el.get("id"), line) from None

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
                self.nodes.append(Node(kind="timer", timer=self._timer(bpmn_id, el, ts.event_definition),
                                       facts=self._timer_facts(el), **base))
            elif kind in ("IntermediateThrowEvent",) and type(ts.event_definition).__name__ == "NoneEventDefinition":
                self.nodes.append(Node(kind="pass", **base))
            elif kind in ("SubWorkflowTask", "CallActivity", "TransactionSubprocess"):
                sub = self.subspecs.get(ts.spec)
                if sub is None:
                    raise self.error(f'calls process "{ts.spec}", which is not in this file or its folder'
                                     f"{did_you_mean(ts.spec, self.subspecs)}", bpmn_id)
                child_prefix = prefix if kind != "CallActivity" else f"{nid}/"
                if kind == "CallActivity" and (ts.spec in self.calls or ts.spec == spec.name):
                    outer = self.calls[self.calls.index(ts.spec):] if ts.spec in self.calls else []
                    chain = " → ".join([*outer, spec.name, ts.spec])
                    raise self.error(f"call activities call each other in a cycle ({chain}): a case would expand without end; "
                                     "model the repetition as a loop with an exit instead", bpmn_id)
                if self.foreign is True and _properties(el):
                    self.foreign = False
                self.calls.append(spec.name)
                caller = self.doc
                self._enter(self.docs.get(getattr(sub, "file", None) or "", caller))  # the called process's own file
                sub_starts, sub_ends = self._scope(sub, child_prefix, scope=f"{scope}/{bpmn_id}" if scope else bpmn_id)  # noqa: E501
                self._enter(caller)
                self.calls.pop()
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
            # by sourceRef, never by the optional <outgoing> children
            self.flows.extend(self._flow(fel, prefix, entry, exit_) for fel in self.doc.flows_from.get(bpmn_id, []))
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
        if condition == SHARE_PLACEHOLDER:
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
                raise self.error("the share needs a source (sources.yaml id, seed clause, or 'assumption: why')", fid, line)
        share_range = props.get(f"{RANGE_PREFIX}share", ("", None))[0]
        self.ranged = self.ranged or bool(share_range)
        return Flow(prefix + fid, exit_.get(src, prefix + src), entry.get(tgt, prefix + tgt), condition or None, share,
                    fel.get("name") or "", fel.sourceline, props.get("source", ("", None))[0], share_range)

    def _facts(self, bpmn_id: str, el: Any) -> TaskFacts:
        props = _properties(el)
        if props:
            self.foreign = False
        kw: dict[str, Any] = {}
        extra: dict[str, str] = {}
        for key, (value, line) in props.items():
            if key.startswith(RANGE_PREFIX):  # a plausible range (sim.model.ranges), checked once the graph is built
                self.ranged = True
                extra[key] = value
                continue
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
                             "(sources.yaml id, seed clause, or 'assumption: why')", bpmn_id)
        if kw.get("levers") and not str(kw.get("levers_source", "")).strip():
            raise self.error("levers given without levers_source; say which rule allows or forbids them "
                             "(a seed clause, a law, a commitment list)", bpmn_id)
        if kw.get("work") is not None and not kw.get("agency") and not self._lane(el):
            raise self.error("work (staff effort) needs an agency whose staff does it; add property agency", bpmn_id)
        if "agency" not in kw and self._lane(el):
            kw["agency"] = self._lane(el)
        if not props:
            kw["work"] = Duration(parse_distribution(1.0), "hour")
            kw["source"] = "assumption: no facts in the file, documented default work of 1 h"
            extra[f"{RANGE_PREFIX}work"] = NO_FACTS_WORK_RANGE
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
                return check_number(int(value), high=MAX_DOCUMENTS, whole=True)
            if key == "fee":
                return check_number(float(value), high=MAX_FEE, unit="yuan")
            if key in ("statutory_limit", "wait"):
                return parse_duration(value)
            if key == "work":
                return parse_duration(value, default_unit="hour")
            if key == "step_kind":
                return legal.check_kind(value)
            if key == "levers":
                return legal.parse_levers(value)
            return value
        except ValueError as exc:
            msg = str(exc)
            if "could not convert" in msg:
                msg = f'expected a number, got "{value}"'
            raise self.error(f"property {key}: {msg}", bpmn_id, line) from None

    def _timer_facts(self, el: Any) -> TaskFacts | None:
        """A timer's source, English name and range (what the writer writes on it), or None if it has none."""
        props = {k: v for k, (v, _) in _properties(el).items()} if el is not None else {}
        ranges = {k: v for k, v in props.items() if k.startswith(RANGE_PREFIX)}
        self.ranged = self.ranged or bool(ranges)
        if not (props.get("source") or props.get("name_en") or ranges):
            return None
        return TaskFacts(source=props.get("source", ""), name_en=props.get("name_en", ""), extra=MappingProxyType(ranges))

    def _timer(self, bpmn_id: str, el: Any, definition: Any) -> Duration:
        props = _properties(el)
        if "wait" in props:
            value, line = props["wait"]
            if not props.get("source", ("", None))[0].strip():
                raise self.error("wait given without a source (sources.yaml id, seed clause, or 'assumption: why')", bpmn_id, line)
            return self._fact_value(bpmn_id, "wait", value, line)
        expression = (getattr(definition, "expression", "") or "").strip().strip("\"'")
        if not expression or expression == NO_TIME:
            raise self.error("the timer has no time: add <bpmn:timeDuration>P5D</bpmn:timeDuration> (an ISO-8601 duration) inside "
                             'its <bpmn:timerEventDefinition>, or give it property wait (e.g. "5 workday") with a source', bpmn_id)
        cycle = re.fullmatch(r"R\d*/(P[^/]+)", expression)
        if cycle:  # "R3/PT1H": a case passes the timer once, so it waits one period
            self.notes.append(f"timer {bpmn_id}: cycle {expression} taken as one period, {cycle.group(1)}")
            expression = cycle.group(1)
        parsed = iso_duration(expression)
        if parsed is None:
            raise self.error(f'timer duration "{expression}" is not an ISO-8601 duration in weeks/days/hours/minutes/seconds such as '
                             '"P20D" or "PT4H" (a date, timeDate, depends on when the case starts: give timeDuration instead)', bpmn_id)
        days, hours, minutes = parsed
        try:
            if hours or minutes:
                return check_duration(Duration(parse_distribution(days * 24 + hours + minutes / 60), "hour"))
            return check_duration(Duration(parse_distribution(days), "day"))
        except ValueError as exc:
            raise self.error(f'timer duration "{expression}": {exc}', bpmn_id) from None

    def _check_every_node_can_finish(self) -> None:
        """A node from which no end event can be reached traps its cases (a loop without exit).

        A walk back along the flows from every end event (no graph library: loading a model for the
        fast executor then imports no networkx, whose import costs more than the check).
        """
        sources: dict[str, list[str]] = {}
        for f in self.flows:
            sources.setdefault(f.target, []).append(f.source)
        stack = [n.id for n in self.nodes if n.kind == "end"]
        can_finish = set(stack)
        while stack:
            for before in sources.get(stack.pop(), ()):
                if before not in can_finish:
                    can_finish.add(before)
                    stack.append(before)
        for node in self.nodes:
            if node.id not in can_finish:
                raise self.node_error(node, "no path leads from here to an end event, so cases reaching it would never finish "
                                      "(a loop without an exit?); add a flow towards an end event")

    def _check_gateways(self) -> None:
        by_source: dict[str, list[Flow]] = {}
        for f in self.flows:
            by_source.setdefault(f.source, []).append(f)
        for node in self.nodes:
            outs = by_source.get(node.id, [])
            if node.kind not in ("exclusive", "inclusive") or len(outs) < 2:
                continue
            shares = [f.share for f in outs if f.id != node.default_flow]
            conds = [f.condition for f in outs if f.id != node.default_flow]
            if all(s is not None for s in shares) and shares:
                total = sum(s for s in shares if s is not None)
                if node.kind == "exclusive" and abs(total - 1) > 1e-6 and node.default_flow is None:
                    raise self.node_error(node, f"the shares of the outgoing flows add up to {total:g}, expected 1")
            elif any(c is None and s is None for c, s in zip(conds, shares)):
                if any(c is not None for c in conds) or any(s is not None for s in shares):
                    missing = [f.id for f in outs if f.condition is None and f.share is None and f.id != node.default_flow]
                    raise self.node_error(node, f"outgoing flow(s) {', '.join(missing)} have neither a condition nor a share; "
                                          "give each non-default flow a conditionExpression, or give every flow a share")
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
