"""Random streams: one ``SeedSequence`` per run, a child per replication, streams per purpose.

A case's random numbers are one row of uniforms drawn up front (a slot per case attribute,
per step's work and wait, per share-routed gateway), so both executors use the same numbers
for the same case whatever order their events run in. Rows come from the replication's case
stream in fixed blocks, so row ``c`` never depends on how many cases run. A step visited
again (a rework loop) draws from a generator keyed by (replication, case, node, visit).

Example:
    >>> streams = ReplicationStreams(seed=7, replication=0, slots=3)
    >>> row = streams.case_row(5)
    >>> len(row), row == ReplicationStreams(7, 0, 3).case_row(5)
    (3, True)
"""

from __future__ import annotations

import numpy as np

__all__ = ["ReplicationStreams"]

_BLOCK = 256
_STEP = 16


class ReplicationStreams:
    """The arrival stream and per-case uniform rows of one replication."""

    def __init__(self, seed: int, replication: int, slots: int) -> None:
        # the replication-th child of SeedSequence(seed), built directly (spawning all earlier ones is O(R))
        child = np.random.SeedSequence(seed, spawn_key=(replication,))
        arrivals_ss, cases_ss, extra_ss = child.spawn(3)
        self.arrivals = np.random.Generator(np.random.PCG64(arrivals_ss))
        self._cases_ss = cases_ss
        self._extra_ss = extra_ss
        self.slots = max(slots, 1)
        self._block_index = -1
        self._block: list[list[float]] = []
        self._block_gen: np.random.Generator | None = None

    def case_row(self, case_id: int) -> list[float]:
        block_index, offset = divmod(case_id, _BLOCK)
        if block_index != self._block_index:
            # Each block has its own child seed, so any block can be produced without the earlier ones.
            seed = np.random.SeedSequence(self._cases_ss.entropy, spawn_key=self._cases_ss.spawn_key + (block_index,))
            self._block_gen = np.random.Generator(np.random.PCG64(seed))
            self._block = []
            self._block_index = block_index
        while offset >= len(self._block):
            # Rows drawn a few at a time equal the rows of one big draw (the stream is read in order),
            # so a short run pays for the rows it uses, not for the whole block.
            self._block.extend(self._block_gen.random((_STEP, self.slots)).tolist())
        return self._block[offset]

    def case_rows(self, first: int, count: int) -> np.ndarray:
        """Rows ``first`` .. ``first + count - 1`` as one array, equal to :meth:`case_row` of each
        (a block's rows are one stream read in order, however many are drawn at a time).

        >>> s = ReplicationStreams(7, 0, 3)
        >>> s.case_rows(250, 10)[9].tolist() == ReplicationStreams(7, 0, 3).case_row(259)
        True
        """
        out = np.empty((count, self.slots))
        done = 0
        while done < count:
            block_index, offset = divmod(first + done, _BLOCK)
            seed = np.random.SeedSequence(self._cases_ss.entropy, spawn_key=self._cases_ss.spawn_key + (block_index,))
            block = np.random.Generator(np.random.PCG64(seed)).random((_BLOCK, self.slots))
            take = min(_BLOCK - offset, count - done)
            out[done:done + take] = block[offset:offset + take]
            done += take
        return out

    def revisit(self, case_id: int, node_index: int, visit: int) -> np.random.Generator:
        """Generator for the ``visit``-th (≥ 2nd) visit of a node by a case."""
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(self._extra_ss.entropy, spawn_key=self._extra_ss.spawn_key + (case_id, node_index, visit))))
