from collections import Counter

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from indicators import selectors as ind_selectors
from indicators.models import Indicator
from plans.choices import PlanStatus
from plans.models import Action, Plan, PlanItem, PlanLevel
from plans.selectors import in_tree_order
from pmf.access import councils_for, restrict
from pmf.pagination import paginate


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
    beneath: Counter[int] = Counter()
    top_ids = {i.pk for i in top}
    for path in items.exclude(plan__level__rank=1).values_list("path", flat=True):
        for part in path.strip("/").split("/")[:-1]:
            if int(part) in top_ids:
                beneath[int(part)] += 1
    plans: dict[Plan, list] = {}
    for item in in_tree_order(top):
        item.beneath = beneath[item.pk]
        plans.setdefault(item.plan, []).append(item)
    return render(request, "plans/thread.html", {"nav": "thread", "plans": plans})


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    qs = restrict(Plan.objects.all(), request.user).select_related(
        "council", "level", "owner", "start_year", "end_year"
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(owner__last_name__icontains=q))
    level = request.GET.get("level", "")
    if level.isdigit():
        qs = qs.filter(level__rank=int(level))
    status = request.GET.get("status", "")
    if status in PlanStatus.values:
        qs = qs.filter(status=status)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(start_year__lte=int(year), end_year__gte=int(year))
    page, querystring = paginate(request, qs.order_by("level__rank", "title"))
    levels = (
        PlanLevel.objects.filter(council__in=councils_for(request.user), is_plan=True)
        .order_by("rank").values_list("rank", "name").distinct()
    )
    return render(request, "plans/plan_list.html", {
        "nav": "plans", "page_obj": page, "querystring_without_page": querystring,
        "levels": levels, "statuses": PlanStatus.choices, "q": q, "level": level, "status": status, "year": year,
    })


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(
        restrict(Plan.objects.all(), request.user).select_related(
            "council", "level", "owner", "approved_by", "directorate", "service", "team", "person",
            "previous_version", "start_year", "end_year",
        ),
        pk=pk,
    )
    items = list(
        plan.items.select_related("level", "owner", "parent", "parent__plan", "outcome_owner", "lead_director")
        .order_by("path")
    )
    items = in_tree_order(items)
    return render(request, "plans/plan_detail.html", {"nav": "plans", "plan": plan, "items": items})


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A2 both ways: the path up to the Council Plan, and what sits beneath this item."""
    scoped = restrict(PlanItem.objects.all(), request.user)
    item = get_object_or_404(
        scoped.select_related("plan", "plan__council", "level", "owner", "outcome_owner", "lead_director", "portfolio"),
        pk=pk,
    )
    ancestors = list(scoped.filter(pk__in=item.ancestor_ids).select_related("plan", "level").order_by("depth"))
    children = list(
        scoped.filter(parent=item)
        .select_related("plan", "level", "owner")
        .order_by("plan__level__rank", "-plan__start_year", "ref")
    )
    series = ind_selectors.load_series(
        restrict(Indicator.objects.filter(plan_items=item), request.user).order_by("ref")
    )
    measures = [(s, ind_selectors.latest(s)) for s in series]
    today = timezone.localdate()
    actions = [
        (a, a.status(today))
        for a in restrict(Action.objects.filter(plan_items=item), request.user).select_related("owner").order_by("ref")
    ]
    return render(request, "plans/item_detail.html", {
        "nav": "thread", "item": item, "ancestors": ancestors, "children": children,
        "measures": measures, "actions": actions, "as_of": today,
    })
