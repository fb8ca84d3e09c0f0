"""XmR charts and their signals (reporting.spc): published worked examples, the rules case by case,
missing values, baselines, too little data, refused floats, and properties under shift, scale and
sign change."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.spc import (
    D2,
    MIN_POINTS_FOR_SIGNALS,
    NPL_FACTOR,
    URL_FACTOR,
    Rule,
    Side,
    Signal,
    Verdict,
    XmR,
    improvement_or_concern,
    points_outside_limits,
    runs_about_mean,
    trends,
    two_of_three_near_limit,
    xmr,
)

D = Decimal
A, B, R, F = Side.ABOVE, Side.BELOW, Side.RISING, Side.FALLING


def q(value: Decimal | None, places: str) -> Decimal:
    """Round half-up to the places of ``places`` (e.g. "0.0001"), as the sources print."""
    assert value is not None
    return value.quantize(D(places), rounding="ROUND_HALF_UP")


def brief(signals: tuple[Signal, ...] | list[Signal]) -> list[tuple[Rule, tuple[int, ...], Side]]:
    return [(s.rule, s.indices, s.side) for s in signals]


# --- Constants ---------------------------------------------------------------------------------


def test_constants() -> None:
    # 2.66 is 3 / d2 rounded to two places: 3 / 1.128 = 2.6595744...
    assert (3 / D2).quantize(D("0.01")) == NPL_FACTOR == D("2.66")
    assert D2 == D("1.128")
    assert URL_FACTOR == D("3.268")


# --- Published worked examples -----------------------------------------------------------------

# NIST/SEMATECH e-Handbook of Statistical Methods, section 6.3.2.2 "Individuals Control Charts"
# (https://www.itl.nist.gov/div898/handbook/pmc/section3/pmc322.htm): flow rate of the first 10
# batches of a new process. Published: mean 50.81, MR-bar 1.8778, UCL 55.8041, LCL 45.8159, where
# NIST's limits are mean +/- 3 x MR-bar / 1.128, i.e. mean +/- 3 sigma with our sigma exactly.
NIST_FLOW_RATE = ["49.6", "47.6", "49.9", "51.3", "47.8", "51.2", "52.6", "52.4", "53.6", "52.1"]


def test_nist_individuals_example() -> None:
    chart = xmr(values=NIST_FLOW_RATE)
    assert chart.mean == D("50.81")  # 508.1 / 10, exact
    # |x_i - x_{i-1}|: 2.0 2.3 1.4 3.5 3.4 1.4 0.2 1.2 1.5, sum 16.9
    assert chart.moving_ranges == (None, *map(D, ["2.0", "2.3", "1.4", "3.5", "3.4", "1.4", "0.2", "1.2", "1.5"]))
    assert q(chart.mean_moving_range, "0.0001") == D("1.8778")  # 16.9 / 9 = 1.87777...
    assert chart.sigma is not None and chart.mean is not None
    assert q(chart.mean + 3 * chart.sigma, "0.0001") == D("55.8041")  # NIST's UCL
    assert q(chart.mean - 3 * chart.sigma, "0.0001") == D("45.8159")  # NIST's LCL
    # Our limits use Wheeler's rounded 2.66 (2.66 x 1.87777... = 4.99489 against NIST's 4.99409),
    # so they agree with NIST's to two places: 55.80 and 45.82.
    assert q(chart.upper_limit, "0.01") == q(D("55.8041"), "0.01") == D("55.80")
    assert q(chart.lower_limit, "0.01") == q(D("45.8159"), "0.01") == D("45.82")
    assert chart.enough_data
    assert chart.signals == ()  # every point inside the limits, no run, trend or 2-of-3


# SAS/QC User's Guide, MACONTROL procedure, Example 9.4 "Displaying Individual Measurements on an
# EWMA Chart" (https://support.sas.com/documentation/cdl/en/qcug/63964/HTML/default/
# qcug_macontrol_a0000000363.htm): diameters of the steel belts of 30 tires, limits from PROC
# SHEWHART's IRCHART. Published: _MEAN_ 24.0083, _R_ (MR-bar) 0.056897, _UCLI_ 24.1596, _LCLI_ 23.8571.
# SAS divides by the unrounded d2 = 1.128379, so its limits agree with ours to three places.
SAS_TIRES = (
    "24.05 23.99 23.95 23.93 23.97 24.02 24.06 24.10 23.98 24.03 23.91 24.06 24.06 23.96 23.98 "
    "24.06 24.01 24.00 23.93 23.92 24.09 24.11 24.05 23.98 23.98 24.06 24.02 24.06 23.97 23.96"
).split()


def test_sas_tires_example() -> None:
    chart = xmr(values=SAS_TIRES)
    assert q(chart.mean, "0.0001") == D("24.0083")  # 720.25 / 30 = 24.008333...
    assert q(chart.mean_moving_range, "0.000001") == D("0.056897")  # 1.65 / 29 = 0.0568965...
    assert q(chart.upper_limit, "0.001") == q(D("24.1596"), "0.001") == D("24.160")  # 24.15968
    assert q(chart.lower_limit, "0.001") == q(D("23.8571"), "0.001") == D("23.857")  # 23.85699


# A small example worked by hand (no published source): 10, 12, 11, 13, 12, 14.
#   mean = 72 / 6 = 12
#   moving ranges 2, 1, 2, 1, 2: mR-bar = 8 / 5 = 1.6
#   limits 12 +/- 2.66 x 1.6 = 12 +/- 4.256: 16.256 and 7.744
#   upper range limit 3.268 x 1.6 = 5.2288; sigma 1.6 / 1.128 = 1.41843971...
#   two-sigma lines 12 +/- (2/3) x 4.256 = 12 +/- 2.837333...: 14.837333... and 9.162666...
HAND = [10, 12, 11, 13, 12, 14]


def test_hand_worked_example() -> None:
    chart = xmr(values=HAND)
    assert chart.points == tuple(map(D, HAND))
    assert chart.moving_ranges == (None, D(2), D(1), D(2), D(1), D(2))
    assert chart.mean == D(12)
    assert chart.mean_moving_range == D("1.6")
    assert chart.upper_limit == D("16.256")
    assert chart.lower_limit == D("7.744")
    assert chart.upper_range_limit == D("5.2288")
    assert q(chart.sigma, "0.00000001") == D("1.41843972")
    assert q(chart.upper_two_sigma, "0.000001") == D("14.837333")
    assert q(chart.lower_two_sigma, "0.000001") == D("9.162667")
    assert chart.baseline_count == 6
    assert chart.enough_data and chart.has_limits
    assert chart.signals == ()  # 14 is below the 14.837 line; no run of 8 or trend of 6 in 6 points


# --- Rule 1: outside the limits ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([5, 10, 0], []),  # exactly on a limit is not outside
        (["10.01"], [((0,), A)]),
        (["-0.01"], [((0,), B)]),
        ([11, 5, None, -1, 12], [((0,), A), ((3,), B), ((4,), A)]),  # one signal per point
        ([None, None], []),
    ],
    ids=["on-limits", "just-above", "just-below", "several", "all-missing"],
)
def test_points_outside_limits(values: list, expected: list) -> None:
    signals = points_outside_limits(values=values, upper_limit=10, lower_limit=0)
    assert [(s.indices, s.side) for s in signals] == expected
    assert all(s.rule is Rule.OUTSIDE_LIMITS for s in signals)


def test_outside_limits_descriptions() -> None:
    above, below = points_outside_limits(values=[11, -1], upper_limit=10, lower_limit=0)
    assert above.description == "A point above the upper process limit"
    assert below.description == "A point below the lower process limit"


# --- Rule 2: runs about the mean ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1] * 7, []),
        ([1] * 8, [(tuple(range(8)), A)]),
        ([-1] * 10, [(tuple(range(10)), B)]),  # one maximal run, not three overlapping ones
        ([1] * 4 + [0] + [1] * 4, []),  # a point on the mean breaks the run
        ([1] * 4 + [None] + [1] * 4, [((0, 1, 2, 3, 5, 6, 7, 8), A)]),  # a missing period does not
        ([1] * 8 + [-1] * 8, [(tuple(range(8)), A), (tuple(range(8, 16)), B)]),
        ([1] * 7 + [-1] + [1] * 7, []),
        ([0] * 12, []),  # all on the mean
    ],
    ids=["7-above", "8-above", "10-below", "on-mean-breaks", "missing-skipped", "8-and-8", "7-1-7", "on-mean"],
)
def test_runs_about_mean(values: list, expected: list) -> None:
    signals = runs_about_mean(values=values, mean=0)
    assert [(s.indices, s.side) for s in signals] == expected
    assert all(s.rule is Rule.RUN_OF_8 for s in signals)


def test_run_description_and_length() -> None:
    (signal,) = runs_about_mean(values=["0.5"] * 9, mean="0.25")
    assert signal.description == "9 points in a row above the mean"
    assert runs_about_mean(values=[-1] * 7, mean=0, length=7)[0].description == "7 points in a row below the mean"
    assert runs_about_mean(values=[-1] * 6, mean=0, length=7) == []


# --- Rule 3: trends ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 2, 3, 4, 5], []),
        ([1, 2, 3, 4, 5, 6], [(tuple(range(6)), R)]),
        ([6, 5, 4, 3, 2, 1], [(tuple(range(6)), F)]),
        ([1, 2, 3, 4, 5, 6, 7, 8], [(tuple(range(8)), R)]),  # one maximal trend
        ([1, 2, 3, 3, 4, 5], []),  # a tie breaks the trend: 1 2 3 and 3 4 5
        ([1, 2, 3, 3, 4, 5, 6, 7, 8], [((3, 4, 5, 6, 7, 8), R)]),  # the second 3 starts a new one
        ([1, 2, None, 3, 4, 5, 6], [((0, 1, 3, 4, 5, 6), R)]),  # a missing period is skipped
        ([1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1], [(tuple(range(6)), R), (tuple(range(5, 11)), F)]),  # shared peak
        ([1, 3, 2, 4, 3, 5, 4, 6], []),  # up and down
        ([5] * 8, []),
    ],
    ids=["5-rising", "6-rising", "6-falling", "8-rising", "tie", "tie-then-6", "missing", "peak", "zigzag", "flat"],
)
def test_trends(values: list, expected: list) -> None:
    signals = trends(values=values)
    assert [(s.indices, s.side) for s in signals] == expected
    assert all(s.rule is Rule.TREND_OF_6 for s in signals)


def test_trend_description_and_length() -> None:
    (signal,) = trends(values=["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"])
    assert signal.description == "7 points in a row, each higher than the one before"
    (signal,) = trends(values=[4, 3, 2, 1], length=4)
    assert signal.description == "4 points in a row, each lower than the one before"


# --- Rule 4: 2 of 3 in the outer third ---------------------------------------------------------

# mean 0, limits +/-3: the two-sigma lines are at +/-2 (two-thirds of the way to each limit).


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2.1", 0, "2.1"], [((0, 2), A)]),
        (["2.1", 0, 0], []),  # 1 of 3
        (["2.1", "-2.1", 0], []),  # 2 of 3, but on opposite sides
        ([2, 2, 0], []),  # exactly on the line is not beyond it
        ([0, "2.1", "2.1"], [((1, 2), A)]),
        (["2.1", "2.2", "2.3"], [((0, 1, 2), A)]),
        (["-2.5", -4, 0], [((0, 1), B)]),  # a point beyond the limit counts too
        (["2.1", 0, "2.1", 0, "2.1"], [((0, 2, 4), A)]),  # overlapping windows merged
        (["2.1", "2.1", 0, 0, 0, "2.1", "2.1"], [((0, 1), A), ((5, 6), A)]),  # separate windows
        (["2.1", None, 0, "2.1"], [((0, 3), A)]),  # a missing period is skipped
        (["2.1", "-2.1", "2.1", "-2.1"], [((0, 2), A), ((1, 3), B)]),
        (["2.1", "2.1"], []),  # no window of 3
    ],
    ids=[
        "2-of-3",
        "1-of-3",
        "opposite-sides",
        "on-the-line",
        "last-two",
        "3-of-3",
        "below-incl-beyond-limit",
        "merged",
        "separate",
        "missing",
        "both-sides",
        "two-points",
    ],
)
def test_two_of_three_near_limit(values: list, expected: list) -> None:
    signals = two_of_three_near_limit(values=values, mean=0, upper_limit=3, lower_limit=-3)
    assert [(s.indices, s.side) for s in signals] == expected
    assert all(s.rule is Rule.TWO_OF_THREE_NEAR_LIMIT for s in signals)


def test_two_of_three_descriptions() -> None:
    def texts(values: list) -> list[str]:
        return [s.description for s in two_of_three_near_limit(values=values, mean=0, upper_limit=3, lower_limit=-3)]

    assert texts(["2.1", 0, "2.1"]) == ["2 of 3 points in a row close to the upper limit (beyond two sigma)"]
    assert texts([0, "-2.1", "-2.1"]) == ["2 points in a row close to the lower limit (beyond two sigma)"]
    assert texts(["2.1", 0, "2.1", 0, "2.1"]) == ["3 of 5 points in a row close to the upper limit (beyond two sigma)"]


def test_two_of_three_asymmetric_limits() -> None:
    # mean 10, limits 16 and 7: lines at 10 + 2/3 x 6 = 14 and 10 - 2/3 x 3 = 8
    signals = two_of_three_near_limit(values=[14, 15, "7.9", "7.9", 8], mean=10, upper_limit=16, lower_limit=7)
    assert [(s.indices, s.side) for s in signals] == [((2, 3), B)]  # 14 and 8 are on their lines


# --- The chart: signals in context -------------------------------------------------------------


def test_shift_after_baseline() -> None:
    # Baseline = HAND (mean 12, limits 16.256 / 7.744, upper two-sigma line 14.837...), then 30, 31.
    chart = xmr(values=[*HAND, 30, 31], baseline=6)
    assert chart.mean == D(12) and chart.upper_limit == D("16.256")  # the later points don't move them
    assert chart.baseline_count == 6
    assert chart.moving_ranges[-2:] == (D(16), D(1))  # still shown for every point
    # 30 and 31 are outside; with 14 they make a window of 3 with 2 in the outer third. 12, 14, 30,
    # 31 rise but 13 -> 12 falls, so only 4 points rise; 12 sits on the mean, so no run either.
    assert brief(chart.signals) == [
        (Rule.OUTSIDE_LIMITS, (6,), A),
        (Rule.TWO_OF_THREE_NEAR_LIMIT, (6, 7), A),
        (Rule.OUTSIDE_LIMITS, (7,), A),
    ]


def test_run_and_trend_through_xmr() -> None:
    values = [2, 1, 2, 1, 2, 1, 2, 1, 4, 5, 6, 7, 8, 9, 10, 11]
    chart = xmr(values=values)
    # sum = 12 + 60 = 72, mean = 72 / 16 = 4.5; ranges: 1 x 7, 3, 1 x 7 = 17, mR-bar = 17 / 15
    assert chart.mean == D("4.5")
    assert chart.mean_moving_range == D(17) / 15
    rules = brief(chart.signals)
    assert (Rule.RUN_OF_8, tuple(range(9)), B) in rules  # 2 1 2 1 2 1 2 1 4: 9 points below 4.5
    assert (Rule.TREND_OF_6, tuple(range(7, 16)), R) in rules  # 1 (position 7) up to 11
    assert not [s for s in chart.signals if s.rule is Rule.RUN_OF_8 and s.side is A]  # 5..11: only 7 above
    assert chart.signals == tuple(sorted(chart.signals, key=lambda s: s.indices[0]))


def test_run_and_trend_lengths_configurable() -> None:
    values = [2, 1, 2, 1, 2, 1, 2, 1, 4, 5, 6, 7, 8, 9, 10, 11]
    chart = xmr(values=values, run_length=10, trend_length=10)  # the run is 9 long, the trend 9
    assert not [s for s in chart.signals if s.rule in (Rule.RUN_OF_8, Rule.TREND_OF_6)]
    chart = xmr(values=values, run_length=7, trend_length=9)
    assert (Rule.RUN_OF_8, tuple(range(9, 16)), A) in brief(chart.signals)
    assert (Rule.TREND_OF_6, tuple(range(7, 16)), R) in brief(chart.signals)


def test_constant_data_then_a_change() -> None:
    flat = xmr(values=[5] * 10)
    assert flat.mean_moving_range == 0 and flat.upper_limit == flat.lower_limit == D(5)
    assert flat.signals == ()  # on the limits and on the mean: nothing
    changed = xmr(values=[*([5] * 6), 6], baseline=6)
    assert brief(changed.signals) == [(Rule.OUTSIDE_LIMITS, (6,), A)]


# --- Missing values ----------------------------------------------------------------------------


def test_missing_values_keep_positions() -> None:
    chart = xmr(values=[1, 2, None, 4, 6, None])
    assert chart.points == (D(1), D(2), None, D(4), D(6), None)
    # a range only between adjacent periods both present: 2-1 and 6-4; none across the gap
    assert chart.moving_ranges == (None, D(1), None, None, D(2), None)
    assert chart.mean == D("3.25")  # 13 / 4
    assert chart.mean_moving_range == D("1.5")  # (1 + 2) / 2
    assert chart.baseline_count == 4
    assert not chart.enough_data and chart.signals == ()


def test_signal_indices_are_positions_in_the_input() -> None:
    values = [None, *HAND, None, 30]
    chart = xmr(values=values, baseline=6)
    assert chart.mean == D(12)
    assert brief(chart.signals) == [(Rule.OUTSIDE_LIMITS, (8,), A)]  # 30 is at position 8


def test_no_adjacent_pair_means_no_limits() -> None:
    chart = xmr(values=[1, None, 3, None, 5, None, 7, None, 9, None, 11, None])
    assert chart.mean == D(6)
    assert chart.mean_moving_range is None and chart.upper_limit is None and chart.sigma is None
    assert not chart.has_limits and not chart.enough_data and chart.signals == ()


# --- Baseline ----------------------------------------------------------------------------------


def test_baseline_counts_present_points() -> None:
    chart = xmr(values=[10, None, 12, 11, 13, 12, 14, 50], baseline=6)
    # baseline = 10, 12, 11, 13, 12, 14 (positions 0, 2..6): mean 12; ranges 1, 2, 1, 2 (none across
    # the gap at 1): mR-bar 6 / 4 = 1.5; limits 12 +/- 3.99
    assert chart.baseline_count == 6
    assert chart.mean == D(12)
    assert chart.mean_moving_range == D("1.5")
    assert chart.upper_limit == D("15.99") and chart.lower_limit == D("8.01")
    assert (Rule.OUTSIDE_LIMITS, (7,), A) in brief(chart.signals)


def test_baseline_longer_than_data_uses_all() -> None:
    assert xmr(values=HAND, baseline=24) == xmr(values=HAND)


def test_baseline_below_minimum_points_for_signals() -> None:
    # limits from 5 points: shown, but too unsettled for signals, even for a point far outside
    chart = xmr(values=[10, 11, 10, 11, 10, 100], baseline=5)
    assert chart.has_limits and chart.baseline_count == 5 < MIN_POINTS_FOR_SIGNALS
    assert not chart.enough_data and chart.signals == ()
    chart = xmr(values=[10, 11, 10, 11, 10, 11, 100], baseline=6)
    assert chart.enough_data
    assert (Rule.OUTSIDE_LIMITS, (6,), A) in brief(chart.signals)


@pytest.mark.parametrize(
    ("baseline", "error"),
    [(1, ValueError), (0, ValueError), (-3, ValueError), (True, TypeError), ("6", TypeError), (6.0, TypeError)],
)
def test_baseline_refused(baseline: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        xmr(values=HAND, baseline=baseline)  # type: ignore[arg-type]


# --- Too little data ---------------------------------------------------------------------------


@pytest.mark.parametrize("values", [[], [5], [None], [None, 5, None]], ids=["empty", "one", "missing", "one-of-3"])
def test_fewer_than_two_points(values: list) -> None:
    chart = xmr(values=values)
    assert isinstance(chart, XmR)
    assert chart.mean is None and chart.mean_moving_range is None
    assert chart.upper_limit is None and chart.lower_limit is None and chart.upper_range_limit is None
    assert chart.sigma is None and chart.upper_two_sigma is None and chart.lower_two_sigma is None
    assert not chart.enough_data and chart.signals == ()
    assert len(chart.points) == len(chart.moving_ranges) == len(values)


def test_two_points_give_limits_but_no_signals() -> None:
    chart = xmr(values=[1, 3])
    assert chart.mean == D(2) and chart.mean_moving_range == D(2)
    assert chart.upper_limit == D("7.32") and chart.lower_limit == D("-3.32")  # 2 +/- 2.66 x 2
    assert not chart.enough_data and chart.signals == ()


def test_enough_data_boundary() -> None:
    assert not xmr(values=HAND[:5]).enough_data
    assert xmr(values=HAND).enough_data
    assert not xmr(values=[*HAND[:5], None]).enough_data  # missing periods don't count


# --- Input types -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: xmr(values=[1.0, 2, 3]), TypeError),
        (lambda: xmr(values=[1, True]), TypeError),
        (lambda: xmr(values="123"), TypeError),
        (lambda: xmr(values=[1, "abc"]), ValueError),
        (lambda: xmr(values=[1, "NaN"]), ValueError),
        (lambda: xmr(values=[1, D("Infinity")]), ValueError),
        (lambda: xmr(values=HAND, run_length=1), ValueError),
        (lambda: xmr(values=HAND, trend_length=2.5), TypeError),
        (lambda: points_outside_limits(values=[1], upper_limit=2.0, lower_limit=0), TypeError),
        (lambda: points_outside_limits(values=[1], upper_limit=0, lower_limit=2), ValueError),
        (lambda: runs_about_mean(values=[0.5], mean=0), TypeError),
        (lambda: runs_about_mean(values=[1], mean=0.0), TypeError),
        (lambda: trends(values=[1.5, 2]), TypeError),
        (lambda: two_of_three_near_limit(values=[1], mean=0.0, upper_limit=3, lower_limit=-3), TypeError),
        (lambda: two_of_three_near_limit(values=[1], mean=5, upper_limit=3, lower_limit=-3), ValueError),
    ],
    ids=[
        "float-value",
        "bool-value",
        "str-not-sequence",
        "unparseable",
        "nan",
        "infinity",
        "run-length",
        "trend-length-float",
        "float-limit",
        "limits-crossed",
        "float-in-runs",
        "float-mean",
        "float-in-trends",
        "float-mean-2of3",
        "mean-outside-limits",
    ],
)
def test_refused(call, error: type[Exception]) -> None:
    with pytest.raises(error):
        call()


def test_accepts_decimal_int_and_str() -> None:
    assert xmr(values=[D("10"), 12, " 11 ", "13", D("12.0"), "14"]).mean == D(12)


# --- Improvement or concern --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("side", "polarity", "verdict"),
    [
        (A, "higher", Verdict.IMPROVEMENT),
        (R, "higher", Verdict.IMPROVEMENT),
        (B, "higher", Verdict.CONCERN),
        (F, "higher", Verdict.CONCERN),
        (A, "lower", Verdict.CONCERN),
        (R, "lower", Verdict.CONCERN),
        (B, "lower", Verdict.IMPROVEMENT),
        (F, "lower", Verdict.IMPROVEMENT),
        (A, "band", Verdict.NEUTRAL),
        (F, "band", Verdict.NEUTRAL),
    ],
)
def test_improvement_or_concern(side: Side, polarity: str, verdict: Verdict) -> None:
    signal = Signal(Rule.OUTSIDE_LIMITS, (0,), side, "")
    assert improvement_or_concern(signal=signal, polarity=polarity) is verdict


def test_improvement_or_concern_takes_the_assessment_polarity() -> None:
    from indicators.assessment import Polarity

    signal = Signal(Rule.RUN_OF_8, tuple(range(8)), B, "")
    assert improvement_or_concern(signal=signal, polarity=Polarity.LOWER) is Verdict.IMPROVEMENT
    with pytest.raises(ValueError):
        improvement_or_concern(signal=signal, polarity="up")
    with pytest.raises(TypeError):
        improvement_or_concern(signal=signal, polarity=None)  # type: ignore[arg-type]


# --- Properties --------------------------------------------------------------------------------

TOLERANCE = D("1e-18")  # the divisions are rounded to 28 significant digits


def close(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= TOLERANCE * max(D(1), abs(a), abs(b))


@st.composite
def series(draw: st.DrawFn) -> tuple[list[Decimal | None], int | None]:
    """Noise, often with a step, a ramp or missing periods, so that signals are common."""
    n = draw(st.integers(min_value=0, max_value=30))
    noise = st.decimals(min_value=-5, max_value=5, places=1, allow_nan=False, allow_infinity=False)
    values: list[Decimal | None] = [draw(noise) for _ in range(n)]
    if n and draw(st.booleans()):  # a step
        at = draw(st.integers(min_value=0, max_value=n - 1))
        step = draw(st.decimals(min_value=-40, max_value=40, places=1))
        values = [v if i < at else v + step for i, v in enumerate(values)]  # type: ignore[operator]
    if n and draw(st.booleans()):  # a ramp
        at = draw(st.integers(min_value=0, max_value=n - 1))
        values = [v if i < at else v + 3 * (i - at) for i, v in enumerate(values)]  # type: ignore[operator]
    if n:
        for i in draw(st.lists(st.integers(min_value=0, max_value=n - 1), max_size=3)):
            values[i] = None
    baseline = draw(st.none() | st.integers(min_value=2, max_value=max(2, n)))
    return values, baseline


def shifted(values: list[Decimal | None], by: Decimal) -> list[Decimal | None]:
    return [None if v is None else v + by for v in values]


def scaled(values: list[Decimal | None], by: Decimal) -> list[Decimal | None]:
    return [None if v is None else v * by for v in values]


STATS = ("mean", "upper_limit", "lower_limit", "upper_two_sigma", "lower_two_sigma")
SPREADS = ("mean_moving_range", "upper_range_limit", "sigma")


@settings(deadline=None)
@given(data=series())
def test_limits_symmetric_about_mean(data: tuple[list[Decimal | None], int | None]) -> None:
    values, baseline = data
    chart = xmr(values=values, baseline=baseline)
    if chart.has_limits:
        assert chart.mean is not None and chart.upper_limit is not None and chart.lower_limit is not None
        assert chart.upper_limit - chart.mean == chart.mean - chart.lower_limit
        assert chart.upper_two_sigma is not None and chart.lower_two_sigma is not None
        assert chart.upper_two_sigma - chart.mean == chart.mean - chart.lower_two_sigma
        assert chart.lower_limit <= chart.lower_two_sigma <= chart.mean <= chart.upper_two_sigma <= chart.upper_limit
    else:
        assert chart.signals == ()


@settings(deadline=None)
@given(data=series(), by=st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False))
def test_shift_moves_mean_and_limits_not_signals(data: tuple[list[Decimal | None], int | None], by: Decimal) -> None:
    values, baseline = data
    before = xmr(values=values, baseline=baseline)
    after = xmr(values=shifted(values, by), baseline=baseline)
    for name in STATS:
        old, new = getattr(before, name), getattr(after, name)
        assert close(new, None if old is None else old + by), name
    for name in SPREADS:
        assert close(getattr(after, name), getattr(before, name)), name
    assert after.moving_ranges == before.moving_ranges
    assert after.enough_data == before.enough_data
    assert after.signals == before.signals


@settings(deadline=None)
@given(data=series(), by=st.decimals(min_value="0.01", max_value=100, places=2, allow_nan=False, allow_infinity=False))
def test_positive_scale_scales_limits_not_signals(data: tuple[list[Decimal | None], int | None], by: Decimal) -> None:
    values, baseline = data
    before = xmr(values=values, baseline=baseline)
    after = xmr(values=scaled(values, by), baseline=baseline)
    for name in (*STATS, *SPREADS):
        old, new = getattr(before, name), getattr(after, name)
        assert close(new, None if old is None else old * by), name
    assert after.enough_data == before.enough_data
    assert after.signals == before.signals


MIRROR = {A: B, B: A, R: F, F: R}


@settings(deadline=None)
@given(data=series())
def test_sign_change_mirrors_signals(data: tuple[list[Decimal | None], int | None]) -> None:
    values, baseline = data
    before = xmr(values=values, baseline=baseline)
    after = xmr(values=scaled(values, D(-1)), baseline=baseline)
    # ROUND_HALF_UP is symmetric about zero, so negation is exact (copy_negate: no context rounding)
    assert after.mean == (None if before.mean is None else before.mean.copy_negate())
    assert after.upper_limit == (None if before.lower_limit is None else before.lower_limit.copy_negate())
    assert after.lower_limit == (None if before.upper_limit is None else before.upper_limit.copy_negate())
    assert after.mean_moving_range == before.mean_moving_range
    assert sorted(brief(after.signals)) == sorted((rule, ix, MIRROR[side]) for rule, ix, side in brief(before.signals))


def test_properties_see_signals() -> None:
    """The series strategy is not all noise: a step and a ramp give every kind of signal."""
    values = [D(v) for v in ["0.1", "-0.2", "0.3", "0", "-0.1", "0.2", "0.1", "-0.3"]]
    values += [v + 3 * i for i, v in enumerate(values)]
    rules = {s.rule for s in xmr(values=values, baseline=8).signals}
    assert rules == set(Rule)
