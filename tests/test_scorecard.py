"""D5: the balanced scorecard of a plan (Wirral's columns, W 3.7), its sorting, and its CSV and Excel exports.

Each column's value is checked against figures computed here straight from the returns and targets; the exports
are read back (csv module, openpyxl) and compared with the page; outsiders get 404, bad parameters never a 500,
and the query count is pinned and stays the same with three times the measures.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from demo import DEMO_LOGINS
from indicators import assessment as rules
from indicators.choices import RAG_STYLE, Direction, Rag
from indicators.models import Indicator, Return, Specification, Target, TrajectoryPoint
from plans.models import Plan
from pmf.access import restrict
from pmf.choices import Role
from pmf.models import User
from reporting.exports import guard
from reporting.scorecard import COLUMNS, Params, latest_complete_quarter, parse_params
from tests import factories as f

pytestmark = pytest.mark.django_db

YEAR, QUARTER = 2026, 2  # the latest complete quarter on the demo's "today"
HEADINGS = ["Indicator", "Data source", "Previous year's performance", "Target for the year", "Year-to-date plan",
            "Year-to-date performance", "RAG", "Trend", "Reporting period", "Accountable officer", "Comments"]


def _user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def perf(client) -> Client:
    client.force_login(_user(DEMO_LOGINS["performance_unit"]))
    return client


@pytest.fixture
def council_plan() -> Plan:
    return Plan.objects.get(council__slug="harrowdale", level__rank=1)


def _url(plan, name="scorecard", **params) -> str:
    url = reverse(f"reporting:{name}", args=[plan.pk])
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


# -- figures computed here, independently of the scorecard -----------------------------------------------------

def _approved(ind, frequency, year, number) -> Return | None:
    return Return.objects.filter(indicator=ind, period__frequency=frequency, period__financial_year_id=year,
                                 period__number=number, state="approved").first()


def _figure(ind, spec, year, number) -> Decimal | None:
    """The rated figure at a period: the period's approved value, or the sum so far for a cumulative measure."""
    if spec.measure_type == "cumulative":
        values = [getattr(_approved(ind, spec.frequency, year, n), "value", None) for n in range(1, number + 1)]
        return None if None in values else sum(values, Decimal(0))
    ret = _approved(ind, spec.frequency, year, number)
    return ret.value if ret else None


def _fmt(value, spec) -> str:
    if value is None:
        return "–"
    places = spec.decimal_places
    text = f"{value.quantize(Decimal(1).scaleb(-places), rounding='ROUND_HALF_UP'):,.{places}f}"
    return {"percent": f"{text}%", "money": f"£{text}", "days": f"{text} days",
            "rate": f"{text} per {spec.rate_per:,}" if spec.rate_per else text}.get(spec.unit, text)


def _expected(ind) -> list[str]:
    """Every column of a quarterly or monthly measure (value calculation) at Q2 2026/27, from the database."""
    spec = Specification.objects.filter(indicator=ind, valid_from_id__lte=YEAR).order_by("-version").first()
    monthly = spec.frequency == "monthly"
    number, last = (6, 12) if monthly else (2, 4)
    value = _figure(ind, spec, YEAR, number)
    previous = _figure(ind, spec, YEAR - 1, last)
    target = Target.objects.filter(indicator=ind, financial_year_id=YEAR, superseded_at__isnull=True).first()
    point = TrajectoryPoint.objects.filter(target=target, period_number=number).first()
    plan = point.value if point else target.annual_target
    if ind.kind == "contextual" or value is None:
        rag = Rag.MEASURED
    else:
        pct = target.tolerance_pct
        if pct is None and target.tolerance_abs is None:
            pct = ind.council.default_tolerance_pct
        rag = rules.rag(value=value, target=plan, polarity=spec.polarity, tolerance_pct=pct,
                        tolerance_abs=target.tolerance_abs, decimal_places=spec.decimal_places)
    if spec.measure_type == "cumulative":
        before = _figure(ind, spec, YEAR - 1, number)  # the same period a year earlier
    else:
        before = _figure(ind, spec, YEAR, 3 if monthly else 1)  # September with June (C6); Q2 with Q1
    trend = rules.direction_of_travel(current=value, previous=before, polarity=spec.polarity,
                                      decimal_places=spec.decimal_places)
    ret = _approved(ind, spec.frequency, YEAR, number)
    return [
        f"{ind.ref} {ind.title}", spec.data_source, _fmt(previous, spec), _fmt(target.annual_target, spec),
        _fmt(plan, spec), _fmt(value, spec), Rag(rag).label, Direction(trend).label,
        "September 2026" if monthly else "Q2 2026/27",
        spec.accountable_officer.display_name if spec.accountable_officer else "",
        ret.commentary.strip() if ret else "",
    ]


