from collections import Counter

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from indicators import selectors as ind_selectors
from indicators.models import Indicator
from plans.choices import PlanStatus
from plans.models import Action, Plan, PlanItem, PlanLevel
from plans.rollups import rollups
from plans.selectors import in_tree_order
from pmf import clock
from pmf.access import councils_for, restrict
from pmf.pagination import int_param, paginate


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
    today = clock.today()
    counts = rollups(top, user=request.user, as_of=today)
    plans: dict[Plan, list] = {}
    for item in in_tree_order(top):
        item.beneath = beneath[item.pk]
        item.rollup = counts[item.pk]
        plans.setdefault(item.plan, []).append(item)
    return render(request, "plans/thread.html", {"nav": "thread", "plans": plans, "as_of": today})


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    qs = restrict(Plan.objects.all(), request.user).select_related(
        "council", "level", "owner", "start_year", "end_year"
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(owner__last_name__icontains=q))
    level = request.GET.get("level", "")
    if (rank := int_param(level, maximum=32767)) is not None:
        qs = qs.filter(level__rank=rank)
    status = request.GET.get("status", "")
    if status in PlanStatus.values:
        qs = qs.filter(status=status)
    year = request.GET.get("year", "")
    if (start := int_param(year, maximum=2100)) is not None:
        qs = qs.filter(start_year__lte=start, end_year__gte=start)
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
    today = clock.today()
    counts = rollups([item, *children], user=request.user, as_of=today)
    for child in children:
        child.rollup = counts[child.pk]
    actions = [
        (a, a.status(today))
        for a in restrict(Action.objects.filter(plan_items=item), request.user).select_related("owner").order_by("ref")
    ]
    return render(request, "plans/item_detail.html", {
        "nav": "thread", "item": item, "ancestors": ancestors, "children": children,
        "measures": measures, "actions": actions, "as_of": today,
        "rollup": counts[item.pk],
    })


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An action: its dates and status (C3), its updates, and the form for its owner's next update."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import redirect

    from indicators.services import Conflict, Refused
    from plans.forms import ActionUpdateForm
    from plans.services import save_action_update
    from pmf.access import can_update_action

    action = get_object_or_404(restrict(Action.objects.all(), request.user)
                               .select_related("owner", "service__directorate", "council"), pk=pk)
    today = clock.today()
    current = action.updates.filter(state__in=["draft", "submitted", "returned"]).first()
    may_update = can_update_action(request.user, action)
    form = ActionUpdateForm(request.POST or None, initial=ActionUpdateForm.initial_for(current, action, today))
    status = 200
    if request.method == "POST":
        if not may_update:
            raise PermissionDenied("Only the action's owner or the performance unit updates it.")
        if form.is_valid():
            try:
                save_action_update(user=request.user, action=action, data=form.cleaned_data,
                                   version=form.cleaned_data.get("version"), submit="submit" in request.POST)
            except Refused as refused:
                for field, errors in refused.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            except Conflict as conflict:
                messages.error(request, conflict.args[0])
                current = action.updates.filter(state__in=["draft", "submitted", "returned"]).first()
                form = ActionUpdateForm(initial=ActionUpdateForm.initial_for(current, action, today))
                status = 409
            else:
                messages.success(request, "Update submitted for sign-off." if "submit" in request.POST
                                 else "Update saved as a draft.")
                return redirect(request.path)
        status = 400 if status == 200 else status
    return render(request, "plans/action_detail.html", {
        "nav": "thread", "action": action, "status": action.status(today), "as_of": today, "form": form,
        "current": current, "may_update": may_update,
        "updates": action.updates.select_related("submitted_by", "approved_by").order_by("-as_of", "-pk")[:12],
        "milestones": action.milestones.all(), "plan_items": action.plan_items.select_related("plan"),
    }, status=status)


@login_required
def decide_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a submitted action update (POST decision=approve) or send it back with a reason."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import redirect

    from indicators.forms import ReasonForm
    from indicators.services import Conflict, Refused
    from plans.models import ActionUpdate
    from plans.services import decide_action_update
    from pmf.access import can_sign_off_action

    update = get_object_or_404(restrict(ActionUpdate.objects.all(), request.user)
                               .select_related("action__service", "action__council"), pk=pk)
    if not can_sign_off_action(request.user, update.action):
        raise PermissionDenied("Only the directorate's director or their delegate signs off action updates.")
    form = ReasonForm(request.POST or None, initial={"version": update.version})
    status = 200
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        version = request.POST.get("version", "")
        if approve or form.is_valid():
            try:
                decide_action_update(user=request.user, update=update, version=int(version) if version.isdigit()
                                     else -1, approve=approve, reason=request.POST.get("reason", ""))
            except Refused as refused:
                form.add_error("reason", " ".join(refused.messages))
            except Conflict as conflict:
                messages.error(request, conflict.args[0])
                return redirect("indicators:sign_off")
            else:
                messages.success(request, f"{update.action.ref} update " + ("approved." if approve else "sent back."))
                return redirect("indicators:sign_off")
        status = 400
    return render(request, "plans/decide_update.html", {"update": update, "form": form}, status=status)
