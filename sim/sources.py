"""The project's sources file (``sim/data/sources.yaml``): the published figures models cite by id.

A ``source`` text cites a figure by its id (``wait: CN.target.starting_a_business.2018.per_step_pre_reform_days.seal``);
an id resolves when it is an entry's id or the group (dotted prefix) of entry ids, so
``DB2018.CHN.starting_a_business`` names the whole DB2018 starting-a-business row.

Example:
    >>> resolve("DB2018.CHN.starting_a_business.time_days")["value"]
    22.9
    >>> resolve("DB2018.CHN.starting_a_business")["grade"], resolve("no.such.id")
    ('measured', None)
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import ReformSimError

__all__ = ["SOURCES_FILE", "REQUIRED", "GRADES", "ID_PATTERN", "entries", "resolve", "cited_ids"]

SOURCES_FILE = Path(__file__).with_name("data") / "sources.yaml"
REQUIRED = ("id", "value", "unit", "grade", "measures", "citation")
GRADES = ("statute", "measured", "plan", "assumption")
# how a cited figure id looks inside a source text: an upper-case head (DB2018, CN, HN) and dotted parts
ID_PATTERN = re.compile(r"\b(?:DB20\d\d|DB|CN|HN)\.[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*")


class SourcesError(ReformSimError):
    """The sources file is malformed."""


@lru_cache(maxsize=None)
def entries() -> dict[str, dict[str, Any]]:
    """Id → entry of the sources file, checked for the required keys and a known grade."""
    try:
        data = yaml.safe_load(SOURCES_FILE.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SourcesError(f"{SOURCES_FILE}: cannot read the sources file: {exc}") from exc
    out: dict[str, dict[str, Any]] = {}
    for i, e in enumerate(data.get("entries") or []):
        where = f"{SOURCES_FILE}: entries[{i}]"
        missing = [k for k in REQUIRED if not isinstance(e, dict) or e.get(k) in (None, "")]
        if missing:
            raise SourcesError(f"{where}: expected keys {', '.join(REQUIRED)}; missing {', '.join(missing)}")
        if e["grade"] not in GRADES:
            raise SourcesError(f"{where} ({e['id']}): grade must be one of {', '.join(GRADES)}, got {e['grade']!r}")
        if e["id"] in out:
            raise SourcesError(f"{where}: duplicate id {e['id']!r}")
        out[e["id"]] = e
    return out


def resolve(figure_id: str) -> dict[str, Any] | None:
    """The entry an id names: the entry itself, or the first entry of the group it prefixes; None if unknown."""
    table = entries()
    if figure_id in table:
        return table[figure_id]
    return next((e for k, e in table.items() if k.startswith(figure_id + ".")), None)


def cited_ids(text: str) -> list[str]:
    """The figure ids a source text cites, in order (``"wait: CN.rule.deregistration.2021 (20 days)"`` → ``["CN.rule.deregistration.2021"]``)."""
    return ID_PATTERN.findall(text)
