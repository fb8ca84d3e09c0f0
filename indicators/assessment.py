"""Assessment rules for indicator returns: RAG (C1), direction of travel (C2), forecast (C5).

Pure functions, no Django. All arithmetic is exact ``Decimal`` (C1: "exact decimal at the
indicator's precision, never binary floating point"): numbers are accepted as ``Decimal``,
``int`` or ``str`` and a ``float`` is refused with TypeError. Rounding is ROUND_HALF_UP.
Enum-valued arguments accept the enum member or its plain str value.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import StrEnum
from typing import TypeAlias, TypeVar

from pmf.enums import Labelled
from pmf.periods import Frequency, parse_frequency, periods_per_year

__all__ = [
    "DEFAULT_TOLERANCE_PCT",
    "Direction",
    "ForecastMethod",
    "Frequency",
    "MeasureType",
    "Number",
    "Polarity",
    "Rag",
    "comparison_period",
    "default_forecast_method",
    "direction_of_travel",
    "forecast_year_end",
    "quantize",
    "rag",
    "to_decimal",
]

Number: TypeAlias = Decimal | int | str
"""A number as accepted by these rules: never a float."""

DEFAULT_TOLERANCE_PCT = Decimal("5")
"""Default amber band: 5% of the target (B3, C1)."""

# Exact context for +, -, * and comparisons: unlimited precision, Inexact trapped as a guard.
EXACT = Context(
    prec=MAX_PREC,
    Emax=MAX_EMAX,
    Emin=MIN_EMIN,
    rounding=ROUND_HALF_UP,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact],
)
# Context for quantize (rounding is the point, so Inexact is not trapped).
_ROUNDING = Context(
    prec=MAX_PREC,
    Emax=MAX_EMAX,
    Emin=MIN_EMIN,
    rounding=ROUND_HALF_UP,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
# Context for divisions that may be inexact (the C5 forecast, the SPC statistics).
DIVISION = Context(
    prec=28,
    rounding=ROUND_HALF_UP,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)


class Rag(Labelled):
    """RAG status of a return (C1); MEASURED is 'M', measured but not rated."""

    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"
    MEASURED = "measured", "Measured (not rated)"


class Direction(Labelled):
    """Direction of travel (C2)."""

    IMPROVING = "improving", "Improving"
    MAINTAINED = "maintained", "Maintained"
    DECLINING = "declining", "Declining"
    NOT_MEASURED = "not_measured", "Not measured"


class Polarity(Labelled):
    """Which way is better (B2): higher, lower, or within a band."""

    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"
    BAND = "band", "Within a band is best"


class MeasureType(Labelled):
    """Snapshot, or cumulative year-to-date (B2)."""

    SNAPSHOT = "snapshot", "Snapshot"
    CUMULATIVE = "cumulative", "Cumulative (year to date)"


class ForecastMethod(Labelled):
    """How a year-end forecast is computed from the year so far (C5)."""

    PROFILE_RATIO = "profile_ratio", "Year to date against the trajectory, pro rata"
    """Cumulative: ytd actual / ytd profiled target x annual target."""
    PROFILE_GAP = "profile_gap", "Annual target plus the variance so far"
    """Cumulative: annual target + (ytd actual - ytd profiled target)."""
    RUN_RATE = "run_rate", "Run rate so far, extended to the year end"
    """Cumulative: ytd actual / periods elapsed x periods in year."""
    LATEST = "latest", "Latest value"
    """Snapshot: the latest value."""
    LINEAR_TREND = "linear_trend", "Linear trend of the year so far"
    """Snapshot: least-squares line through the values so far, extrapolated to year end."""


_E = TypeVar("_E", bound=StrEnum)


def _parse_enum(enum_cls: type[_E], value: object, name: str) -> _E:
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_cls)
        raise ValueError(f"unknown {name} {value!r}; expected one of: {allowed}") from None


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------


def to_decimal(value: Number, *, name: str = "value") -> Decimal:
    """Convert ``value`` (Decimal, int or str) to a finite Decimal (C1: never float).

    Raises TypeError for a float, a bool or any other type; ValueError for an unparseable
    string, NaN or infinity. ``name`` is used in the error message.
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise TypeError(f"{name} must be a Decimal, int or str, not bool")
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{name} {value!r} is not a number") from None
    elif isinstance(value, float):
        raise TypeError(
            f"{name} must be a Decimal, int or str, not float ({value!r}): binary floating point is not allowed"
        )
    else:
        raise TypeError(f"{name} must be a Decimal, int or str, not {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return result


def _optional_decimal(value: Number | None, name: str) -> Decimal | None:
    return None if value is None else to_decimal(value, name=name)


def _check_places(decimal_places: int | None) -> int | None:
    if decimal_places is None:
        return None
    if isinstance(decimal_places, bool) or not isinstance(decimal_places, int):
        raise TypeError(f"decimal_places must be an int, not {type(decimal_places).__name__}")
    if decimal_places < 0:
        raise ValueError(f"decimal_places must not be negative, got {decimal_places}")
    return decimal_places


def quantize(value: Decimal, decimal_places: int | None) -> Decimal:
    """Round ``value`` half-up to ``decimal_places`` (unchanged when None) (C1, C2)."""
    places = _check_places(decimal_places)
    if places is None:
        return value
    return value.quantize(Decimal(1).scaleb(-places), context=_ROUNDING)


def _q(value: Decimal | None, places: int | None) -> Decimal | None:
    return None if value is None else quantize(value, places)


# ---------------------------------------------------------------------------------------------
# C1 RAG
# ---------------------------------------------------------------------------------------------


def _tolerance(*, reference: Decimal, tolerance_pct: Decimal | None, tolerance_abs: Decimal | None) -> Decimal:
    """C1/B3: t = tolerance_abs, else pct/100 x |reference| (pct defaults to 5)."""
    if tolerance_abs is not None:
        return tolerance_abs
    pct = DEFAULT_TOLERANCE_PCT if tolerance_pct is None else tolerance_pct
    with localcontext(EXACT):
        return (pct * abs(reference)).scaleb(-2)


def rag(
    *,
    value: Number | None,
    target: Number | None,
    polarity: Polarity | str,
    tolerance_pct: Number | None = None,
    tolerance_abs: Number | None = None,
    band_low: Number | None = None,
    band_high: Number | None = None,
    decimal_places: int | None = None,
) -> Rag:
    """RAG status of a value against its target (C1).

    - MEASURED when ``value`` is None; for higher/lower when ``target`` is None; for band when
      ``band_low`` or ``band_high`` is None (``target`` is ignored for band).
    - With ``decimal_places``, value, target and band edges are first rounded half-up to that
      precision (C1 "at the indicator's precision").
    - Tolerance t is ``tolerance_abs`` if given, else ``tolerance_pct``/100 x |reference|
      (``tolerance_pct`` defaults to 5, B3). The reference is the target for higher/lower, and
      for band |band_low| below the band, |band_high| above it.
    - higher: green if value >= target, amber if value >= target - t, else red.
      lower: green if value <= target, amber if value <= target + t, else red.
      band: green if low <= value <= high, amber within t outside it, else red.
      Exactly on the amber edge is amber; beyond it is red.

    Raises ValueError for an unknown polarity, both tolerances given, a negative tolerance,
    negative ``decimal_places`` or ``band_low > band_high``; TypeError for a float.
    """
    pol = _parse_enum(Polarity, polarity, "polarity")
    places = _check_places(decimal_places)
    val = _optional_decimal(value, "value")
    tgt = _optional_decimal(target, "target")
    pct = _optional_decimal(tolerance_pct, "tolerance_pct")
    absolute = _optional_decimal(tolerance_abs, "tolerance_abs")
    low = _optional_decimal(band_low, "band_low")
    high = _optional_decimal(band_high, "band_high")
    if pct is not None and absolute is not None:
        raise ValueError("give tolerance_pct or tolerance_abs, not both")
    if pct is not None and pct < 0:
        raise ValueError(f"tolerance_pct must not be negative, got {pct}")
    if absolute is not None and absolute < 0:
        raise ValueError(f"tolerance_abs must not be negative, got {absolute}")

    val, tgt, low, high = (_q(x, places) for x in (val, tgt, low, high))

    if pol is Polarity.BAND:
        if low is not None and high is not None and low > high:
            raise ValueError(f"band_low {low} is above band_high {high}")
        if val is None or low is None or high is None:
            return Rag.MEASURED
        if low <= val <= high:
            return Rag.GREEN
        edge = low if val < low else high
        t = _tolerance(reference=edge, tolerance_pct=pct, tolerance_abs=absolute)
        with localcontext(EXACT):
            distance = low - val if val < low else val - high
        return Rag.AMBER if distance <= t else Rag.RED

    if val is None or tgt is None:
        return Rag.MEASURED
    t = _tolerance(reference=tgt, tolerance_pct=pct, tolerance_abs=absolute)
    with localcontext(EXACT):
        if pol is Polarity.HIGHER:
            if val >= tgt:
                return Rag.GREEN
            return Rag.AMBER if val >= tgt - t else Rag.RED
        if val <= tgt:
            return Rag.GREEN
        return Rag.AMBER if val <= tgt + t else Rag.RED


# ---------------------------------------------------------------------------------------------
# C2 Direction of travel
# ---------------------------------------------------------------------------------------------


def _distance_to_band(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    with localcontext(EXACT):
        if value < low:
            return low - value
        if value > high:
            return value - high
        return Decimal(0)


def direction_of_travel(
    *,
    current: Number | None,
    previous: Number | None,
    polarity: Polarity | str,
    decimal_places: int | None = None,
    band_low: Number | None = None,
    band_high: Number | None = None,
) -> Direction:
    """Direction of travel from ``previous`` to ``current``, judged by polarity (C2).

    NOT_MEASURED if either value is None. With ``decimal_places`` both values (and band edges)
    are rounded half-up first; equal values are MAINTAINED. higher: bigger is improving;
    lower: smaller is improving; band: smaller distance to the band (0 inside) is improving,
    equal distance (e.g. both inside) is maintained. For band, ``band_low`` and ``band_high``
    are required when both values are present (ValueError otherwise).
    """
    pol = _parse_enum(Polarity, polarity, "polarity")
    places = _check_places(decimal_places)
    cur = _q(_optional_decimal(current, "current"), places)
    prev = _q(_optional_decimal(previous, "previous"), places)
    low = _q(_optional_decimal(band_low, "band_low"), places)
    high = _q(_optional_decimal(band_high, "band_high"), places)
    if cur is None or prev is None:
        return Direction.NOT_MEASURED
    if cur == prev:
        return Direction.MAINTAINED
    if pol is Polarity.HIGHER:
        better = cur > prev
    elif pol is Polarity.LOWER:
        better = cur < prev
    else:
        if low is None or high is None:
            raise ValueError("band_low and band_high are required for band polarity")
        if low > high:
            raise ValueError(f"band_low {low} is above band_high {high}")
        cur_distance = _distance_to_band(cur, low, high)
        prev_distance = _distance_to_band(prev, low, high)
        if cur_distance == prev_distance:
            return Direction.MAINTAINED
        better = cur_distance < prev_distance
    return Direction.IMPROVING if better else Direction.DECLINING


def comparison_period(
    *,
    frequency: Frequency | str,
    measure_type: MeasureType | str,
    year_start: int,
    period_number: int,
) -> tuple[int, int]:
    """The period a return's direction of travel compares with (C2).

    Cumulative: the same period a year earlier. Snapshot: the previous period (period 1 with
    the previous year's last period), except the year-end period, which compares with the same
    period a year earlier. Annual: the previous year. ValueError for an out-of-range period.
    """
    freq = parse_frequency(frequency)
    kind = _parse_enum(MeasureType, measure_type, "measure_type")
    count = periods_per_year(freq)
    for name, number in (("year_start", year_start), ("period_number", period_number)):
        if isinstance(number, bool) or not isinstance(number, int):
            raise TypeError(f"{name} must be an int, not {type(number).__name__}")
    if not 1 <= period_number <= count:
        raise ValueError(f"period_number {period_number} is out of range for {freq.value} (expected 1 to {count})")
    if kind is MeasureType.CUMULATIVE or period_number == count:
        return year_start - 1, period_number
    if period_number == 1:
        return year_start - 1, count
    return year_start, period_number - 1


# ---------------------------------------------------------------------------------------------
# C5 Forecast
# ---------------------------------------------------------------------------------------------


def default_forecast_method(*, measure_type: MeasureType | str, has_profile: bool) -> ForecastMethod:
    """Default forecast method (C5): cumulative with a trajectory -> PROFILE_GAP, cumulative
    without -> RUN_RATE, snapshot -> LATEST."""
    kind = _parse_enum(MeasureType, measure_type, "measure_type")
    if kind is MeasureType.SNAPSHOT:
        return ForecastMethod.LATEST
    return ForecastMethod.PROFILE_GAP if has_profile else ForecastMethod.RUN_RATE


def _linear_trend(points: Sequence[tuple[int, Decimal]], at: int) -> Decimal:
    """Least-squares line through ``points`` (x, y), evaluated at x = ``at``.

    forecast = mean(y) + slope x (at - mean(x)), rearranged over integers and exact decimals so
    that there is a single (possibly inexact) division at the end.
    """
    n = len(points)
    if n == 1:
        return points[0][1]
    with localcontext(EXACT):
        sum_x = sum(Decimal(x) for x, _ in points)
        sum_y = sum(y for _, y in points)
        sum_xx = sum(Decimal(x * x) for x, _ in points)
        sum_xy = sum(Decimal(x) * y for x, y in points)
        a = n * sum_xy - sum_x * sum_y  # n * Sxy
        b = n * sum_xx - sum_x * sum_x  # n * Sxx, > 0 for two or more distinct x
        numerator = sum_y * b + a * (n * at - sum_x)
        denominator = n * b
    with localcontext(DIVISION):
        return numerator / denominator


def forecast_year_end(
    *,
    method: ForecastMethod | str,
    actuals: Sequence[Number | None],
    periods_in_year: int,
    annual_target: Number | None = None,
    profile: Sequence[Number | None] | None = None,
    decimal_places: int | None = None,
) -> Decimal | None:
    """Computed year-end forecast from the year so far (C5).

    ``actuals`` are the period values of the year so far in period order (index 0 = period 1;
    for cumulative measures each is the year-to-date figure; None = missing). The latest
    non-missing period is "so far" and its position is the number of periods elapsed.
    ``profile`` is the trajectory per period (cumulative year-to-date targets for cumulative
    measures).

    Returns None when there are no actuals, or an input the method needs is missing (the
    profile entry for the period or the annual target for PROFILE_*; a zero profiled-so-far for
    PROFILE_RATIO). When the latest period is the year end, the forecast is that actual.
    The result is rounded half-up to ``decimal_places`` when given.
    """
    how = _parse_enum(ForecastMethod, method, "forecast method")
    places = _check_places(decimal_places)
    if isinstance(periods_in_year, bool) or not isinstance(periods_in_year, int):
        raise TypeError(f"periods_in_year must be an int, not {type(periods_in_year).__name__}")
    if periods_in_year < 1:
        raise ValueError(f"periods_in_year must be at least 1, got {periods_in_year}")
    if len(actuals) > periods_in_year:
        raise ValueError(f"{len(actuals)} actuals given for a year of {periods_in_year} periods")
    if profile is not None and len(profile) > periods_in_year:
        raise ValueError(f"{len(profile)} profile values for a year of {periods_in_year} periods")
    points = [
        (position, to_decimal(raw, name=f"actuals[{position - 1}]"))
        for position, raw in enumerate(actuals, start=1)
        if raw is not None
    ]
    target = _optional_decimal(annual_target, "annual_target")
    trajectory = None if profile is None else [_optional_decimal(raw, f"profile[{i}]") for i, raw in enumerate(profile)]
    if not points:
        return None
    elapsed, so_far = points[-1]

    result: Decimal | None
    if elapsed == periods_in_year or how is ForecastMethod.LATEST:
        result = so_far
    elif how is ForecastMethod.LINEAR_TREND:
        result = _linear_trend(points, periods_in_year)
    elif how is ForecastMethod.RUN_RATE:
        with localcontext(EXACT):
            scaled = so_far * periods_in_year
        with localcontext(DIVISION):
            result = scaled / elapsed
    else:
        profiled = None
        if trajectory is not None and elapsed <= len(trajectory):
            profiled = trajectory[elapsed - 1]
        if profiled is None or target is None:
            return None
        if how is ForecastMethod.PROFILE_GAP:
            with localcontext(EXACT):
                result = target + (so_far - profiled)
        else:  # PROFILE_RATIO
            if profiled == 0:
                return None
            with localcontext(EXACT):
                scaled = so_far * target
            with localcontext(DIVISION):
                result = scaled / profiled
    return quantize(result, places)
