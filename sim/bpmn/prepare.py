"""Rewrite a parsed BPMN tree so that any diagram can be simulated (the file itself is not changed).

Diagrams from modelers carry things a simulation cannot run or need not run: script, service
and rule tasks, data objects and stores, message events, boundary events, event-based gateways,
multi-instance steps, collapsed subprocesses, gateways routed by nothing, implicit splits (a task
with several outgoing flows). :func:`prepare_for_simulation` turns each into plain BPMN that both
executors run alike (steps, exclusive/parallel gateways, timers), before SpiffWorkflow parses the
tree, and says what it did in ``notes``.

The graph is read from ``sequenceFlow@sourceRef/targetRef`` only (the ``<incoming>``/``<outgoing>``
children are optional in BPMN 2.0); they are rewritten from the flows at the end for SpiffWorkflow.

Example:
    >>> from sim.bpmn.xml import read_xml
    >>> tree = read_xml(b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">'
    ...                 b'<scriptTask id="t"><script>rm -rf /</script></scriptTask></process></definitions>')
    >>> notes = []
    >>> prepare_for_simulation(tree.getroot(), notes)
    {'t': 'scriptTask'}
    >>> notes  # doctest: +NORMALIZE_WHITESPACE
    ['no start event: cases start at the flow node(s) without incoming flow (t), as BPMN says',
     'flow node(s) with no outgoing flow end their path there, as BPMN says: t',
     'scriptTask(s) t simulated as steps; nothing is executed']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lxml import etree

from ..errors import ModelError
from ..model.scenario import MAX_INSTANCES
from .xml import BPMN_NS, NSMAP, SPIFF_NS, flows_from, flows_into, local, sync_flow_refs

__all__ = ["prepare_for_simulation", "SHARE_PLACEHOLDER", "NO_TIME", "iso_duration", "MAX_INSTANCES"]

SHARE_PLACEHOLDER = "__reformsim_share__"
NO_TIME = "__reformsim_no_time__"  # the duration of a timer the file gives none

_B = f"{{{BPMN_NS}}}"
_STEP_TAGS = ("serviceTask", "scriptTask", "businessRuleTask", "sendTask", "receiveTask", "manualTask", "task")
_ACTIVITY_TAGS = (*_STEP_TAGS, "userTask", "subProcess", "callActivity", "transaction")
_GATEWAY_TAGS = ("exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway")
_USER_TASK_ATTRIBUTES = {"id", "name", "default", "isForCompensation", "startQuantity", "completionQuantity", "implementation"}
_IGNORED = ("dataObject", "dataObjectReference", "dataStore", "dataStoreReference", "dataInputAssociation",
            "dataOutputAssociation", "ioSpecification", "property")
_ARTIFACTS = ("textAnnotation", "association", "group", "category")  # drawn for readers, no effect on the flow
_HANDOFF_EVENTS = ("messageEventDefinition", "signalEventDefinition", "conditionalEventDefinition", "escalationEventDefinition")
_REFS = {"errorRef": "error", "messageRef": "message", "signalRef": "signal", "escalationRef": "escalation"}


def prepare_for_simulation(root: Any, notes: list[str], instances: Mapping[str, int] | None = None,
                           used: set[str] | None = None) -> dict[str, str]:
    """All rewrites, in order; returns element id -> original tag of every element retagged (a step, a boundary event).

    ``instances`` (step id -> copies, from the scenario's ``steps.<id>.instances``) sets how many times a
    multi-instance step runs; the ids it served are added to ``used``."""
    changed: dict[str, list[str]] = {}
    _drop_drawing(root)
    _two_tokens_into_a_join(root)
    _dangling_refs(root, changed)
    _start_event_definitions(root, changed)
    _mark_empty_timers(root)
    original = _multi_instances(root, changed, instances or {}, used if used is not None else set())
    original.update(_global_task_calls(root, changed))
    _implicit_starts_and_ends(root, changed)
    _implicit_splits(root, changed)  # first: the rewrites below may assume one outgoing flow per node
    original.update(_boundary_events(root, changed))  # tags kept for messages: the modeler drew a boundaryEvent
    _event_based_gateways(root, changed)
    original.update(_as_simulation_steps(root, changed))
    _empty_subprocesses_as_steps(root, changed)
    _mark_share_flows(root)  # after the rewrites: boundary outcomes and races add share-routed flows
    sync_flow_refs(root)  # SpiffWorkflow checks <incoming>/<outgoing>: make them say what the flows say
    _say(changed, notes)
    return original


# -- helpers -------------------------------------------------------------------------------------

def _by_id(root: Any) -> dict[str, Any]:
    return {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}


def _error(message: str, el: Any) -> ModelError:
    return ModelError(message, element_id=el.get("id"), tag=local(el.tag), line=el.sourceline)


def _insert_after(anchor: Any, new: Any) -> Any:
    """Put ``new`` right after ``anchor``: inside the flow elements, never after the artifacts
    (textAnnotation, association) that the schema wants last."""
    anchor.addnext(new)
    new.tail = anchor.tail
    return new


def _element(anchor: Any, tag: str, **attrib: str) -> Any:
    return _insert_after(anchor, etree.Element(_B + tag, {k: v for k, v in attrib.items() if v is not None}))


def _flow(anchor: Any, fid: str, source: str, target: str) -> Any:
    return _element(anchor, "sequenceFlow", id=fid, sourceRef=source, targetRef=target)


def _unique(root: Any, wanted: str) -> str:
    """``wanted``, or ``wanted_2``… if the file already uses it (our ids must not shadow the modeler's)."""
    taken = _by_id(root)
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted}_{n}" in taken:
        n += 1
    return f"{wanted}_{n}"


def _share(flow: Any, share: str, source: str) -> None:
    """Give a flow a share (a ReformSim property), unless the modeler already gave it one."""
    ext = flow.find("bpmn:extensionElements", NSMAP)
    if ext is not None and ext.find("spiffworkflow:properties/spiffworkflow:property[@name='share']", NSMAP) is not None:
        return
    if ext is None:
        ext = etree.Element(_B + "extensionElements")
        flow.insert(0, ext)
    props = etree.SubElement(ext, f"{{{SPIFF_NS}}}properties")
    etree.SubElement(props, f"{{{SPIFF_NS}}}property", name="share", value=share)
    etree.SubElement(props, f"{{{SPIFF_NS}}}property", name="source", value=source)


def _has_share(flow: Any) -> bool:
    return flow.find("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name='share']", NSMAP) is not None


def _route_through(root: Any, node: Any, tag: str, suffix: str) -> Any:
    """Insert a gateway ``tag`` after ``node``: its outgoing flows leave from the gateway instead."""
    outs = flows_from(root).get(node.get("id"), [])
    gw = _element(node, tag, id=_unique(root, f"{node.get('id')}__{suffix}"))
    for flow in outs:
        flow.set("sourceRef", gw.get("id"))
    _flow(gw, _unique(root, f"{node.get('id')}__to_{suffix}"), node.get("id"), gw.get("id"))
    return gw


def _merge_before(root: Any, node: Any) -> None:
    """Several flows into ``node`` (an implicit merge): BPMN passes each token on, so an exclusive
    merge in front of it says the same to every executor (a parallel gateway put before it must
    not become a join by accident)."""
    ins = flows_into(root).get(node.get("id"), [])
    if len(ins) < 2:
        return
    merge = _element(node, "exclusiveGateway", id=_unique(root, f"{node.get('id')}__merge"))
    for flow in ins:
        flow.set("targetRef", merge.get("id"))
    _flow(merge, _unique(root, f"{node.get('id')}__from_merge"), merge.get("id"), node.get("id"))


# ISO 8601 durations in weeks/days/hours/minutes/seconds ("P5D", "PT4H", "P1DT12H", "PT1S"), the forms
# timers use; years and months are left out (their length in days depends on the date).
_ISO = re.compile(r"P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?")


def iso_duration(text: str) -> tuple[float, float, float] | None:
    """(days, hours, minutes) of an ISO-8601 duration such as ``P20D``, ``PT4H`` or ``PT1S``; None if it is not one.

    >>> iso_duration("P1DT12H"), iso_duration("P2W"), iso_duration("PT30S"), iso_duration("P1DT"), iso_duration("R3/PT1H")
    ((1.0, 12.0, 0.0), (14.0, 0.0, 0.0), (0.0, 0.0, 0.5), None, None)
    """
    text = text.strip().strip("\"'")
    m = _ISO.fullmatch(text)
    if not m or not any(m.groups()) or text.endswith("T"):  # "P1DT": ISO 8601 forbids a T with no time
        return None
    weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
    return weeks * 7 + days, hours, minutes + seconds / 60


def _timer_text(definition: Any) -> str:
    """The time a timerEventDefinition gives (timeDuration, timeDate or timeCycle), or ""."""
    for kind in ("timeDuration", "timeDate", "timeCycle"):
        child = definition.find(f"bpmn:{kind}", NSMAP)
        if child is not None and (child.text or "").strip():
            return (child.text or "").strip()
    return ""


def _has_wait(el: Any) -> bool:
    return el.find("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name='wait']", NSMAP) is not None


# -- the rewrites ----------------------------------------------------------------------------------

def _drop_drawing(root: Any) -> None:
    """Remove the diagram (bpmndi) from the copy SpiffWorkflow parses: its parser orders a node's outgoing
    flows by the y-coordinate of their targets, so the drawing would decide which parallel branch asks an
    agency's staff first (and which exclusive condition is tried first) in the ``spiff`` executor, while the
    ``compiled`` one follows the document. Without it both follow the document order. (The drawing itself
    is read before, by :func:`sim.bpmn.di.read_document`.)"""
    for diagram in root.findall("bpmndi:BPMNDiagram", NSMAP):
        root.remove(diagram)


def _two_tokens_into_a_join(root: Any) -> None:
    """Refuse two flows from one split to one target when a parallel join lies downstream.

    Two tokens then travel one path (Flowable's ``testMultipleTokensJoin`` does it on purpose), and engines
    differ on when the join fires: Flowable counts tokens, the BPMN spec waits for a token on each incoming
    flow, and so would our two executors; neither result would be defensible. One flow, or a multi-instance
    step, says what the modeler meant.
    """
    out, into, by_id = flows_from(root), flows_into(root), _by_id(root)
    for source, flows in out.items():
        seen: dict[str, Any] = {}
        for flow in flows:
            target = flow.get("targetRef") or ""
            first = seen.setdefault(target, flow)
            if first is flow:
                continue
            todo, reached = [target], set()
            while todo:  # is a parallel join reachable from the shared target?
                node = todo.pop()
                if node in reached:
                    continue
                reached.add(node)
                el = by_id.get(node)
                if el is not None and local(el.tag) == "parallelGateway" and len(into.get(node, [])) > 1:
                    raise _error(f'the flows on lines {first.sourceline} and {flow.sourceline} both lead from here to "{target}", '
                                 f'so two tokens travel one path into parallel join "{node}", and engines differ on when such a '
                                 "join fires (Flowable counts tokens, the BPMN spec waits for one on each incoming flow); keep "
                                 "one of the two flows, and if the step runs twice make it a multi-instance step "
                                 "(<bpmn:loopCardinality>2</bpmn:loopCardinality>)", by_id.get(source, flow))
                todo.extend(f.get("targetRef") or "" for f in out.get(node, []))


def _dangling_refs(root: Any, changed: dict[str, list[str]]) -> None:
    """An errorRef (messageRef, …) naming no element: SpiffWorkflow fails on it with an internal
    TypeError. The simulation neither throws nor catches errors, so the reference is dropped and said."""
    by_id = _by_id(root)
    for definition in root.iter():
        if not isinstance(definition.tag, str) or not local(definition.tag).endswith("EventDefinition"):
            continue
        for attr, what in _REFS.items():
            ref = definition.get(attr)
            if ref is None:
                continue
            target = by_id.get(ref.split(":")[-1])
            if target is None or local(target.tag) != what:
                del definition.attrib[attr]
                event = definition.getparent()
                changed.setdefault("dangling", []).append(f'{attr}="{ref}" on {event.get("id")} (no <{what} id="{ref}">)')


_START_TRIGGERS = ("timerEventDefinition", "messageEventDefinition", "signalEventDefinition", "conditionalEventDefinition")


def _start_event_definitions(root: Any, changed: dict[str, list[str]]) -> None:
    """A timer, message, signal or conditional start event says what starts a case; the scenario's arrivals
    say that here. (SpiffWorkflow would wait for the message or signal forever: Flowable's vacation
    request starts on a signal.) Start events of event subprocesses keep theirs: they react within a case."""
    for start in root.iter(_B + "startEvent"):
        parent = start.getparent()
        if parent is not None and parent.get("triggeredByEvent") == "true":
            continue
        for tag in _START_TRIGGERS:
            for definition in start.findall(f"bpmn:{tag}", NSMAP):
                start.remove(definition)
                changed.setdefault(f"start:{tag}", []).append(start.get("id"))


def _mark_empty_timers(root: Any) -> None:
    """A timer with no time: SpiffWorkflow's own text ("Unknown Time Specification") says not what to add.
    Mark it so that the loader, compiling only the process that runs, says what to add."""
    for definition in root.iter(_B + "timerEventDefinition"):
        event = definition.getparent()
        interrupting_boundary = local(event.tag) == "boundaryEvent" and event.get("cancelActivity", "true") != "false"
        if interrupting_boundary or _timer_text(definition) or _has_wait(event):
            continue  # an interrupting boundary becomes an outcome: its time is not waited for
        for child in list(definition):
            definition.remove(child)
        etree.SubElement(definition, _B + "timeDuration").text = NO_TIME


def _multi_instances(root: Any, changed: dict[str, list[str]], instances: Mapping[str, int], used: set[str]) -> dict[str, str]:
    """A multi-instance step with a fixed number of instances (the scenario's, else the file's
    loopCardinality) becomes that many copies of the step, one after the other (isSequential) or side
    by side between a parallel split and join."""
    original: dict[str, str] = {}
    for loop in list(root.iter(_B + "standardLoopCharacteristics")):
        raise _error("a loop marker (standardLoopCharacteristics) repeats the step until a condition holds, which the "
                     "simulation cannot evaluate; draw the repetition as an exclusive gateway back to the step, with the "
                     "share of cases that repeat it", loop.getparent())
    for mi in list(root.iter(_B + "multiInstanceLoopCharacteristics")):
        step = mi.getparent()
        tag = local(step.tag)
        card = mi.find("bpmn:loopCardinality", NSMAP)
        text = (card.text or "").strip().strip("\"'") if card is not None else ""
        sid = step.get("id")
        if sid in instances:
            used.add(sid)
            text = str(instances[sid])
        if not text.isdigit():
            given = f'its loopCardinality "{text}" is not a number' if text else "it has no loopCardinality"
            raise _error(f"multi-instance step: {given}, so the number of instances is decided by data the file does not "
                         f"have; give the number the simulation should run, in the scenario (steps: {{{sid}: {{instances: 3, "
                         "source: ...}}) or in the file (<bpmn:loopCardinality>3</bpmn:loopCardinality> inside its "
                         "multiInstanceLoopCharacteristics)", step)
        n = int(text)
        if not 1 <= n <= MAX_INSTANCES:
            raise _error(f"multi-instance step: loopCardinality {n} is out of range; expected 1 to {MAX_INSTANCES} instances", step)
        if tag not in ("userTask", *_STEP_TAGS):
            raise _error(f"multi-instance {tag}: only a single step can be repeated by the simulation; draw the "
                         f"{n} instances as a parallel split into {n} copies", step)
        step.remove(mi)
        if n == 1:
            continue
        copies = [step]
        anchor = step
        for i in range(2, n + 1):
            clone = _insert_after(anchor, _copy(step, _unique(root, f"{sid}__{i}")))
            original[clone.get("id")] = tag
            copies.append(clone)
            anchor = clone
        ins, outs = flows_into(root).get(sid, []), flows_from(root).get(sid, [])
        last = copies[-1]
        if mi.get("isSequential") == "true":
            for flow in outs:
                flow.set("sourceRef", last.get("id"))
            for a, b in zip(copies, copies[1:]):
                _flow(b, _unique(root, f"{a.get('id')}__next"), a.get("id"), b.get("id"))
        else:
            split = _element(anchor, "parallelGateway", id=_unique(root, f"{sid}__instances"))
            join = _element(split, "parallelGateway", id=_unique(root, f"{sid}__instances_done"))
            for flow in ins:
                flow.set("targetRef", split.get("id"))
            for flow in outs:
                flow.set("sourceRef", join.get("id"))
            for c in copies:
                _flow(join, _unique(root, f"{c.get('id')}__start"), split.get("id"), c.get("id"))
                _flow(join, _unique(root, f"{c.get('id')}__done"), c.get("id"), join.get("id"))
        changed.setdefault("multi-instance", []).append(f"{sid} ×{n}")
    return original


def _global_task_calls(root: Any, changed: dict[str, list[str]]) -> dict[str, str]:
    """A call activity calling a global task (globalUserTask, globalScriptTask, …) is that task: one step."""
    by_id = _by_id(root)
    original: dict[str, str] = {}
    for call in list(root.iter(_B + "callActivity")):
        target = by_id.get((call.get("calledElement") or "").split(":")[-1])
        tag = local(target.tag) if target is not None else ""
        if not tag.startswith("global") or not tag.endswith("Task"):
            continue
        step = tag[len("global"):]
        step = step[0].lower() + step[1:]  # globalBusinessRuleTask -> businessRuleTask
        call.tag = _B + "userTask"
        del call.attrib["calledElement"]
        original[call.get("id")] = step
        changed.setdefault("global task", []).append(f"{call.get('id')} ({tag} {target.get('id')})")
    return original


_FLOW_NODE_TAGS = (*_ACTIVITY_TAGS, *_GATEWAY_TAGS, "intermediateCatchEvent", "intermediateThrowEvent")


def _implicit_starts_and_ends(root: Any, changed: dict[str, list[str]]) -> None:
    """BPMN 2.0 makes start and end events optional (§10.5.2, §10.5.3): without a start event, every flow
    node with no incoming flow starts when the case does; a flow node with no outgoing flow ends its
    token. Both are made explicit events here (Bonita and Trisotech diagrams draw neither)."""
    ins, outs = flows_into(root), flows_from(root)
    for scope in [*root.iter(_B + "process"), *root.iter(_B + "subProcess")]:
        nodes = [el for el in scope if isinstance(el.tag, str) and local(el.tag) in _FLOW_NODE_TAGS
                 and el.get("isForCompensation") != "true" and el.get("triggeredByEvent") != "true"]
        if not nodes:
            continue
        if scope.find("bpmn:startEvent", NSMAP) is None:
            first = [el for el in nodes if not ins.get(el.get("id"))]
            if first:
                start = _element(first[0], "startEvent", id=_unique(root, f"{scope.get('id')}__start"))
                for el in first:
                    _flow(start, _unique(root, f"{start.get('id')}_to_{el.get('id')}"), start.get("id"), el.get("id"))
                changed.setdefault("implicit start", []).append(", ".join(el.get("id") for el in first))
        for el in nodes:
            if not outs.get(el.get("id")) and el.find("bpmn:linkEventDefinition", NSMAP) is None:  # a link throw goes on elsewhere
                end = _element(el, "endEvent", id=_unique(root, f"{el.get('id')}__end"))
                _flow(end, _unique(root, f"{el.get('id')}__to_end"), el.get("id"), end.get("id"))
                changed.setdefault("implicit end", []).append(el.get("id"))


def _copy(step: Any, new_id: str) -> Any:
    clone = etree.fromstring(etree.tostring(step))
    clone.tail = None
    clone.set("id", new_id)
    for child in list(clone):
        if isinstance(child.tag, str) and local(child.tag) in ("incoming", "outgoing"):
            clone.remove(child)
    return clone


def _implicit_splits(root: Any, changed: dict[str, list[str]]) -> None:
    """A node (not a gateway) with several outgoing flows: all unconditioned ones run in parallel,
    conditioned ones (conditional flows) are taken when their condition holds — BPMN's semantics,
    made explicit with a parallel or an inclusive gateway so that every executor reads it alike."""
    by_id = _by_id(root)
    for source, outs in flows_from(root).items():
        node = by_id.get(source)
        if node is None or len(outs) < 2 or local(node.tag) in _GATEWAY_TAGS:
            continue
        conditioned = [f for f in outs if f.find("bpmn:conditionExpression", NSMAP) is not None]
        default = node.get("default")
        if not conditioned and default is None:
            _route_through(root, node, "parallelGateway", "split")
            changed.setdefault("implicit split", []).append(source)
            continue
        gw = _route_through(root, node, "inclusiveGateway", "split")
        if default is not None:
            del node.attrib["default"]
            gw.set("default", default)
        for flow in outs:
            if flow not in conditioned and flow.get("id") != default:  # an unconditioned flow from a task is always taken
                etree.SubElement(flow, _B + "conditionExpression").text = "True"
        changed.setdefault("conditional flows", []).append(source)


def _boundary_events(root: Any, changed: dict[str, list[str]]) -> dict[str, str]:
    """Boundary events, any number per activity.

    * Interrupting (a deadline, an error): the simulation cannot know when it strikes, so its path is
      an *outcome* of the activity: an exclusive choice after it where the normal flow has share 1
      and each boundary path share 0, until the scenario gives the share (``routing: {flow: share}``).
    * Non-interrupting (a reminder, an escalation): a *parallel branch* that starts with the activity
      and waits the event's time (a timer's duration; other events are immediate unless the scenario
      sets ``steps.<id>.wait``), so a join further on receives the token it waits for.
    """
    by_activity: dict[str, list[Any]] = {}
    for b in root.iter(_B + "boundaryEvent"):
        by_activity.setdefault(b.get("attachedToRef") or "", []).append(b)
    by_id = _by_id(root)
    original: dict[str, str] = {}
    for activity_id, events in by_activity.items():
        activity = by_id.get(activity_id)
        if activity is None:
            raise _error(f'attachedToRef "{activity_id}" names no activity in the file; attach the boundary event to a '
                         "task or subprocess", events[0])
        compensation = [b for b in events if b.find("bpmn:compensateEventDefinition", NSMAP) is not None]
        for b in compensation:  # compensation undoes completed work; it is not part of a case's path
            b.getparent().remove(b)
            changed.setdefault("compensation", []).append(b.get("id"))
        events = [b for b in events if b not in compensation]
        forks = [b for b in events if b.get("cancelActivity") == "false" and b.find("bpmn:errorEventDefinition", NSMAP) is None]
        outcomes = [b for b in events if b not in forks]
        if forks:
            _as_parallel_branches(root, activity, forks)
            original.update((b.get("id"), "boundaryEvent") for b in forks)
            changed.setdefault("boundary fork", []).extend(b.get("id") for b in forks)
        if outcomes:
            _as_outcomes(root, activity, outcomes)
            changed.setdefault("boundary", []).extend(b.get("id") for b in outcomes)
    return original


def _as_parallel_branches(root: Any, activity: Any, events: list[Any]) -> None:
    aid = activity.get("id")
    _merge_before(root, activity)
    ins = flows_into(root).get(aid, [])
    fork = _element(activity, "parallelGateway", id=_unique(root, f"{aid}__fork"))
    for flow in ins:
        flow.set("targetRef", fork.get("id"))
    _flow(fork, _unique(root, f"{aid}__fork_to_task"), fork.get("id"), aid)
    for b in events:
        bid = b.get("id")
        b.tag = _B + "intermediateCatchEvent"  # same id, same definition: a timer waits its duration
        for attr in ("attachedToRef", "cancelActivity"):
            b.attrib.pop(attr, None)
        b.getparent().remove(b)
        _insert_after(fork, b)
        _flow(b, _unique(root, f"{aid}__fork_to_{bid}"), fork.get("id"), bid)
        if not flows_from(root).get(bid):
            end = _element(b, "endEvent", id=_unique(root, f"{bid}__end"))
            _flow(end, _unique(root, f"{bid}__to_end"), bid, end.get("id"))


def _as_outcomes(root: Any, activity: Any, events: list[Any]) -> None:
    aid = activity.get("id")
    normal = flows_from(root).get(aid, [])  # at most one: implicit splits were made explicit first
    gw = _element(activity, "exclusiveGateway", id=_unique(root, f"{aid}__outcome"),
                  name=" / ".join(b.get("name") or b.get("id") for b in events))
    if normal:
        normal[0].set("sourceRef", gw.get("id"))
        first = normal[0]
    else:  # the activity ends its path: so does its normal outcome
        end = _element(gw, "endEvent", id=_unique(root, f"{aid}__end"))
        first = _flow(end, _unique(root, f"{aid}__completed"), gw.get("id"), end.get("id"))
    _flow(gw, _unique(root, f"{aid}__to_outcome"), aid, gw.get("id"))
    ids = ", ".join(b.get("id") for b in events)
    _share(first, "1", f"assumption: normal outcome of {aid}; its boundary event(s) {ids} take no case until routing gives their share")
    for b in events:
        bid = b.get("id")
        outs = flows_from(root).get(bid, [])
        b.getparent().remove(b)
        if not outs:
            end = _element(gw, "endEvent", id=_unique(root, f"{bid}__end"))
            outs = [_flow(end, _unique(root, f"{bid}__taken"), gw.get("id"), end.get("id"))]
        for flow in outs:  # one at most: implicit splits after the boundary event went through a gateway first
            flow.set("sourceRef", gw.get("id"))
            _share(flow, "0", f"assumption: boundary event {bid} rewritten as an outcome of {aid}; set routing to give its share")


def _event_based_gateways(root: Any, changed: dict[str, list[str]]) -> None:
    """An event-based gateway is a race: the first of the events after it to happen decides the path.

    It becomes an exclusive choice whose shares are the odds of each event winning: the shares on its
    flows when the file gives them, else from the durations the file gives — the event that comes
    first (a message or signal is immediate unless the scenario sets ``steps.<id>.wait``; a timer waits
    its duration) wins every case, ties split evenly. ``routing: {flow: share}`` in the scenario sets them.
    """
    by_id = _by_id(root)
    for gw in list(root.iter(_B + "eventBasedGateway")):
        gid = gw.get("id")
        outs = flows_from(root).get(gid, [])
        for flow in outs:
            target = by_id.get(flow.get("targetRef"))
            if target is not None and local(target.tag) not in ("intermediateCatchEvent", "receiveTask"):
                raise _error(f'an event-based gateway is a race of the events after it, but flow "{flow.get("id")}" leads to '
                             f'{local(target.tag)} "{target.get("id")}"; put an intermediate catch event (timer, message) or a '
                             "receive task after each of its flows, or make it an exclusive gateway with shares", gw)
        gw.tag = _B + "exclusiveGateway"
        for attr in ("instantiate", "eventGatewayType"):
            gw.attrib.pop(attr, None)
        if len(outs) < 2:
            changed.setdefault("race", []).append(f"{gid} (one event)")
            continue
        if all(_has_share(f) for f in outs):
            changed.setdefault("race", []).append(f"{gid} (shares from the file)")
            continue
        times = [_event_hours(by_id.get(f.get("targetRef"))) for f in outs]
        if None in times:  # a duration we cannot compare here (a distribution, a date): nobody knows who wins
            for flow in outs:
                _share(flow, f"{1 / len(outs):.6g}", f"assumption: event-based gateway {gid} is a race the file's durations "
                       "do not decide; equal odds until routing gives them")
            changed.setdefault("race", []).append(f"{gid} (equal odds: the file's durations do not decide it)")
            continue
        first = min(t for t in times if t is not None)
        winners = [f for f, t in zip(outs, times) if t == first]
        for flow in outs:
            share = 1 / len(winners) if flow in winners else 0.0
            _share(flow, f"{share:.6g}", f"assumption: event-based gateway {gid} is a race; with the file's durations "
                   f"{'this event comes first' if share else 'another event comes first'}; set routing to give the odds")
        names = ", ".join(f.get("targetRef") for f in winners)
        changed.setdefault("race", []).append(f"{gid} ({names} first in every case)")


def _event_hours(event: Any) -> float | None:
    """How long the event after an event-based gateway takes to happen, in hours, as the file says."""
    if event is None:
        return None
    if _has_wait(event):
        return None  # a ReformSim wait with a unit and distribution: not comparable here; shares decide
    timer = event.find("bpmn:timerEventDefinition", NSMAP)
    if timer is None:
        return 0.0  # a message, signal or receive task: a hand-off taken as immediate
    parsed = iso_duration(_timer_text(timer))
    return None if parsed is None else parsed[0] * 24 + parsed[1] + parsed[2] / 60


def _mark_share_flows(root: Any) -> None:
    """SpiffWorkflow refuses a non-default gateway flow without a condition; flows routed by share
    (or, in diagrams from other modelers, by nothing) get a placeholder that only ReformSim reads."""
    outs = flows_from(root)
    for tag in ("exclusiveGateway", "inclusiveGateway"):
        for gw in root.iter(_B + tag):
            flows = outs.get(gw.get("id"), [])
            if len(flows) < 2:
                continue
            for flow in flows:
                if flow.get("id") != gw.get("default") and flow.find("bpmn:conditionExpression", NSMAP) is None:
                    etree.SubElement(flow, _B + "conditionExpression").text = SHARE_PLACEHOLDER


def _as_simulation_steps(root: Any, changed: dict[str, list[str]]) -> dict[str, str]:
    """Every kind of task becomes a step performed by staff (a SpiffWorkflow user task): scripts
    are never run, services never called, rules never evaluated, messages never awaited. Data
    objects and stores are dropped. A message/signal/conditional catch event becomes a hand-off
    wait of zero unless the scenario gives ``steps.<id>.wait``. Returns id -> original tag.
    """
    original: dict[str, str] = {}
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or etree.QName(el).namespace != BPMN_NS:
            continue
        tag = local(el.tag)
        if tag in _STEP_TAGS:
            original[el.get("id")] = tag
            if tag != "task" and tag != "manualTask":
                changed.setdefault(tag, []).append(el.get("id"))
            el.tag = _B + "userTask"
            for attr in list(el.attrib):
                if "}" not in attr and attr not in _USER_TASK_ATTRIBUTES:
                    del el.attrib[attr]
            for child in list(el):
                if isinstance(child.tag, str) and local(child.tag) in ("script", "ioSpecification", "rendering"):
                    el.remove(child)
        elif tag in _IGNORED:
            parent = el.getparent()
            if parent is not None:
                parent.remove(el)
                if tag.startswith(("dataObject", "dataStore")):
                    changed.setdefault("data", []).append(el.get("id") or tag)
        elif tag in _ARTIFACTS:
            changed.setdefault("artifact", []).append(f"{tag} {el.get('id') or ''}".strip())
        elif tag in ("intermediateCatchEvent", "intermediateThrowEvent"):
            for definition in list(el):
                kind = local(definition.tag) if isinstance(definition.tag, str) else ""
                if kind in _HANDOFF_EVENTS:
                    el.remove(definition)
                    if tag == "intermediateCatchEvent":
                        timer = etree.SubElement(el, _B + "timerEventDefinition")
                        etree.SubElement(timer, _B + "timeDuration").text = '"PT0H"'
                    changed.setdefault(f"{tag}:{kind}", []).append(el.get("id"))
    return original


def _empty_subprocesses_as_steps(root: Any, changed: dict[str, list[str]]) -> None:
    """A collapsed subprocess drawn with no content is one step."""
    for sub in list(root.iter(_B + "subProcess")):
        if sub.find("bpmn:startEvent", NSMAP) is None and not any(
                isinstance(c.tag, str) and local(c.tag).endswith(("Task", "task", "Event", "Gateway", "subProcess")) for c in sub):
            sub.tag = _B + "userTask"
            for child in list(sub):
                if isinstance(child.tag, str) and local(child.tag) not in ("incoming", "outgoing", "extensionElements"):
                    sub.remove(child)
            for attr in list(sub.attrib):
                if "}" not in attr and attr not in _USER_TASK_ATTRIBUTES:
                    del sub.attrib[attr]
            changed.setdefault("empty subProcess", []).append(sub.get("id"))


# What each kind of rewrite says, {shown} naming the elements; an event kind ("intermediateCatchEvent:timerEventDefinition")
# is looked up by its element and given its definition as {event}.
_NOTES = {
    "data": "data objects and stores ignored ({shown})",
    "artifact": "not simulated, they do not change the flow: {shown}",
    "intermediateCatchEvent": "{event} catch event(s) {shown}: a hand-off from another party, taken as immediate; "
                              "give it time with steps.<id>.wait in the scenario",
    "boundary": "interrupting boundary event(s) {shown}: their path is an outcome of the activity they are attached to, "
                "taken by no case unless the scenario gives its share (routing: <flow id>: share)",
    "boundary fork": "non-interrupting boundary event(s) {shown}: a parallel branch that starts with the activity and fires "
                     "in every case after its time (a timer fires once, even a cycle); timers wait their duration, other "
                     "events are immediate unless steps.<id>.wait sets one",
    "race": "event-based gateway(s) {shown}: a race of the events after it, routed by shares (the winner by the file's "
            "durations unless the file gives shares); set routing: {{<flow id>: share}} in the scenario",
    "implicit split": "{shown}: several outgoing flows without a gateway are taken in parallel (BPMN semantics)",
    "conditional flows": "{shown}: conditional outgoing flows without a gateway, each taken when its condition holds "
                         "(unconditioned ones always)",
    "global task": "call activities of global tasks simulated as steps: {shown}",
    "implicit start": "no start event: cases start at the flow node(s) without incoming flow ({shown}), as BPMN says",
    "implicit end": "flow node(s) with no outgoing flow end their path there, as BPMN says: {shown}",
    "multi-instance": "multi-instance step(s) {shown}: run as that many copies (ids <id>__2, <id>__3 …)",
    "dangling": "reference(s) to nothing ignored, the simulation does not throw or catch them: {shown}",
    "start": "{event} start event(s) {shown}: cases arrive as the scenario's arrivals say",
    "compensation": "compensation boundary event(s) {shown} ignored (they undo finished work, not part of a path)",
    "empty subProcess": "collapsed subprocess(es) {shown} with no content simulated as single steps",
    "intermediateThrowEvent": "{event} throw event(s) {shown}: passed through",
}


def _say(changed: dict[str, list[str]], notes: list[str]) -> None:
    """One note per kind of rewrite, naming the elements (texts in :data:`_NOTES`)."""
    for what, ids in changed.items():
        shown = ", ".join(str(i) for i in ids[:6]) + (" …" if len(ids) > 6 else "")
        kind, _, definition = what.partition(":")
        template = _NOTES.get(kind if definition else what, "{what}(s) {shown} simulated as steps; nothing is executed")
        notes.append(template.format(shown=shown, what=what, event=definition.replace("EventDefinition", "")))

