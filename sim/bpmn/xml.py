"""Safe XML reading for files from someone else.

A BPMN file with a DTD or entity declarations (billion laughs, external entities) is refused
before any parser sees it; the remaining XML is parsed by lxml with entity resolution and
network access off, keeping line numbers for error messages.

Example:
    >>> read_xml(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "evil.bpmn")
    Traceback (most recent call last):
    ...
    sim.errors.ModelError: evil.bpmn:1: the file declares a DTD or entities (<!DOCTYPE/<!ENTITY); BPMN needs neither, and they can be used to attack the reader — remove them
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..errors import ModelError

__all__ = ["read_xml", "BPMN_NS", "SPIFF_NS", "NSMAP", "local"]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NSMAP = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS,
         "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
         "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}

_DANGER = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_MAX_BYTES = 50 * 1024 * 1024


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=False)


def read_xml(data: bytes | str | Path, name: str | None = None) -> etree._ElementTree:
    """Parse ``data`` (bytes, or a path) safely; raise :class:`ModelError` naming the file."""
    if isinstance(data, (str, Path)):
        path = Path(data)
        name = name or str(path)
        try:
            if path.stat().st_size > _MAX_BYTES:
                raise ModelError(f"the file is larger than {_MAX_BYTES // 2**20} MiB; is it really a BPMN model?", file=name)
            data = path.read_bytes()
        except OSError as exc:
            raise ModelError(f"cannot read the file: {exc.strerror}", file=name) from None
    name = name or "<bytes>"
    # Entities in other encodings (UTF-16) would hide from the byte check: decode first when declared.
    probe = data
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        probe = data.decode("utf-16", errors="ignore").encode("utf-8")
    match = _DANGER.search(probe)
    if match:
        line = probe[: match.start()].count(b"\n") + 1
        raise ModelError(
            "the file declares a DTD or entities (<!DOCTYPE/<!ENTITY); BPMN needs neither, and they can be "
            "used to attack the reader — remove them", file=name, line=line)
    try:
        return etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        raise ModelError(f"not well-formed XML: {exc.msg}", file=name, line=exc.lineno) from None


def local(tag: str) -> str:
    """``{ns}userTask`` -> ``userTask``."""
    return tag.rsplit("}", 1)[-1]
