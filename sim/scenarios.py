"""Reading scenario YAML files (safely) into :class:`~sim.model.scenario.Scenario`.

Example:
    >>> from pathlib import Path
    >>> import sim
    >>> s = load_scenario(Path(sim.__file__).parents[1] / "scenarios" / "company_setup_2021.yaml")  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml

from .errors import ScenarioError
from .model.scenario import Scenario, parse_scenario

__all__ = ["load_scenario", "read_yaml"]


def read_yaml(path: str | Path) -> object:
    """``yaml.safe_load`` (no tags, no code) with errors that name the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError([("", f"cannot read the file: {exc.strerror}")], file=str(path)) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise ScenarioError([(where, f"not valid YAML: {getattr(exc, 'problem', exc)}")], file=str(path)) from None


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file; a relative ``process:`` path is resolved against the file's folder."""
    path = Path(path)
    scenario = parse_scenario(read_yaml(path), file=str(path))
    if scenario.process is not None:
        process_path = (path.parent / scenario.process).resolve()
        if not process_path.exists():
            raise ScenarioError([("process", f"file not found: {process_path}")], file=str(path))
        scenario = replace(scenario, process=str(process_path))
    return scenario
