"""Golden-thread roll-ups (A2): counts of measures by latest RAG and actions by C3 status at and beneath each plan
item, equal to an independent count; shown on the thread and item pages; a fixed number of queries."""

from __future__ import annotations

from collections import Counter

import pytest
from django.urls import reverse
from django.utils.html import escape

from indicators import selectors
from indicators.models import Indicator
from plans.models import Action, Plan, PlanItem
from pmf import clock
from pmf.access import restrict
from pmf.choices import Role
from pmf.models import RoleAssignment, User
from reporting.rollups import rollups
from tests import factories as f

pytestmark = pytest.mark.django_db

#: indicator links; indicators with their specifications, targets, trajectories and returns (5); action links; actions
ROLLUP_QUERIES = 8


def _user(role: str) -> User:
    return RoleAssignment.objects.filter(role=role, council__slug="harrowdale").order_by("pk").first().user


def _council_plan() -> Plan:
    return Plan.objects.get(council__slug="harrowdale", level__rank=1)


def _priority() -> PlanItem:
    return _council_plan().items.filter(parent__isnull=True).order_by("ref").first()


def _independent(item: PlanItem, user: User, as_of) -> tuple[Counter, Counter]:
    """The slow way: every item in the subtree, each indicator and action loaded and assessed on its own."""
    subtree = restrict(PlanItem.objects.filter(path__startswith=item.path), user)
    measures: Counter = Counter()
    for ind in restrict(Indicator.objects.filter(plan_items__in=subtree), user).distinct():
        series = selectors.load_series(Indicator.objects.filter(pk=ind.pk))[0]
        latest = selectors.latest(series)
        measures[str(latest.rag) if latest else "m"] += 1
    actions = Counter(str(a.status(as_of))
                      for a in restrict(Action.objects.filter(plan_items__in=subtree), user).distinct())
    return measures, actions


@pytest.mark.parametrize("role", [Role.PERFORMANCE_UNIT, Role.SERVICE_LEAD, Role.CABINET_MEMBER])
def test_rollup_of_a_demo_priority_equals_an_independent_count(role):
    user = _user(role)
    as_of = clock.today()
    priority = _priority()
    outcomes = list(priority.children.all())
    result = rollups([priority, *outcomes], user=user, as_of=as_of)
    for item in [priority, *outcomes]:
        measures, actions = _independent(item, user, as_of)
        got = result[item.pk]
        assert {str(k): v for k, v in got.measures.items() if v} == dict(measures), item
        assert {str(k): v for k, v in got.actions.items() if v} == dict(actions), item
    if role == Role.PERFORMANCE_UNIT:
        assert result[priority.pk].measure_total > 0 and result[priority.pk].action_total > 0


def test_a_measure_or_action_linked_twice_beneath_an_item_counts_once():
    user = _user(Role.PERFORMANCE_UNIT)
    priority = _priority()
    before = rollups([priority], user=user, as_of=clock.today())[priority.pk]
    outcome = priority.children.filter(indicators__isnull=False, actions__isnull=False).first()
    indicator = outcome.indicators.first()
    action = outcome.actions.first()
    indicator.plan_items.add(priority)  # now linked at the priority and at the outcome beneath it
    action.plan_items.add(priority)
    after = rollups([priority, outcome], user=user, as_of=clock.today())
    assert after[priority.pk].measure_total == before.measure_total
    assert after[priority.pk].action_total == before.action_total
    assert after[priority.pk].measures == before.measures


def test_rollup_text_says_the_words_with_the_numbers():
    user = _user(Role.PERFORMANCE_UNIT)
    priority = _priority()
    rollup = rollups([priority], user=user, as_of=clock.today())[priority.pk]
    text = rollup.text
    assert text.startswith("Measures: ") and " · Actions: " in text
    for part in rollup.measure_parts:
        assert f"{part['count']} {part['word']}" in text
    assert "none" not in text.split(" · ")[0]


