"""The model-level assessment: the right figure, target and comparison period go into the rules (C1, C2, C5)."""

from decimal import Decimal

import pytest

from indicators import selectors
from indicators.models import Indicator
from tests import factories as f

pytestmark = pytest.mark.django_db


def _series(ind):
    return selectors.load_series(Indicator.objects.filter(pk=ind.pk))[0]


def test_snapshot_uses_annual_target_and_previous_month():
    c = f.council()
    ind = f.indicator(c)
    f.target(ind, 2025, 100)
    f.ret(ind, 2025, 1, 90)
    f.ret(ind, 2025, 2, 96)
    a = selectors.assess(_series(ind), (2025, 2))
    assert (a.value, a.target, a.rag, a.comparison_key, a.direction) == (
        Decimal("96"), Decimal("100"), "amber", (2025, 1), "improving")


def test_trajectory_value_is_the_target_for_its_period():
    c = f.council()
    ind = f.indicator(c, polarity="lower")
    f.target(ind, 2025, 50, trajectory={1: 80, 2: 70})
    f.ret(ind, 2025, 1, 79)
    f.ret(ind, 2025, 2, 75)
    s = _series(ind)
    assert selectors.assess(s, (2025, 1)).rag == "green"  # 79 <= 80
    second = selectors.assess(s, (2025, 2))
    assert (second.target, second.rag) == (Decimal("70"), "red")  # 75 > 70 + 3.5


def test_cumulative_rates_year_to_date_and_compares_with_last_year():
    c = f.council()
    ind = f.indicator(c, measure_type="cumulative", frequency="quarterly")
    f.target(ind, 2025, 400, trajectory={1: 100, 2: 200, 3: 300, 4: 400})
    for n, v in [(1, 100), (2, 95)]:
        f.ret(ind, 2024, n, v)
    for n, v in [(1, 110), (2, 85)]:
        f.ret(ind, 2025, n, v)
    a = selectors.assess(_series(ind), (2025, 2))
    assert a.value == Decimal("195")  # 110 + 85 year to date
    assert a.target == Decimal("200")
    assert a.rag == "amber"  # within 5% of 200
    assert a.comparison_key == (2024, 2)
    assert a.comparison_value == Decimal("195")
    assert a.direction == "maintained"


def test_cumulative_ratio_sums_numerators_and_denominators():
    c = f.council()
    ind = f.indicator(c, measure_type="cumulative", calculation="ratio", multiplier="100", decimal_places=1)
    f.target(ind, 2025, 90)
    f.ret(ind, 2025, 1, numerator=9, denominator=10)   # 90%
    f.ret(ind, 2025, 2, numerator=80, denominator=100)  # 80%
    a = selectors.assess(_series(ind), (2025, 2))
    assert a.value == Decimal("80.9")  # 89/110, not the mean of 90 and 80
    assert a.rag == "red"


def test_missing_period_makes_year_to_date_unknown():
    c = f.council()
    ind = f.indicator(c, measure_type="cumulative")
    f.target(ind, 2025, 12)
    f.ret(ind, 2025, 2, 1)
    a = selectors.assess(_series(ind), (2025, 2))
    assert (a.value, a.rag) == (None, "measured")


def test_year_end_snapshot_compares_with_same_period_last_year():
    c = f.council()
    ind = f.indicator(c, frequency="quarterly")
    f.target(ind, 2025, 10)
    f.ret(ind, 2024, 4, 12)
    f.ret(ind, 2025, 3, 8)
    f.ret(ind, 2025, 4, 11)
    a = selectors.assess(_series(ind), (2025, 4))
    assert a.comparison_key == (2024, 4)
    assert a.direction == "declining"


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ({"kind": "contextual"}, "Contextual"),
        ({"is_qualitative": True}, "Qualitative"),
    ],
)
def test_unrated_kinds_are_measured(setup, reason):
    c = f.council()
    ind = f.indicator(c, **setup)
    f.target(ind, 2025, 10)
    f.ret(ind, 2025, 1, 50)
    a = selectors.assess(_series(ind), (2025, 1))
    assert a.rag == "measured" and reason in a.rag_reason


