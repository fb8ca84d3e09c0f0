"""Statistical process control: the XmR chart and its standard signals.

An XmR chart (chart of individual values and moving ranges, Wheeler's "process behaviour chart")
per indicator lets members tell a real change from noise: the mean, the natural process limits
and the moving ranges, with the standard detection rules (Western Electric, Wheeler's
"Understanding Variation", NHS England's "Making Data Count"):

1. ``OUTSIDE_LIMITS``: a point above the upper or below the lower natural process limit;
2. ``RUN_OF_8``: 8 or more points in a row on the same side of the mean;
3. ``TREND_OF_6``: 6 or more points in a row each higher (or each lower) than the one before;
4. ``TWO_OF_THREE_NEAR_LIMIT``: 2 of 3 points in a row in the outer third, on the same side.

"Making Data Count" (as the NHS-R NHSRplotthedots package implements it) uses 7 for both the run
and the trend: ``xmr(run_length=7, trend_length=7)``. Its 2-of-3 rule also differs slightly: it
counts only points between the two-sigma line and the limit, and wants all three on one side of
the mean; here (Western Electric) a point beyond the limit counts too, and the third point may be
anywhere.

Pure functions, no Django, standard library only. Numbers are ``Decimal``, ``int`` or ``str``; a
``float`` (or bool) is refused with TypeError, NaN and infinity with ValueError. ``None`` is a
missing period: it keeps its position (so signal indices are positions in the list given) but is
skipped by the statistics and the rules. All arguments are keyword-only.

Arithmetic: sums, differences and products are exact; the three divisions (the mean, the average
moving range, and sigma / the two-sigma lines) are rounded half-up to 28 significant digits. The
rules compare values with the limits exactly, so a point exactly on a limit is not outside it and
a point exactly on the mean is on neither side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import (
    Decimal,
    localcontext,
)
from enum import StrEnum
from typing import TypeAlias

from indicators.assessment import DIVISION, EXACT, to_decimal

__all__ = [
    "D2",
    "DEFAULT_RUN_LENGTH",
    "DEFAULT_TREND_LENGTH",
    "MIN_POINTS_FOR_LIMITS",
    "MIN_POINTS_FOR_SIGNALS",
    "NPL_FACTOR",
    "URL_FACTOR",
    "Number",
    "Rule",
    "Side",
    "Signal",
    "Verdict",
    "XmR",
    "improvement_or_concern",
    "points_outside_limits",
    "runs_about_mean",
    "trends",
    "two_of_three_near_limit",
    "xmr",
]

Number: TypeAlias = Decimal | int | str
"""A number as accepted here: never a float."""

# ---------------------------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------------------------

D2 = Decimal("1.128")
"""d2 for n = 2: the expected range of two values from a unit normal. sigma = mR-bar / d2."""

NPL_FACTOR = Decimal("2.66")
"""Natural process limits are mean +/- 2.66 x mR-bar. 2.66 = 3 / d2 = 3 / 1.128 (= 2.6596,
rounded as Wheeler and "Making Data Count" print it): three sigma, sigma estimated from the
average moving range."""

URL_FACTOR = Decimal("3.268")
"""Upper range limit for the moving ranges is 3.268 x mR-bar: D4 for subgroups of n = 2, as in
Wheeler's tables (other textbooks print 3.267 or round it to 3.27). The lower range limit is 0."""

MIN_POINTS_FOR_LIMITS = 2
"""Fewest non-missing points for a mean; limits also need one moving range, i.e. two adjacent
periods both present."""

MIN_POINTS_FOR_SIGNALS = 6
"""Fewest points the limits are computed from before signals are reported (``XmR.enough_data``).
Wheeler, Understanding Variation: "useful limits may be constructed with as few as five or six
values"; below that the limits move too much with each new value to judge a signal against."""

DEFAULT_RUN_LENGTH = 8
"""A run of this many points on one side of the mean is a signal (Western Electric, Wheeler)."""

