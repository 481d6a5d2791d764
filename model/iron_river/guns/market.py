"""Black markets: the price of a gun where gangs buy, and what their budgets let them pay.

The price in a market rises as its gangs hold fewer guns per member than in 2019,

    price = reference · (2019 guns per member / guns per member)^ε,

the inverse of the gangs' demand (ε = 1 / the demand elasticity). A gang cannot spend more
than a share of its income on guns in a week, so when deliveries are large the price actually
paid falls to what the budget allows: ``paid = min(price, budget / guns delivered)``. Cells
see last week's paid price when they choose routes, and non-US supply answers the same price.
"""

from __future__ import annotations

import numpy as np

PRICE_BOUNDS = (0.1, 10.0)  # numerical guard on the price ratio (the economics act well inside)


class Markets:
    """Prices in every populated place (one entry per market)."""

    def __init__(self, reference_price: np.ndarray, reference_gpm: np.ndarray, elasticity: float):
        self.reference = np.asarray(reference_price, dtype=float)
        self.reference_gpm = np.asarray(reference_gpm, dtype=float)
        self.elasticity = float(elasticity)
        self.price = self.reference.copy()
        self.paid = self.reference.copy()  # what cells saw last week
        self.delivered = np.zeros_like(self.reference)

    def set_prices(self, guns_per_member: np.ndarray) -> None:
        """Price from local scarcity of guns per member."""
        ratio = (self.reference_gpm / np.maximum(guns_per_member, 1e-6)) ** self.elasticity
        self.price = self.reference * np.clip(ratio, *PRICE_BOUNDS)

    def settle(self, delivered: np.ndarray, budget: np.ndarray) -> np.ndarray:
        """The price paid per gun this week, given deliveries and the gangs' weekly arms budget."""
        self.delivered = delivered
        capped = np.where(delivered > 0, budget / np.maximum(delivered, 1.0), np.inf)
        self.paid = np.minimum(self.price, capped)
        return self.paid

    @property
    def price_ratio(self) -> np.ndarray:
        """Paid price relative to the 2019 reference (what non-US supply answers)."""
        return self.paid / self.reference
