"""The ``reformsim`` command line: arguments → load → simulate → analyse → report.

One error path for every command: a :class:`~sim.errors.ReformSimError` (bad input) is printed
in a line or two and exits with 2, no traceback; argparse errors exit 2 too. Any other exception
is a bug: a short message names a log file holding the traceback (``--debug`` prints it instead)
and the exit code is 1. Ctrl-C and SIGTERM, from the first line of :func:`main` on (imports
included), end as one line and exit 130 / 143 (:mod:`sim.interrupts`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys
import tempfile
import traceback
import warnings
from pathlib import Path

from . import interrupts
from .errors import ReformSimError

# Subcommand modules under sim.commands, in the order --help lists them.
COMMANDS = ("run", "list", "assess", "diagram", "diff", "compare", "sweep", "runs", "fit", "new_scenario")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reformsim", description="Is this reform target reachable, how surely, and what holds it back?")
    parser.add_argument("--debug", action="store_true", help="on an internal error, print the traceback instead of writing a log file")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"sim.commands.{name}")
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.add_argument("--root", type=Path, metavar="DIR",
                       help="folder that files named in scenarios and registers (extends:, process:) must stay in "
                            "(default: the project folder of the file, see sim.inputs)")
        p.set_defaults(handler=module.run)
    return parser


def write_crash_log(text: str) -> Path:
    """Write a traceback atomically into ``$TMPDIR/reformsim``; return the file's path."""
    from .files import atomic_write

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = Path(tempfile.gettempdir()) / "reformsim" / f"internal-error-{stamp}-{os.getpid()}.log"
    return atomic_write(path, text, make_parents=True)


def _show_warning(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001 - warnings.showwarning's signature
    """Our own warnings (e.g. a projected holiday calendar) as one plain line; others as Python shows them."""
    from .model.official_days import ProjectedCalendarWarning

    if issubclass(category, ProjectedCalendarWarning):
        print(f"reformsim: 警告 / warning: {message}", file=sys.stderr)
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def main(argv: list[str] | None = None) -> int:
    # Signals first, before the heavy imports (building the parser imports every command): a
    # Ctrl-C or SIGTERM at any moment from here on ends in one line and 130 / 143, no traceback.
    program = argv is None  # run as `reformsim` or `python -m sim.cli`, not called from Python code
    with interrupts.handling():
        try:
            return _main(argv, program)
        except KeyboardInterrupt as exc:  # a signal in the last instants, outside _main's own handlers
            return _interrupted(interrupts.exit_code(exc), program)


def _main(argv: list[str] | None, program: bool = False) -> int:
    warnings.showwarning = _show_warning
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)  # known before parsing, for an error while parsing
    try:
        from .inputs import using_root

        args = build_parser().parse_args(argv)
        debug = args.debug
        interrupts.check()  # a signal during the imports that some library's bare `except:` swallowed
        with using_root(args.root):
            code = int(args.handler(args) or 0)
        interrupts.check()  # a signal some library swallowed on the way still ends the run as interrupted
        return code
    except KeyboardInterrupt as exc:
        return _interrupted(interrupts.exit_code(exc), program)
    except Exception as exc:  # noqa: BLE001 - sorted below
        if interrupts.received() is not None:
            # C code can turn the interrupt into another error (numpy imported during Ctrl-C raises
            # ImportError; a write cut short, OSError): the signal is the cause, not a bug or bad input
            return _interrupted(128 + interrupts.received(), program)
        if isinstance(exc, ReformSimError):
            print(f"reformsim: error: {exc}", file=sys.stderr)
            return 2
        if isinstance(exc, BrokenPipeError):  # e.g. `reformsim run ... | head`: the reader left, nothing to report
            sys.stderr.close()
            return 0
        return _internal_error(exc, debug)


def _interrupted(code: int, program: bool) -> int:
    """Say so and return 130 / 143 — or, as a program, exit with it at once."""
    with interrupts.shielded():
        print("reformsim: interrupted; nothing half-written was kept", file=sys.stderr)
        if program:
            # Why: by now everything the run opened is closed (the except and `with` blocks on the way
            # up ran: workers stopped, temporary files removed, a transaction rolled back); what is
            # left is the interpreter's teardown, measured at 4-5 s once numba's JIT is loaded on the
            # 2-core machine — too long after a Ctrl-C. It also gives the exit code as is: CPython
            # would end by SIGINT instead after a Ctrl-C inside an exec()'d dataclass under `-m`.
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except (OSError, ValueError):  # a reader that left, a closed stream: nothing more to say
                    pass
            os._exit(code)
    return code


def _internal_error(exc: Exception, debug: bool) -> int:
    """A bug, not bad input: keep the traceback for the report, not on the screen."""
    text = "".join(traceback.format_exception(exc))
    if debug:
        print(text, file=sys.stderr, end="")
        return 1
    try:
        where = f"please report it with the log file {write_crash_log(' '.join(sys.argv) + chr(10) + text)}"
    except OSError:
        where = "no log file could be written; run again with --debug to see the traceback"
    print(f"reformsim: internal error ({type(exc).__name__}: {exc}); {where}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
