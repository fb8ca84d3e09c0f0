"""Direction of travel and its comparison period (C2)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.assessment import (
    Direction,
    Frequency,
    MeasureType,
    Polarity,
    comparison_period,
    direction_of_travel,
)
from pmf.periods import Frequency as PeriodsFrequency
from pmf.periods import periods_per_year

UP, SAME, DOWN, NM = (
    Direction.IMPROVING,
    Direction.MAINTAINED,
    Direction.DECLINING,
    Direction.NOT_MEASURED,
)


def test_frequency_is_re_exported() -> None:
    assert Frequency is PeriodsFrequency


def test_enum_values() -> None:
    assert [d.value for d in Direction] == ["improving", "maintained", "declining", "not_measured"]
    assert [p.value for p in Polarity] == ["higher", "lower", "band"]
    assert [m.value for m in MeasureType] == ["snapshot", "cumulative"]


# --- direction_of_travel ---------------------------------------------------------------------

DIRECTION_CASES: list[tuple[str, dict[str, object], Direction]] = [
    ("higher-up-improving", {"current": 10, "previous": 9, "polarity": "higher"}, UP),
    ("higher-down-declining", {"current": 9, "previous": 10, "polarity": "higher"}, DOWN),
    ("higher-equal-maintained", {"current": 10, "previous": 10, "polarity": "higher"}, SAME),
    ("lower-down-improving", {"current": 9, "previous": 10, "polarity": "lower"}, UP),
    ("lower-up-declining", {"current": 10, "previous": 9, "polarity": "lower"}, DOWN),
    ("lower-equal-maintained", {"current": "7.0", "previous": 7, "polarity": "lower"}, SAME),
    ("current-none", {"current": None, "previous": 9, "polarity": "higher"}, NM),
    ("previous-none", {"current": 9, "previous": None, "polarity": "lower"}, NM),
    ("both-none", {"current": None, "previous": None, "polarity": "higher"}, NM),
    (
        "band-none-without-edges-not-measured",
        {"current": None, "previous": 1, "polarity": "band"},
        NM,
    ),
    (
        "equal-at-1dp-maintained",
        {"current": "10.04", "previous": "10.01", "polarity": "higher", "decimal_places": 1},
        SAME,
    ),
    (
        "half-up-at-1dp-improving",
        {"current": "10.05", "previous": "10.04", "polarity": "higher", "decimal_places": 1},
        UP,
    ),
    (
        "equal-at-0dp-maintained",
        {"current": "10.4", "previous": "9.5", "polarity": "higher", "decimal_places": 0},
        SAME,
    ),
    (
        "different-without-rounding-improving",
        {"current": "10.04", "previous": "10.01", "polarity": "higher"},
        UP,
    ),
    ("negative-values-higher", {"current": -5, "previous": -6, "polarity": "higher"}, UP),
    ("enum-polarity", {"current": 2, "previous": 1, "polarity": Polarity.LOWER}, DOWN),
    # band
    (
        "band-both-inside-maintained",
        {"current": 45, "previous": 55, "polarity": "band", "band_low": 40, "band_high": 60},
        SAME,
    ),
    (
        "band-into-band-improving",
        {"current": 50, "previous": 30, "polarity": "band", "band_low": 40, "band_high": 60},
        UP,
    ),
    (
        "band-out-of-band-declining",
        {"current": 61, "previous": 60, "polarity": "band", "band_low": 40, "band_high": 60},
        DOWN,
    ),
    (
        "band-below-closer-improving",
        {"current": 35, "previous": 30, "polarity": "band", "band_low": 40, "band_high": 60},
        UP,
    ),
    (
        "band-above-further-declining",
        {"current": 70, "previous": 65, "polarity": "band", "band_low": 40, "band_high": 60},
        DOWN,
    ),
    (
        "band-equal-distance-opposite-sides-maintained",
        {"current": 65, "previous": 35, "polarity": "band", "band_low": 40, "band_high": 60},
        SAME,
    ),
    (
        "band-crossing-closer-improving",
        {"current": 62, "previous": 30, "polarity": "band", "band_low": 40, "band_high": 60},
        UP,
    ),
    (
        "band-rounded-into-band",
        {
            "current": "39.96",
            "previous": "39.5",
            "polarity": "band",
            "band_low": 40,
            "band_high": 60,
            "decimal_places": 1,
        },
        UP,
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [(kwargs, expected) for _, kwargs, expected in DIRECTION_CASES],
    ids=[case_id for case_id, _, _ in DIRECTION_CASES],
)
def test_direction_table(kwargs: dict[str, object], expected: Direction) -> None:
    assert direction_of_travel(**kwargs) is expected  # type: ignore[arg-type]


DIRECTION_ERRORS: list[tuple[str, dict[str, object], type[Exception]]] = [
    ("float", {"current": 1.5, "previous": 1, "polarity": "higher"}, TypeError),
    ("bad-polarity", {"current": 1, "previous": 2, "polarity": "sideways"}, ValueError),
    ("band-no-edges", {"current": 1, "previous": 2, "polarity": "band"}, ValueError),
    ("band-no-high", {"current": 1, "previous": 2, "polarity": "band", "band_low": 0}, ValueError),
    (
        "band-inverted",
        {"current": 1, "previous": 2, "polarity": "band", "band_low": 5, "band_high": 0},
        ValueError,
    ),
    (
        "negative-places",
        {"current": 1, "previous": 2, "polarity": "higher", "decimal_places": -2},
        ValueError,
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [(kwargs, error) for _, kwargs, error in DIRECTION_ERRORS],
    ids=[case_id for case_id, _, _ in DIRECTION_ERRORS],
)
def test_direction_errors(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        direction_of_travel(**kwargs)  # type: ignore[arg-type]


SWAP = {UP: DOWN, DOWN: UP, SAME: SAME, NM: NM}
numbers = st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False, allow_infinity=False)
optional_numbers = st.none() | numbers


@given(
    current=optional_numbers,
    previous=optional_numbers,
    polarity=st.sampled_from(list(Polarity)),
    edges=st.tuples(numbers, numbers),
    places=st.none() | st.integers(min_value=0, max_value=3),
)
def test_direction_antisymmetry(
    current: Decimal | None,
    previous: Decimal | None,
    polarity: Polarity,
    edges: tuple[Decimal, Decimal],
    places: int | None,
) -> None:
    low, high = sorted(edges)
    common = {"polarity": polarity, "decimal_places": places, "band_low": low, "band_high": high}
    forward = direction_of_travel(current=current, previous=previous, **common)  # type: ignore[arg-type]
    backward = direction_of_travel(current=previous, previous=current, **common)  # type: ignore[arg-type]
    assert backward is SWAP[forward]


@given(a=numbers, b=numbers)
def test_direction_higher_and_lower_are_opposite(a: Decimal, b: Decimal) -> None:
    higher = direction_of_travel(current=a, previous=b, polarity="higher")
    lower = direction_of_travel(current=a, previous=b, polarity="lower")
    assert lower is SWAP[higher]
    assert (higher is SAME) == (a == b)


# --- comparison_period -----------------------------------------------------------------------

S, C = MeasureType.SNAPSHOT, MeasureType.CUMULATIVE
M, Q, H, A = Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.HALF_YEARLY, Frequency.ANNUAL


def _expected(frequency: Frequency, measure_type: MeasureType, period: int) -> tuple[int, int]:
    """C2 written out independently: snapshot -> previous period except at year end."""
    count = periods_per_year(frequency)
    if measure_type is C or period == count:
        return 2024, period
    if period == 1:
        return 2024, count
    return 2025, period - 1


ALL_COMPARISONS = [
    (freq, kind, period, _expected(freq, kind, period))
    for freq in Frequency
    for kind in MeasureType
    for period in range(1, periods_per_year(freq) + 1)
]


@pytest.mark.parametrize(
    ("frequency", "measure_type", "period", "expected"),
    ALL_COMPARISONS,
    ids=[f"{f.value}-{k.value}-P{p}" for f, k, p, _ in ALL_COMPARISONS],
)
def test_comparison_period_every_case(
    frequency: Frequency, measure_type: MeasureType, period: int, expected: tuple[int, int]
) -> None:
    assert (
        comparison_period(frequency=frequency, measure_type=measure_type, year_start=2025, period_number=period)
        == expected
    )


@pytest.mark.parametrize(
    ("frequency", "measure_type", "period", "expected"),
    [
        ("monthly", "snapshot", 2, (2025, 1)),
        ("monthly", "snapshot", 12, (2024, 12)),
        ("monthly", "snapshot", 1, (2024, 12)),
        ("monthly", "snapshot", 11, (2025, 10)),
        ("quarterly", "snapshot", 1, (2024, 4)),
        ("quarterly", "snapshot", 2, (2025, 1)),
        ("quarterly", "snapshot", 4, (2024, 4)),
        ("half_yearly", "snapshot", 1, (2024, 2)),
        ("half_yearly", "snapshot", 2, (2024, 2)),
        ("annual", "snapshot", 1, (2024, 1)),
        ("annual", "cumulative", 1, (2024, 1)),
        ("monthly", "cumulative", 5, (2024, 5)),
        ("monthly", "cumulative", 1, (2024, 1)),
        ("quarterly", "cumulative", 3, (2024, 3)),
        ("half_yearly", "cumulative", 1, (2024, 1)),
    ],
    ids=[
        "M-snap-may-vs-april",
        "M-snap-march-vs-last-march",
        "M-snap-april-vs-last-march",
        "M-snap-feb-vs-jan",
        "Q-snap-Q1-vs-last-Q4",
        "Q-snap-Q2-vs-Q1",
        "Q-snap-Q4-vs-last-Q4",
        "H-snap-H1-vs-last-H2",
        "H-snap-H2-vs-last-H2",
        "A-snap",
        "A-cum",
        "M-cum-may-vs-last-may",
        "M-cum-april",
        "Q-cum-Q3",
        "H-cum-H1",
    ],
)
def test_comparison_period_examples(frequency: str, measure_type: str, period: int, expected: tuple[int, int]) -> None:
    assert (
        comparison_period(frequency=frequency, measure_type=measure_type, year_start=2025, period_number=period)
        == expected
    )


@pytest.mark.parametrize(
    ("frequency", "measure_type", "period"),
    [
        ("monthly", "snapshot", 0),
        ("monthly", "cumulative", 13),
        ("quarterly", "snapshot", 5),
        ("half_yearly", "snapshot", 3),
        ("annual", "cumulative", 2),
        ("weekly", "snapshot", 1),
        ("monthly", "rolling", 1),
    ],
    ids=["M0", "M13", "Q5", "H3", "A2", "bad-frequency", "bad-measure-type"],
)
def test_comparison_period_errors(frequency: str, measure_type: str, period: int) -> None:
    with pytest.raises(ValueError):
        comparison_period(frequency=frequency, measure_type=measure_type, year_start=2025, period_number=period)
