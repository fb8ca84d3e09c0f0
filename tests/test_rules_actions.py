"""Action status at a period end (C3)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plans.assessment import ActionStatus, action_status

DEL, NLV, SCH, ONT, LT3, GT3 = (
    ActionStatus.DELIVERED,
    ActionStatus.NO_LONGER_VIABLE,
    ActionStatus.SCHEDULED,
    ActionStatus.ON_TARGET,
    ActionStatus.SLIPPED_LT3,
    ActionStatus.SLIPPED_GT3,
)

Q2_END = date(2025, 9, 30)

ACTION_CASES: list[tuple[str, dict[str, object], ActionStatus]] = [
    # Delivered
    (
        "completed-before-period-end",
        {"start": date(2025, 4, 1), "approved_end": date(2025, 12, 31), "completed_on": date(2025, 8, 1)},
        DEL,
    ),
    (
        "completed-on-period-end",
        {"start": date(2025, 4, 1), "approved_end": date(2025, 12, 31), "completed_on": Q2_END},
        DEL,
    ),
    (
        "completed-late-still-delivered",
        {"start": date(2025, 4, 1), "approved_end": date(2025, 6, 30), "completed_on": date(2025, 9, 1)},
        DEL,
    ),
    (
        "delivered-beats-no-longer-viable",
        {
            "start": None,
            "approved_end": date(2025, 6, 30),
            "completed_on": date(2025, 6, 1),
            "no_longer_viable": True,
        },
        DEL,
    ),
    (
        "completed-after-as-of-is-unfinished",
        {"start": date(2025, 4, 1), "approved_end": date(2025, 12, 31), "completed_on": date(2025, 10, 5)},
        ONT,
    ),
    (
        "completed-after-as-of-and-overdue-slipped",
        {"start": date(2025, 4, 1), "approved_end": date(2025, 8, 31), "completed_on": date(2025, 10, 5)},
        LT3,
    ),
    # No longer viable
    (
        "no-longer-viable",
        {"start": date(2025, 4, 1), "approved_end": date(2025, 12, 31), "no_longer_viable": True},
        NLV,
    ),
    (
        "no-longer-viable-beats-slippage",
        {
            "start": date(2025, 4, 1),
            "approved_end": date(2025, 1, 31),
            "forecast_end": date(2026, 6, 30),
            "no_longer_viable": True,
        },
        NLV,
    ),
    # On target
    ("underway-no-forecast", {"start": date(2025, 4, 1), "approved_end": date(2025, 12, 31)}, ONT),
    ("no-start-date", {"start": None, "approved_end": date(2025, 12, 31)}, ONT),
    (
        "forecast-equal-to-approved",
        {"start": date(2025, 4, 1), "approved_end": date(2025, 12, 31), "forecast_end": date(2025, 12, 31)},
        ONT,
    ),
    (
        "forecast-earlier-than-approved",
        {"start": date(2025, 4, 1), "approved_end": date(2025, 12, 31), "forecast_end": date(2025, 11, 1)},
        ONT,
    ),
    (
        "approved-end-is-period-end",
        {"start": date(2025, 4, 1), "approved_end": Q2_END},
        ONT,
    ),
    (
        "starts-on-period-end-is-underway",
        {"start": Q2_END, "approved_end": date(2025, 12, 31)},
        ONT,
    ),
    # Scheduled
    ("starts-after-period", {"start": date(2025, 10, 1), "approved_end": date(2026, 3, 31)}, SCH),
    (
        "scheduled-but-forecast-slipped",
        {"start": date(2025, 10, 1), "approved_end": date(2026, 3, 31), "forecast_end": date(2026, 5, 1)},
        LT3,
    ),
    # Slipped by forecast
    (
        "forecast-one-day-late",
        {"start": date(2025, 4, 1), "approved_end": date(2025, 12, 31), "forecast_end": date(2026, 1, 1)},
        LT3,
    ),
    (
        "forecast-exactly-3-months-is-lt3",
        {"start": date(2025, 4, 1), "approved_end": date(2025, 12, 15), "forecast_end": date(2026, 3, 15)},
        LT3,
    ),
    (
        "forecast-3-months-and-a-day-gt3",
        {"start": date(2025, 4, 1), "approved_end": date(2025, 12, 15), "forecast_end": date(2026, 3, 16)},
        GT3,
    ),
    (
        "month-end-clamp-nov30-exactly-3-months-feb28",
        {"start": None, "approved_end": date(2025, 11, 30), "forecast_end": date(2026, 2, 28)},
        LT3,
    ),
    (
        "month-end-clamp-nov30-to-mar1-gt3",
        {"start": None, "approved_end": date(2025, 11, 30), "forecast_end": date(2026, 3, 1)},
        GT3,
    ),
    (
        "leap-nov30-exactly-3-months-feb29",
        {"start": None, "approved_end": date(2027, 11, 30), "forecast_end": date(2028, 2, 29)},
        LT3,
    ),
    (
        "forecast-far-late-gt3",
        {"start": date(2025, 4, 1), "approved_end": date(2025, 12, 31), "forecast_end": date(2026, 12, 31)},
        GT3,
    ),
    # Slipped because past the approved end and unfinished
    (
        "overdue-by-period-end-lt3",
        {"start": date(2025, 4, 1), "approved_end": date(2025, 8, 31)},
        LT3,
    ),
    (
        "overdue-exactly-3-months-lt3",
        {"start": date(2025, 4, 1), "approved_end": date(2025, 6, 30)},
        LT3,
    ),
    (
        "overdue-more-than-3-months-gt3",
        {"start": date(2025, 4, 1), "approved_end": date(2025, 6, 29)},
        GT3,
    ),
    (
        "overdue-with-stale-early-forecast-uses-period-end",
        {"start": date(2025, 4, 1), "approved_end": date(2025, 5, 31), "forecast_end": date(2025, 6, 15)},
        GT3,
    ),
    (
        "overdue-with-later-forecast-uses-forecast",
        {"start": date(2025, 4, 1), "approved_end": date(2025, 8, 31), "forecast_end": date(2026, 1, 31)},
        GT3,
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [(kwargs, expected) for _, kwargs, expected in ACTION_CASES],
    ids=[case_id for case_id, _, _ in ACTION_CASES],
)
def test_action_status_table(kwargs: dict[str, object], expected: ActionStatus) -> None:
    assert action_status(as_of=Q2_END, **kwargs) is expected  # type: ignore[arg-type]


def test_action_status_values() -> None:
    assert [s.value for s in ActionStatus] == [
        "delivered",
        "no_longer_viable",
        "scheduled",
        "on_target",
        "slipped_lt3",
        "slipped_gt3",
    ]


dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
SEVERITY = {ONT: 0, SCH: 0, LT3: 1, GT3: 2}


@given(
    as_of=dates,
    start=st.none() | dates,
    approved_end=dates,
    forecast_end=st.none() | dates,
    completed_on=dates,
    no_longer_viable=st.booleans(),
)
def test_delivered_whenever_completed_on_or_before_as_of(
    as_of: date,
    start: date | None,
    approved_end: date,
    forecast_end: date | None,
    completed_on: date,
    no_longer_viable: bool,
) -> None:
    status = action_status(
        as_of=as_of,
        start=start,
        approved_end=approved_end,
        forecast_end=forecast_end,
        completed_on=completed_on,
        no_longer_viable=no_longer_viable,
    )
    assert (status is DEL) == (completed_on <= as_of)


@given(as_of=dates, start=st.none() | dates, approved_end=dates, f1=dates, f2=dates)
def test_slippage_monotonic_in_forecast_end(
    as_of: date, start: date | None, approved_end: date, f1: date, f2: date
) -> None:
    early, late = sorted((f1, f2))
    common = {"as_of": as_of, "start": start, "approved_end": approved_end}
    s_early = action_status(forecast_end=early, **common)  # type: ignore[arg-type]
    s_late = action_status(forecast_end=late, **common)  # type: ignore[arg-type]
    assert SEVERITY[s_early] <= SEVERITY[s_late]


@given(as_of=dates, start=st.none() | dates, approved_end=dates, forecast_end=st.none() | dates)
def test_unfinished_action_is_never_delivered_and_slips_only_past_approved_end(
    as_of: date, start: date | None, approved_end: date, forecast_end: date | None
) -> None:
    status = action_status(as_of=as_of, start=start, approved_end=approved_end, forecast_end=forecast_end)
    assert status is not DEL
    slipped = status in (LT3, GT3)
    late_forecast = forecast_end is not None and forecast_end > approved_end
    assert slipped == (late_forecast or as_of > approved_end)