DEFAULT_TREND_LENGTH = 6
"""This many points in a row, each higher (or lower) than the last, is a signal (Western Electric
and Nelson's rule 3)."""

# ---------------------------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------------------------


class Rule(StrEnum):
    """Which detection rule a signal comes from (named after the default lengths, which
    ``run_length`` and ``trend_length`` may change)."""

    OUTSIDE_LIMITS = "outside_limits"
    RUN_OF_8 = "run_of_8"
    TREND_OF_6 = "trend_of_6"
    TWO_OF_THREE_NEAR_LIMIT = "two_of_three_near_limit"


class Side(StrEnum):
    """Where a signal lies: above/below the mean (or a limit), or a rising/falling trend."""

    ABOVE = "above"
    BELOW = "below"
    RISING = "rising"
    FALLING = "falling"


class Verdict(StrEnum):
    """What a signal means for an indicator, as the "Making Data Count" variation icons show it."""

    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    NEUTRAL = "neutral"
    """Special cause, but neither better nor worse (an indicator with a target band)."""


_RULE_ORDER = {rule: order for order, rule in enumerate(Rule)}
_SIDE_ORDER = {side: order for order, side in enumerate(Side)}


@dataclass(frozen=True, slots=True)
class Signal:
    """One detection: the rule, the positions (in the list given) of the points that make it,
    which way it points, and a plain-English description."""

    rule: Rule
    indices: tuple[int, ...]
    side: Side
    description: str


@dataclass(frozen=True, slots=True)
class XmR:
    """An XmR chart. Every sequence is aligned with the values given (``None`` = missing).

    - ``points``: the values as Decimals.
    - ``moving_ranges``: |x[i] - x[i-1]| where period i and period i-1 are both present; None for
      the first period, for a missing period and for the period after a missing one. A range is
      never taken across a gap: it would measure two periods' change as one and overstate the
      short-term variation (SAS and JMP also leave such ranges missing).
    - ``baseline_count``: how many non-missing points the mean and limits were computed from.
    - ``mean``, ``mean_moving_range`` (mR-bar), ``upper_limit``/``lower_limit`` (mean +/- 2.66
      mR-bar), ``upper_range_limit`` (3.268 mR-bar), ``sigma`` (mR-bar / 1.128), and
      ``upper_two_sigma``/``lower_two_sigma``: the lines two-thirds of the way from the mean to
      each limit, bounding the outer thirds used by the 2-of-3 rule. ``mean`` is None with fewer
      than 2 points; the rest are None without a moving range in the baseline.
    - ``enough_data``: limits exist and come from at least ``MIN_POINTS_FOR_SIGNALS`` points.
    - ``signals``: every signal on every point (baseline or not), ordered by first position;
      empty unless ``enough_data``.
    """

    points: tuple[Decimal | None, ...]
    moving_ranges: tuple[Decimal | None, ...]
    baseline_count: int
    mean: Decimal | None
    mean_moving_range: Decimal | None
    upper_limit: Decimal | None
    lower_limit: Decimal | None
    upper_range_limit: Decimal | None
    sigma: Decimal | None
    upper_two_sigma: Decimal | None
    lower_two_sigma: Decimal | None
    enough_data: bool
    signals: tuple[Signal, ...]

    @property
    def has_limits(self) -> bool:
        return self.upper_limit is not None


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------


def _to_decimal(value: object, name: str) -> Decimal:
    """The shared, float-refusing conversion of the assessment rules (one definition for every pure rule)."""
    return to_decimal(value, name=name)


