"""The pages of the foundation, for the demo council: what a signed-in user sees, and the query count of
each page pinned so that it stays flat as data grows."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from indicators import selectors
from indicators.choices import Rag
from indicators.models import Indicator
from plans.models import Plan, PlanItem
from pmf.choices import Role
from pmf.models import RoleAssignment
from tests import factories as f

pytestmark = pytest.mark.django_db


def _login(client: Client, role: str) -> Client:
    user = RoleAssignment.objects.filter(role=role, council__slug="harrowdale").order_by("pk").first().user
    client.force_login(user)
    return client


@pytest.fixture
def perf(client):
    return _login(client, Role.PERFORMANCE_UNIT)


def _council_plan() -> Plan:
    return Plan.objects.get(council__slug="harrowdale", level__rank=1)


def _page_urls() -> dict[str, str]:
    plan = _council_plan()
    outcome = plan.items.filter(parent__isnull=False, indicators__isnull=False, actions__isnull=False) \
        .order_by("ref").first()
    indicator = Indicator.objects.filter(council__slug="harrowdale", kind="kpi").order_by("ref").first()
    return {
        "home": reverse("home"),
        "thread": reverse("plans:thread"),
        "plans": reverse("plans:list"),
        "plan": plan.get_absolute_url(),
        "item": outcome.get_absolute_url(),
        "indicators": reverse("indicators:list"),
        "indicator": indicator.get_absolute_url(),
    }


@pytest.mark.parametrize("name", ["home", "thread", "plans", "plan", "item", "indicators", "indicator"])
def test_signed_out_visitors_are_sent_to_sign_in(client, name):
    url = _page_urls()[name]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_with_the_demo_password(client):
    from demo import DEMO_LOGINS, DEMO_PASSWORD

    username = DEMO_LOGINS["service_lead"]
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD}, follow=True)
    assert response.status_code == 200
    assert "Headline measures" in response.text
    assert "Sign out" in response.text


def test_home_shows_roles_headline_measures_and_priorities(perf):
    response = perf.get(reverse("home"))
    assert response.status_code == 200
    assert "Performance unit" in response.text
    headline = Indicator.objects.filter(council__slug="harrowdale", is_headline=True).order_by("ref")
    for ind in headline[:3]:
        assert ind.title in response.text
    for item in _council_plan().items.filter(parent__isnull=True):
        assert item.title in response.text


def test_golden_thread_lists_every_priority_and_outcome(perf):
    response = perf.get(reverse("plans:thread"))
    assert response.status_code == 200
    for item in _council_plan().items.all():
        assert item.get_absolute_url() in response.text


def test_thread_browses_down_from_council_plan_to_an_individual_objective(perf):
    """A2 down: following 'beneath this item' links from a priority reaches an officer's objective."""
    url = _council_plan().items.filter(parent__isnull=True).order_by("ref").first().get_absolute_url()
    for _ in range(10):
        page = perf.get(url).text
        assert "Beneath this item" in page
        section = page.split('id="down-h"', 1)[1].split("</section>", 1)[0]
        links = re.findall(r'href="(/plans/items/\d+/)"', section)
        if not links:
            break
        url = links[0]
    leaf = PlanItem.objects.get(pk=int(url.rstrip("/").rsplit("/", 1)[1]))
    assert leaf.plan.level.name == "Individual objectives"


def test_item_page_shows_the_path_up_to_the_priority(perf):
    """A2 up: 'how does my work contribute?' from an individual objective."""
    objective = PlanItem.objects.filter(plan__level__name="Individual objectives").order_by("pk").first()
    response = perf.get(objective.get_absolute_url())
    assert response.status_code == 200
    ancestors = list(objective.ancestors())
    assert ancestors[0].plan.level.rank == 1  # the chain reaches the Council Plan
    for a in ancestors:
        assert a.get_absolute_url() in response.text


