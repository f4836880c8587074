"""Exceptions raised by ReformSim.

Every error a user can cause (a broken BPMN file, a bad scenario, a date outside the calendar)
is a :class:`ReformSimError`; its message names where the problem is and what was expected, so
the CLI can print it in one or two lines without a traceback.

Example:
    >>> err = ModelError("bad value", file="a.bpmn", element_id="Task_1", tag="userTask", line=12)
    >>> str(err)
    'a.bpmn:12: userTask id="Task_1": bad value'
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "ReformSimError",
    "ModelError",
    "ScenarioError",
    "CalendarError",
    "ExpressionError",
    "SimulationError",
    "did_you_mean",
]


class ReformSimError(Exception):
    """Base class of every error ReformSim raises on bad input."""


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ``' (did you mean "x"?)'`` for the closest choice, or ``''``.

    >>> did_you_mean("registar", ["registrar", "tax"])
    ' (did you mean "registrar"?)'
    """
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


class ModelError(ReformSimError):
    """A problem in a process (BPMN) file, located by file, element id, tag and line."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        element_id: str | None = None,
        tag: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.element_id = element_id
        self.tag = tag
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or "<process>"
        if self.line:
            where += f":{self.line}"
        element = ""
        if self.tag or self.element_id:
            element = f" {self.tag or 'element'}"
            if self.element_id:
                element += f' id="{self.element_id}"'
            element += ":"
        return f"{where}:{element} {self.message}"


class ScenarioError(ReformSimError):
    """Problems in a scenario or register YAML file; all problems of one file are reported together.

    >>> str(ScenarioError([("agencies.registrar.staff", "expected a whole number > 0, got -1")], file="s.yaml"))
    's.yaml: agencies.registrar.staff: expected a whole number > 0, got -1'
    """

    def __init__(self, problems: list[tuple[str, str]], *, file: str | None = None) -> None:
        self.problems = problems
        self.file = file
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or "<scenario>"
        return "\n".join(f"{where}: {path}: {what}" if path else f"{where}: {what}" for path, what in self.problems)


class CalendarError(ReformSimError):
    """A date outside the years the official holiday calendar covers, or a calendar with no working time."""


class ExpressionError(ReformSimError):
    """An expression (gateway condition, scenario rule) that is not allowed or cannot be evaluated."""


class SimulationError(ReformSimError):
    """A run that cannot go on, e.g. a case that never finishes."""