def _points(values: Sequence[Number | None]) -> tuple[Decimal | None, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise TypeError(f"values must be a sequence of numbers, not {type(values).__name__}")
    return tuple(None if v is None else _to_decimal(v, f"values[{i}]") for i, v in enumerate(values))


def _present(points: Sequence[Decimal | None]) -> list[tuple[int, Decimal]]:
    return [(i, v) for i, v in enumerate(points) if v is not None]


def _check_length(length: int, name: str, minimum: int) -> int:
    if isinstance(length, bool) or not isinstance(length, int):
        raise TypeError(f"{name} must be an int, not {type(length).__name__}")
    if length < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {length}")
    return length


def _check_limits(upper: Decimal, lower: Decimal) -> None:
    if upper < lower:
        raise ValueError(f"upper_limit {upper} is below lower_limit {lower}")


def _count_phrase(count: int, span: int) -> str:
    return f"{count} points in a row" if count == span else f"{count} of {span} points in a row"


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------


def points_outside_limits(*, values: Sequence[Number | None], upper_limit: Number, lower_limit: Number) -> list[Signal]:
    """Rule 1: one signal per point strictly above ``upper_limit`` or strictly below
    ``lower_limit``. A point exactly on a limit is not outside."""
    points = _points(values)
    upper = _to_decimal(upper_limit, "upper_limit")
    lower = _to_decimal(lower_limit, "lower_limit")
    _check_limits(upper, lower)
    signals: list[Signal] = []
    for i, v in _present(points):
        if v > upper:
            signals.append(Signal(Rule.OUTSIDE_LIMITS, (i,), Side.ABOVE, "A point above the upper process limit"))
        elif v < lower:
            signals.append(Signal(Rule.OUTSIDE_LIMITS, (i,), Side.BELOW, "A point below the lower process limit"))
    return signals


def runs_about_mean(*, values: Sequence[Number | None], mean: Number, length: int = DEFAULT_RUN_LENGTH) -> list[Signal]:
    """Rule 2: each maximal run of ``length`` (default 8) or more consecutive points strictly on
    the same side of ``mean``, reported once with all its positions. A point exactly on the mean
    ends a run; a missing period is skipped and does not."""
    points = _points(values)
    centre = _to_decimal(mean, "mean")
    _check_length(length, "length", 2)
    signals: list[Signal] = []
    run: list[int] = []
    run_side: Side | None = None

    def close() -> None:
        if run_side is not None and len(run) >= length:
            where = "above" if run_side is Side.ABOVE else "below"
            signals.append(Signal(Rule.RUN_OF_8, tuple(run), run_side, f"{len(run)} points in a row {where} the mean"))

    for i, v in _present(points):
        side = Side.ABOVE if v > centre else Side.BELOW if v < centre else None
        if side is not None and side is run_side:
            run.append(i)
            continue
        close()
        run, run_side = ([i], side) if side is not None else ([], None)
    close()
    return signals


def trends(*, values: Sequence[Number | None], length: int = DEFAULT_TREND_LENGTH) -> list[Signal]:
    """Rule 3: each maximal run of ``length`` (default 6) or more consecutive points each strictly
    higher (RISING) or strictly lower (FALLING) than the one before, reported once with all its
    positions. An equal value ends a trend (and may start the next); a missing period is skipped.
    A peak or trough may belong to both a rising and a falling trend."""
    points = _points(values)
    _check_length(length, "length", 2)
    signals: list[Signal] = []
    run: list[int] = []
    run_side: Side | None = None

    def close() -> None:
        if run_side is not None and len(run) >= length:
            which = "higher" if run_side is Side.RISING else "lower"
            signals.append(
                Signal(
                    Rule.TREND_OF_6,
                    tuple(run),
                    run_side,
                    f"{len(run)} points in a row, each {which} than the one before",
                )
            )

    previous: Decimal | None = None
    for i, v in _present(points):
        if previous is None:
            run, previous = [i], v
            continue
        side = Side.RISING if v > previous else Side.FALLING if v < previous else None
        if side is not None and side is run_side:
            run.append(i)
        else:
            close()
            run_side = side
            run = [run[-1], i] if side is not None else [i]
        previous = v
    close()
    return signals


def two_of_three_near_limit(
    *, values: Sequence[Number | None], mean: Number, upper_limit: Number, lower_limit: Number
) -> list[Signal]:
    """Rule 4: 2 (or 3) of any 3 consecutive points in the outer third on the same side: strictly
    beyond the line two-thirds of the way from ``mean`` to the limit (mean +/- 2 sigma on the
    scale of the limits), including points beyond the limit itself. Missing periods are skipped.

    Qualifying windows on the same side that share a point are merged into one signal, whose
    indices are the points in the outer third; e.g. beyond, not, beyond, not, beyond is one
    signal of 3 points. The comparison is exact: 3 (x - mean) > 2 (limit - mean)."""
    points = _points(values)
    centre = _to_decimal(mean, "mean")
    upper = _to_decimal(upper_limit, "upper_limit")
    lower = _to_decimal(lower_limit, "lower_limit")
    _check_limits(upper, lower)
    if not lower <= centre <= upper:
        raise ValueError(f"mean {centre} is not between the limits {lower} and {upper}")
    present = _present(points)
    with localcontext(EXACT):
        upper_reach = 2 * (upper - centre)
        lower_reach = 2 * (centre - lower)
        beyond = {
            Side.ABOVE: {i for i, v in present if 3 * (v - centre) > upper_reach},
            Side.BELOW: {i for i, v in present if 3 * (centre - v) > lower_reach},
        }
    signals = [
        *_merged_windows(present, beyond[Side.ABOVE], Side.ABOVE, "upper"),
        *_merged_windows(present, beyond[Side.BELOW], Side.BELOW, "lower"),
    ]
    signals.sort(key=lambda s: s.indices[0])
    return signals


def _merged_windows(present: list[tuple[int, Decimal]], beyond: set[int], side: Side, where: str) -> list[Signal]:
    """Rule 4 on one side: windows of 3 present points with 2+ in ``beyond``, merged when they
    share a point."""
    rank = {i: k for k, (i, _) in enumerate(present)}  # position -> rank among present points
    groups: list[set[int]] = []
    group_end = -1  # rank of the last point of the last window merged into groups[-1]
    for start in range(len(present) - 2):
        hits = {i for i, _ in present[start : start + 3] if i in beyond}
        if len(hits) < 2:
            continue
        if start > group_end:  # shares no point with the group so far: a new signal
            groups.append(set())
        groups[-1].update(hits)
        group_end = start + 2
    signals = []
    for group in groups:
        indices = tuple(sorted(group))
        span = rank[indices[-1]] - rank[indices[0]] + 1
        text = f"{_count_phrase(len(indices), span)} close to the {where} limit (beyond two sigma)"
        signals.append(Signal(Rule.TWO_OF_THREE_NEAR_LIMIT, indices, side, text))
    return signals


def improvement_or_concern(*, signal: Signal, polarity: str) -> Verdict:
    """Whether ``signal`` is an improvement or a concern for an indicator of this polarity
    ("higher", "lower" or "band"; the ``Polarity`` enum of ``indicators.assessment`` works too):
    higher is better, so above/rising is an improvement; lower is better, so below/falling is;
    for a band, a signal is NEUTRAL (special cause, neither better nor worse)."""
    if not isinstance(polarity, str):
        raise TypeError(f"polarity must be a str, not {type(polarity).__name__}")
    upward = signal.side in (Side.ABOVE, Side.RISING)
    if polarity == "higher":
        return Verdict.IMPROVEMENT if upward else Verdict.CONCERN
    if polarity == "lower":
        return Verdict.CONCERN if upward else Verdict.IMPROVEMENT
    if polarity == "band":
        return Verdict.NEUTRAL
    raise ValueError(f"unknown polarity {polarity!r}; expected one of: higher, lower, band")


# ---------------------------------------------------------------------------------------------
# The chart
# ---------------------------------------------------------------------------------------------


def _moving_ranges(points: Sequence[Decimal | None]) -> tuple[Decimal | None, ...]:
    ranges: list[Decimal | None] = [None] * len(points)
    with localcontext(EXACT):
        for i in range(1, len(points)):
            current, previous = points[i], points[i - 1]
            if current is not None and previous is not None:
                ranges[i] = abs(current - previous)
    return tuple(ranges)


def _average(values: Sequence[Decimal]) -> Decimal:
    with localcontext(EXACT):
        total = sum(values, Decimal(0))
    with localcontext(DIVISION):
        return total / len(values)


def xmr(
    *,
    values: Sequence[Number | None],
    baseline: int | None = None,
    run_length: int = DEFAULT_RUN_LENGTH,
    trend_length: int = DEFAULT_TREND_LENGTH,
) -> XmR:
    """The XmR chart of ``values`` (in time order, ``None`` for a missing period) with its signals.

    ``baseline``: compute the mean and limits from the first ``baseline`` non-missing points only
    (and the moving ranges among them), then judge every point against those limits, as Wheeler
    recommends once a baseline period is chosen; if fewer points are present, all are used. It
    must be at least 2. None (the default) uses every point.

    Needs 2 non-missing points for a mean and a moving range (two adjacent present periods) for
    limits; signals are reported only with ``MIN_POINTS_FOR_SIGNALS`` (6) baseline points
    (``enough_data``). ``run_length`` and ``trend_length`` set rules 2 and 3 (defaults 8 and 6).
    """
    points = _points(values)
    if baseline is not None:
        _check_length(baseline, "baseline", MIN_POINTS_FOR_LIMITS)
    _check_length(run_length, "run_length", 2)
    _check_length(trend_length, "trend_length", 2)
    ranges = _moving_ranges(points)

    base = [i for i, _ in _present(points)]
    if baseline is not None:
        base = base[:baseline]
    # The first baseline point has no range (its predecessor is missing or absent); every other
    # range at a baseline position joins two baseline points, since the baseline is a prefix.
    base_ranges = [r for r in (ranges[i] for i in base) if r is not None]

    mean = mean_mr = upper = lower = url = sigma = upper_2s = lower_2s = None
    if len(base) >= MIN_POINTS_FOR_LIMITS:
        mean = _average([v for v in (points[i] for i in base) if v is not None])
    if mean is not None and base_ranges:
        mean_mr = _average(base_ranges)
        with localcontext(EXACT):
            half_width = NPL_FACTOR * mean_mr
            upper = mean + half_width
            lower = mean - half_width
            url = URL_FACTOR * mean_mr
            two_thirds_times_three = 2 * half_width
        with localcontext(DIVISION):
            sigma = mean_mr / D2
            reach = two_thirds_times_three / 3
        with localcontext(EXACT):
            upper_2s = mean + reach
            lower_2s = mean - reach

    enough = upper is not None and len(base) >= MIN_POINTS_FOR_SIGNALS
    signals: list[Signal] = []
    if enough:
        assert mean is not None and upper is not None and lower is not None
        signals += points_outside_limits(values=points, upper_limit=upper, lower_limit=lower)
        signals += runs_about_mean(values=points, mean=mean, length=run_length)
        signals += trends(values=points, length=trend_length)
        signals += two_of_three_near_limit(values=points, mean=mean, upper_limit=upper, lower_limit=lower)
        signals.sort(key=lambda s: (s.indices[0], _RULE_ORDER[s.rule], _SIDE_ORDER[s.side]))

    return XmR(
        points=points,
        moving_ranges=ranges,
        baseline_count=len(base),
        mean=mean,
        mean_moving_range=mean_mr,
        upper_limit=upper,
        lower_limit=lower,
        upper_range_limit=url,
        sigma=sigma,
        upper_two_sigma=upper_2s,
        lower_two_sigma=lower_2s,
        enough_data=enough,
        signals=tuple(signals),
    )
