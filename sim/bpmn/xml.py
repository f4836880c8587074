"""Safe XML reading for files from someone else.

A BPMN file with a DTD or entity declarations (billion laughs, external entities) is refused
before any parser sees it; the remaining XML is parsed by lxml with entity resolution and
network access off, keeping line numbers for error messages.

Example:
    >>> read_xml(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "evil.bpmn")
    Traceback (most recent call last):
    ...
    sim.errors.ModelError: evil.bpmn:1: the file declares a DTD or entities (<!DOCTYPE/<!ENTITY); BPMN needs neither, and they are how billion-laughs and external entity attacks work — remove them
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..errors import ModelError
from ..inputs import BPMN, read_bytes

__all__ = ["read_xml", "refuse_dtd", "local", "sequence_flows", "flows_from", "flows_into", "sync_flow_refs", "NSMAP", "BPMN_NS", "BPMNDI_NS", "DC_NS", "DI_NS", "SPIFF_NS", "CAMUNDA_NS", "XSI_NS"]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS, "spiffworkflow": SPIFF_NS}

_DANGER = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=False)


def read_xml(data: bytes | str | Path, name: str | None = None) -> etree._ElementTree:
    """Parse ``data`` (bytes, or a path) safely; raise :class:`ModelError` naming the file."""
    if isinstance(data, (str, Path)):
        name = name or str(data)
        data = read_bytes(data, BPMN, name)  # regular files only, size-limited, never blocks on a FIFO
    name = name or "<bytes>"
    refuse_dtd(data, name)
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        raise ModelError(f"not well-formed XML: {exc.msg}", file=name, line=exc.lineno) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # anything the byte check missed
        raise ModelError("the file declares a DTD (<!DOCTYPE); BPMN needs none — remove it", file=name)
    return tree


def refuse_dtd(data: bytes | str, name: str) -> None:
    """Raise :class:`ModelError` if ``data`` declares a DTD or entities (also for XML that is not BPMN, e.g. XES)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    # The check runs on the bytes, before libxml2 sees them; dropping NUL bytes makes a UTF-16
    # file (with or without a byte-order mark) readable to it too.
    probe = data.replace(b"\x00", b"")
    match = _DANGER.search(probe)
    if match:
        line = probe[: match.start()].count(b"\n") + 1
        raise ModelError(
            "the file declares a DTD or entities (<!DOCTYPE/<!ENTITY); BPMN needs neither, and they are how "
            "billion-laughs and external entity attacks work — remove them", file=name, line=line)


def local(tag: object) -> str:
    """``{ns}userTask`` -> ``userTask``; ``""`` for comments and processing instructions."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def sequence_flows(root: etree._Element) -> list[etree._Element]:
    """Every ``bpmn:sequenceFlow`` under ``root``, in document order: the one source of the graph.

    A flow's ``sourceRef``/``targetRef`` attributes are required by BPMN 2.0; the ``<incoming>`` and
    ``<outgoing>`` children of its ends are optional (Bonita, Activiti, Flowable and Prosimos omit
    them), so the graph is built from the flows, never from those children.

    >>> tree = read_xml(b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">'
    ...                 b'<sequenceFlow id="f" sourceRef="a" targetRef="b"/></process></definitions>')
    >>> [(f.get("sourceRef"), f.get("targetRef")) for f in sequence_flows(tree.getroot())]
    [('a', 'b')]
    """
    return list(root.iter(f"{{{BPMN_NS}}}sequenceFlow"))


def flows_from(root: etree._Element) -> dict[str, list[etree._Element]]:
    """Source element id -> its outgoing ``sequenceFlow`` elements (document order)."""
    out: dict[str, list[etree._Element]] = {}
    for flow in sequence_flows(root):
        out.setdefault(flow.get("sourceRef") or "", []).append(flow)
    return out


def flows_into(root: etree._Element) -> dict[str, list[etree._Element]]:
    """Target element id -> its incoming ``sequenceFlow`` elements (document order)."""
    out: dict[str, list[etree._Element]] = {}
    for flow in sequence_flows(root):
        out.setdefault(flow.get("targetRef") or "", []).append(flow)
    return out


# Children a flow node may have before its <incoming>/<outgoing> (BPMN 2.0 XSD: tBaseElement, tFlowNode).
_HEAD = ("documentation", "extensionElements", "auditing", "monitoring", "categoryValueRef")


def sync_flow_refs(root: etree._Element) -> None:
    """Rewrite every flow node's ``<incoming>``/``<outgoing>`` children from the sequence flows.

    SpiffWorkflow's parser reads these children for some checks; after the preparation step has
    rerouted flows (and for files that never had them) they must say what the flows say. They go
    where the schema wants them: after documentation/extensionElements, before everything else.

    >>> tree = read_xml(b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">'
    ...                 b'<task id="a"/><sequenceFlow id="f" sourceRef="a" targetRef="a"/></process></definitions>')
    >>> sync_flow_refs(tree.getroot())
    >>> [(local(c.tag), c.text) for c in tree.getroot()[0][0]]
    [('incoming', 'f'), ('outgoing', 'f')]
    """
    ins, outs = flows_into(root), flows_from(root)
    ends = set(ins) | set(outs)
    for el in root.iter():
        if not isinstance(el.tag, str) or el.get("id") not in ends or local(el.tag) == "sequenceFlow":
            continue
        for child in list(el):
            if local(child.tag) in ("incoming", "outgoing") and etree.QName(child).namespace == BPMN_NS:
                el.remove(child)
        position = 0
        for i, child in enumerate(el):
            if local(child.tag) in _HEAD or not isinstance(child.tag, str):
                position = i + 1
            else:
                break
        refs = [("incoming", f) for f in ins.get(el.get("id"), [])] + [("outgoing", f) for f in outs.get(el.get("id"), [])]
        for offset, (kind, flow) in enumerate(refs):
            ref = etree.Element(f"{{{BPMN_NS}}}{kind}")
            ref.text = flow.get("id")
            el.insert(position + offset, ref)
