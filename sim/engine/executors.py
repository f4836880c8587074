"""How a replication's cases are walked, as objects handed to ``simulate(..., executor=...)``.

:class:`Compiled` (default) walks the graph compiled once from the spec; :class:`Spiff` runs every
case as a real SpiffWorkflow ``BpmnWorkflow`` and so needs the BPMN file as read (an edited
process has none). :func:`executor_for` is the one table from the CLI's ``--executor`` name.

Example:
    >>> executor_for("spiff"), Compiled().name
    (Spiff(), 'compiled')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

from ..errors import SimulationError

if TYPE_CHECKING:
    from ..bpmn.loader import LoadedProcess
    from .core import Replication

__all__ = ["Executor", "Compiled", "Spiff", "EXECUTORS", "executor_for"]


class Executor(Protocol):
    name: ClassVar[str]

    def run(self, rep: Replication, arrivals: list[float], loaded: LoadedProcess | None) -> None:
        """Walk every case of ``rep`` arriving at ``arrivals``."""
        ...


@dataclass(frozen=True)
class Compiled:
    """SimPy walks the compiled graph (about 20,000 cases/s)."""

    name: ClassVar[str] = "compiled"

    def run(self, rep: Replication, arrivals: list[float], loaded: LoadedProcess | None) -> None:
        from .compiled import run_compiled

        run_compiled(rep, arrivals)


@dataclass(frozen=True)
class Spiff:
    """Every case a SpiffWorkflow ``BpmnWorkflow``; SimPy owns time (the reference interpreter)."""

    name: ClassVar[str] = "spiff"

    def run(self, rep: Replication, arrivals: list[float], loaded: LoadedProcess | None) -> None:
        if loaded is None:
            raise SimulationError("the spiff executor needs the BPMN file (an edited process has none); use --executor compiled")
        from .spiff import run_spiff

        run_spiff(rep, arrivals, loaded)


EXECUTORS: dict[str, type[Compiled] | type[Spiff]] = {"compiled": Compiled, "spiff": Spiff}


def executor_for(name: str) -> Compiled | Spiff:
    """The executor named on the command line."""
    try:
        return EXECUTORS[name]()
    except (KeyError, TypeError):
        raise SimulationError(f'unknown executor "{name}"; expected one of {", ".join(EXECUTORS)}') from None
