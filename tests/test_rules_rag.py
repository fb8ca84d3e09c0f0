"""RAG rules (C1) and the shared Decimal conversion."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from indicators.assessment import (
    DEFAULT_TOLERANCE_PCT,
    Polarity,
    Rag,
    quantize,
    rag,
    to_decimal,
)

G, A, R, M = Rag.GREEN, Rag.AMBER, Rag.RED, Rag.MEASURED
ORDER = {R: 0, A: 1, G: 2}

# --- to_decimal ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (Decimal("1.50"), Decimal("1.50")),
        (7, Decimal(7)),
        (-3, Decimal(-3)),
        ("94.96", Decimal("94.96")),
        (" 12.5 ", Decimal("12.5")),
        ("-0.001", Decimal("-0.001")),
        ("1e3", Decimal(1000)),
    ],
    ids=["decimal", "int", "negative-int", "str", "str-padded", "str-negative", "str-exponent"],
)
def test_to_decimal(raw: Decimal | int | str, expected: Decimal) -> None:
    result = to_decimal(raw)
    assert isinstance(result, Decimal)
    assert result == expected


@pytest.mark.parametrize(
    "raw", [0.1, 1.0, True, None, [1], object()], ids=["float", "float-int", "bool", "none", "list", "object"]
)
def test_to_decimal_type_error(raw: object) -> None:
    with pytest.raises(TypeError):
        to_decimal(raw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "raw",
    ["", "abc", "1,000", "NaN", "nan", "sNaN", "Infinity", "-inf", Decimal("NaN"), Decimal("-Infinity")],
    ids=["empty", "abc", "comma", "NaN", "nan", "sNaN", "Infinity", "-inf", "Decimal-NaN", "Decimal-inf"],
)
def test_to_decimal_value_error(raw: str | Decimal) -> None:
    with pytest.raises(ValueError):
        to_decimal(raw)


def test_to_decimal_error_names_the_field() -> None:
    with pytest.raises(ValueError, match="target"):
        to_decimal("x", name="target")


@pytest.mark.parametrize(
    ("raw", "places", "expected"),
    [
        ("94.95", 1, "95.0"),
        ("94.95", 0, "95"),
        ("94.949", 1, "94.9"),
        ("94.45", 0, "94"),
        ("94.5", 0, "95"),
        ("-94.95", 1, "-95.0"),
        ("-0.5", 0, "-1"),
        ("2.675", 2, "2.68"),
        ("12", 2, "12.00"),
        ("12.345", None, "12.345"),
    ],
    ids=[
        "half-up-1dp",
        "half-up-0dp",
        "below-half",
        "0dp-not-cumulative",
        "exact-half",
        "negative-away-from-zero",
        "negative-half",
        "float-trap-2.675",
        "pads",
        "none-unchanged",
    ],
)
def test_quantize_half_up(raw: str, places: int | None, expected: str) -> None:
    result = quantize(Decimal(raw), places)
    assert result == Decimal(expected)
    assert str(result) == expected


def test_default_tolerance_is_five_percent() -> None:
    assert Decimal("5") == DEFAULT_TOLERANCE_PCT


# --- rag: the table --------------------------------------------------------------------------

RAG_CASES: list[tuple[str, dict[str, object], Rag]] = [
    # Required examples
    ("higher-96-of-100-amber", {"value": 96, "target": 100, "polarity": "higher"}, A),
    ("higher-94-of-100-red", {"value": 94, "target": 100, "polarity": "higher"}, R),
    ("higher-95-on-edge-amber", {"value": 95, "target": 100, "polarity": "higher"}, A),
    ("lower-21-of-20-amber", {"value": 21, "target": 20, "polarity": "lower"}, A),
    ("value-none-measured", {"value": None, "target": 100, "polarity": "higher"}, M),
    (
        "94.96-at-1dp-rounds-to-95.0-amber",
        {"value": "94.96", "target": 100, "polarity": "higher", "decimal_places": 1},
        A,
    ),
    # higher
    ("higher-met-exactly-green", {"value": 100, "target": 100, "polarity": "higher"}, G),
    ("higher-above-green", {"value": 150, "target": 100, "polarity": "higher"}, G),
    ("higher-just-below-target-amber", {"value": "99.99", "target": 100, "polarity": "higher"}, A),
    ("higher-just-beyond-edge-red", {"value": "94.99", "target": 100, "polarity": "higher"}, R),
    (
        "higher-94.95-at-2dp-stays-red",
        {"value": "94.95", "target": 100, "polarity": "higher", "decimal_places": 2},
        R,
    ),
    (
        "higher-94.95-at-1dp-rounds-to-95.0-amber",
        {"value": "94.95", "target": 100, "polarity": "higher", "decimal_places": 1},
        A,
    ),
    (
        "higher-94.949-at-1dp-rounds-down-red",
        {"value": "94.949", "target": 100, "polarity": "higher", "decimal_places": 1},
        R,
    ),
    (
        "higher-94.49-at-0dp-no-double-rounding-red",
        {"value": "94.49", "target": 100, "polarity": "higher", "decimal_places": 0},
        R,
    ),
    (
        "higher-94.95-at-0dp-rounds-to-95-amber",
        {"value": "94.95", "target": 100, "polarity": "higher", "decimal_places": 0},
        A,
    ),
    (
        "higher-94.4-at-0dp-red",
        {"value": "94.4", "target": 100, "polarity": "higher", "decimal_places": 0},
        R,
    ),
    (
        "higher-94.5-at-0dp-amber",
        {"value": "94.5", "target": 100, "polarity": "higher", "decimal_places": 0},
        A,
    ),
    (
        "higher-99.95-at-1dp-rounds-to-target-green",
        {"value": "99.95", "target": 100, "polarity": "higher", "decimal_places": 1},
        G,
    ),
    (
        "higher-target-rounded-too",
        {"value": "80", "target": "80.4", "polarity": "higher", "decimal_places": 0},
        G,
    ),
    ("higher-target-none-measured", {"value": 10, "target": None, "polarity": "higher"}, M),
    ("higher-both-none-measured", {"value": None, "target": None, "polarity": "higher"}, M),
    # lower
    ("lower-met-exactly-green", {"value": 20, "target": 20, "polarity": "lower"}, G),
    ("lower-below-green", {"value": 5, "target": 20, "polarity": "lower"}, G),
    ("lower-on-edge-amber", {"value": 21, "target": 20, "polarity": "lower"}, A),
    ("lower-just-beyond-edge-red", {"value": "21.01", "target": 20, "polarity": "lower"}, R),
    (
        "lower-21.04-at-1dp-amber",
        {"value": "21.04", "target": 20, "polarity": "lower", "decimal_places": 1},
        A,
    ),
    (
        "lower-21.05-at-1dp-red",
        {"value": "21.05", "target": 20, "polarity": "lower", "decimal_places": 1},
        R,
    ),
    ("lower-target-none-measured", {"value": 1, "target": None, "polarity": "lower"}, M),
    # tolerance options
    (
        "pct-10-amber",
        {"value": 91, "target": 100, "polarity": "higher", "tolerance_pct": 10},
        A,
    ),
    (
        "pct-10-edge-amber",
        {"value": 90, "target": 100, "polarity": "higher", "tolerance_pct": "10"},
        A,
    ),
    (
        "pct-10-beyond-red",
        {"value": "89.99", "target": 100, "polarity": "higher", "tolerance_pct": 10},
        R,
    ),
    (
        "pct-zero-no-amber",
        {"value": "99.99", "target": 100, "polarity": "higher", "tolerance_pct": 0},
        R,
    ),
    (
        "pct-fraction",
        {"value": "97.5", "target": 100, "polarity": "higher", "tolerance_pct": "2.5"},
        A,
    ),
    (
        "abs-edge-amber",
        {"value": 97, "target": 100, "polarity": "higher", "tolerance_abs": 3},
        A,
    ),
    (
        "abs-beyond-red",
        {"value": "96.9", "target": 100, "polarity": "higher", "tolerance_abs": 3},
        R,
    ),
    (
        "abs-wider-than-pct-amber",
        {"value": 80, "target": 100, "polarity": "higher", "tolerance_abs": 20},
        A,
    ),
    (
        "abs-zero-no-amber",
        {"value": 99, "target": 100, "polarity": "higher", "tolerance_abs": 0},
        R,
    ),
    (
        "abs-lower-edge-amber",
        {"value": "22.5", "target": 20, "polarity": "lower", "tolerance_abs": "2.5"},
        A,
    ),
    (
        "pct-none-with-abs-none-defaults-5",
        {
            "value": 95,
            "target": 100,
            "polarity": "higher",
            "tolerance_pct": None,
            "tolerance_abs": None,
        },
        A,
    ),
    (
        "exact-decimal-edge-33.3",
        {"value": "31.635", "target": "33.3", "polarity": "higher"},
        A,
    ),
    (
        "exact-decimal-just-beyond-33.3",
        {"value": "31.634", "target": "33.3", "polarity": "higher"},
        R,
    ),
    # zero and negative targets
    ("zero-target-higher-met-green", {"value": 0, "target": 0, "polarity": "higher"}, G),
    ("zero-target-higher-missed-red", {"value": "-0.01", "target": 0, "polarity": "higher"}, R),
    ("zero-target-lower-over-red", {"value": 1, "target": 0, "polarity": "lower"}, R),
    (
        "zero-target-abs-tolerance-amber",
        {"value": 1, "target": 0, "polarity": "lower", "tolerance_abs": 1},
        A,
    ),
    ("negative-target-higher-green", {"value": -5, "target": -10, "polarity": "higher"}, G),
    ("negative-target-higher-edge-amber", {"value": "-10.5", "target": -10, "polarity": "higher"}, A),
    ("negative-target-higher-beyond-red", {"value": "-10.51", "target": -10, "polarity": "higher"}, R),
    ("negative-target-lower-edge-amber", {"value": "-9.5", "target": -10, "polarity": "lower"}, A),
    ("negative-target-lower-beyond-red", {"value": "-9.49", "target": -10, "polarity": "lower"}, R),
    # band
    ("band-inside-green", {"value": 50, "target": None, "polarity": "band", "band_low": 40, "band_high": 60}, G),
    ("band-on-low-edge-green", {"value": 40, "target": None, "polarity": "band", "band_low": 40, "band_high": 60}, G),
    ("band-on-high-edge-green", {"value": 60, "target": None, "polarity": "band", "band_low": 40, "band_high": 60}, G),
    ("band-below-within-amber", {"value": 39, "target": None, "polarity": "band", "band_low": 40, "band_high": 60}, A),
    ("band-below-on-edge-amber", {"value": 38, "target": None, "polarity": "band", "band_low": 40, "band_high": 60}, A),
    (
        "band-below-beyond-red",
        {"value": "37.99", "target": None, "polarity": "band", "band_low": 40, "band_high": 60},
        R,
    ),
    ("band-above-within-amber", {"value": 62, "target": None, "polarity": "band", "band_low": 40, "band_high": 60}, A),
    ("band-above-on-edge-amber", {"value": 63, "target": None, "polarity": "band", "band_low": 40, "band_high": 60}, A),
    (
        "band-above-beyond-red",
        {"value": "63.01", "target": None, "polarity": "band", "band_low": 40, "band_high": 60},
        R,
    ),
    (
        "band-abs-tolerance",
        {"value": 65, "target": None, "polarity": "band", "band_low": 40, "band_high": 60, "tolerance_abs": 5},
        A,
    ),
    (
        "band-abs-tolerance-beyond",
        {"value": 34, "target": None, "polarity": "band", "band_low": 40, "band_high": 60, "tolerance_abs": 5},
        R,
    ),
    (
        "band-target-ignored",
        {"value": 50, "target": 1000, "polarity": "band", "band_low": 40, "band_high": 60},
        G,
    ),
    (
        "band-rounding-brings-inside",
        {
            "value": "39.96",
            "target": None,
            "polarity": "band",
            "band_low": 40,
            "band_high": 60,
            "decimal_places": 1,
        },
        G,
    ),
    (
        "band-negative-low-uses-abs",
        {"value": "-10.5", "target": None, "polarity": "band", "band_low": -10, "band_high": 10},
        A,
    ),
    (
        "band-zero-width",
        {"value": 7, "target": None, "polarity": "band", "band_low": 7, "band_high": 7},
        G,
    ),
    ("band-no-low-measured", {"value": 50, "target": 50, "polarity": "band", "band_high": 60}, M),
    ("band-no-high-measured", {"value": 50, "target": 50, "polarity": "band", "band_low": 40}, M),
    (
        "band-value-none-measured",
        {"value": None, "target": None, "polarity": "band", "band_low": 40, "band_high": 60},
        M,
    ),
    # enum accepted as well as str
    ("enum-polarity", {"value": 96, "target": 100, "polarity": Polarity.HIGHER}, A),
    ("decimal-inputs", {"value": Decimal("96"), "target": Decimal("100"), "polarity": "higher"}, A),
]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [(kwargs, expected) for _, kwargs, expected in RAG_CASES],
    ids=[case_id for case_id, _, _ in RAG_CASES],
)
def test_rag_table(kwargs: dict[str, object], expected: Rag) -> None:
    assert rag(**kwargs) is expected  # type: ignore[arg-type]


# --- rag: errors -----------------------------------------------------------------------------

RAG_ERRORS: list[tuple[str, dict[str, object], type[Exception], str]] = [
    ("float-value", {"value": 0.1, "target": 100, "polarity": "higher"}, TypeError, "float"),
    ("float-target", {"value": 1, "target": 100.0, "polarity": "higher"}, TypeError, "float"),
    (
        "float-tolerance",
        {"value": 1, "target": 100, "polarity": "higher", "tolerance_pct": 5.0},
        TypeError,
        "float",
    ),
    (
        "float-band",
        {"value": 1, "target": None, "polarity": "band", "band_low": 0.5, "band_high": 2},
        TypeError,
        "float",
    ),
    (
        "both-tolerances",
        {"value": 1, "target": 100, "polarity": "higher", "tolerance_pct": 5, "tolerance_abs": 1},
        ValueError,
        "not both",
    ),
    (
        "both-tolerances-even-if-measured",
        {"value": None, "target": 100, "polarity": "higher", "tolerance_pct": 5, "tolerance_abs": 1},
        ValueError,
        "not both",
    ),
    (
        "negative-pct",
        {"value": 1, "target": 100, "polarity": "higher", "tolerance_pct": -1},
        ValueError,
        "negative",
    ),
    (
        "negative-abs",
        {"value": 1, "target": 100, "polarity": "higher", "tolerance_abs": "-0.1"},
        ValueError,
        "negative",
    ),
    (
        "band-low-above-high",
        {"value": 1, "target": None, "polarity": "band", "band_low": 10, "band_high": 5},
        ValueError,
        "band_low",
    ),
    (
        "negative-decimal-places",
        {"value": 1, "target": 100, "polarity": "higher", "decimal_places": -1},
        ValueError,
        "decimal_places",
    ),
    ("bad-polarity", {"value": 1, "target": 100, "polarity": "up"}, ValueError, "'up'"),
    ("bad-number", {"value": "ninety", "target": 100, "polarity": "higher"}, ValueError, "ninety"),
    ("nan", {"value": "NaN", "target": 100, "polarity": "higher"}, ValueError, "finite"),
]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [(kwargs, error, match) for _, kwargs, error, match in RAG_ERRORS],
    ids=[case_id for case_id, _, _, _ in RAG_ERRORS],
)
def test_rag_errors(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        rag(**kwargs)  # type: ignore[arg-type]


# --- rag: properties -------------------------------------------------------------------------

BOUND = 10**6
numbers = st.decimals(min_value=-BOUND, max_value=BOUND, places=2, allow_nan=False, allow_infinity=False)
tolerance_pcts = st.decimals(min_value=0, max_value=50, places=1, allow_nan=False, allow_infinity=False)
tolerance_abss = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
places_st = st.none() | st.integers(min_value=0, max_value=3)


@st.composite
def tolerances(draw: st.DrawFn) -> dict[str, Decimal]:
    kind = draw(st.sampled_from(["default", "pct", "abs"]))
    if kind == "pct":
        return {"tolerance_pct": draw(tolerance_pcts)}
    if kind == "abs":
        return {"tolerance_abs": draw(tolerance_abss)}
    return {}


@given(
    a=numbers,
    b=numbers,
    target=numbers,
    polarity=st.sampled_from([Polarity.HIGHER, Polarity.LOWER]),
    tol=tolerances(),
    places=places_st,
)
def test_rag_monotonic_in_value(
    a: Decimal,
    b: Decimal,
    target: Decimal,
    polarity: Polarity,
    tol: dict[str, Decimal],
    places: int | None,
) -> None:
    """Higher: a bigger value is never worse. Lower: a smaller value is never worse."""
    low, high = sorted((a, b))
    at_low = rag(value=low, target=target, polarity=polarity, decimal_places=places, **tol)
    at_high = rag(value=high, target=target, polarity=polarity, decimal_places=places, **tol)
    if polarity is Polarity.HIGHER:
        assert ORDER[at_low] <= ORDER[at_high]
    else:
        assert ORDER[at_low] >= ORDER[at_high]


@given(a=numbers, b=numbers, edges=st.tuples(numbers, numbers), tol=tolerances())
def test_rag_band_monotonic_in_distance(
    a: Decimal, b: Decimal, edges: tuple[Decimal, Decimal], tol: dict[str, Decimal]
) -> None:
    """Moving a value further from the band on the same side never improves its status."""
    low, high = sorted(edges)
    for side in ("below", "above"):
        if side == "below":
            near, far = low - abs(a), low - abs(a) - abs(b)
        else:
            near, far = high + abs(a), high + abs(a) + abs(b)
        r_near = rag(value=near, target=None, polarity="band", band_low=low, band_high=high, **tol)
        r_far = rag(value=far, target=None, polarity="band", band_low=low, band_high=high, **tol)
        assert ORDER[r_far] <= ORDER[r_near]


@given(value=numbers, target=numbers, tol=tolerances(), places=places_st)
def test_rag_higher_lower_symmetry(
    value: Decimal, target: Decimal, tol: dict[str, Decimal], places: int | None
) -> None:
    higher = rag(value=value, target=target, polarity="higher", decimal_places=places, **tol)
    lower = rag(value=-value, target=-target, polarity="lower", decimal_places=places, **tol)
    assert higher is lower


@given(value=numbers, target=numbers, tol=tolerances())
def test_rag_green_iff_target_met(value: Decimal, target: Decimal, tol: dict[str, Decimal]) -> None:
    higher = rag(value=value, target=target, polarity="higher", **tol)
    lower = rag(value=value, target=target, polarity="lower", **tol)
    assert (higher is Rag.GREEN) == (value >= target)
    assert (lower is Rag.GREEN) == (value <= target)
    assert higher is not Rag.MEASURED
    assert lower is not Rag.MEASURED


@given(value=numbers, target=numbers, tol=tolerances())
def test_rag_never_green_when_target_missed(value: Decimal, target: Decimal, tol: dict[str, Decimal]) -> None:
    assume(value != target)
    if value < target:
        assert rag(value=value, target=target, polarity="higher", **tol) is not Rag.GREEN
    else:
        assert rag(value=value, target=target, polarity="lower", **tol) is not Rag.GREEN


@given(target=numbers, pct=tolerance_pcts)
def test_rag_pct_edge_amber_and_one_step_beyond_red(target: Decimal, pct: Decimal) -> None:
    """At the indicator's precision (here 4 dp, exact for 2 dp targets x 1 dp pct / 100)."""
    t = pct * abs(target) / 100
    edge = target - t
    step = Decimal("0.0001")
    assert rag(value=edge, target=target, polarity="higher", tolerance_pct=pct) in (A, G)
    assert rag(value=edge - step, target=target, polarity="higher", tolerance_pct=pct) is R
    up_edge = target + t
    assert rag(value=up_edge, target=target, polarity="lower", tolerance_pct=pct) in (A, G)
    assert rag(value=up_edge + step, target=target, polarity="lower", tolerance_pct=pct) is R


@given(value=numbers, edges=st.tuples(numbers, numbers), tol=tolerances())
def test_rag_band_green_iff_inside(value: Decimal, edges: tuple[Decimal, Decimal], tol: dict[str, Decimal]) -> None:
    low, high = sorted(edges)
    result = rag(value=value, target=None, polarity="band", band_low=low, band_high=high, **tol)
    assert (result is Rag.GREEN) == (low <= value <= high)
