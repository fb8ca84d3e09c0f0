"""The quarterly performance dashboard (reporting:dashboard): its counts agree with ``quarter_assessment``, each
filter changes the list as it should and round-trips in the URL, bad input falls back to the defaults, users see
only what they may read, and the query count stays flat as the data triples."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import date

import pytest
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from indicators import selectors
from indicators.choices import Direction, Rag
from indicators.models import Indicator, Return
from plans.choices import ActionStatus
from plans.models import Action, PlanItem
from pmf.access import restrict
from pmf.models import Committee, Council, Directorate, Portfolio, User
from reporting.dashboard import DASHBOARD_STATES, latest_complete_quarter
from reporting.selectors import quarter_assessment
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("reporting:dashboard")
YEAR, QUARTER = 2026, 2  # the demo's latest complete quarter (today is 16 November 2026)


def _login(client: Client, username: str) -> Client:
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def perf(client):
    return _login(client, "helen.marsh")


def _council() -> Council:
    return Council.objects.get(slug="harrowdale")


def _assessments(qs) -> dict[int, object]:
    """Independently of the page: each indicator's quarter assessment, from submitted and approved figures."""
    series = selectors.load_series(qs.filter(current_spec__isnull=False), states=frozenset({"submitted", "approved"}))
    return {s.indicator.pk: quarter_assessment(s, year_start=YEAR, quarter=QUARTER) for s in series}


def _count(text: str, element_id: str) -> int:
    match = re.search(rf'id="{element_id}"[^>]*>(\d+)', text)
    assert match, f"no #{element_id} on the page"
    return int(match.group(1))


def _listed(text: str) -> list[int]:
    """The indicator ids in the measures table, in order."""
    table = text[text.index('id="measures-table"'):]
    table = table[:table.index("</table>")]
    return [int(pk) for pk in re.findall(r'<tr><td><a href="/indicators/(\d+)/">', table)]


def _under(paths) -> set[int]:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(plan_items__path__startswith=path)
    return set(Indicator.objects.filter(council=_council()).filter(q).values_list("pk", flat=True))


def _kpis() -> set[int]:
    return set(Indicator.objects.filter(council=_council(), kind="kpi").values_list("pk", flat=True))


def _priority(ref: str) -> PlanItem:
    return PlanItem.objects.get(plan__council=_council(), plan__level__rank=1, parent__isnull=True, ref=ref)


# -- defaults and counts ----------------------------------------------------------------------------------------

def test_default_is_the_latest_complete_quarter():
    assert latest_complete_quarter(date(2026, 11, 16)) == (2026, 2)
    assert latest_complete_quarter(date(2026, 4, 1)) == (2025, 4)
    assert latest_complete_quarter(date(2026, 3, 31)) == (2025, 3)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("measures", ["kpi", "all"])
def test_counts_equal_quarter_assessment(perf, measures):
    response = perf.get(URL, {"measures": measures})
    assert response.status_code == 200
    text = response.text
    assert "Quarterly performance dashboard: Q2 2026/27" in text
    assert "submitted and approved returns" in text
    qs = Indicator.objects.filter(council=_council())
    if measures == "kpi":
        qs = qs.filter(kind="kpi")
    assessed = _assessments(qs)
    rags = Counter(a.rag for a in assessed.values())
    directions = Counter(a.direction for a in assessed.values())
    assert _count(text, "rag-count-total") == len(assessed) > 0
    for rag in Rag.values:
        assert _count(text, f"rag-count-{rag}") == rags.get(rag, 0), rag
    for direction in Direction.values:
        assert _count(text, f"direction-count-{direction}") == directions.get(direction, 0), direction
    assert rags[Rag.RED] > 0 and rags[Rag.GREEN] > 0  # the demo has a spread to count


def test_awaiting_sign_off_is_marked(perf):
    assessed = _assessments(Indicator.objects.filter(council=_council()))
    awaiting = sum(1 for a in assessed.values() if a.ret is not None and a.ret.state == "submitted")
    assert awaiting > 0
    text = perf.get(URL, {"measures": "all"}).text
    assert f"{awaiting} figures are awaiting sign-off" in text
    assert "Awaiting sign-off" in text


