"""What a migrant family names as its reasons: a reporting step, not a cause (FACTS.md T9).

Surveys ask migrants why they left; their answers say what they lived through and what they
attribute their decision to, not which departures violence caused (that is the decision's
evidence-based response, :mod:`.decision`). A family victimised in the recall window names
violence with ``reporting.victim_names_violence``; one that was not, with
``reporting.others_name_violence`` (general insecurity). The answers draw from a stream of
their own (a counter-based draw per household and week), so they never change what the
households do.
"""

from __future__ import annotations

import numpy as np

from iron_river.migration.households import Households

REASON_SALT = 31


def names_violence(
    hh: Households,
    rows: np.ndarray,
    week: int,
    recall_weeks: int,
    victims: float,
    others: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Whether each departing household would name violence as a key reason."""
    del rng  # the answer is a counter-based draw of the household (see Households.uniform)
    victimised = (week - hh.t_violent[rows]) <= recall_weeks
    return hh.uniform(rows, week, REASON_SALT) < np.where(victimised, victims, others)
