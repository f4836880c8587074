"""Run a function whose depth of recursion grows with the model, on a thread with a deep stack.

SpiffWorkflow's parser and its workflow engine follow sequence flows recursively (a few Python
frames per node), so a chain of 500 steps exceeds Python's default recursion limit of 1000. We
cannot make that library iterative; instead, when a model is large, the call runs on its own
thread with a large C stack and a recursion limit sized from the number of nodes. Small models
run directly, as before.

Example:
    >>> def depth(n): return 0 if n == 0 else 1 + depth(n - 1)
    >>> with_deep_stack(depth, 20_000, nodes=5_000)
    20000
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["with_deep_stack", "FRAMES_PER_NODE"]

T = TypeVar("T")

# measured: SpiffWorkflow's parser needs ~2 frames per node and a BpmnWorkflow (deepcopy of the
# spec, prediction of the task tree) up to ~10; 20 leaves room for nested subprocesses.
FRAMES_PER_NODE = 20
_DIRECT_NODES = 40  # up to here the default limit (1000 frames) is ample
_STACK_BYTES = 512 * 1024 * 1024  # reserved address space; pages are only used as deep as the recursion goes
_lock = threading.Lock()  # the recursion limit is process-wide: one deep call at a time


def with_deep_stack(fn: Callable[..., T], *args: Any, nodes: int, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` with room for recursion ~``FRAMES_PER_NODE`` × ``nodes`` deep.

    The thread is a daemon so that Ctrl-C in the main thread is never held up by it.
    """
    if nodes <= _DIRECT_NODES:
        return fn(*args, **kwargs)
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # handed to the caller's thread below
            outcome["error"] = exc

    with _lock:
        old_limit = sys.getrecursionlimit()
        old_size = threading.stack_size()
        sys.setrecursionlimit(max(old_limit, FRAMES_PER_NODE * nodes + 1000))
        try:
            threading.stack_size(_STACK_BYTES)
            thread = threading.Thread(target=target, name="reformsim-deep", daemon=True)
            thread.start()
        finally:
            threading.stack_size(old_size)
        try:
            while thread.is_alive():
                thread.join(0.1)  # short waits: a signal in the main thread is handled at once
        finally:
            sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
