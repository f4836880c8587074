"""Subcommands of the ``reformsim`` CLI, one module each.

Each module has ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``; the
CLI (:mod:`sim.cli`) lists them in ``COMMANDS`` and turns every :class:`~sim.errors.ReformSimError`
into a one- or two-line message and exit code 2.
"""