def test_no_items_no_queries(django_assert_num_queries):
    user = _user(Role.PERFORMANCE_UNIT)
    with django_assert_num_queries(0):
        assert rollups([], user=user, as_of=clock.today()) == {}


# -- pages --------------------------------------------------------------------------------------------------------

def test_thread_page_shows_each_priority_rollup_in_words(client):
    user = _user(Role.PERFORMANCE_UNIT)
    client.force_login(user)
    text = client.get(reverse("plans:thread")).text
    priority = _priority()
    rollup = rollups([priority], user=user, as_of=clock.today())[priority.pk]
    section = text.split(f'href="{priority.get_absolute_url()}"', 1)[1].split("</li>", 1)[0]
    for part in rollup.measure_parts + rollup.action_parts:
        assert f">{part['count']} {escape(part['word'])}</span>" in section


def test_item_page_shows_the_rollup_of_the_item_and_of_each_item_beneath(client):
    user = _user(Role.PERFORMANCE_UNIT)
    client.force_login(user)
    priority = _priority()
    text = client.get(priority.get_absolute_url()).text
    counts = rollups([priority, *priority.children.all()], user=user, as_of=clock.today())
    assert "At or beneath this item" in text
    for part in counts[priority.pk].measure_parts:
        assert f">{part['count']} {escape(part['word'])}</span>" in text
    for child in priority.children.all():
        section = text.split(f'href="{child.get_absolute_url()}"', 1)[1].split("</li>", 1)[0]
        for part in counts[child.pk].action_parts:
            assert f">{part['count']} {escape(part['word'])}</span>" in section


# -- query counts: fixed, whatever the size of the tree and the data ---------------------------------------------

def _triple_the_thread() -> None:
    """Two more copies of every measure and action in the council plan's tree, linked to the same plan items:
    about three times the data beneath the thread."""
    tree = PlanItem.objects.filter(council_plan_q(_council_plan()))
    f.copy_measures(Indicator.objects.filter(plan_items__in=tree).distinct(),
                    actions=Action.objects.filter(plan_items__in=tree).distinct())


def council_plan_q(plan: Plan):
    from django.db.models import Q

    roots = plan.items.filter(parent__isnull=True).values_list("path", flat=True)
    q = Q(pk__in=[])
    for path in roots:
        q |= Q(path__startswith=path)
    return q


def test_rollups_take_a_fixed_number_of_queries_as_the_tree_and_data_grow(django_assert_num_queries):
    user = _user(Role.PERFORMANCE_UNIT)
    as_of = clock.today()
    priority = _priority()
    top = list(_council_plan().items.all())
    every = list(PlanItem.objects.filter(council_plan_q(_council_plan())))
    restrict(PlanItem.objects.all(), user).exists()  # the user's scope, loaded once per request, cached
    counts = {}
    for name, items in (("one", [priority]), ("top", top), ("every", every)):
        with django_assert_num_queries(ROLLUP_QUERIES) as ctx:
            counts[name] = rollups(items, user=user, as_of=as_of)
        assert len(ctx.captured_queries) == ROLLUP_QUERIES, name
    before = counts["top"][priority.pk]
    _triple_the_thread()
    with django_assert_num_queries(ROLLUP_QUERIES):
        after = rollups(top, user=user, as_of=as_of)[priority.pk]
    assert after.measure_total == 3 * before.measure_total
    assert after.action_total == 3 * before.action_total


def test_thread_and_item_page_query_counts_do_not_grow_with_three_times_the_data(client, django_assert_num_queries):
    from tests.test_pages import EXPECTED_QUERIES, _page_urls

    client.force_login(_user(Role.PERFORMANCE_UNIT))
    item_url = _page_urls()["item"]  # an outcome with measures and actions of its own
    before = client.get(reverse("plans:thread")).text
    _triple_the_thread()
    with django_assert_num_queries(EXPECTED_QUERIES["thread"]):
        response = client.get(reverse("plans:thread"))
    assert response.status_code == 200 and response.text != before
    with django_assert_num_queries(EXPECTED_QUERIES["item"]):
        assert client.get(item_url).status_code == 200