def test_list_sorted_by_severity_then_ref_and_paginated_by_50(perf):
    assessed = _assessments(Indicator.objects.filter(council=_council()))
    refs = dict(Indicator.objects.filter(council=_council()).values_list("pk", "ref"))
    order = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, Rag.MEASURED: 3}
    expected = sorted(assessed, key=lambda pk: (order[assessed[pk].rag], refs[pk]))
    first = _listed(perf.get(URL, {"measures": "all"}).text)
    second = _listed(perf.get(URL, {"measures": "all", "page": 2}).text)
    assert first == expected[:50] and second == expected[50:100]


def test_each_row_has_sparkline_commentary_and_period(perf):
    text = perf.get(URL, {"measures": "all"}).text
    assert text.count('<svg class="sparkline" role="img" aria-label="Trend over the last') == 50
    # a monthly measure names the quarter-end month; a less frequent one its own period (C6)
    assert "September 2026" in text and "2025/26" in text
    ret = Return.objects.filter(indicator__council=_council(), period__financial_year_id=YEAR,
                                period__frequency="quarterly", period__number=QUARTER, state="approved",
                                indicator__kind="kpi").exclude(commentary="").first()
    response = perf.get(URL, {"rag": quarter_assessment(
        selectors.load_series(Indicator.objects.filter(pk=ret.indicator_id), states=DASHBOARD_STATES)[0],
        year_start=YEAR, quarter=QUARTER).rag})
    assert ret.indicator_id in _listed(response.text)
    first_sentence = ret.commentary.split(".")[0]
    assert first_sentence.replace("'", "&#x27;") in response.text


def test_plans_with_most_reds_and_actions_by_status(perf):
    council = _council()
    text = perf.get(URL, {"measures": "all"}).text
    assessed = _assessments(Indicator.objects.filter(council=council))
    reds = [pk for pk, a in assessed.items() if a.rag == Rag.RED]
    by_plan = Counter()
    for pk in reds:
        by_plan.update(set(PlanItem.objects.filter(indicators=pk).values_list("plan__title", flat=True)))
    top_title, top_n = by_plan.most_common(1)[0]
    section = text[text.index('id="top-plans"'):]
    assert top_title in section[:section.index("</table>")]
    assert f"<td class=\"num\">{top_n}</td>" in section
    quarter_end = date(2026, 9, 30)
    actions = Action.objects.filter(council=council).filter(
        Q(completed_on__isnull=True) | Q(completed_on__gte=date(YEAR, 4, 1)))
    statuses = Counter(a.status(quarter_end) for a in actions)
    for status in ActionStatus.values:
        assert _count(text, f"action-count-{status}") == statuses.get(status, 0), status


def test_spc_signals_are_listed_with_their_meaning(perf):
    text = perf.get(URL, {"measures": "all"}).text
    section = text[text.index('id="signals-heading"'):]
    assert "Improvement:" in section or "Concern:" in section
    assert "process limit" in section or "in a row" in section


# -- filters ---------------------------------------------------------------------------------------------------

def _filtered(perf, **params) -> tuple[set[int], int]:
    text = perf.get(URL, {"measures": "all", **params}).text
    return set(_listed(text)), _count(text, "rag-count-total")


def test_priority_filter(perf):
    priority = _priority("P5")
    listed, total = _filtered(perf, priority=priority.pk)
    expected = _under([priority.path])
    assert total == len(expected) and listed == expected
    assert 0 < total < Indicator.objects.filter(council=_council()).count()


def test_directorate_filter(perf):
    directorate = Directorate.objects.get(councils=_council(), name="Place and Environment")
    listed, total = _filtered(perf, directorate=directorate.pk)
    expected = set(Indicator.objects.filter(council=_council(), service__directorate=directorate)
                   .values_list("pk", flat=True))
    assert total == len(expected) > 0 and listed == expected