def _sample_measures(plan) -> list[Indicator]:
    """A few demo measures of different kinds: quarterly and monthly, snapshot and cumulative, with figures."""
    chosen = []
    wanted = [("quarterly", "snapshot"), ("monthly", "snapshot"), ("quarterly", "cumulative"),
              ("monthly", "cumulative")]
    base = Indicator.objects.filter(council=plan.council, current_spec__calculation="value",
                                    current_spec__polarity__in=["higher", "lower"],
                                    targets__financial_year_id=YEAR, targets__needs_baseline=False).distinct()
    for frequency, measure_type in wanted:
        for ind in base.filter(current_spec__frequency=frequency, current_spec__measure_type=measure_type,
                               current_spec__valid_from_id__lte=YEAR - 1).order_by("ref"):
            if _figure(ind, ind.current_spec, YEAR, 6 if frequency == "monthly" else 2) is not None:
                chosen.append(ind)
                break
    assert len(chosen) == len(wanted)
    return chosen


# -- the page ---------------------------------------------------------------------------------------------------

def test_each_column_matches_figures_computed_independently(perf, council_plan):
    response = perf.get(_url(council_plan))
    assert response.status_code == 200
    rows = {r.indicator.ref: r for r in response.context["card"].rows}
    for ind in _sample_measures(council_plan):
        expected = _expected(ind)
        assert rows[ind.ref].texts() == expected, ind.ref
        for text in expected[:6]:
            assert (text if "'" not in text else text.replace("'", "&#x27;")) in response.text


def test_page_has_every_wirral_column_the_period_and_says_approved_figures_only(perf, council_plan):
    response = perf.get(_url(council_plan))
    text = response.text
    for heading in HEADINGS:
        assert f">{heading}" in text.replace("&#x27;", "'")
    assert "Q2 2026/27" in text
    assert "Approved figures only" in text
    assert 'aria-sort="ascending"' in text  # sorted by indicator by default


def test_measures_are_the_plans_and_everything_beneath_it_as_the_user_may_read(client, council_plan):
    paths = list(council_plan.items.values_list("path", flat=True))
    beneath = set()
    for ind in Indicator.objects.filter(council=council_plan.council).prefetch_related("plan_items"):
        if any(item.path.startswith(p) for item in ind.plan_items.all() for p in paths):
            beneath.add(ind.ref)
    client.force_login(_user(DEMO_LOGINS["performance_unit"]))
    refs = {r.indicator.ref for r in client.get(_url(council_plan)).context["card"].rows}
    assert refs == beneath

    lead = _user(DEMO_LOGINS["service_lead"])
    client.force_login(lead)
    lead_refs = {r.indicator.ref for r in client.get(_url(council_plan)).context["card"].rows}
    readable = set(restrict(Indicator.objects.filter(council=council_plan.council), lead).values_list("ref", flat=True))
    assert lead_refs == beneath & readable
    assert lead_refs < refs


def test_a_service_plan_shows_only_its_own_measures(perf):
    plan = Plan.objects.filter(council__slug="harrowdale", level__rank=6, status="active").order_by("pk").first()
    rows = perf.get(_url(plan)).context["card"].rows
    paths = list(plan.items.values_list("path", flat=True))
    assert rows
    for row in rows:
        assert any(i.path.startswith(p) for i in row.indicator.plan_items.all() for p in paths)


def test_kpi_only(perf, council_plan):
    rows = perf.get(_url(council_plan, measures="kpi")).context["card"].rows
    everything = perf.get(_url(council_plan, measures="all")).context["card"].rows
    assert rows and {r.indicator.kind for r in rows} == {"kpi"}
    assert len(rows) < len(everything)