def test_indicator_page_shows_specification_targets_and_each_periods_status(perf):
    ind = Indicator.objects.filter(council__slug="harrowdale", kind="kpi").order_by("ref").first()
    response = perf.get(ind.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    spec = ind.current_spec
    assert spec.definition.splitlines()[0] in text
    assert spec.data_source in text
    assert "Technical specification" in text
    series = selectors.load_series(Indicator.objects.filter(pk=ind.pk))[0]
    rows = selectors.assess_all(series)
    assert rows, "the demo KPI has returns"
    for a in rows:
        assert a.label in text
    # the status word of the latest period is shown, not only a colour
    assert Rag(rows[-1].rag).label in text


def test_indicator_list_filters_and_searches(perf):
    ind = Indicator.objects.filter(council__slug="harrowdale").order_by("ref").first()
    response = perf.get(reverse("indicators:list"), {"q": ind.ref})
    assert ind.title in response.text
    contextual = perf.get(reverse("indicators:list"), {"kind": "contextual"}).text
    kpi = Indicator.objects.filter(council__slug="harrowdale", kind="kpi").order_by("ref").first()
    assert kpi.get_absolute_url() not in contextual
    assert "Contextual statistic" in contextual


def test_plan_list_filters_by_level_and_paginates(perf):
    response = perf.get(reverse("plans:list"), {"level": "6"})
    assert "Service plan" in response.text
    assert _council_plan().title not in response.text
    page2 = perf.get(reverse("plans:list"), {"level": "6", "page": "2"})
    assert page2.status_code == 200 and "Page 2 of" in page2.text


# -- Tenancy: no council's data reaches another council's users -------------------------------------------

def test_another_councils_user_gets_404_and_sees_nothing(client):
    other = f.council("Elsewhere Borough Council")
    outsider = f.user(other, Role.PERFORMANCE_UNIT)
    client.force_login(outsider)
    urls = _page_urls()
    for name in ("plan", "item", "indicator"):
        assert client.get(urls[name]).status_code == 404, name
    for name in ("home", "thread", "plans", "indicators"):
        response = client.get(urls[name])
        assert response.status_code == 200
        assert "Harrowdale" not in response.text, name


# -- Query counts, pinned: they must not grow with the data -----------------------------------------------

# Each page: session, user, the user's councils (once per request), then the page's own fixed shape.
EXPECTED_QUERIES = {
    "home": 15,
    "thread": 13,  # 5 + 8 for the roll-ups of measures and actions beneath each item (reporting/rollups.py)
    "plans": 6,
    "plan": 5,
    "item": 21,  # 13 + 8 for the roll-ups of the item and of each item beneath it (reporting/rollups.py); the 13
    # include the programmes serving the item (A6)
    "indicators": 11,
    "indicator": 15,  # 13 + 1 for internal audit's spot checks of its returns (issue 10) + 1 for its service's
    # finance figures (C 3.1)
}


@pytest.mark.parametrize("name", sorted(EXPECTED_QUERIES))
def test_query_count_of_each_page(perf, django_assert_num_queries, name):
    url = _page_urls()[name]
    with django_assert_num_queries(EXPECTED_QUERIES[name]):
        response = perf.get(url)
    assert response.status_code == 200


def test_indicator_page_queries_do_not_grow_with_its_returns(perf, django_assert_num_queries):
    monthly = Indicator.objects.filter(council__slug="harrowdale", current_spec__frequency="monthly").first()
    annual = Indicator.objects.filter(council__slug="harrowdale", current_spec__frequency="annual").first()
    assert monthly.returns.count() > annual.returns.count()
    for ind in (monthly, annual):
        with django_assert_num_queries(EXPECTED_QUERIES["indicator"]):
            assert perf.get(ind.get_absolute_url()).status_code == 200


def test_thread_lists_priorities_in_natural_order(perf):
    text = perf.get(reverse("plans:thread")).text
    refs = [item.ref for item in _council_plan().items.filter(parent__isnull=True)]
    positions = sorted((text.index(f">{ref} "), ref) for ref in refs)
    assert [ref for _, ref in positions] == sorted(refs, key=lambda r: int(r[1:]))
