"""Computed year-end forecasts (C5)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.assessment import (
    ForecastMethod,
    MeasureType,
    default_forecast_method,
    forecast_year_end,
)

RATIO, GAP, RUN, LATEST, TREND = (
    ForecastMethod.PROFILE_RATIO,
    ForecastMethod.PROFILE_GAP,
    ForecastMethod.RUN_RATE,
    ForecastMethod.LATEST,
    ForecastMethod.LINEAR_TREND,
)
# Monthly cumulative trajectory: 25 a month towards an annual target of 300.
PROFILE_12 = [25 * k for k in range(1, 13)]

FORECAST_CASES: list[tuple[str, dict[str, object], str | None]] = [
    # RUN_RATE (cumulative)
    ("run-rate", {"method": RUN, "actuals": [10, 25, 30], "periods_in_year": 12}, "120"),
    ("run-rate-latest-missing", {"method": RUN, "actuals": [10, 25, None], "periods_in_year": 12}, "150"),
    ("run-rate-gap-before", {"method": RUN, "actuals": [None, 20], "periods_in_year": 12}, "120"),
    ("run-rate-first-period", {"method": "run_rate", "actuals": ["7.5"], "periods_in_year": 4}, "30.0"),
    (
        "run-rate-inexact-2dp-half-up",
        {"method": RUN, "actuals": [None, None, 20], "periods_in_year": 4, "decimal_places": 2},
        "26.67",
    ),
    (
        "run-rate-inexact-0dp",
        {"method": RUN, "actuals": [None, None, 10], "periods_in_year": 4, "decimal_places": 0},
        "13",
    ),
    # PROFILE_RATIO (cumulative)
    (
        "profile-ratio",
        {"method": RATIO, "actuals": [20, 45, 60], "periods_in_year": 12, "annual_target": 300, "profile": PROFILE_12},
        "240",
    ),
    (
        "profile-ratio-1dp",
        {
            "method": RATIO,
            "actuals": [20, 45, 60],
            "periods_in_year": 12,
            "annual_target": 300,
            "profile": PROFILE_12,
            "decimal_places": 1,
        },
        "240.0",
    ),
    (
        "profile-ratio-seasonal",
        {"method": RATIO, "actuals": [30], "periods_in_year": 4, "annual_target": 100, "profile": [10, 40, 70, 100]},
        "300",
    ),
    (
        "profile-ratio-zero-profiled-so-far",
        {"method": RATIO, "actuals": [5], "periods_in_year": 4, "annual_target": 100, "profile": [0, 40, 70, 100]},
        None,
    ),
    (
        "profile-ratio-no-profile",
        {"method": RATIO, "actuals": [5], "periods_in_year": 4, "annual_target": 100},
        None,
    ),
    (
        "profile-ratio-no-annual-target",
        {"method": RATIO, "actuals": [5], "periods_in_year": 4, "profile": [10, 40, 70, 100]},
        None,
    ),
    (
        "profile-ratio-profile-entry-missing",
        {
            "method": RATIO,
            "actuals": [5, 6],
            "periods_in_year": 4,
            "annual_target": 100,
            "profile": [10, None, 70, 100],
        },
        None,
    ),
    (
        "profile-ratio-profile-too-short",
        {"method": RATIO, "actuals": [5, 6], "periods_in_year": 4, "annual_target": 100, "profile": [10]},
        None,
    ),
    (
        "profile-ratio-inexact",
        {
            "method": RATIO,
            "actuals": [10],
            "periods_in_year": 4,
            "annual_target": 100,
            "profile": [30, 60, 90, 100],
            "decimal_places": 2,
        },
        "33.33",
    ),
    # PROFILE_GAP (cumulative)
    (
        "profile-gap-behind",
        {"method": GAP, "actuals": [20, 45, 60], "periods_in_year": 12, "annual_target": 300, "profile": PROFILE_12},
        "285",
    ),
    (
        "profile-gap-ahead",
        {"method": GAP, "actuals": [20, 45, 90], "periods_in_year": 12, "annual_target": 300, "profile": PROFILE_12},
        "315",
    ),
    (
        "profile-gap-zero-profile-is-fine",
        {"method": GAP, "actuals": [5], "periods_in_year": 4, "annual_target": 100, "profile": [0, 40, 70, 100]},
        "105",
    ),
    (
        "profile-gap-no-profile",
        {"method": GAP, "actuals": [5], "periods_in_year": 4, "annual_target": 100},
        None,
    ),
    (
        "profile-gap-no-target",
        {"method": GAP, "actuals": [5], "periods_in_year": 4, "profile": [10, 40, 70, 100]},
        None,
    ),
    # LATEST (snapshot)
    ("latest", {"method": LATEST, "actuals": [5, 7], "periods_in_year": 12}, "7"),
    ("latest-skips-missing", {"method": LATEST, "actuals": [5, 7, None], "periods_in_year": 12}, "7"),
    (
        "latest-rounded",
        {"method": "latest", "actuals": ["7.25"], "periods_in_year": 12, "decimal_places": 1},
        "7.3",
    ),
    # LINEAR_TREND (snapshot)
    ("trend-straight-line", {"method": TREND, "actuals": [1, 2, 3], "periods_in_year": 12}, "12"),
    ("trend-two-points-quarterly", {"method": TREND, "actuals": [10, 12], "periods_in_year": 4}, "16"),
    ("trend-with-gap", {"method": TREND, "actuals": [10, None, 14], "periods_in_year": 4}, "16"),
    ("trend-declining", {"method": TREND, "actuals": [90, 80], "periods_in_year": 4}, "60"),
    ("trend-flat", {"method": TREND, "actuals": ["5.5", "5.5"], "periods_in_year": 12}, "5.5"),
    (
        "trend-least-squares-inexact",
        {"method": TREND, "actuals": [1, 2, 4], "periods_in_year": 4, "decimal_places": 2},
        "5.33",
    ),
    (
        "trend-least-squares-scatter",
        {"method": TREND, "actuals": [2, 1, 3, 2], "periods_in_year": 6},
        "2.7",  # mean 2 + slope 0.2 x (6 - 2.5)
    ),
    ("trend-one-value", {"method": TREND, "actuals": [None, 8], "periods_in_year": 12}, "8"),
    # Year end: the forecast is the actual, whatever the method
    (
        "year-end-ratio-without-profile",
        {"method": RATIO, "actuals": [10, 20, 30, 44], "periods_in_year": 4},
        "44",
    ),
    ("year-end-run-rate", {"method": RUN, "actuals": [10, 20, 30, 44], "periods_in_year": 4}, "44"),
    ("year-end-trend", {"method": TREND, "actuals": [10, 20, 30, 44], "periods_in_year": 4}, "44"),
    ("year-end-annual", {"method": GAP, "actuals": ["61.5"], "periods_in_year": 1}, "61.5"),
    (
        "year-end-rounded",
        {"method": RUN, "actuals": [None, "61.55"], "periods_in_year": 2, "decimal_places": 1},
        "61.6",
    ),
    # Nothing to forecast from
    ("no-actuals", {"method": RUN, "actuals": [], "periods_in_year": 12}, None),
    ("all-missing", {"method": LATEST, "actuals": [None, None], "periods_in_year": 12}, None),
    (
        "all-missing-with-profile",
        {"method": GAP, "actuals": [None], "periods_in_year": 4, "annual_target": 1, "profile": [1, 2, 3, 4]},
        None,
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [(kwargs, expected) for _, kwargs, expected in FORECAST_CASES],
    ids=[case_id for case_id, _, _ in FORECAST_CASES],
)
def test_forecast_table(kwargs: dict[str, object], expected: str | None) -> None:
    result = forecast_year_end(**kwargs)  # type: ignore[arg-type]
    if expected is None:
        assert result is None
    else:
        assert isinstance(result, Decimal)
        assert result == Decimal(expected)
        if kwargs.get("decimal_places") is not None:
            assert str(result) == expected


FORECAST_ERRORS: list[tuple[str, dict[str, object], type[Exception]]] = [
    ("unknown-method", {"method": "guess", "actuals": [1], "periods_in_year": 12}, ValueError),
    ("float-actual", {"method": RUN, "actuals": [1.5], "periods_in_year": 12}, TypeError),
    (
        "float-target",
        {"method": GAP, "actuals": [1], "periods_in_year": 4, "annual_target": 1.0, "profile": [1, 2, 3, 4]},
        TypeError,
    ),
    (
        "float-profile",
        {"method": GAP, "actuals": [1], "periods_in_year": 4, "annual_target": 4, "profile": [1.0, 2, 3, 4]},
        TypeError,
    ),
    ("bad-string", {"method": RUN, "actuals": ["n/a"], "periods_in_year": 12}, ValueError),
    ("too-many-actuals", {"method": RUN, "actuals": [1, 2, 3], "periods_in_year": 2}, ValueError),
    (
        "too-long-profile",
        {"method": GAP, "actuals": [1], "periods_in_year": 2, "annual_target": 2, "profile": [1, 2, 3]},
        ValueError,
    ),
    ("zero-periods", {"method": RUN, "actuals": [], "periods_in_year": 0}, ValueError),
    ("negative-places", {"method": RUN, "actuals": [1], "periods_in_year": 4, "decimal_places": -1}, ValueError),
]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [(kwargs, error) for _, kwargs, error in FORECAST_ERRORS],
    ids=[case_id for case_id, _, _ in FORECAST_ERRORS],
)
def test_forecast_errors(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        forecast_year_end(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("measure_type", "has_profile", "expected"),
    [
        (MeasureType.CUMULATIVE, True, GAP),
        (MeasureType.CUMULATIVE, False, RUN),
        (MeasureType.SNAPSHOT, True, LATEST),
        (MeasureType.SNAPSHOT, False, LATEST),
        ("cumulative", True, GAP),
        ("snapshot", False, LATEST),
    ],
    ids=["cum-profile", "cum-no-profile", "snap-profile", "snap-no-profile", "str-cum", "str-snap"],
)
def test_default_forecast_method(measure_type: MeasureType | str, has_profile: bool, expected: ForecastMethod) -> None:
    assert default_forecast_method(measure_type=measure_type, has_profile=has_profile) is expected


def test_default_forecast_method_bad_measure_type() -> None:
    with pytest.raises(ValueError, match="'rolling'"):
        default_forecast_method(measure_type="rolling", has_profile=False)


# --- properties ------------------------------------------------------------------------------

small = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
periods = st.sampled_from([1, 2, 4, 12])


@given(year=periods, data=st.data(), method=st.sampled_from(list(ForecastMethod)))
def test_full_year_forecast_is_the_year_end_actual(year: int, data: st.DataObject, method: ForecastMethod) -> None:
    actuals = data.draw(st.lists(st.none() | small, min_size=year - 1, max_size=year - 1))
    last = data.draw(small)
    assert forecast_year_end(method=method, actuals=[*actuals, last], periods_in_year=year) == last


@given(year=periods, data=st.data(), intercept=small, slope=small)
def test_trend_reproduces_an_exact_line(year: int, data: st.DataObject, intercept: Decimal, slope: Decimal) -> None:
    elapsed = data.draw(st.integers(min_value=1, max_value=year))
    actuals = [intercept + slope * x for x in range(1, elapsed + 1)]
    result = forecast_year_end(method=TREND, actuals=actuals, periods_in_year=year)
    expected = actuals[0] if elapsed == 1 else intercept + slope * year
    assert result == expected


@given(year=periods, data=st.data(), per_period=small)
def test_run_rate_of_a_steady_rate_is_the_annual_total(year: int, data: st.DataObject, per_period: Decimal) -> None:
    elapsed = data.draw(st.integers(min_value=1, max_value=year))
    actuals = [per_period * k for k in range(1, elapsed + 1)]
    assert forecast_year_end(method=RUN, actuals=actuals, periods_in_year=year) == per_period * year


@given(year=periods, data=st.data(), annual=small)
def test_on_profile_forecasts_the_annual_target(year: int, data: st.DataObject, annual: Decimal) -> None:
    profile = data.draw(st.lists(small, min_size=year, max_size=year))
    elapsed = data.draw(st.integers(min_value=1, max_value=year))
    actuals = profile[:elapsed]
    so_far = actuals[-1]
    expected = so_far if elapsed == year else annual
    gap = forecast_year_end(method=GAP, actuals=actuals, periods_in_year=year, annual_target=annual, profile=profile)
    assert gap == expected
    ratio = forecast_year_end(
        method=RATIO, actuals=actuals, periods_in_year=year, annual_target=annual, profile=profile
    )
    if elapsed < year and so_far == 0:
        assert ratio is None
    else:
        assert ratio == expected
