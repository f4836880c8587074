"""Argparse types shared by every command, so ``--cases 0`` or ``--seed 2**63`` is refused (exit 2) the same way.

Example:
    >>> positive_int("3")
    3
    >>> seed("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a whole number >= 0 and <= 9.22337e+18, got -1
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from sim.model.bounds import MAX_CASES, MAX_WORKERS, SEED_MAX, check_number


def _typed(parse: Callable[[str], object], **bounds: object) -> Callable[[str], object]:
    def convert(text: str) -> object:
        try:
            value = parse(text)
        except ValueError:
            value = text
        try:
            return check_number(value, **bounds)  # type: ignore[arg-type]
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


positive_int = _typed(int, low=1, high=MAX_CASES, whole=True)  # cases, replications
workers = _typed(int, low=1, high=MAX_WORKERS, whole=True)
seed = _typed(int, low=0, high=SEED_MAX, whole=True)
required_share = _typed(float, low=0.0, above=True, high=1.0)  # --required: share of cases that must meet a target
finite = _typed(float, low=-1e300)  # any finite number, e.g. a threshold
precision = _typed(float, low=0.0, above=True, high=0.5)  # --precision: a 95% half-width on a share meeting a target


def add_precision(p: argparse.ArgumentParser) -> None:
    """``--precision H`` and ``--max-replications N``: replications chosen adaptively (sim.engine.runner.simulate_to_precision)."""
    from sim.engine.runner import PRECISION_CAP

    p.add_argument("--precision", type=precision, metavar="H",
                   help="the 95%% half-width wanted on the share meeting each target (e.g. 0.02): replications are added in "
                        "batches until it is reached or --max-replications ran; the output says which")
    p.add_argument("--max-replications", type=_typed(int, low=2, high=MAX_CASES, whole=True), default=PRECISION_CAP, metavar="N",
                   help=f"the cap for --precision (default {PRECISION_CAP})")
