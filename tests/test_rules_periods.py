"""Period arithmetic (Vocabulary; B2 due-date rule; C2, C3 support)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmf.periods import (
    Frequency,
    add_months,
    add_working_days,
    financial_year_label,
    period_bounds,
    period_for_date,
    period_label,
    periods_per_year,
    previous_period,
)

M, Q, H, A = Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.HALF_YEARLY, Frequency.ANNUAL


# --- Frequency -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        (M, 12),
        (Q, 4),
        (H, 2),
        (A, 1),
        ("monthly", 12),
        ("quarterly", 4),
        ("half_yearly", 2),
        ("annual", 1),
    ],
    ids=["M", "Q", "H", "A", "str-M", "str-Q", "str-H", "str-A"],
)
def test_periods_per_year(frequency: Frequency | str, expected: int) -> None:
    assert periods_per_year(frequency) == expected


@pytest.mark.parametrize("bad", ["weekly", "Monthly", "", None, 12], ids=repr)
def test_unknown_frequency_is_value_error_naming_it(bad: object) -> None:
    with pytest.raises(ValueError, match=repr(bad).replace("(", r"\(")):
        periods_per_year(bad)  # type: ignore[arg-type]


def test_frequency_values() -> None:
    assert [f.value for f in Frequency] == ["monthly", "quarterly", "half_yearly", "annual"]
    assert Frequency.MONTHLY == "monthly"


# --- period_bounds ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "year", "period", "first", "last"),
    [
        (M, 2025, 1, date(2025, 4, 1), date(2025, 4, 30)),
        (M, 2025, 2, date(2025, 5, 1), date(2025, 5, 31)),
        (M, 2025, 9, date(2025, 12, 1), date(2025, 12, 31)),
        (M, 2025, 10, date(2026, 1, 1), date(2026, 1, 31)),
        (M, 2025, 11, date(2026, 2, 1), date(2026, 2, 28)),
        (M, 2023, 11, date(2024, 2, 1), date(2024, 2, 29)),
        (M, 2025, 12, date(2026, 3, 1), date(2026, 3, 31)),
        (Q, 2025, 1, date(2025, 4, 1), date(2025, 6, 30)),
        (Q, 2025, 2, date(2025, 7, 1), date(2025, 9, 30)),
        (Q, 2025, 3, date(2025, 10, 1), date(2025, 12, 31)),
        (Q, 2025, 4, date(2026, 1, 1), date(2026, 3, 31)),
        (H, 2025, 1, date(2025, 4, 1), date(2025, 9, 30)),
        (H, 2025, 2, date(2025, 10, 1), date(2026, 3, 31)),
        (A, 2025, 1, date(2025, 4, 1), date(2026, 3, 31)),
        ("quarterly", 1999, 4, date(2000, 1, 1), date(2000, 3, 31)),
    ],
    ids=[
        "M1-apr",
        "M2-may",
        "M9-dec",
        "M10-jan-next-year",
        "M11-feb",
        "M11-feb-leap",
        "M12-mar",
        "Q1",
        "Q2",
        "Q3",
        "Q4",
        "H1",
        "H2",
        "annual",
        "str-Q4-century",
    ],
)
def test_period_bounds(frequency: Frequency | str, year: int, period: int, first: date, last: date) -> None:
    assert period_bounds(frequency=frequency, year_start=year, period_number=period) == (
        first,
        last,
    )


@pytest.mark.parametrize(
    ("frequency", "period"),
    [(M, 0), (M, 13), (Q, 0), (Q, 5), (H, 3), (A, 0), (A, 2), (M, -1)],
    ids=["M0", "M13", "Q0", "Q5", "H3", "A0", "A2", "M-1"],
)
def test_period_out_of_range(frequency: Frequency, period: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        period_bounds(frequency=frequency, year_start=2025, period_number=period)
    with pytest.raises(ValueError, match="out of range"):
        period_label(frequency=frequency, year_start=2025, period_number=period)
    with pytest.raises(ValueError, match="out of range"):
        previous_period(frequency=frequency, year_start=2025, period_number=period)


# --- period_for_date -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "on", "expected"),
    [
        (M, date(2025, 4, 1), (2025, 1)),
        (M, date(2025, 5, 31), (2025, 2)),
        (M, date(2026, 1, 15), (2025, 10)),
        (M, date(2026, 3, 31), (2025, 12)),
        (M, date(2024, 2, 29), (2023, 11)),
        (Q, date(2025, 3, 31), (2024, 4)),
        (Q, date(2025, 4, 1), (2025, 1)),
        (Q, date(2025, 6, 30), (2025, 1)),
        (Q, date(2025, 7, 1), (2025, 2)),
        (Q, date(2025, 12, 31), (2025, 3)),
        (Q, date(2026, 1, 1), (2025, 4)),
        (H, date(2025, 9, 30), (2025, 1)),
        (H, date(2025, 10, 1), (2025, 2)),
        (H, date(2026, 2, 1), (2025, 2)),
        (A, date(2025, 4, 1), (2025, 1)),
        (A, date(2026, 3, 31), (2025, 1)),
        ("annual", date(2026, 4, 1), (2026, 1)),
    ],
    ids=[
        "M-apr1",
        "M-may31",
        "M-jan",
        "M-mar31",
        "M-feb29",
        "Q-mar31-prev-year-Q4",
        "Q-apr1",
        "Q-jun30",
        "Q-jul1",
        "Q-dec31",
        "Q-jan1",
        "H-sep30",
        "H-oct1",
        "H-feb",
        "A-apr1",
        "A-mar31",
        "A-str-next-year",
    ],
)
def test_period_for_date(frequency: Frequency | str, on: date, expected: tuple[int, int]) -> None:
    assert period_for_date(frequency=frequency, on=on) == expected


@given(
    frequency=st.sampled_from(list(Frequency)),
    on=st.dates(min_value=date(1901, 1, 1), max_value=date(2199, 12, 31)),
)
def test_period_for_date_is_inside_its_bounds(frequency: Frequency, on: date) -> None:
    year, period = period_for_date(frequency=frequency, on=on)
    first, last = period_bounds(frequency=frequency, year_start=year, period_number=period)
    assert first <= on <= last


@given(
    frequency=st.sampled_from(list(Frequency)),
    year=st.integers(min_value=1901, max_value=2199),
    data=st.data(),
)
def test_periods_are_contiguous(frequency: Frequency, year: int, data: st.DataObject) -> None:
    count = periods_per_year(frequency)
    period = data.draw(st.integers(min_value=1, max_value=count))
    first, last = period_bounds(frequency=frequency, year_start=year, period_number=period)
    prev_year, prev_period = previous_period(frequency=frequency, year_start=year, period_number=period)
    _, prev_last = period_bounds(frequency=frequency, year_start=prev_year, period_number=prev_period)
    assert prev_last + timedelta(days=1) == first
    assert period_for_date(frequency=frequency, on=last) == (year, period)


# --- labels ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "label"),
    [(2025, "2025/26"), (1999, "1999/00"), (2009, "2009/10"), (2099, "2099/00"), (2000, "2000/01")],
    ids=["2025", "1999-century", "2009", "2099", "2000"],
)
def test_financial_year_label(year: int, label: str) -> None:
    assert financial_year_label(year) == label


@pytest.mark.parametrize(
    ("frequency", "year", "period", "label"),
    [
        (M, 2025, 1, "April 2025"),
        (M, 2025, 2, "May 2025"),
        (M, 2025, 10, "January 2026"),
        (M, 2025, 12, "March 2026"),
        (Q, 2025, 2, "Q2 2025/26"),
        (Q, 2025, 4, "Q4 2025/26"),
        (H, 2025, 1, "H1 2025/26"),
        (H, 2025, 2, "H2 2025/26"),
        (A, 2025, 1, "2025/26"),
        ("quarterly", 1999, 1, "Q1 1999/00"),
    ],
    ids=["M-apr", "M-may", "M-jan", "M-mar", "Q2", "Q4", "H1", "H2", "A", "str-Q1-1999"],
)
def test_period_label(frequency: Frequency | str, year: int, period: int, label: str) -> None:
    assert period_label(frequency=frequency, year_start=year, period_number=period) == label


# --- previous_period -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "current", "expected"),
    [
        (M, (2025, 2), (2025, 1)),
        (M, (2025, 1), (2024, 12)),
        (M, (2025, 12), (2025, 11)),
        (Q, (2025, 1), (2024, 4)),
        (Q, (2025, 4), (2025, 3)),
        (H, (2025, 1), (2024, 2)),
        (H, (2025, 2), (2025, 1)),
        (A, (2025, 1), (2024, 1)),
    ],
    ids=["M2", "M1-wraps", "M12", "Q1-wraps", "Q4", "H1-wraps", "H2", "A"],
)
def test_previous_period(frequency: Frequency, current: tuple[int, int], expected: tuple[int, int]) -> None:
    year, period = current
    assert previous_period(frequency=frequency, year_start=year, period_number=period) == expected


# --- add_months ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 15), 1, date(2025, 2, 15)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2025, 8, 31), 1, date(2025, 9, 30)),
        (date(2025, 12, 31), 1, date(2026, 1, 31)),
        (date(2025, 10, 15), 3, date(2026, 1, 15)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2025, 1, 10), -1, date(2024, 12, 10)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 6, 30), -12, date(2024, 6, 30)),
        (date(2025, 6, 30), 0, date(2025, 6, 30)),
        (date(2025, 5, 31), 24, date(2027, 5, 31)),
    ],
    ids=[
        "plain",
        "jan31-to-feb28",
        "jan31-to-feb29-leap",
        "nov30+3-feb28",
        "nov30+3-feb29-leap",
        "aug31-to-sep30",
        "dec-to-jan-next-year",
        "over-year-end",
        "back-mar31-feb28",
        "back-mar31-feb29-leap",
        "back-over-year",
        "feb29+12-clamps",
        "feb29+48-leap-again",
        "minus-12",
        "zero",
        "plus-24",
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@given(
    start=st.dates(min_value=date(1901, 1, 1), max_value=date(2199, 12, 31)),
    months=st.integers(min_value=-600, max_value=600),
)
def test_add_months_properties(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day
    if result.day < start.day:  # clamped: must be the last day of its month
        assert (result + timedelta(days=1)).day == 1


# --- add_working_days ------------------------------------------------------------------------

# 2025: 1 Dec Mon ... 25 Dec Thu, 26 Dec Fri (bank holidays), 27-28 weekend.
XMAS_2025 = frozenset({date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1)})
EASTER_2026 = frozenset({date(2026, 4, 3), date(2026, 4, 6)})  # Good Friday, Easter Monday


@pytest.mark.parametrize(
    ("start", "days", "holidays", "expected"),
    [
        (date(2025, 6, 2), 0, (), date(2025, 6, 2)),
        (date(2025, 6, 7), 0, (), date(2025, 6, 9)),
        (date(2025, 6, 8), 0, (), date(2025, 6, 9)),
        (date(2025, 6, 2), 1, (), date(2025, 6, 3)),
        (date(2025, 6, 6), 1, (), date(2025, 6, 9)),
        (date(2025, 6, 7), 1, (), date(2025, 6, 9)),
        (date(2025, 6, 8), 1, (), date(2025, 6, 9)),
        (date(2025, 6, 2), 5, (), date(2025, 6, 9)),
        (date(2025, 6, 30), 10, (), date(2025, 7, 14)),
        (date(2025, 12, 24), 1, XMAS_2025, date(2025, 12, 29)),
        (date(2025, 12, 24), 1, (), date(2025, 12, 25)),
        (date(2025, 12, 25), 0, XMAS_2025, date(2025, 12, 29)),
        (date(2025, 12, 31), 10, XMAS_2025, date(2026, 1, 15)),
        (date(2026, 3, 31), 10, EASTER_2026, date(2026, 4, 16)),
        (date(2026, 4, 2), 1, EASTER_2026, date(2026, 4, 7)),
        (date(2026, 4, 2), 1, [date(2026, 4, 3), date(2026, 4, 6)], date(2026, 4, 7)),
    ],
    ids=[
        "zero-on-monday",
        "zero-on-saturday",
        "zero-on-sunday",
        "mon+1",
        "fri+1-is-monday",
        "sat+1-is-monday",
        "sun+1-is-monday",
        "mon+5-next-monday",
        "month-end+10",
        "xmas-eve+1-skips-bank-holidays",
        "xmas-eve+1-without-holidays",
        "zero-on-holiday",
        "year-end+10-skips-new-year",
        "march-quarter-end+10-over-easter",
        "thu-before-good-friday+1",
        "holidays-as-list",
    ],
)
def test_add_working_days(start: date, days: int, holidays: object, expected: date) -> None:
    assert add_working_days(start, days, holidays=holidays) == expected  # type: ignore[arg-type]


def test_add_working_days_negative_is_value_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2025, 6, 2), -1)


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    days=st.integers(min_value=0, max_value=60),
    holidays=st.frozensets(st.dates(min_value=date(2000, 1, 1), max_value=date(2101, 12, 31)), max_size=20),
)
def test_add_working_days_properties(start: date, days: int, holidays: frozenset[date]) -> None:
    result = add_working_days(start, days, holidays=holidays)
    assert result.weekday() < 5
    assert result not in holidays
    assert result >= start

    def working(d: date) -> bool:
        return d.weekday() < 5 and d not in holidays

    if days == 0:
        assert all(not working(start + timedelta(n)) for n in range((result - start).days))
    else:
        span = [start + timedelta(n) for n in range(1, (result - start).days + 1)]
        assert sum(working(d) for d in span) == days
