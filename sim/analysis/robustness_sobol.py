"""First-order and total Sobol' indices from Saltelli's design — the one estimator of the project.

First order: Saltelli (2010), ``S_i = mean(f(B) · (f(AB_i) − f(A))) / V``; total: Jansen (1999),
``ST_i = mean((f(A) − f(AB_i))²) / (2V)``; ``V`` the variance of ``f`` over ``A`` and ``B``. The 95%
intervals are bootstrap percentiles over the design's rows (the rows are resampled together, so the
estimates' correlation is kept).

Example (the linear function ``f = x₀ + 2·x₁`` on the unit square: ``S = ST = (0.2, 0.8)``):
    >>> from sim.analysis.robustness_design import saltelli
    >>> a, b = saltelli(2, 4096, seed=1)
    >>> f = lambda x: x[:, 0] + 2 * x[:, 1]
    >>> ab = np.stack([f(np.where(np.arange(2) == i, b, a)) for i in range(2)], axis=1)
    >>> [round(x.first, 1) for x in sobol_indices(f(a), f(b), ab, seed=1)], [round(x.total, 1) for x in sobol_indices(f(a), f(b), ab, seed=1)]
    ([0.2, 0.8], [0.2, 0.8])
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Index", "sobol_indices", "point_estimates", "RESAMPLES"]

RESAMPLES = 300  # assumption: 300 bootstrap resamples put a percentile interval's ends within about ±1 point


@dataclass(frozen=True)
class Index:
    """One factor's first-order and total index with 95% bootstrap intervals (NaN: the metric does not vary)."""

    first: float
    first_lo: float
    first_hi: float
    total: float
    total_lo: float
    total_hi: float


def point_estimates(fa: np.ndarray, fb: np.ndarray, fab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(S, ST)`` for every column of ``fab`` (``fab[:, i] = f(AB_i)``); NaN when ``f`` does not vary."""
    fa, fb, fab = np.asarray(fa, float), np.asarray(fb, float), np.asarray(fab, float)
    var = float(np.var(np.concatenate([fa, fb])))
    if not var > 1e-12:
        nan = np.full(fab.shape[1], math.nan)
        return nan, nan.copy()
    first = np.mean(fb[:, None] * (fab - fa[:, None]), axis=0) / var
    total = 0.5 * np.mean((fa[:, None] - fab) ** 2, axis=0) / var
    return first, total


def sobol_indices(fa: np.ndarray, fb: np.ndarray, fab: np.ndarray, *, seed: int,
                  resamples: int = RESAMPLES) -> list[Index]:
    """Each factor's :class:`Index` with its bootstrap interval (resampling seeded by ``seed``)."""
    fa, fb, fab = np.asarray(fa, float), np.asarray(fb, float), np.asarray(fab, float)
    first, total = point_estimates(fa, fb, fab)
    n, d = fab.shape
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x50B01]))
    boot_s, boot_t = np.empty((resamples, d)), np.empty((resamples, d))
    for r in range(resamples):
        rows = rng.integers(0, n, n)
        boot_s[r], boot_t[r] = point_estimates(fa[rows], fb[rows], fab[rows])
    out = []
    for i in range(d):
        if math.isnan(first[i]):
            out.append(Index(*(math.nan,) * 6))
            continue
        s_lo, s_hi = np.nanpercentile(boot_s[:, i], [2.5, 97.5])
        t_lo, t_hi = np.nanpercentile(boot_t[:, i], [2.5, 97.5])
        out.append(Index(float(first[i]), float(s_lo), float(s_hi), float(total[i]), float(t_lo), float(t_hi)))
    return out
