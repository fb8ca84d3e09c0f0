"""Working-day calendar for England and Wales: the bank holidays the B2 due-date rule skips."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays

from pmf.periods import add_working_days


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in a calendar year (from the pinned ``holidays`` package)."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]).keys())


def due_date(period_end: date, working_days: int) -> date:
    """B2: data due ``working_days`` working days after the period ends, skipping bank holidays."""
    closed = bank_holidays(period_end.year) | bank_holidays(period_end.year + 1)
    return add_working_days(period_end, working_days, holidays=closed)
