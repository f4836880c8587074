"""Subcommands of the ``reformsim`` CLI, one module each.

Each module has ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``; the
CLI (:mod:`sim.cli`) lists them in ``COMMANDS`` and turns every :class:`~sim.errors.ReformSimError`
into a one- or two-line message and exit code 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable


def stderr_progress(label: str) -> Callable[[int, int], None]:
    """A one-line progress bar on stderr; when stderr is not a terminal, only the final count."""
    stream = sys.stderr
    tty = stream.isatty()

    def show(done: int, total: int) -> None:
        if tty or done == total:
            filled = int(30 * done / total)
            stream.write(f"\r{label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total} replications")
            if done == total:
                stream.write("\n")
            stream.flush()

    return show