def test_figures_awaiting_sign_off_are_named_not_shown(perf, council_plan):
    item = council_plan.items.order_by("path").first()
    ind = f.indicator(council_plan.council, frequency="quarterly", decimal_places=1)
    ind.plan_items.add(item)
    f.target(ind, YEAR, 50)
    f.ret(ind, YEAR, 1, 40)
    f.ret(ind, YEAR, 2, 45, state="submitted")
    response = perf.get(_url(council_plan))
    row = next(r for r in response.context["card"].rows if r.indicator == ind)
    assert row.awaiting_sign_off
    assert row.text("ytd") == "–" and row.rag == Rag.MEASURED  # the submitted 45 is not a formal figure yet
    assert ind.ref in response.context["card"].basis
    assert f">{ind.ref}</a>" in response.text
    assert "awaiting sign-off</span>" in response.text


def test_a_band_measure_shows_its_band_as_the_target(perf, council_plan):
    item = council_plan.items.order_by("path").first()
    ind = f.indicator(council_plan.council, frequency="quarterly", polarity="band", decimal_places=1)
    ind.plan_items.add(item)
    f.target(ind, YEAR, None, band_low=Decimal("10"), band_high=Decimal("20"))
    f.ret(ind, YEAR, 2, "22")
    row = next(r for r in perf.get(_url(council_plan)).context["card"].rows if r.indicator == ind)
    assert row.text("target") == "10.0 to 20.0"
    assert row.text("ytd_plan") == "10.0 to 20.0"
    assert row.rag == Rag.RED  # 2 above the band, beyond 5% of 20 (1)


def test_default_period_is_the_latest_complete_quarter():
    from datetime import date

    from django.http import QueryDict

    assert latest_complete_quarter(date(2026, 11, 16)) == (2026, 2)
    assert latest_complete_quarter(date(2026, 4, 1)) == (2025, 4)
    assert latest_complete_quarter(date(2027, 1, 5)) == (2026, 3)
    params = parse_params(QueryDict(""), today=date(2026, 11, 16))
    assert (params.year, params.quarter, params.sort, params.descending, params.measures) == \
        (2026, 2, "indicator", False, "all")
    assert parse_params(QueryDict("year=2025"), today=date(2026, 11, 16)).quarter == 4


def test_another_quarter(perf, council_plan):
    response = perf.get(_url(council_plan, year=2025, quarter=4))
    assert response.context["card"].period_label == "Q4 2025/26"
    labels = {r.text("period") for r in response.context["card"].rows}
    assert "Q4 2025/26" in labels and "March 2026" in labels


# -- sorting ----------------------------------------------------------------------------------------------------

def _check_sorted(rows, key, descending):
    values = [r.sort_value(key) for r in rows]
    present = [v for v in values if v is not None]
    assert values[:len(present)] == present, "missing values come last"
    assert present == sorted(present, reverse=descending)
    # stable: rows with the same value keep the order of their references
    for a, b in zip(rows, rows[1:], strict=False):
        if a.sort_value(key) == b.sort_value(key):
            assert a.indicator.ref < b.indicator.ref


@pytest.mark.parametrize("key", ["indicator", "previous", "target", "ytd_plan", "ytd", "rag", "trend", "period",
                                 "officer", "comments", "data_source"])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_by_each_column_both_ways(perf, council_plan, key, descending):
    response = perf.get(_url(council_plan, sort=("-" if descending else "") + key))
    card = response.context["card"]
    assert (card.params.sort, card.params.descending) == (key, descending)
    _check_sorted(card.rows, key, descending)
    header = next(h for h in response.context["headers"] if h["column"].key == key)
    assert header["aria_sort"] == ("descending" if descending else "ascending")
    assert response.text.count("aria-sort=") == 1
    # the sorted header's link reverses the order; the others sort ascending
    assert f"sort={'' if descending else '-'}{key}" in header["query"]


