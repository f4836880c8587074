"""The sample of the assumption box, and what a sample of verdicts says: class, share held, interval.

The design is Saltelli's: one scrambled Sobol' sequence in ``2d`` dimensions, split into two
``n × d`` matrices ``A`` and ``B`` (independent halves, each space-filling). ``A`` and ``B`` together
are the points the robustness share is measured on; ``AB_i`` (``A`` with column ``i`` taken from
``B``) adds what the Sobol' indices need (:mod:`sim.analysis.robustness_sobol`). The scrambling is
seeded from the run's seed, so the same seed gives the same points.

Example:
    >>> a, b = saltelli(2, 4, seed=7)
    >>> a.shape, b.shape, bool(((0 <= a) & (a < 1)).all())
    ((4, 2), (4, 2), True)
    >>> robustness_class([True, True]), robustness_class([True, False]), robustness_class([False])
    ('robust', 'conditional', 'fails')
    >>> [round(x, 3) for x in wilson(32, 32)]
    [0.893, 1.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["saltelli", "to_values", "wilson", "robustness_class", "ROBUST", "CONDITIONAL", "FAILS", "CLASSES"]

ROBUST, CONDITIONAL, FAILS = "robust", "conditional", "fails"
CLASSES = (ROBUST, CONDITIONAL, FAILS)
# Keeps the design's random numbers apart from the simulation's streams of the same seed.
_SALT = 0x5A17E111


def saltelli(d: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``A`` and ``B``: ``n`` points each (``n`` a power of 2: Sobol' balance) in the unit cube of ``d`` dimensions."""
    from scipy.stats import qmc

    if d < 1:
        raise ValueError(f'"d" must be >= 1, got {d!r}')
    if n < 2 or n & (n - 1):
        raise ValueError(f'"n" must be a power of 2 (Sobol\' points keep their balance), got {n!r}')
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), _SALT]))
    base = qmc.Sobol(2 * d, scramble=True, seed=rng).random(n)
    return base[:, :d], base[:, d:]


def to_values(u: np.ndarray, lo: Sequence[float], hi: Sequence[float], integer: Sequence[bool]) -> np.ndarray:
    """Unit-cube points as assumption values: uniform on ``[lo, hi]``; a whole-number assumption (staff)
    takes each of ``lo … hi`` with equal chance.

    >>> to_values(np.array([[0.0, 0.0], [0.99, 0.99]]), [1, 2], [3, 4], [False, True]).tolist()
    [[1.0, 2.0], [2.98, 4.0]]
    """
    lo_a, hi_a = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    out = lo_a + u * (hi_a - lo_a)
    for j, whole in enumerate(integer):
        if whole:
            out[:, j] = np.minimum(lo_a[j] + np.floor(u[:, j] * (hi_a[j] - lo_a[j] + 1)), hi_a[j])
    return out


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson's 95% interval of a share ``k / n``. Over quasi-random points it is conservative: they
    cover the box more evenly than independent draws, which Wilson assumes."""
    if n <= 0:
        return math.nan, math.nan
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def robustness_class(holds: Sequence[bool]) -> str:
    """``robust`` when the target holds at every sampled point, ``fails`` at none, ``conditional`` in between."""
    if not len(holds):
        raise ValueError("a robustness class needs at least one point")
    k = sum(bool(h) for h in holds)
    return ROBUST if k == len(holds) else FAILS if k == 0 else CONDITIONAL