def test_committee_filter(perf):
    committee = Committee.objects.get(name="Harrowdale People Overview and Scrutiny Committee")
    expected = _under(committee.remit.values_list("path", flat=True))
    kpis = expected & _kpis()
    text = perf.get(URL, {"committee": committee.pk}).text
    assert _count(text, "rag-count-total") == len(kpis) > 0 and set(_listed(text)) == kpis
    other = Committee.objects.get(name="Harrowdale Place and Resources Overview and Scrutiny Committee")
    assert not set(_listed(perf.get(URL, {"committee": other.pk}).text)) & kpis - _under(
        other.remit.values_list("path", flat=True))


def test_portfolio_filter(perf):
    portfolio = Portfolio.objects.get(council=_council(), name="Adult Social Care")
    listed, total = _filtered(perf, portfolio=portfolio.pk)
    expected = _under(PlanItem.objects.filter(portfolio=portfolio).values_list("path", flat=True))
    assert total == len(expected) > 0 and listed == expected


def test_filters_combine(perf):
    priority = _priority("P5")
    directorate = Directorate.objects.get(councils=_council(), name="Place and Environment")
    listed, total = _filtered(perf, priority=priority.pk, directorate=directorate.pk)
    expected = _under([priority.path]) & set(
        Indicator.objects.filter(service__directorate=directorate).values_list("pk", flat=True))
    assert total == len(expected) and listed == expected


def test_kpi_and_all(perf):
    kpi_text = perf.get(URL).text  # KPIs by default
    all_total = _count(perf.get(URL, {"measures": "all"}).text, "rag-count-total")
    assert _count(kpi_text, "rag-count-total") == len(_kpis())
    assert all_total == Indicator.objects.filter(council=_council(), current_spec__isnull=False).count()
    assert set(_listed(kpi_text)) <= _kpis()
    assert all_total > len(_kpis())


@pytest.mark.parametrize("rag", Rag.values)
def test_rag_filter_lists_only_that_status_and_keeps_the_counts(perf, rag):
    assessed = _assessments(Indicator.objects.filter(council=_council(), kind="kpi"))
    text = perf.get(URL, {"rag": rag}).text
    expected = {pk for pk, a in assessed.items() if a.rag == rag}
    assert set(_listed(text)) == expected
    assert _count(text, "rag-count-total") == len(assessed)  # the counts are of the whole selection


def test_direction_filter(perf):
    assessed = _assessments(Indicator.objects.filter(council=_council(), kind="kpi"))
    text = perf.get(URL, {"direction": "declining"}).text
    assert set(_listed(text)) == {pk for pk, a in assessed.items() if a.direction == "declining"}


def test_another_quarter(perf):
    text = perf.get(URL, {"year": 2025, "quarter": 4}).text
    assert "Quarterly performance dashboard: Q4 2025/26" in text
    series = selectors.load_series(Indicator.objects.filter(council=_council(), kind="kpi"), states=DASHBOARD_STATES)
    rags = Counter(quarter_assessment(s, year_start=2025, quarter=4).rag for s in series)
    assert _count(text, "rag-count-red") == rags[Rag.RED]


def test_filters_round_trip_in_the_url(perf):
    priority = _priority("P3")
    directorate = Directorate.objects.get(councils=_council(), name="Adults and Health")
    committee = Committee.objects.get(name="Harrowdale People Overview and Scrutiny Committee")
    portfolio = Portfolio.objects.get(council=_council(), name="Adult Social Care")
    params = {"year": "2025", "quarter": "3", "priority": str(priority.pk), "directorate": str(directorate.pk),
              "committee": str(committee.pk), "portfolio": str(portfolio.pk), "measures": "all"}
    text = perf.get(URL, params).text
    for name, value in params.items():
        assert re.search(rf'<select[^>]*name="{name}"[^>]*>.*?<option value="{value}" selected>', text, re.S), name
    # every count link carries the filters, and adds its own
    links = re.findall(r'id="rag-count-red" href="\?([^"#]*)', text)
    assert links
    query = html.unescape(links[0])
    assert dict(pair.split("=") for pair in query.split("&")) == {**params, "rag": "red"}
    # following it keeps the filters and lists only the reds
    followed = perf.get(URL + "?" + query).text
    assert re.search(r'name="rag"[^>]*>.*?<option value="red" selected>', followed, re.S)
    assert re.search(rf'name="priority"[^>]*>.*?<option value="{priority.pk}" selected>', followed, re.S)


