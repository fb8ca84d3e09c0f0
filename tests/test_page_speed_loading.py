"""The speed-ups of the assessment-heavy pages change nothing a user sees: loading fewer years of returns gives the
same assessments, memoised assessments are the ones computed afresh, a priority's public page loads only its own
measures yet shows the same, and the garbage-collector pause always ends. Timings are measured by
``manage.py benchmark_pages``, never here."""

from __future__ import annotations

import gc

import pytest
from django.urls import reverse

from demo import DEMO_AS_OF
from indicators import selectors
from indicators.models import Indicator
from plans.models import PlanItem
from pmf import gc_pause
from pmf.models import Council, User
from reporting import open_data as od
from reporting.rollups import rollups
from reporting.scorecard import Params, build_scorecard
from tests import factories as f

pytestmark = pytest.mark.django_db


def _demo() -> Council:
    return Council.objects.get(slug="harrowdale")


def _facts(a: selectors.PeriodAssessment | None):
    if a is None:
        return None
    return (a.key, a.value, a.target, a.rag, a.rag_reason, a.comparison_key, a.comparison_value, a.direction, a.band)


@pytest.mark.parametrize("states", [selectors.ALL_STATES, selectors.APPROVED_ONLY])
def test_the_latest_two_years_give_every_demo_measure_the_same_latest_assessment(states,
                                                                                   django_assert_num_queries):
    qs = Indicator.objects.filter(council=_demo(), current_spec__isnull=False)
    full = {s.indicator.pk: s for s in selectors.load_series(qs, states=states)}
    with django_assert_num_queries(5):  # the same query shape: the window is in the returns' query
        recent = selectors.load_series(qs, states=states, latest_years=2)
    assert len(recent) == len(full)
    assert sum(len(s.returns) for s in recent) < sum(len(s.returns) for s in full.values())
    for s in recent:
        assert _facts(selectors.latest(s)) == _facts(selectors.latest(full[s.indicator.pk])), s.indicator.ref


def test_latest_years_keeps_each_indicators_own_latest_years():
    c = f.council()
    old, new = f.indicator(c, frequency="annual"), f.indicator(c, frequency="annual")
    for year in (2021, 2022, 2023):
        f.ret(old, year, 1, 10 + year)
    for year in (2023, 2024, 2025):
        f.ret(new, year, 1, 10 + year)
    f.ret(new, 2021, 1, 5, state="submitted")  # other states do not count towards the latest year
    loaded = {s.indicator.pk: s for s in selectors.load_series(
        Indicator.objects.filter(council=c), states=selectors.APPROVED_ONLY, latest_years=2)}
    assert sorted(loaded[old.pk].returns) == [(2022, 1), (2023, 1)]
    assert sorted(loaded[new.pk].returns) == [(2024, 1), (2025, 1)]


def test_since_year_leaves_out_earlier_years():
    c = f.council()
    ind = f.indicator(c, frequency="quarterly")
    for year in (2023, 2024, 2025):
        f.ret(ind, year, 1, 1)
    (series,) = selectors.load_series(Indicator.objects.filter(pk=ind.pk), since_year=2024)
    assert sorted(series.returns) == [(2024, 1), (2025, 1)]


def test_a_memoised_assessment_is_the_one_computed_afresh():
    qs = Indicator.objects.filter(council=_demo(), current_spec__isnull=False).order_by("ref")[:40]
    for series in selectors.load_series(qs):
        for key in sorted(series.returns):
            first = selectors.assess(series, key)
            assert selectors.assess(series, key) is first  # memoised
            assert _facts(selectors._assess(series, key, None)) == _facts(first)
        series._cache.clear()
        if series.returns:
            key = max(series.returns)
            assert selectors.assess(series, key) is not selectors.assess(series, key, comparison=(key[0] - 1, key[1]))


def test_rollups_still_count_every_measure_beneath_each_priority():
    user = User.objects.get(username="helen.marsh")
    tops = list(PlanItem.objects.filter(plan__council=_demo(), plan__level__rank=1, parent__isnull=True))
    counts = rollups(tops, user=user, as_of=DEMO_AS_OF)
    series = {s.indicator.pk: s for s in selectors.load_series(Indicator.objects.filter(council=_demo()))}
    through = Indicator.plan_items.through.objects.values_list("indicator_id", "planitem__path")
    for top in tops:
        beneath = {i for i, path in through if path.startswith(top.path)}
        expected = {}
        for pk in beneath:
            a = selectors.latest(series[pk])
            rag = a.rag if a is not None else "measured"
            expected[rag] = expected.get(rag, 0) + 1
        assert dict(counts[top.pk].measures) == expected, top.ref


def test_scorecard_rows_are_the_same_however_far_back_the_returns_are_loaded(monkeypatch):
    from plans.models import Plan
    from reporting import scorecard

    user = User.objects.get(username="helen.marsh")
    plan = Plan.objects.filter(council=_demo(), level__rank=1).first()
    for year, quarter in [(2026, 2), (2025, 4), (2025, 1)]:
        params = Params(year=year, quarter=quarter)
        near = [r.texts() for r in build_scorecard(plan, user, params).rows]
        monkeypatch.setattr(scorecard, "LOOKBACK_YEARS", 50)
        everything = [r.texts() for r in build_scorecard(plan, user, params).rows]
        monkeypatch.undo()
        assert near == everything


def test_a_priority_page_loads_only_its_measures_and_shows_the_same(client):
    council = _demo()
    item = PlanItem.objects.get(plan__council=council, plan__level__rank=1, ref="P5")
    year, quarter = od.latest_quarter()
    everything = od.measures_under(od.load_measures(od.published_indicators(council), quarter=(year, quarter),
                                                    with_paths=True), item)
    own = od.load_measures(od.evidencing(od.published_indicators(council), item), quarter=(year, quarter),
                           with_paths=True)
    assert [m.indicator.ref for m in own] == [m.indicator.ref for m in everything]
    assert [_facts(m.latest) for m in own] == [_facts(m.latest) for m in everything]
    assert od.rag_counts(own) == od.rag_counts(everything)
    page = client.get(reverse("public:priority", args=[council.slug, item.pk])).content.decode()
    for m in everything:
        assert m.indicator.ref in page


def test_the_garbage_collector_pause_nests_and_always_ends():
    assert gc.isenabled()
    with gc_pause.paused():
        assert not gc.isenabled()
        with gc_pause.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause is still on
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_pause.paused():
        raise RuntimeError("boom")
    assert gc.isenabled()