def test_rag_sorts_worst_first_with_unrated_last(perf, council_plan):
    rows = perf.get(_url(council_plan, sort="rag")).context["card"].rows
    order = [r.rag for r in rows]
    ranks = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, Rag.MEASURED: 3}
    assert [ranks[r] for r in order] == sorted(ranks[r] for r in order)
    assert order[0] == Rag.RED and order[-1] == Rag.MEASURED
    rows = perf.get(_url(council_plan, sort="-rag")).context["card"].rows
    assert rows[0].rag == Rag.GREEN and rows[-1].rag == Rag.MEASURED


def test_figures_sort_as_numbers_not_text(perf, council_plan):
    rows = perf.get(_url(council_plan, sort="-ytd")).context["card"].rows
    figures = [r.ytd for r in rows if r.ytd is not None and r.ytd_plan_band is None]
    assert figures == sorted(figures, reverse=True)
    assert max(figures) > 1000  # thousands sort above hundreds, which text would not do


# -- exports ----------------------------------------------------------------------------------------------------

def _csv_rows(response) -> list[list[str]]:
    body = response.content
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("params", [{}, {"sort": "-rag", "measures": "kpi"}, {"year": 2025, "quarter": 3}])
def test_csv_and_excel_hold_the_same_rows_as_the_page(perf, council_plan, params):
    page = perf.get(_url(council_plan, **params))
    rows = page.context["card"].rows
    assert rows

    response = perf.get(_url(council_plan, "scorecard_csv", **params))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    period = page.context["card"].params
    assert f"-{period.year}-{(period.year + 1) % 100:02d}-q{period.quarter}.csv" in response["Content-Disposition"]
    assert "harrowdale-council-plan" in response["Content-Disposition"]
    table = _csv_rows(response)
    assert table[0] == HEADINGS
    assert table[1:] == [[guard(t) for t in r.file_texts()] for r in rows]

    response = perf.get(_url(council_plan, "scorecard_xlsx", **params))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    ws = load_workbook(io.BytesIO(response.content)).active
    title = ws["A1"].value
    assert council_plan.title in title and page.context["card"].period_label in title
    assert "Approved figures only" in title
    assert [c.value for c in ws[2]] == HEADINGS
    assert all(c.font.b for c in ws[2])
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == f"A2:K{len(rows) + 2}"
    assert ws.max_row == len(rows) + 2
    for r, row in enumerate(rows, start=3):
        cells = ws[r]
        for column, cell in zip(COLUMNS, cells, strict=True):
            number = row.cell_number(column.key)
            if number is not None:
                assert cell.value == pytest.approx(float(number)), (row.indicator.ref, column.key)
                places = row.spec.decimal_places
                assert cell.number_format.startswith("#,##0" + ("." + "0" * places if places else "")) \
                    or cell.number_format.startswith('"£"')
            else:
                assert (cell.value or "") == row.file_text(column.key), (row.indicator.ref, column.key)
            if column.kind in ("figure", "target") and number is None:
                assert row.number(column.key) is None or row.band(column.key) or row.spec.unit == "yes_no"
        rag_cell = cells[6]
        assert rag_cell.fill.fgColor.rgb.endswith(RAG_STYLE[row.rag]["hex"].lstrip("#").upper())


def test_exports_guard_against_formulas(perf, council_plan):
    item = council_plan.items.order_by("path").first()
    ind = f.indicator(council_plan.council, frequency="quarterly")
    ind.plan_items.add(item)
    f.target(ind, YEAR, 10)
    f.ret(ind, YEAR, 2, 12, commentary='=HYPERLINK("http://evil.example","click")')
    table = _csv_rows(perf.get(_url(council_plan, "scorecard_csv")))
    line = next(r for r in table if r[0].startswith(ind.ref))
    assert line[-1] == '\'=HYPERLINK("http://evil.example","click")'
    ws = load_workbook(io.BytesIO(perf.get(_url(council_plan, "scorecard_xlsx")).content)).active
    cell = next(row[-1] for row in ws.iter_rows(min_row=3) if row[0].value.startswith(ind.ref))
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")  # text, never a formula
    assert guard("+1") == "'+1" and guard("-2") == "'-2" and guard("@x") == "'@x" and guard("ok") == "ok"