def test_pagination_links_keep_the_filters(perf):
    text = perf.get(URL, {"measures": "all", "direction": "", "year": "2026"}).text
    match = re.search(r'href="\?([^"]*)page=2"', text)
    assert match and "measures=all" in match.group(1) and "year=2026" in match.group(1)


@pytest.mark.parametrize("params", [
    {"quarter": "9"}, {"quarter": "0"}, {"quarter": "-1"}, {"year": "abc"}, {"year": "1900"}, {"year": "99999"},
    {"year": "2027"}, {"priority": "99999999999999999999"}, {"priority": "2147483647"}, {"directorate": "abc"},
    {"directorate": "-5"}, {"committee": "1e9"}, {"portfolio": "99999999"}, {"measures": "everything"},
    {"rag": "purple"}, {"direction": "sideways"}, {"page": "xyz"}, {"page": "99999999999999999999"},
    {"quarter": "２"},
])
def test_bad_params_give_the_defaults(perf, params):
    default = perf.get(URL).text
    response = perf.get(URL, params)
    assert response.status_code == 200
    assert "Quarterly performance dashboard: Q2 2026/27" in response.text
    assert _count(response.text, "rag-count-total") == _count(default, "rag-count-total")


def test_a_null_character_is_refused_with_a_page_naming_the_parameter(perf):
    response = perf.get(URL, {"year": "2026\x00"})
    assert response.status_code == 400
    assert "The value of <strong>year</strong> in the address contains a character that is not allowed" in response.text


def test_an_item_that_is_not_a_priority_is_ignored(perf):
    outcome = PlanItem.objects.filter(plan__council=_council(), parent__isnull=False).first()
    default = _count(perf.get(URL).text, "rag-count-total")
    assert _count(perf.get(URL, {"priority": outcome.pk}).text, "rag-count-total") == default


# -- who sees what ---------------------------------------------------------------------------------------------

def test_service_lead_sees_only_measures_he_may_read(client):
    lead = User.objects.get(username="tom.ashworth")
    _login(client, "tom.ashworth")
    text = client.get(URL, {"measures": "all"}).text
    readable = set(restrict(Indicator.objects.all(), lead).values_list("pk", flat=True))
    everything = set(Indicator.objects.filter(council=_council()).values_list("pk", flat=True))
    assert readable < everything
    assert _count(text, "rag-count-total") == len(readable)
    assert set(_listed(text)) <= readable
    hidden = Indicator.objects.filter(council=_council()).exclude(pk__in=readable).first()
    assert f"/indicators/{hidden.pk}/" not in text
    # filtering by another directorate shows only what he may read there (its headline measures)
    other = Directorate.objects.filter(councils=_council()).exclude(pk=lead_directorate(lead)).first()
    there = set(Indicator.objects.filter(service__directorate=other).values_list("pk", flat=True))
    text = client.get(URL, {"measures": "all", "directorate": other.pk}).text
    assert set(_listed(text)) == there & readable < there


def lead_directorate(user: User) -> int:
    return user.role_assignments.values_list("service__directorate", flat=True).first()


def test_scrutiny_member_sees_the_remit_and_headlines(client):
    member = User.objects.get(username="gareth.whitlow")
    _login(client, "gareth.whitlow")
    text = client.get(URL, {"measures": "all"}).text
    readable = set(restrict(Indicator.objects.all(), member).values_list("pk", flat=True))
    assert _count(text, "rag-count-total") == len(readable) > 0


def test_another_councils_user_sees_nothing_of_harrowdale(client):
    from pmf.choices import Role
    from tests import factories as f

    outsider = f.user(f.council("Elsewhere Borough Council"), Role.PERFORMANCE_UNIT)
    client.force_login(outsider)
    response = client.get(URL, {"measures": "all", "priority": _priority("P1").pk})
    assert response.status_code == 200
    assert "Harrowdale" not in response.text
    assert _count(response.text, "rag-count-total") == 0


