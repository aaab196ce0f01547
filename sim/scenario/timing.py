"""The histories of a sequential timing: which moves happen, in which order, seen by whom.

A timing is a list of moves ``0 .. M-1``. Move ``k`` has ``sizes[k]`` labels and may carry a
*condition*: a list of ``(j, allowed)`` over earlier moves ``j < k``; it happens on a history
exactly when every earlier move ``j`` it names happened with a label index in ``allowed``.
A history is one row of ``M`` label indices, ``-1`` where the move did not happen.

Rows come in the tree's preorder (children in label order), so terminal ``t`` of the tree built
over the timing is row ``t``. Without conditions the rows are the C-order product of the labels,
which is why an unconditional timing keeps one outcome axis per move.

Examples
--------
>>> histories([2, 2], [(), ((0, frozenset({1})),)]).tolist()   # move 1 only after label 1 of move 0
[[0, -1], [1, 0], [1, 1]]
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

Condition = tuple[tuple[int, frozenset], ...]


class TooManyHistories(ValueError):
    """The timing has more terminal histories than allowed; ``count`` is a lower bound."""

    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


def happens(condition: Condition, history: Sequence[int]) -> bool:
    """Whether a move with ``condition`` happens after ``history`` (label indices, -1 = did not happen)."""
    return all(history[j] in allowed for j, allowed in condition)


def histories(sizes: Sequence[int], conditions: Sequence[Condition], limit: int | None = None) -> np.ndarray:
    """Every terminal history ``(T, M)`` in preorder, built level by level with no loop over rows.

    Raises
    ------
    TooManyHistories
        When more than ``limit`` histories exist (checked after every level).
    """
    rows = np.zeros((1, 0), dtype=np.int64)
    for k, (n, cond) in enumerate(zip(sizes, conditions)):
        on = np.ones(len(rows), dtype=bool)
        for j, allowed in cond:
            on &= np.isin(rows[:, j], np.fromiter(allowed, dtype=np.int64, count=len(allowed)))
        counts = np.where(on, n, 1)
        total = int(counts.sum())
        if limit is not None and total > limit:
            raise TooManyHistories(total)
        parent = np.repeat(np.arange(len(rows)), counts)
        # Offset of each new row within its parent's block: 0..n-1 where the move happens, else -1.
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        label = np.arange(total) - starts
        label[~on[parent]] = -1
        rows = np.concatenate([rows[parent], label[:, None]], axis=1)
    return rows
