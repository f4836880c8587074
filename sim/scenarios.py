"""Reading scenario YAML files (safely) into :class:`~sim.model.scenario.Scenario`.

A scenario may ``extends: other.yaml`` (a path relative to its own file): the other file's
settings are the starting point and this file's settings are laid over them — mappings are
merged key by key, lists replaced, except ``edits`` and ``excluded_levers``, which are appended (a what-if adds a
lever to the plan it extends). Each file is validated on its own too, so a number a child sets
needs the child's own ``source``. Cycles are refused. ``extends`` and ``process`` may not
leave the allowed root (:mod:`sim.inputs`: the project folder, or ``--root``), and an error about
a parent file never quotes its values.

Example:
    >>> from pathlib import Path
    >>> import sim
    >>> root = Path(sim.__file__).parents[1] / "scenarios"
    >>> s = load_scenario(root / "whatif_registrar_plus2.yaml")
    >>> s.edits[0].agency, s.edits[0].add, Path(s.process).name  # +2 on the model's own staff
    ('market_regulation', 2, 'company_setup_2021.bpmn')
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import inputs
from .errors import ScenarioError
from .model.edits import FROM_FILE
from .model.ics_calendar import calendar_from_ics
from .model.official_days import parse_calendar
from .model.scenario import Scenario, parse_scenario

__all__ = ["load_scenario", "read_yaml", "load_scenario_mapping", "scenario_from_mapping", "merge_settings", "content_hash", "PROSIMOS_KEY"]


# In a run's merged settings (sim.whatif.distributed.RunSpec), the Prosimos JSON whose import is the base scenario
# (sim.interop.prosimos.process_and_scenario); set by --prosimos (sim.commands._args.target_settings), never by a file.
PROSIMOS_KEY = "prosimos"


def read_yaml(path: str | Path) -> object:
    """A scenario YAML file read with bounds (see :func:`sim.inputs.read_yaml`); errors name the file and line."""
    return inputs.read_yaml(path, inputs.SCENARIO)


# A parent reached by ``extends`` (or a ``calendar:`` file) is a file the user did not name: its problems are reported by
# key and file, never with its values (a ``..., got 'SECRET'`` from a file pulled in by a
# hostile scenario would leak it; see sim.inputs.redacted). Messages about the named file are cut to a short length.
_MAX_MESSAGE = 300


def _reported(exc: ScenarioError, *, named: bool, data: object = None) -> ScenarioError:
    if named:
        problems = [(where, what if len(what) <= _MAX_MESSAGE else what[:_MAX_MESSAGE] + "… (cut)") for where, what in exc.problems]
    else:
        problems = [(where, inputs.redacted(what, [data])) for where, what in exc.problems]
    return ScenarioError(problems, file=exc.file)


def merge_settings(base: Mapping[str, Any], over: Mapping[str, Any], top: bool = True) -> dict[str, Any]:
    """``over``'s settings on top of ``base``'s, mapping by mapping, as ``extends:`` merges them (edits are appended).

    >>> merge_settings({"agencies": {"a": {"staff": 2, "hours": "09:00-17:00"}}}, {"agencies": {"a": {"staff": 3}}})
    {'agencies': {'a': {'staff': 3, 'hours': '09:00-17:00'}}}
    """
    out = dict(base)
    for key, value in over.items():
        if top and key in ("edits", "excluded_levers") and isinstance(value, list) and isinstance(base.get(key), list):
            out[key] = [*base[key], *value]  # a what-if adds levers and exclusions to the plan it extends
        elif isinstance(value, Mapping) and isinstance(base.get(key), Mapping):
            out[key] = merge_settings(base[key], value, top=False)
        else:
            out[key] = value
    return out


def load_scenario_mapping(path: str | Path, *, root: str | Path | None = None,
                          _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The scenario's settings as one plain mapping, ``extends`` resolved and ``process`` made absolute.

    ``extends`` and ``process`` are paths relative to the file that writes them and must stay
    inside ``root`` (default: see :func:`sim.inputs.allowed_root`). Plain data (no proxies), so it
    can travel to a process pool or a Dask worker.
    """
    named = not _seen
    allowed = inputs.allowed_root(path, root) if named else Path(root or ".")
    path = Path(path).resolve()
    if path in _seen:
        chain = " → ".join(p.name for p in (*_seen, path))
        raise ScenarioError([("extends", f"scenarios extend each other in a cycle: {chain}")], file=str(_seen[-1]))
    try:
        data = read_yaml(path)
    except ScenarioError as exc:
        raise _reported(exc, named=named) from None
    if isinstance(data, Mapping) and isinstance(data.get("calendar"), str):
        # a holiday-arrangement file: read in here, so the scenario stays plain data for pools and Dask
        calendar_path = inputs.resolve_reference(data["calendar"], named_by=path, root=allowed, where="calendar",
                                                 expected="a holiday-arrangement file (.yaml or .ics)", echo=named)
        try:
            if calendar_path.suffix.lower() == ".ics":
                arrangement = calendar_from_ics(inputs.read_text(calendar_path, inputs.SCENARIO), file=str(calendar_path))
            else:
                arrangement = read_yaml(calendar_path)
            data = {**data, "calendar": arrangement}
            parse_calendar(data["calendar"], file=str(calendar_path))  # its problems located in its own file
        except ScenarioError as exc:  # a file the user did not name: key and line, not its values
            raise _reported(exc, named=False, data=data["calendar"]) from None
    try:
        # validate this layer alone: every problem of this file, with its own paths, before merging
        parse_scenario(data, file=str(path))
    except ScenarioError as exc:
        raise _reported(exc, named=named, data=data) from None
    assert isinstance(data, Mapping)
    data = dict(data)
    if "process" in data:
        data["process"] = str(inputs.resolve_reference(data["process"], named_by=path, root=allowed, where="process",
                                                       expected="a BPMN file", echo=named))
    parent = data.pop("extends", None)
    if parent is None:
        return data
    parent_path = inputs.resolve_reference(parent, named_by=path, root=allowed, where="extends",
                                           expected="another scenario file", echo=named)
    base = load_scenario_mapping(parent_path, root=allowed, _seen=(*_seen, path))
    if isinstance(base.get("edits"), list):  # inherited edits say where they were written (a grandparent's already do)
        base["edits"] = [{**e, FROM_FILE: str(parent_path)} if isinstance(e, Mapping) and FROM_FILE not in e else e
                         for e in base["edits"]]
    base.pop("name", None)  # a what-if is known by its own name, never its parent's
    base.pop("description", None)
    return merge_settings(base, data)


def scenario_from_mapping(data: Mapping[str, Any], *, file: str | None = None) -> Scenario:
    """Validate a merged mapping (from :func:`load_scenario_mapping`) into a :class:`Scenario`."""
    try:
        scenario = parse_scenario(data, file=file)
    except ScenarioError as exc:  # the merged settings: a long value echoed is cut short
        raise _reported(exc, named=True) from None
    if file is not None and "name" not in data:
        scenario = replace(scenario, name=Path(file).stem)
    return scenario


def content_hash(data: Mapping[str, Any]) -> str:
    """A short hash of the merged scenario settings (what was run, not how the file was laid out)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def load_scenario(path: str | Path, *, root: str | Path | None = None) -> Scenario:
    """Load and validate a scenario file; ``process:`` and ``extends:`` are resolved against the
    file's folder and must stay inside ``root`` (see :func:`load_scenario_mapping`)."""
    path = Path(path)
    return scenario_from_mapping(load_scenario_mapping(path, root=root), file=str(path))