# -- query count: pinned, flat as the data triples -------------------------------------------------------------

# session, user, financial years, the user's roles, priorities, directorates, committees, portfolios, the
# indicators, their plan items, specifications, targets, trajectories, returns, and the actions; and for the finance
# beside performance (C 3.1), the services of the measures shown and their figures for the quarter.
EXPECTED_QUERIES = 17
# the committee filter adds one query: the paths of its remit
EXPECTED_QUERIES_COMMITTEE = 18


def _triple_the_data(council: Council) -> None:
    """Two more copies of every indicator and every action of the council: three times as much to show."""
    f.copy_measures(Indicator.objects.filter(council=council), actions=Action.objects.filter(council=council))


def test_query_count_is_pinned_and_flat_as_the_data_triples(perf, django_assert_num_queries):
    council = _council()
    committee = Committee.objects.get(name="Harrowdale People Overview and Scrutiny Committee")
    with django_assert_num_queries(EXPECTED_QUERIES):
        before = perf.get(URL, {"measures": "all"}).text
    with django_assert_num_queries(EXPECTED_QUERIES_COMMITTEE):
        before_committee = perf.get(URL, {"committee": committee.pk}).text
    _triple_the_data(council)
    with django_assert_num_queries(EXPECTED_QUERIES):
        after = perf.get(URL, {"measures": "all"}).text
    with django_assert_num_queries(EXPECTED_QUERIES_COMMITTEE):
        after_committee = perf.get(URL, {"committee": committee.pk}).text
    assert _count(after, "rag-count-total") == 3 * _count(before, "rag-count-total")
    assert _count(after, "rag-count-red") == 3 * _count(before, "rag-count-red")
    assert _count(after_committee, "rag-count-total") == 3 * _count(before_committee, "rag-count-total")
    for status in ActionStatus.values:
        assert _count(after, f"action-count-{status}") == 3 * _count(before, f"action-count-{status}")


# -- SPC signals and the sparkline, on data built for the purpose ----------------------------------------------

def test_spc_signal_and_sparkline_on_a_measure_of_its_own(client):
    from pmf.choices import Role
    from tests import factories as f

    council = f.council()
    ind = f.indicator(council, frequency="quarterly", kind="kpi", polarity="higher")
    f.target(ind, 2026, 60)
    figures = {(2023, 1): 50, (2023, 2): 52, (2023, 3): 49, (2023, 4): 51, (2024, 1): 50, (2024, 2): 48,
               (2024, 3): 51, (2024, 4): 50, (2025, 1): 52, (2025, 3): 49, (2025, 4): 50, (2026, 1): 51,
               (2026, 2): 90}  # Q2 2025/26 missing
    for (year, number), value in figures.items():
        f.ret(ind, year, number, value, state="submitted" if (year, number) == (2026, 2) else "approved",
              commentary="A new contract doubled the collections." if (year, number) == (2026, 2) else "")
    client.force_login(f.user(council, Role.PERFORMANCE_UNIT))
    text = client.get(URL).text
    assert _count(text, "rag-count-total") == 1 and _count(text, "rag-count-green") == 1
    assert "A new contract doubled the collections." in text and "Awaiting sign-off" in text
    assert ("Trend over the last 8 periods: Q3 2024/25 51; Q4 2024/25 50; Q1 2025/26 52; Q2 2025/26 no figure; "
            "Q3 2025/26 49; Q4 2025/26 50; Q1 2026/27 51; Q2 2026/27 90.") in text
    signals = text[text.index('id="signals-table"'):]
    assert "Improvement:" in signals and "A point above the upper process limit (Q2 2026/27)" in signals
    # the quarter before shows no signal: nothing special happened then
    assert "No signals this quarter." in client.get(URL, {"year": 2026, "quarter": 1}).text


def test_a_quarter_not_yet_ended_says_so(perf):
    text = perf.get(URL, {"year": 2026, "quarter": 3}).text
    assert "Q3 2026/27 has not ended yet" in text
