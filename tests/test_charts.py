"""The indicator page's charts (C5, C4, SPC): chart data from a factory-built indicator, exact to the figure;
benchmark rank and quartile by polarity; the XmR chart equal to reporting.spc.xmr; the page and its pinned
query count with three times the data."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators import selectors
from indicators.models import BenchmarkValue, Indicator, RecoveryPlan
from pmf.choices import Role
from pmf.models import Council, Period, RoleAssignment
from reporting import charts, spc
from tests import factories as f

pytestmark = pytest.mark.django_db

D = Decimal
Q1, Q2, Q3, Q4 = "Q1 2026/27", "Q2 2026/27", "Q3 2026/27", "Q4 2026/27"


def _series(ind: Indicator) -> selectors.Series:
    return selectors.load_series(Indicator.objects.filter(pk=ind.pk))[0]


def _quarterly(council=None, **kwargs) -> Indicator:
    """Higher is better, quarterly snapshot. 2026/27: trajectory 80, 90, 95, 100, tolerance 10%; figures 85 (Q1,
    green) and 75 (Q2: below 90 - 9 = 81, red) with the officer's year-end forecast 96. 2025/26: annual target 90,
    figures 70, 85, 88, 92."""
    council = council or f.council()
    ind = f.indicator(council, frequency="quarterly", **kwargs)
    f.target(ind, 2025, 90)
    f.target(ind, 2026, 100, trajectory={1: 80, 2: 90, 3: 95, 4: 100}, tolerance_pct=D("10"))
    for number, value in enumerate([70, 85, 88, 92], start=1):
        f.ret(ind, 2025, number, value)
    f.ret(ind, 2026, 1, 85)
    f.ret(ind, 2026, 2, 75, forecast=D("96"), forecast_confidence="medium")
    return ind


def _column(chart: dict, name: str) -> list:
    return [p[name] for p in chart["points"]]


def _trace(chart: dict, name: str) -> dict:
    return next(t for t in chart["figure"]["data"] if t.get("name") == name)


def test_chart_data_actuals_target_band_forecast_and_last_year():
    chart = charts.indicator_chart(_series(_quarterly()), year=2026)
    assert [p["label"] for p in chart["points"]] == [Q1, Q2, Q3, Q4]
    assert _column(chart, "actual") == [D(85), D(75), None, None]
    assert _column(chart, "target") == [D(80), D(90), D(95), D(100)]
    # higher is better: the amber band runs from target - 10% of target up to the target
    assert _column(chart, "amber_low") == [D(72), D(81), D("85.5"), D(90)]
    assert _column(chart, "amber_high") == [D(80), D(90), D(95), D(100)]
    assert _column(chart, "last_year") == [D(70), D(85), D(88), D(92)]
    assert _column(chart, "rag") == ["green", "red", None, None]
    assert chart["reds"] == [Q2]
    assert chart["forecast"].value == D(96) and chart["forecast"].source == "officer"
    # the figure: floats only here, the forecast dashed from the last actual to the year end
    forecast = _trace(chart, "Year-end forecast")
    assert forecast["x"] == [Q2, Q4] and forecast["y"] == [75.0, 96.0]
    assert forecast["line"]["dash"] == "dash"
    assert _trace(chart, "Actual")["y"] == [85.0, 75.0, None, None]
    assert _trace(chart, "Target (trajectory)")["y"] == [80.0, 90.0, 95.0, 100.0]
    assert _trace(chart, "Last year (2025/26)")["y"] == [70.0, 85.0, 88.0, 92.0]
    band = [t for t in chart["figure"]["data"] if t.get("legendgroup") == "amber"]
    assert band[0]["y"] == [72.0, 81.0, 85.5, 90.0] and band[1]["fill"] == "tonexty"
    # reds: a marker shape and the word, not colour only
    red = _trace(chart, "Red (RAG)")
    assert red["x"] == [Q2] and red["marker"]["symbol"] == "x"
    assert [(a["x"], a["text"]) for a in chart["figure"]["layout"]["annotations"]] == [(Q2, "Red")]
    assert "Red at: Q2 2026/27" in chart["summary"] and "Year-end forecast: 96" in chart["summary"]
    json.dumps(chart["figure"])  # JSON-safe


def test_lower_is_better_band_lies_above_the_target_and_cumulative_charts_year_to_date():
    council = f.council()
    ind = f.indicator(council, frequency="quarterly", polarity="lower", measure_type="cumulative")
    f.target(ind, 2026, 200, tolerance_abs=D("15"))
    for number, value in enumerate([40, 60, 50], start=1):
        f.ret(ind, 2026, number, value)
    chart = charts.indicator_chart(_series(ind), year=2026)
    assert _column(chart, "actual") == [D(40), D(100), D(150), None]
    assert _column(chart, "target") == [D(200)] * 4  # no trajectory: the annual line
    assert _column(chart, "amber_low") == [D(200)] * 4
    assert _column(chart, "amber_high") == [D(215)] * 4
    assert _column(chart, "last_year") == [None] * 4 and not chart["has_last_year"]
    assert _trace(chart, "Year to date")["y"] == [40.0, 100.0, 150.0, None]
    assert _trace(chart, "Target (annual)")


def test_band_measure_shades_the_band_plus_and_minus_its_tolerance():
    council = f.council()
    ind = f.indicator(council, frequency="quarterly", polarity="band", decimal_places=1)
    f.target(ind, 2026, None, band_low=D("40"), band_high=D("60"), tolerance_pct=D("10"))
    f.ret(ind, 2026, 1, "50.0")
    f.ret(ind, 2026, 2, "70.0")
    chart = charts.indicator_chart(_series(ind), year=2026)
    assert _column(chart, "band_low") == [D(40)] * 4 and _column(chart, "band_high") == [D(60)] * 4
    assert _column(chart, "amber_low") == [D(36)] * 4  # 40 - 10% of 40
    assert _column(chart, "amber_high") == [D(66)] * 4  # 60 + 10% of 60
    assert _column(chart, "rag") == ["green", "red", None, None]
    assert _trace(chart, "Target band (low)")["y"] == [40.0] * 4


def test_recovery_plan_is_annotated_at_its_period():
    ind = _quarterly()
    owner = f.user()
    period = Period.objects.get(financial_year_id=2026, frequency="quarterly", number=2)
    plan = RecoveryPlan.objects.create(indicator=ind, trigger="Red at Q2 2026/27", period=period, owner=owner,
                                       due_on=date(2026, 11, 30))
    chart = charts.indicator_chart(_series(ind), year=2026, recovery_plans=[plan])
    assert chart["recovery"] == [{"label": Q2, "text": "Recovery plan (requested)", "trigger": "Red at Q2 2026/27"}]
    notes = {a["text"]: a for a in chart["figure"]["layout"]["annotations"]}
    assert notes["Recovery plan (requested)"]["x"] == Q2 and notes["Recovery plan (requested)"]["y"] == 75.0
    assert "Recovery plan (requested) at Q2 2026/27." in chart["summary"]
    # a plan from another year is not annotated on this one
    assert charts.indicator_chart(_series(ind), year=2025, recovery_plans=[plan])["recovery"] == []


# -- benchmarking (C4) ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("polarity", "value", "rank", "quartile"), [
    ("higher", D(80), 4, 2),   # 3 comparators higher: 4th of 12
    ("lower", D(80), 9, 3),    # 8 comparators lower: 9th of 12
    ("higher", D(200), 1, 1),
    ("lower", D(200), 12, 4),
    ("higher", D(90), 3, 1),   # a tie shares the better rank: 3rd of 12, top quarter
])
def test_rank_and_quartile_by_polarity(polarity, value, rank, quartile):
    others = [D(v) for v in (100, 95, 90, 79, 70, 60, 55, 50, 45, 40, 30)]
    assert charts.rank_and_quartile(value=value, others=others, polarity=polarity) == (rank, 12, quartile)


def test_band_rank_is_by_distance_from_the_band():
    others = [D(v) for v in (50, 65, 30, 45)]
    assert charts.rank_and_quartile(value=D(62), others=others, polarity="band", band=(D(40), D(60))) == (3, 5, 3)
    assert charts.rank_and_quartile(value=D(62), others=others, polarity="band") is None


def test_benchmark_of_the_previous_year_ranks_the_councils_year_end_figure():
    council = Council.objects.create(name="Harrowdale Test Council", short_name="Harrowtest", slug="harrowtest")
    ind = _quarterly(council)
    values = (100, 95, 93, 91, 90, 85, 80, 75, 70, 60, 50)  # the council's 2025/26 outturn is 92: 4th of 12
    BenchmarkValue.objects.bulk_create([BenchmarkValue(indicator=ind, financial_year_id=2025,
                                                       comparator=f"Comparator {n:02d}", value=D(v))
                                        for n, v in enumerate(values)])
    bench = charts.benchmark(_series(ind), BenchmarkValue.objects.filter(indicator=ind, financial_year_id=2025))
    assert (bench.council_value, bench.rank, bench.of, bench.quartile) == (D(92), 4, 12, 2)
    assert bench.sentence.startswith("Harrowtest ranks 4th of 12 (2nd quartile)")
    assert (bench.minimum, bench.lower_quartile, bench.median, bench.upper_quartile, bench.maximum) == (
        D(50), D("72.5"), D(85), D(92), D(100))
    assert [r["name"] for r in bench.ranking][:4] == ["Comparator 00", "Comparator 01", "Comparator 02", "Harrowtest"]
    box = bench.figure["data"][0]
    assert box["type"] == "box" and box["q1"] == [72.5] and box["median"] == [85.0] and box["upperfence"] == [100.0]
    assert charts.benchmark(_series(ind), []) is None


# -- statistical process control ---------------------------------------------------------------------------------

def test_xmr_chart_equals_spc_xmr_over_the_figures_oldest_first():
    ind = _quarterly()
    chart = charts.xmr_chart(_series(ind))
    values = [D(70), D(85), D(88), D(92), D(85), D(75)]
    assert chart["values"] == values
    assert chart["labels"] == ["Q1 2025/26", "Q2 2025/26", "Q3 2025/26", "Q4 2025/26", Q1, Q2]
    assert chart["xmr"] == spc.xmr(values=values)
    result = chart["xmr"]
    assert _trace(chart, "Mean")["y"] == [float(result.mean)] * 6
    assert _trace(chart, "Upper process limit")["y"] == [float(result.upper_limit)] * 6
    assert _trace(chart, "Lower process limit")["y"] == [float(result.lower_limit)] * 6
    assert _trace(chart, "Moving range")["y"] == [None, 15.0, 3.0, 4.0, 7.0, 10.0]
    assert _trace(chart, "Moving range")["yaxis"] == "y2"
    assert [r["moving_range"] for r in chart["rows"]] == list(result.moving_ranges)


def test_xmr_chart_takes_the_last_36_periods_and_names_each_signal_with_its_meaning():
    council = f.council()
    ind = f.indicator(council, frequency="monthly", polarity="higher")
    values = [50, 52, 48, 51, 49, 50, 53, 47, 50, 51, 49, 50] * 3 + [40, 41, 39, 40, 38, 41, 40, 39]
    for i, value in enumerate(values):
        f.ret(ind, 2023 + i // 12, i % 12 + 1, value)
    chart = charts.xmr_chart(_series(ind))
    assert len(chart["values"]) == 36 and chart["labels"][0] == "December 2023" \
        and chart["labels"][-1] == "November 2026"
    assert chart["xmr"] == spc.xmr(values=[D(v) for v in values[-36:]])
    run = [s for s in chart["signals"] if s["rule"] == "run_of_8"][-1]
    assert run["text"] == "8 points in a row below the mean — a real change (concern)"
    assert run["labels"][-1] == "November 2026"
    assert chart["headline"].startswith("SPC: ") and "concern" in chart["headline"]
    flagged = _trace(chart, "Signal (special cause)")
    assert "November 2026" in flagged["x"] and flagged["marker"]["symbol"] == "diamond-open"


def test_xmr_with_too_few_points_says_so_and_steady_figures_say_no_signal():
    council = f.council()
    few = f.indicator(council, frequency="quarterly")
    for number, value in enumerate([10, 12, 11], start=1):
        f.ret(few, 2026, number, value)
    chart = charts.xmr_chart(_series(few))
    assert not chart["enough_data"] and chart["signals"] == []
    assert chart["headline"] == "SPC: too few figures to judge (3 of the 6 needed for process limits and signals)"
    steady = f.indicator(council, frequency="quarterly")
    for i, value in enumerate([10, 12, 11, 10, 12, 11, 10, 11]):
        f.ret(steady, 2024 + i // 4, i % 4 + 1, value)
    assert charts.xmr_chart(_series(steady))["headline"] == "SPC: no signal — common-cause variation"


# -- the page ----------------------------------------------------------------------------------------------------

def _perf(client):
    user = RoleAssignment.objects.filter(role=Role.PERFORMANCE_UNIT, council__slug="harrowdale").order_by("pk") \
        .first().user
    client.force_login(user)
    return client


def _harrowdale_indicator(years=(2026,)) -> Indicator:
    from pmf.models import Service

    harrowdale = Council.objects.get(slug="harrowdale")
    service = Service.objects.filter(directorate__councils=harrowdale).order_by("pk").first()
    ind = f.indicator(harrowdale, frequency="monthly", service=service)
    for year in years:
        f.target(ind, year, 100, trajectory={n: 50 + 4 * n for n in range(1, 13)})
        last = 7 if year == 2026 else 12
        for number in range(1, last + 1):
            f.ret(ind, year, number, 50 + 4 * number + (number % 3) * 3 - 4)
    return ind


def test_indicator_page_shows_the_charts_with_their_tables_and_summaries(client):
    ind = Indicator.objects.filter(council__slug="harrowdale", benchmarks__financial_year_id=2025).order_by("ref")[0]
    text = _perf(client).get(ind.get_absolute_url()).text
    series = _series(ind)
    chart = charts.indicator_chart(series, year=2026)
    assert f'data-chart="{chart["element_id"]}"' in text
    assert f'<script id="{chart["element_id"]}" type="application/json">' in text
    assert "<caption>Figures charted for 2026/27" in text
    assert "Comparator values for 2025/26, best first" in text
    assert "Harrowdale ranks " in text and " quartile)" in text
    assert "Statistical process control" in text and "XmR chart figures" in text
    assert charts.xmr_chart(series)["headline"] in text.replace("&gt;", ">")
    assert "vendor/plotly/plotly.min.js" in text and "js/charts.js" in text


@pytest.mark.parametrize("raw", ["2025", "abc", "-1", "2026.5", "99999999999999999999", "1999", ""])
def test_chart_year_selector_takes_years_with_data_and_ignores_anything_else(client, raw):
    ind = Indicator.objects.filter(council__slug="harrowdale", kind="kpi").order_by("ref")[0]
    response = _perf(client).get(ind.get_absolute_url(), {"chart_year": raw})
    assert response.status_code == 200
    expected = "2025/26" if raw == "2025" else "2026/27"
    assert f"Chart: {expected} against target" in response.text
    assert 'name="chart_year"' in response.text and '<label class="form-label mb-0" for="chart-year">' in response.text


def test_indicator_page_query_count_is_flat_with_three_times_the_data(client, django_assert_num_queries):
    from tests.test_pages import EXPECTED_QUERIES

    client = _perf(client)
    small = _harrowdale_indicator(years=(2026,))
    big = _harrowdale_indicator(years=(2024, 2025, 2026))
    owner = f.user()
    for ind, count in ((small, 1), (big, 3)):
        BenchmarkValue.objects.bulk_create([BenchmarkValue(indicator=ind, financial_year_id=2025,
                                                           comparator=f"Comparator {n}", value=D(60 + n))
                                            for n in range(4 * count)])
        now = timezone.now()
        RecoveryPlan.objects.bulk_create([RecoveryPlan(
            indicator=ind, trigger=f"Red {n}", owner=owner, due_on=date(2026, 6, 1), status="closed",
            requested_at=now - timedelta(days=30 * n), closed_at=now, causes="Staffing", actions="Recruit",
            expected_on_target=date(2026, 9, 1), provided_at=now) for n in range(count)])
    assert big.returns.count() > 3 * small.returns.count() - 1
    for ind in (small, big):
        for params in ({}, {"chart_year": "2025"}):
            with django_assert_num_queries(EXPECTED_QUERIES["indicator"]):
                response = client.get(ind.get_absolute_url(), params)
            assert response.status_code == 200
    assert "Recovery plan (closed)" in client.get(big.get_absolute_url(), {"chart_year": "2025"}).text \
        or "Recovery plan (closed)" in client.get(big.get_absolute_url()).text


def test_qualitative_indicator_page_has_no_chart(client):
    ind = Indicator.objects.filter(council__slug="harrowdale", is_qualitative=True).first()
    if ind is None:
        pytest.skip("the demo has no qualitative measure")
    response = _perf(client).get(ind.get_absolute_url())
    assert response.status_code == 200 and "data-chart=" not in response.text


def test_reverse_of_the_indicator_url_is_unchanged():
    assert reverse("indicators:detail", args=[1]).endswith("/1/")
