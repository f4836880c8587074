"""Ctrl-C (SIGINT) and SIGTERM: one way to stop a run, remembered so that nothing can swallow it.

Python raises ``KeyboardInterrupt`` wherever the main thread happens to be. Raised inside a
``__del__``, a weakref or garbage-collector callback, it is printed as "Exception ignored" and
dropped, and the run would go on to replace the report it was told to abandon. So while
:func:`handling` is active (the CLI's ``main``) the handler also *records* the signal, and the
places that make a result permanent — the rename in :func:`sim.files.atomic_open`, a set of report
files, a history ``COMMIT`` — run inside :func:`deferred`: a signal arriving there is held until
the step is whole, and one that arrived earlier (even if swallowed) stops the step before it starts.
An interrupt Python reports as "Exception ignored" (through :data:`sys.unraisablehook`: a ctypes
callback such as numba's compile cache, a ``__del__``) is not printed but delivered again, so it
surfaces in the next Python code instead of waiting for the next critical step — a first run's
numba compile takes half a minute, and Ctrl-C must not wait for it.

Clean-up after an interrupt that must not be cut short by a second Ctrl-C (pool workers
terminated, a transaction rolled back; well under a second) runs inside :func:`shielded`. A
third signal gives up on any clean-up and exits at once.

Outside :func:`handling` (a library user, a test calling functions directly) nothing changes:
Python's own Ctrl-C behaviour applies and :func:`deferred` only checks the record.

Example:
    >>> with handling():
    ...     with deferred():
    ...         check()          # no signal so far: nothing happens
    >>> exit_code(Terminated()), exit_code(KeyboardInterrupt())
    (143, 130)
"""

from __future__ import annotations

import _thread
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

__all__ = ["Terminated", "handling", "deferred", "check", "received", "exit_code", "shielded", "blocked", "worker_init"]

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_GIVE_UP_AFTER = 3  # signals: the user insists, clean-up or not
_REDELIVER_AFTER = 0.05  # seconds: enough for the hook to return, far below a person's patience


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be, so both unwind the same way (nothing half-written kept)."""


_received: list[int] = []  # signal numbers received while handling() is active, first first
_state = {"active": False, "deferring": 0, "redelivered": 0}


def _interrupt(signum: int) -> KeyboardInterrupt:
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _handler(signum: int, frame: FrameType | None) -> None:
    if _state["redelivered"]:
        _state["redelivered"] -= 1  # our own second delivery of a swallowed interrupt: not a new signal
    else:
        _received.append(signum)
    if len(_received) >= _GIVE_UP_AFTER:
        os._exit(128 + _received[0])  # why: a third signal means the user will not wait for any clean-up
    if _state["deferring"]:
        return  # held until the critical step (or the clean-up) is whole
    raise _interrupt(signum)  # a second one too: the first may have been swallowed, and the user asks again


@contextmanager
def handling() -> Iterator[None]:
    """Install the handler for SIGINT and SIGTERM for the duration (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread() or _state["active"]:
        yield
        return
    previous = {s: signal.signal(s, _handler) for s in SIGNALS}
    previous_hook = sys.unraisablehook
    _state.update(active=True, deferring=0, redelivered=0)
    _received.clear()

    def unraisable(info: "sys.UnraisableHookArgs") -> None:
        if isinstance(info.exc_value, KeyboardInterrupt) and _received:
            _redeliver()
        else:
            previous_hook(info)

    previous_excepthook = sys.excepthook

    def excepthook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        # Cython's noexcept functions (scipy's Sobol' tables) print a dropped error with PyErr_PrintEx, which calls
        # this hook before the unraisable one: our own interrupt is not the user's traceback to read.
        if not (isinstance(value, KeyboardInterrupt) and _received):
            previous_excepthook(kind, value, tb)

    sys.unraisablehook, sys.excepthook = unraisable, excepthook
    try:
        yield
    finally:
        sys.unraisablehook, sys.excepthook = previous_hook, previous_excepthook
        for s, h in previous.items():
            signal.signal(s, h)
        _state.update(active=False, deferring=0, redelivered=0)
        _received.clear()


def _redeliver() -> None:
    """Deliver the first signal again: its interrupt was raised where Python drops exceptions.

    From a short-lived thread, a moment later: tripped inside the hook, the handler would run (and
    be dropped) before the hook returns. Its interrupt surfaces at the main thread's next bytecode
    outside the code that swallowed it; if that swallows it too, the hook runs again.
    """
    _state["redelivered"] += 1
    signum = _received[0]

    def later() -> None:
        time.sleep(_REDELIVER_AFTER)
        if _state["active"]:
            _thread.interrupt_main(signum)
        else:
            _state["redelivered"] = 0

    threading.Thread(target=later, name="reformsim-redeliver", daemon=True).start()


def received() -> int | None:
    """The first signal received while :func:`handling` is active, or None."""
    return _received[0] if _received else None


def check() -> None:
    """Raise the interrupt of a signal received earlier (it may have been swallowed on the way)."""
    if _received:
        raise _interrupt(_received[0])


@contextmanager
def deferred() -> Iterator[None]:
    """A step that must be whole: refused if a signal came before it, a signal during it raised after it.

    A step that fails for its own reasons is not masked: its exception propagates as it is. Nested
    steps are parts of the outer one: only the outermost checks.
    """
    if _state["deferring"]:
        yield
        return
    check()
    with shielded():
        yield
    check()


@contextmanager
def shielded() -> Iterator[None]:
    """Signals recorded but not raised for the duration; nothing checked before or after.

    For the clean-up of a run already being interrupted, e.g. stopping pool workers: a second
    Ctrl-C must not leave them running.
    """
    _state["deferring"] += 1
    try:
        yield
    finally:
        _state["deferring"] -= 1


def exit_code(exc: BaseException) -> int:
    """The exit status of an interrupted run: 128 + the signal's number, as shells report it (130, 143)."""
    return 128 + (signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT)


@contextmanager
def blocked() -> Iterator[None]:
    """SIGINT and SIGTERM held back in this thread for the duration (delivered after it).

    Around starting pool workers: a process forked here starts with them blocked, so a signal in
    its first moments (before :func:`worker_init`) cannot run the parent's handler in it and print
    a traceback from the middle of multiprocessing's start-up.
    """
    if not hasattr(signal, "pthread_sigmask"):  # not on Windows, where there is no fork either
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def worker_init() -> None:
    """In a pool worker: ignore Ctrl-C (the terminal sends it to the whole process group; the parent
    stops the workers itself) and let SIGTERM kill at once (that is how the parent stops them).
    Then accept the signals :func:`blocked` held back while the worker was forked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _received.clear()
    _state.update(active=False, deferring=0)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
