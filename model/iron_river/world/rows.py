"""Agents' state as rows of numpy columns, the rows of agents that left reused.

Trafficker cells and armed groups are Mesa agents whose state lives in such a table, so a
submodel is array arithmetic over all of them; each table names its columns in
:meth:`RowTable.columns`.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class RowTable:
    """One row per agent, columns as numpy arrays; ``alive`` marks the rows in use."""

    def __init__(self, capacity: int):
        self.agents: list[Any] = []
        self._rows: np.ndarray | None = None
        self._allocate(capacity)

    def columns(self) -> dict[str, tuple[Any, tuple[int, ...]]]:
        """Each column's dtype and per-row shape (``alive`` is added)."""
        raise NotImplementedError

    def _allocate(self, capacity: int) -> None:
        old = self.__dict__.get("alive")
        for name, (dtype, shape) in {"alive": (bool, ()), **self.columns()}.items():
            new = np.zeros((capacity, *shape), dtype=dtype)
            if old is not None:
                new[: old.size] = getattr(self, name)
            setattr(self, name, new)
        self.agents += [None] * (capacity - len(self.agents))

    @property
    def rows(self) -> np.ndarray:
        """Rows in use now (cached until a row is taken or freed)."""
        if self._rows is None:
            self._rows = np.flatnonzero(self.alive)
        return self._rows

    @property
    def count(self) -> int:
        """Rows in use now."""
        return int(self.rows.size)

    def changed(self) -> None:
        """Rows were taken or freed: forget the cached rows."""
        self._rows = None

    def take(self, n: int) -> np.ndarray:
        """Mark ``n`` free rows in use (growing the table if needed) and return them."""
        free = np.flatnonzero(~self.alive)
        if free.size < n:
            self._allocate(max(2 * self.alive.size, self.alive.size + n))
            free = np.flatnonzero(~self.alive)
        rows = free[:n]
        self.alive[rows] = True
        self.changed()
        return rows
