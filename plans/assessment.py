"""Action status at a period end (C3). Pure functions, no Django."""

from __future__ import annotations

from datetime import date

from pmf.enums import Labelled
from pmf.periods import add_months

__all__ = ["SLIPPAGE_THRESHOLD_MONTHS", "ActionStatus", "action_status"]

SLIPPAGE_THRESHOLD_MONTHS = 3
"""Slipped by exactly 3 calendar months still counts as less than 3 months (C3)."""


class ActionStatus(Labelled):
    """Status of a plan action at a period end (C3)."""

    DELIVERED = "delivered", "Delivered"
    NO_LONGER_VIABLE = "no_longer_viable", "No longer viable"
    SCHEDULED = "scheduled", "Scheduled for future quarters"
    ON_TARGET = "on_target", "On target"
    SLIPPED_LT3 = "slipped_lt3", "Slipped (less than 3 months)"
    SLIPPED_GT3 = "slipped_gt3", "Slipped (more than 3 months)"


def action_status(
    *,
    as_of: date,
    start: date | None,
    approved_end: date,
    forecast_end: date | None = None,
    completed_on: date | None = None,
    no_longer_viable: bool = False,
) -> ActionStatus:
    """Status of an action at ``as_of`` (normally the period end) (C3).

    Checked in order:

    1. DELIVERED if ``completed_on`` is on or before ``as_of`` (a completion after ``as_of``
       counts as unfinished at ``as_of``).
    2. NO_LONGER_VIABLE if so marked.
    3. Slippage. The slip date is ``forecast_end`` (``approved_end`` if none); for an unfinished
       action already past its approved end (``as_of > approved_end``) it is the later of that
       and ``as_of``. If the slip date is after ``approved_end``: SLIPPED_LT3 when it is no later
       than ``approved_end`` + 3 calendar months (exactly 3 months is "less than 3 months"),
       else SLIPPED_GT3.
    4. SCHEDULED if ``start`` is after ``as_of`` (scheduled for future periods).
    5. ON_TARGET otherwise.
    """
    if completed_on is not None and completed_on <= as_of:
        return ActionStatus.DELIVERED
    if no_longer_viable:
        return ActionStatus.NO_LONGER_VIABLE
    slip_date = forecast_end if forecast_end is not None else approved_end
    if as_of > approved_end:
        slip_date = max(slip_date, as_of)
    if slip_date > approved_end:
        if slip_date <= add_months(approved_end, SLIPPAGE_THRESHOLD_MONTHS):
            return ActionStatus.SLIPPED_LT3
        return ActionStatus.SLIPPED_GT3
    if start is not None and start > as_of:
        return ActionStatus.SCHEDULED
    return ActionStatus.ON_TARGET