# -- access and bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["scorecard", "scorecard_csv", "scorecard_xlsx"])
def test_another_councils_user_gets_404(client, council_plan, name):
    other = f.council()
    client.force_login(f.user(other, Role.PERFORMANCE_UNIT))
    assert client.get(_url(council_plan, name)).status_code == 404
    assert client.get(reverse(f"reporting:{name}", args=[999_999_999])).status_code == 404


@pytest.mark.parametrize("name", ["scorecard", "scorecard_csv", "scorecard_xlsx"])
def test_read_only_post_is_refused(perf, council_plan, name):
    assert perf.post(_url(council_plan, name)).status_code == 405


@pytest.mark.parametrize("name", ["scorecard", "scorecard_csv", "scorecard_xlsx"])
def test_signed_out_visitors_are_sent_to_sign_in(client, council_plan, name):
    response = client.get(_url(council_plan, name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("query", [
    "year=abc", "year=99999999999999999999", "year=-1", "year=1", "year=2026.5", "quarter=0", "quarter=5",
    "quarter=x", "quarter=-2", "sort=", "sort=--rag", "sort=nonsense", "sort=-", "measures=x", "measures=",
    "year=2099&quarter=4", "year=%00&quarter=%00", "sort=rag&sort=ytd", "year=2026&quarter=2&sort=-officer",
])
@pytest.mark.parametrize("name", ["scorecard", "scorecard_csv", "scorecard_xlsx"])
def test_bad_parameters_never_give_a_500(perf, query, name):
    plan = Plan.objects.filter(council__slug="harrowdale", level__rank=6, status="active").order_by("pk").first()
    response = perf.get(_url(plan, name) + "?" + query)
    assert response.status_code == (400 if "%00" in query else 200)  # a null character: a page naming it


def test_plan_without_measures(perf):
    plan = Plan.objects.filter(council__slug="harrowdale", status="closed", level__rank=6).order_by("pk").first()
    response = perf.get(_url(plan))
    assert response.status_code == 200
    assert "No measures are linked" in response.text
    assert len(_csv_rows(perf.get(_url(plan, "scorecard_csv")))) == 1
    ws = load_workbook(io.BytesIO(perf.get(_url(plan, "scorecard_xlsx")).content)).active
    assert ws.max_row == 2


# -- query counts -----------------------------------------------------------------------------------------------

#: session, user, role assignments; plan; the plan's item paths; the measures, their specifications, targets,
#: trajectories and returns (load_series); accountable officers; figures awaiting sign-off. The page adds finance
#: beside performance (C 3.1): the services of the measures and their figures for the quarter.
QUERIES = 12
PAGE_QUERIES = {"scorecard": QUERIES + 2}


def _clone_measures(plan, times: int) -> int:
    """Copies of every measure of the plan (see tests.factories.copy_measures); returns how many it had."""
    from reporting.scorecard import plan_measures

    admin = User.objects.filter(is_superuser=True).first()
    return f.copy_measures(plan_measures(plan, admin), copies=times)


@pytest.mark.parametrize("name", ["scorecard", "scorecard_csv", "scorecard_xlsx"])
def test_query_count_is_pinned_and_flat(perf, council_plan, django_assert_num_queries, name):
    url = _url(council_plan, name, sort="-rag")
    with django_assert_num_queries(PAGE_QUERIES.get(name, QUERIES)):
        perf.get(url)
    count = _clone_measures(council_plan, 2)
    with django_assert_num_queries(PAGE_QUERIES.get(name, QUERIES)):
        response = perf.get(url)
    assert response.status_code == 200
    if name == "scorecard":
        assert len(response.context["card"].rows) == 3 * count
    elif name == "scorecard_csv":
        assert len(_csv_rows(response)) == 3 * count + 1
    else:
        assert load_workbook(io.BytesIO(response.content)).active.max_row == 3 * count + 2


def test_params_query_keeps_every_parameter():
    params = Params(year=2025, quarter=3, sort="ytd", descending=True, measures="kpi")
    assert params.query() == "year=2025&quarter=3&sort=-ytd&measures=kpi"
    assert "sort=rag" in params.query(sort="rag")
