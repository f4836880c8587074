"""Rewrite a parsed BPMN tree so that any diagram can be simulated (the file itself is not changed).

Diagrams from modelers carry things a simulation cannot run or need not run: script, service
and rule tasks, data objects, message events, boundary events, collapsed subprocesses, gateways
routed by nothing. :func:`prepare_for_simulation` turns each into what the simulation means by
it, before SpiffWorkflow parses the tree, and says what it did in ``notes``.

Example:
    >>> from sim.bpmn.xml import read_xml
    >>> tree = read_xml(b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">'
    ...                 b'<scriptTask id="t"><script>rm -rf /</script></scriptTask></process></definitions>')
    >>> notes = []
    >>> prepare_for_simulation(tree.getroot(), notes)
    {'t': 'scriptTask'}
    >>> notes
    ['scriptTask(s) t simulated as steps; nothing is executed']
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from ..errors import ModelError
from .xml import NSMAP, local

__all__ = ["prepare_for_simulation", "SHARE_PLACEHOLDER"]


def prepare_for_simulation(root: Any, notes: list[str]) -> dict[str, str]:
    """All rewrites, in order; returns element id -> original tag of every task retagged as a step."""
    original = _as_simulation_steps(root, notes)
    _mark_share_flows(root)  # after the rewrites: boundary outcomes add share-routed flows
    return original


SHARE_PLACEHOLDER = "__reformsim_share__"


def _mark_share_flows(root: Any) -> None:
    """SpiffWorkflow refuses a non-default gateway flow without a condition; flows routed by share
    (or, in diagrams from other modelers, by nothing) get a placeholder that only ReformSim reads."""
    for tag in ("exclusiveGateway", "inclusiveGateway"):
        for gw in root.iter(f"{{{NSMAP['bpmn']}}}{tag}"):
            outgoing = [(o.text or "").strip() for o in gw.findall("bpmn:outgoing", NSMAP)] or [
                f.get("id") for f in root.iter(f"{{{NSMAP['bpmn']}}}sequenceFlow") if f.get("sourceRef") == gw.get("id")]
            # (bpmn:outgoing is optional in the schema; without it the flows are found by sourceRef)
            if len(outgoing) < 2:
                continue
            for flow in root.iter(f"{{{NSMAP['bpmn']}}}sequenceFlow"):
                if flow.get("id") in outgoing and flow.get("id") != gw.get("default") and flow.find("bpmn:conditionExpression", NSMAP) is None:
                    cond = etree.SubElement(flow, f"{{{NSMAP['bpmn']}}}conditionExpression")
                    cond.text = SHARE_PLACEHOLDER


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
        etree.SubElement(parent, f"{{{bpmn}}}sequenceFlow", id=link_id, sourceRef=task_id, targetRef=gw_id)
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
