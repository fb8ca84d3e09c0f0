"""The golden thread (A2) with what hangs beneath it: the Council Plan's priorities and outcomes, and a plan item's
page (the way up to the Council Plan, what sits beneath it, its measures and actions), each with the RAG and
action-status roll-ups of everything beneath (``reporting.rollups``)."""

from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from indicators import selectors as ind_selectors
from indicators.models import Indicator
from plans.models import Action, Plan, PlanItem, Programme
from plans.selectors import in_tree_order
from pmf import clock
from pmf.access import restrict
from pmf.choices import ServiceKind
from reporting.rollups import rollups


@dataclass(frozen=True)
class ExternalUnit:
    """A company, partnership or commissioned contract with a plan on the thread, as the page names it."""

    name: str
    kind: str
    provider: str


@login_required
def thread(request: HttpRequest) -> HttpResponse:
    """A2 top-down: each council's Council Plan, its priorities and outcomes, and how much hangs beneath."""
    items = restrict(PlanItem.objects.all(), request.user)
    top = list(
        items.filter(plan__level__rank=1)
        .select_related("plan", "plan__council", "level", "outcome_owner", "lead_director", "portfolio")
        .order_by("plan__council__name", "plan__start_year", "path")
    )
    # How many items hang beneath each top item, counted from the materialised paths in one query.
    # And which companies, partnerships and contracts have plans beneath each (A1), from the same query.
    beneath: Counter[int] = Counter()
    external: dict[int, dict[int, ExternalUnit]] = {}
    top_ids = {i.pk for i in top}
    rows = items.exclude(plan__level__rank=1).values_list(
        "path", "plan__service_id", "plan__service__name", "plan__service__kind", "plan__service__provider")
    for path, service_id, name, kind, provider in rows:
        for part in path.strip("/").split("/")[:-1]:
            if int(part) in top_ids:
                beneath[int(part)] += 1
                if service_id and kind != ServiceKind.SERVICE:
                    external.setdefault(int(part), {})[service_id] = ExternalUnit(
                        name=name, kind=ServiceKind(kind).label, provider=provider)
    today = clock.today()
    counts = rollups(top, user=request.user, as_of=today)
    plans: dict[Plan, list] = {}
    for item in in_tree_order(top):
        item.beneath = beneath[item.pk]
        item.external_units = sorted(external.get(item.pk, {}).values(), key=lambda u: u.name)
        item.rollup = counts[item.pk]
        plans.setdefault(item.plan, []).append(item)
    return render(request, "reporting/thread.html", {"nav": "thread", "plans": plans, "as_of": today})




@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A2 both ways: the path up to the Council Plan, and what sits beneath this item."""
    scoped = restrict(PlanItem.objects.all(), request.user)
    item = get_object_or_404(
        scoped.select_related("plan", "plan__council", "plan__service", "level", "owner", "outcome_owner",
                              "lead_director", "portfolio"),
        pk=pk,
    )
    ancestors = list(scoped.filter(pk__in=item.ancestor_ids).select_related("plan", "level").order_by("depth"))
    children = list(
        scoped.filter(parent=item)
        .select_related("plan", "plan__service", "level", "owner")
        .order_by("plan__level__rank", "-plan__start_year", "ref")
    )
    series = ind_selectors.load_series(
        restrict(Indicator.objects.filter(plan_items=item), request.user).order_by("ref")
    )
    measures = [(s, ind_selectors.latest(s)) for s in series]
    today = clock.today()
    counts = rollups([item, *children], user=request.user, as_of=today)
    for child in children:
        child.rollup = counts[child.pk]
    actions = [
        (a, a.status(today))
        for a in restrict(Action.objects.filter(plan_items=item), request.user).select_related("owner").order_by("ref")
    ]
    programmes = list(restrict(Programme.objects.filter(plan_item=item), request.user)
                      .prefetch_related("projects").order_by("name"))
    return render(request, "reporting/item_detail.html", {
        "nav": "thread", "item": item, "ancestors": ancestors, "children": children,
        "measures": measures, "actions": actions, "as_of": today, "programmes": programmes,
        "rollup": counts[item.pk],
    })