def test_no_target_and_missing_baseline_are_measured():
    c = f.council()
    ind = f.indicator(c)
    f.ret(ind, 2025, 1, 50)
    assert selectors.assess(_series(ind), (2025, 1)).rag == "measured"
    f.target(ind, 2025, 40, needs_baseline=True)
    a = selectors.assess(_series(ind), (2025, 1))
    assert a.rag == "measured" and "baseline" in a.rag_reason


def test_council_default_tolerance_applies_when_target_has_none():
    c = f.council()
    c.default_tolerance_pct = Decimal("10")
    c.save()
    ind = f.indicator(c)
    f.target(ind, 2025, 100)
    f.ret(ind, 2025, 1, 91)
    assert selectors.assess(_series(ind), (2025, 1)).rag == "amber"


def test_absolute_tolerance_and_band():
    c = f.council()
    ind = f.indicator(c, polarity="band", decimal_places=1)
    f.target(ind, 2025, None, band_low=Decimal("2"), band_high=Decimal("3"), tolerance_abs=Decimal("0.5"))
    f.ret(ind, 2025, 1, "3.5")
    f.ret(ind, 2025, 2, "3.6")
    s = _series(ind)
    assert selectors.assess(s, (2025, 1)).rag == "amber"
    second = selectors.assess(s, (2025, 2))
    assert second.rag == "red" and second.direction == "declining"


def test_approved_only_ignores_unapproved_figures():
    c = f.council()
    ind = f.indicator(c)
    f.target(ind, 2025, 100)
    f.ret(ind, 2025, 1, 100)
    f.ret(ind, 2025, 2, 50, state="submitted")
    approved = selectors.load_series(Indicator.objects.filter(pk=ind.pk), states=selectors.APPROVED_ONLY)[0]
    assert selectors.assess(approved, (2025, 2)).rag == "measured"
    assert selectors.assess(_series(ind), (2025, 2)).rag == "red"


def test_forecast_prefers_officer_then_computes_from_trajectory():
    c = f.council()
    ind = f.indicator(c, measure_type="cumulative", frequency="quarterly")
    f.target(ind, 2025, 400, trajectory={1: 100, 2: 200, 3: 300, 4: 400})
    f.ret(ind, 2025, 1, 90)
    f.ret(ind, 2025, 2, 90)
    computed = selectors.forecast(_series(ind), 2025)
    assert (computed.value, computed.source, computed.method) == (Decimal("380"), "computed", "profile_gap")
    f.ret(ind, 2025, 3, 100, forecast=Decimal("390"), forecast_confidence="high")
    officer = selectors.forecast(_series(ind), 2025)
    assert (officer.value, officer.source, officer.confidence) == (Decimal("390"), "officer", "high")


def test_spec_version_in_force_for_the_year():
    c = f.council()
    ind = f.indicator(c, polarity="higher")
    v1 = ind.current_spec
    f.ensure_financial_year(2025)
    v2 = type(v1).objects.create(indicator=ind, version=2, valid_from_id=2025, definition="v2", data_source="x",
                                 frequency="monthly", polarity="lower")
    s = _series(ind)
    assert s.spec_for(2024) == v1 and s.spec_for(2025) == v2 and s.spec_for(2026) == v2


def test_query_count_is_flat_in_the_number_of_indicators(django_assert_max_num_queries):
    c = f.council()
    inds = [f.indicator(c) for _ in range(3)]
    for ind in inds:
        f.target(ind, 2025, 10, trajectory={1: 5})
        f.ret(ind, 2025, 1, 5)
    with django_assert_max_num_queries(5):
        series = selectors.load_series(Indicator.objects.filter(council=c))
        assert [selectors.latest(s).rag for s in series] == ["green"] * 3
