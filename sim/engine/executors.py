"""How a replication's cases are walked, as objects handed to ``simulate(..., executor=...)``.

:class:`Compiled` (default) walks the graph compiled once from the spec; :class:`Spiff` runs every
case as a real SpiffWorkflow ``BpmnWorkflow`` and so needs the BPMN file as read (an edited
process has none); :class:`~sim.engine.fast.Fast` runs the compiled executor's semantics as a numba
event loop, with identical records, on the models it supports (:func:`settle` says which executor
runs a model, and why when it is not the one asked for). :func:`executor_for` is the one table
from the CLI's ``--executor`` name.

Example:
    >>> executor_for("spiff"), Compiled().name, executor_for("fast").name
    (Spiff(), 'compiled', 'fast')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

from ..errors import SimulationError

from .fast import Fast

if TYPE_CHECKING:
    from ..bpmn.loader import LoadedProcess
    from .core import CompiledModel, Replication

__all__ = ["Executor", "Compiled", "Spiff", "Fast", "EXECUTORS", "EXPLORING", "executor_for", "settle"]


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


EXECUTORS: dict[str, type[Compiled] | type[Spiff] | type[Fast]] = {"compiled": Compiled, "spiff": Spiff, "fast": Fast}


EXPLORING = Fast()  # what assess, compare, sweep and sensitivity run: fast where it can (identical records), else compiled


def settle(executor: Executor, model: CompiledModel) -> tuple[Executor, str | None]:
    """The executor that runs ``model`` and, when it is not ``executor``, a note saying why.

    Only :class:`~sim.engine.fast.Fast` ever hands over (to :class:`Compiled`, on a model it does
    not support; with ``Fast(strict=True)`` it raises :class:`~sim.engine.fast.Unsupported` instead).
    """
    choose = getattr(executor, "settle", None)
    return choose(model) if choose is not None else (executor, None)


def executor_for(name: str) -> Compiled | Spiff | Fast:
    """The executor named on the command line."""
    try:
        return EXECUTORS[name]()
    except (KeyError, TypeError):
        raise SimulationError(f'unknown executor "{name}"; expected one of {", ".join(EXECUTORS)}') from None
