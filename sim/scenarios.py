"""Reading scenario YAML files (safely) into :class:`~sim.model.scenario.Scenario`.

A scenario may ``extends: other.yaml`` (a path relative to its own file): the other file's
settings are the starting point and this file's settings are laid over them — mappings are
merged key by key, lists replaced, except ``edits``, which are appended (a what-if adds a
lever to the plan it extends). Each file is validated on its own too, so a number a child sets
needs the child's own ``source``. Cycles are refused.

Example:
    >>> from pathlib import Path
    >>> import sim
    >>> root = Path(sim.__file__).parents[1] / "scenarios"
    >>> s = load_scenario(root / "whatif_registrar_plus2.yaml")
    >>> s.agencies["market_regulation"].staff, Path(s.process).name
    (6, 'company_setup_2021.bpmn')
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from .errors import ScenarioError
from .model.official_days import parse_calendar
from .model.scenario import Scenario, parse_scenario

__all__ = ["load_scenario", "read_yaml", "load_scenario_mapping", "scenario_from_mapping", "content_hash"]


class _Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` without implicit dates: ``2021-13-01`` stays text, so a bad date is a
    located message from the scenario's own checks instead of a constructor's ValueError."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: str | Path) -> object:
    """``yaml.safe_load`` (no tags, no code) with errors that name the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError([("", f"cannot read the file: {exc.strerror}")], file=str(path)) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise ScenarioError([(where, f"not valid YAML: {getattr(exc, 'problem', exc)}")], file=str(path)) from None


def _merge(base: Mapping[str, Any], over: Mapping[str, Any], top: bool = True) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if top and key == "edits" and isinstance(value, list) and isinstance(base.get("edits"), list):
            out[key] = [*base["edits"], *value]
        elif isinstance(value, Mapping) and isinstance(base.get(key), Mapping):
            out[key] = _merge(base[key], value, top=False)
        else:
            out[key] = value
    return out


def load_scenario_mapping(path: str | Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The scenario's settings as one plain mapping, ``extends`` resolved and ``process`` made absolute.

    Plain data (no proxies), so it can travel to a process pool or a Dask worker.
    """
    path = Path(path).resolve()
    if path in _seen:
        chain = " → ".join(p.name for p in (*_seen, path))
        raise ScenarioError([("extends", f"scenarios extend each other in a cycle: {chain}")], file=str(_seen[-1]))
    data = read_yaml(path)
    if isinstance(data, Mapping) and isinstance(data.get("calendar"), str):
        # a holiday-arrangement file: read in here, so the scenario stays plain data for pools and Dask
        calendar_path = (path.parent / data["calendar"]).resolve()
        if not calendar_path.is_file():
            raise ScenarioError([("calendar", f"file not found: {calendar_path}")], file=str(path))
        data = {**data, "calendar": read_yaml(calendar_path)}
        parse_calendar(data["calendar"], file=str(calendar_path))  # its problems located in its own file
    # validate this layer alone: every problem of this file, with its own paths, before merging
    parse_scenario(data, file=str(path))
    assert isinstance(data, Mapping)
    data = dict(data)
    if isinstance(data.get("process"), str):
        process_path = (path.parent / data["process"]).resolve()
        if not process_path.exists():
            raise ScenarioError([("process", f"file not found: {process_path}")], file=str(path))
        data["process"] = str(process_path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent:
        raise ScenarioError([("extends", f"expected the path of another scenario file, got {parent!r}")], file=str(path))
    parent_path = path.parent / parent
    if not parent_path.exists():
        raise ScenarioError([("extends", f"file not found: {parent_path.resolve()}")], file=str(path))
    base = load_scenario_mapping(parent_path, (*_seen, path))
    base.pop("name", None)  # a what-if is known by its own name, never its parent's
    base.pop("description", None)
    return _merge(base, data)


def scenario_from_mapping(data: Mapping[str, Any], *, file: str | None = None) -> Scenario:
    """Validate a merged mapping (from :func:`load_scenario_mapping`) into a :class:`Scenario`."""
    scenario = parse_scenario(data, file=file)
    if file is not None and "name" not in data:
        scenario = replace(scenario, name=Path(file).stem)
    return scenario


def content_hash(data: Mapping[str, Any]) -> str:
    """A short hash of the merged scenario settings (what was run, not how the file was laid out)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file; a relative ``process:`` path is resolved against the file's folder."""
    path = Path(path)
    return scenario_from_mapping(load_scenario_mapping(path), file=str(path))
