"""Loads: how big, how well hidden, and whether a unit seizes them — for all cells at once.

A load of ``s`` guns with concealment ``k`` counts as ``w = (s / s₀)^θ · (1 − k)`` reference
loads; a unit whose rate per reference load is ``q`` seizes it with probability
``1 − (1 − q)^w``. Cells choose ``s`` and ``k`` to minimise the expected cost per gun,

    C(s, k) = κ / s  +  r · L · (s / s₀)^θ · (1 − k)  +  φ · k / (1 − k),

(a cost per load, the expected loss at perceived risk ``r`` per reference load with ``L`` the
value lost with a seized gun, and the cost of concealment), whose first-order conditions give

    s = s₀ · (r₀ / (r · (1 − k)))^(1/(1+θ))   and   1 − k = √(φ / (r · L · (s / s₀)^θ)).

``κ = θ · r₀ · L₀ · s₀`` is the cost per load at which cells chose loads of ``s₀`` guns at
the 2019 risk ``r₀``, and ``φ = onset · r₀ · L₀``: concealment starts once the risk of a load
is ``onset`` times 2019's. So when a crossing gets riskier, loads shrink and are hidden better
— one of the ways the trade adapts instead of vanishing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class LoadRule:
    """The 2019 reference that sets the cost of a load and of concealment."""

    s0: float  # reference load size (guns)
    theta: float  # detection elasticity to load size
    r0: float  # 2019 risk of a reference load at a port (US and Mexican units together)
    loss0: float  # 2019 value lost per seized gun (price + penalty)
    onset: float  # risk multiple at which concealment starts

    @property
    def load_cost(self) -> float:
        """κ: the cost of sending one load, USD."""
        return max(self.theta, 1e-3) * self.r0 * self.loss0 * self.s0

    @property
    def conceal_cost(self) -> float:
        """φ: the scale of the cost per gun of concealment, USD."""
        return self.onset * self.r0 * self.loss0

    def choose(
        self, risk: np.ndarray, loss: np.ndarray, s_max: np.ndarray | float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Load size, concealment and expected cost per gun at perceived risk (any shape).

        Returns:
            ``(size, conceal, cost)``: integer-valued sizes in ``[1, s_max]``, concealment in
            ``[0, 1)``, and ``C(size, conceal)`` in USD per gun.
        """
        r = np.maximum(risk, 1e-12)
        th = max(self.theta, 1e-3)
        a = 1.0 / (1.0 + th)
        s = self.s0 * (self.r0 / r) ** a  # unconcealed optimum
        exposure = r * loss * (s / self.s0) ** th
        k = np.clip(1.0 - np.sqrt(self.conceal_cost / np.maximum(exposure, 1e-12)), 0.0, 0.95)
        hidden = k > 0  # where concealment pays, loads grow back a little: one more step
        any_hidden = bool(hidden.any())
        if any_hidden:
            s = np.where(hidden, s * (1.0 - k) ** -a, s)
        s = np.clip(np.rint(s), 1.0, s_max)
        exposure = r * loss * (s / self.s0) ** th
        if any_hidden:
            k = np.clip(1.0 - np.sqrt(self.conceal_cost / np.maximum(exposure, 1e-12)), 0.0, 0.95)
        cost = self.load_cost / s + exposure * (1.0 - k) + self.conceal_cost * k / (1.0 - k)
        return s, k, cost

    def weight(self, size: np.ndarray, conceal: np.ndarray) -> np.ndarray:
        """Reference loads a load counts as: (size / s₀)^θ · (1 − concealment)."""
        return (np.maximum(size, 0.0) / self.s0) ** self.theta * (1.0 - conceal)


@dataclass
class Passage:
    """What one unit did to a set of shipments (one entry per shipping cell)."""

    loads: np.ndarray
    loads_seized: np.ndarray
    guns_seized: np.ndarray
    weight: np.ndarray
    full_left: np.ndarray  # full loads that passed
    rem_left: np.ndarray  # guns of the last load that passed (0 if seized or none)


def inspect(
    full: np.ndarray,
    rem: np.ndarray,
    size: np.ndarray,
    w_full: np.ndarray,
    w_rem: np.ndarray,
    q: np.ndarray,
    rng: np.random.Generator,
) -> Passage:
    """Pass shipments of ``full`` loads of ``size`` guns (+ one of ``rem``) through a unit.

    Args:
        full: full loads per shipment.
        rem: guns in the last, smaller load (0: none).
        size: guns per full load.
        w_full: reference weight of a full load.
        w_rem: reference weight of the last load.
        q: the unit's seizure chance per reference load, per shipment.
        rng: the model's generator.
    """
    p_full = -np.expm1(w_full * np.log1p(-np.minimum(q, 1.0 - 1e-12)))
    p_rem = -np.expm1(w_rem * np.log1p(-np.minimum(q, 1.0 - 1e-12)))
    seized_full = rng.binomial(full, p_full)
    has_rem = rem > 0
    seized_rem = has_rem & (rng.random(rem.size) < p_rem)
    return Passage(
        loads=full + has_rem,
        loads_seized=seized_full + seized_rem,
        guns_seized=seized_full * size + seized_rem * rem,
        weight=full * w_full + has_rem * w_rem,
        full_left=full - seized_full,
        rem_left=np.where(seized_rem, 0, rem),
    )
