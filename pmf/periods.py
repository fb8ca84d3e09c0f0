"""Pure period arithmetic for financial years that start on 1 April.

Vocabulary (DOMAIN.md): a financial year runs 1 April to 31 March and is written ``2025/26``;
quarters are Q1 Apr-Jun, Q2 Jul-Sep, Q3 Oct-Dec, Q4 Jan-Mar; the year-end period is March / Q4.
A period is one month, quarter, half-year or year of one financial year, numbered from 1.

Rules served: B2 (frequency, data due date rule), C2 (comparison periods), C3 (3-month slippage),
D1 (reporting timetable). No Django imports: everything here is plain, deterministic Python.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

from pmf.enums import Labelled

__all__ = [
    "FINANCIAL_YEAR_START_MONTH",
    "Frequency",
    "add_months",
    "add_working_days",
    "financial_year_label",
    "parse_frequency",
    "period_bounds",
    "period_for_date",
    "period_label",
    "periods_per_year",
    "previous_period",
]

FINANCIAL_YEAR_START_MONTH = 4
"""Financial years start on 1 April (Vocabulary)."""

_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class Frequency(Labelled):
    """How often an indicator reports (B2)."""

    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Half-yearly"
    ANNUAL = "annual", "Annual"


_PERIODS_PER_YEAR: dict[Frequency, int] = {
    Frequency.MONTHLY: 12,
    Frequency.QUARTERLY: 4,
    Frequency.HALF_YEARLY: 2,
    Frequency.ANNUAL: 1,
}


def parse_frequency(frequency: Frequency | str) -> Frequency:
    """Return ``frequency`` as a :class:`Frequency`; accepts the enum or its str value.

    Raises ValueError naming the bad value otherwise.
    """
    try:
        return Frequency(frequency)
    except ValueError:
        allowed = ", ".join(f.value for f in Frequency)
        raise ValueError(f"unknown frequency {frequency!r}; expected one of: {allowed}") from None


def _require_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return value


def periods_per_year(frequency: Frequency | str) -> int:
    """Number of periods in a financial year at ``frequency``: 12, 4, 2 or 1 (B2)."""
    return _PERIODS_PER_YEAR[parse_frequency(frequency)]


def _months_per_period(frequency: Frequency) -> int:
    return 12 // _PERIODS_PER_YEAR[frequency]


def _check_period(frequency: Frequency, year_start: int, period_number: int) -> None:
    _require_int("year_start", year_start)
    _require_int("period_number", period_number)
    count = _PERIODS_PER_YEAR[frequency]
    if not 1 <= period_number <= count:
        raise ValueError(f"period_number {period_number} is out of range for {frequency.value} (expected 1 to {count})")


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


def add_months(d: date, months: int) -> date:
    """Calendar-month addition, clamping the day to the end of the target month.

    ``add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)``; negative ``months`` go back.
    Used for the 3-month slippage boundary (C3).
    """
    _require_int("months", months)
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    return date(year, month, min(d.day, _days_in_month(year, month)))


def period_bounds(*, frequency: Frequency | str, year_start: int, period_number: int) -> tuple[date, date]:
    """First and last day of a period of the financial year starting 1 April ``year_start``.

    Months 1-12 are April..March, quarters 1-4, halves 1-2, annual 1 (Vocabulary).
    Raises ValueError for an out-of-range ``period_number``.
    """
    freq = parse_frequency(frequency)
    _check_period(freq, year_start, period_number)
    span = _months_per_period(freq)
    first = add_months(date(year_start, FINANCIAL_YEAR_START_MONTH, 1), (period_number - 1) * span)
    last = add_months(first, span) - timedelta(days=1)
    return first, last


def period_for_date(*, frequency: Frequency | str, on: date) -> tuple[int, int]:
    """``(year_start, period_number)`` of the period at ``frequency`` that contains ``on``."""
    freq = parse_frequency(frequency)
    if on.month >= FINANCIAL_YEAR_START_MONTH:
        year_start = on.year
    else:
        year_start = on.year - 1
    month_index = (on.month - FINANCIAL_YEAR_START_MONTH) % 12
    return year_start, month_index // _months_per_period(freq) + 1


def financial_year_label(year_start: int) -> str:
    """The financial year written as in reports: ``2025/26``; ``1999/00`` (Vocabulary)."""
    _require_int("year_start", year_start)
    return f"{year_start}/{(year_start + 1) % 100:02d}"


def period_label(*, frequency: Frequency | str, year_start: int, period_number: int) -> str:
    """Human label: ``May 2025``, ``Q2 2025/26``, ``H1 2025/26`` or ``2025/26``."""
    freq = parse_frequency(frequency)
    _check_period(freq, year_start, period_number)
    if freq is Frequency.MONTHLY:
        first, _ = period_bounds(frequency=freq, year_start=year_start, period_number=period_number)
        return f"{_MONTH_NAMES[first.month - 1]} {first.year}"
    year = financial_year_label(year_start)
    if freq is Frequency.QUARTERLY:
        return f"Q{period_number} {year}"
    if freq is Frequency.HALF_YEARLY:
        return f"H{period_number} {year}"
    return year


def previous_period(*, frequency: Frequency | str, year_start: int, period_number: int) -> tuple[int, int]:
    """The period immediately before this one; period 1 goes to the previous year's last (C2)."""
    freq = parse_frequency(frequency)
    _check_period(freq, year_start, period_number)
    if period_number == 1:
        return year_start - 1, _PERIODS_PER_YEAR[freq]
    return year_start, period_number - 1


def _is_working_day(d: date, holidays: Collection[date]) -> bool:
    return d.weekday() < 5 and d not in holidays


def add_working_days(start: date, days: int, *, holidays: Collection[date] = ()) -> date:
    """The date ``days`` working days after ``start`` (B2 data due date rule, D1).

    Working days are Monday to Friday, skipping any date in ``holidays``. ``start`` itself is
    not counted, so Friday + 1 is Monday. ``days=0`` returns ``start`` if it is a working day,
    else the next working day. Raises ValueError for negative ``days``.
    """
    _require_int("days", days)
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    closed = frozenset(holidays)
    one = timedelta(days=1)
    current = start
    if days == 0:
        while not _is_working_day(current, closed):
            current += one
        return current
    remaining = days
    while remaining:
        current += one
        if _is_working_day(current, closed):
            remaining -= 1
    return current
