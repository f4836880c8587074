"""sim.interrupts in-process: an interrupt Python drops ("Exception ignored") still stops the run.

The first Ctrl-C of a fresh install often lands in numba's compile, inside a ctypes callback,
where Python prints the KeyboardInterrupt and carries on; the compile then runs half a minute
more (seen in CI as a child that did not exit within 20 s). These tests reproduce that with a
ctypes callback of our own, so they fail if the swallowed interrupt is not delivered again.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time

import pytest

from sim import interrupts

CALLBACK = ctypes.CFUNCTYPE(None)


def _signal_inside_a_ctypes_callback(sig: int) -> None:
    """Send ``sig`` to ourselves and let its handler run inside a ctypes callback (which drops it)."""

    def inside() -> None:
        os.kill(os.getpid(), sig)
        for _ in range(1000):  # bytecodes for the handler to run on, still inside the callback
            time.sleep(0)

    CALLBACK(inside)()


def _work_after(seconds: float) -> int:
    """Ordinary Python work after the callback: the interrupt must surface here, not after it."""
    steps, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        steps += 1
    return steps


@pytest.mark.parametrize("sig, exc", [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, interrupts.Terminated)])
def test_an_interrupt_dropped_in_a_ctypes_callback_is_raised_again(sig: int, exc: type, capsys) -> None:
    start = time.monotonic()
    with pytest.raises(exc):
        with interrupts.handling():
            _signal_inside_a_ctypes_callback(sig)
            _work_after(5.0)
    assert time.monotonic() - start < 2.0, "the interrupt waited for the work to end"
    assert "Exception ignored" not in capsys.readouterr().err  # delivered again, not printed


def test_a_redelivery_is_not_counted_as_the_users_second_signal() -> None:
    # Three signals give up on clean-up (os._exit); one signal dropped and delivered again is one.
    with pytest.raises(KeyboardInterrupt):
        with interrupts.handling():
            _signal_inside_a_ctypes_callback(signal.SIGINT)
            try:
                _work_after(5.0)
            finally:
                assert interrupts._received == [signal.SIGINT]


def test_other_dropped_exceptions_still_reach_the_previous_hook(monkeypatch) -> None:
    seen: list[BaseException] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: seen.append(info.exc_value))

    def inside() -> None:
        raise ValueError("a callback's own error")

    with interrupts.handling():
        CALLBACK(inside)()
    assert [str(e) for e in seen] == ["a callback's own error"]
    sys.unraisablehook(type("Info", (), {"exc_value": OSError("after")})())  # the previous hook is back
    assert str(seen[-1]) == "after"


def test_an_interrupt_printed_through_the_excepthook_is_not_shown(monkeypatch) -> None:
    # Cython's noexcept functions print a dropped exception with PyErr_PrintEx (sys.excepthook) before the
    # unraisable hook: after a signal, our own interrupt is not printed; any other exception still is.
    shown: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, value, tb: shown.append(value))
    with interrupts.handling():
        interrupts._received.append(signal.SIGINT)
        sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
        sys.excepthook(ValueError, ValueError("shown"), None)
    assert [str(e) for e in shown] == ["shown"]
