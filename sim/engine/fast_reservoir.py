"""The reservoir draws of :class:`sim.engine.stats.Sample` for many values at once, compiled by numba.

Past its cap a Sample keeps value number ``n`` at ``random.Random.randrange(n)`` when that falls
inside the cap. Drawing a million of those one Python call at a time costs more than the fast
executor's whole run, so :func:`randrange_many` repeats CPython's own arithmetic — MT19937's
``genrand_uint32`` and ``_randbelow_with_getrandbits`` (``getrandbits(k)`` is the top ``k`` bits of
one 32-bit word for ``k <= 32``) — on the generator's state, and hands the state back, so the
Sample's ``random.Random`` continues exactly as if it had drawn them itself.

Example:
    >>> import random
    >>> a, b = random.Random(12345), random.Random(12345)
    >>> randrange_many(a, 1001, 5).tolist() == [b.randrange(n) for n in range(1001, 1006)], a.random() == b.random()
    (True, True)
"""

from __future__ import annotations

import random

import numpy as np
from numba import njit

__all__ = ["randrange_many"]

_N, _M = 624, 397


@njit(cache=True)
def _draws(mt: np.ndarray, index: int, first: int, count: int, out: np.ndarray) -> int:
    mask = 0xFFFFFFFF
    for i in range(count):
        n = first + i
        k = 0
        x = n
        while x:
            k += 1
            x >>= 1
        while True:
            if index >= _N:  # generate the next 624 words (CPython's genrand_uint32)
                for kk in range(_N):
                    y = (mt[kk] & 0x80000000) | (mt[(kk + 1) % _N] & 0x7FFFFFFF)
                    v = mt[(kk + _M) % _N] ^ (y >> 1)
                    if y & 1:
                        v ^= 0x9908B0DF
                    mt[kk] = v
                index = 0
            y = mt[index]
            index += 1
            y ^= y >> 11
            y ^= (y << 7) & 0x9D2C5680
            y ^= (y << 15) & 0xEFC60000
            y ^= y >> 18
            r = (y & mask) >> (32 - k)
            if r < n:
                out[i] = r
                break
    return index


def randrange_many(rng: random.Random, first: int, count: int) -> np.ndarray:
    """``[rng.randrange(n) for n in range(first, first + count)]``, advancing ``rng`` as those calls would."""
    if first < 1 or (first + count).bit_length() > 32:
        return np.array([rng.randrange(n) for n in range(first, first + count)], dtype=np.int64)
    version, words, gauss = rng.getstate()
    mt = np.array(words[:_N], dtype=np.int64)
    out = np.empty(count, dtype=np.int64)
    index = _draws(mt, int(words[_N]), first, count, out)
    rng.setstate((version, tuple(mt.tolist()) + (index,), gauss))
    return out
