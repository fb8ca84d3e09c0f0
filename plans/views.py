"""Pages of the golden thread: the plans, a plan, an action and its updates. The thread itself and a plan item's
page, which show measures and roll-ups beside the plan, are the reporting app's (``reporting.views_thread``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from plans import approvals
from plans.access import can_update_action
from plans.choices import Approver, PlanStatus
from plans.forms import ActionUpdateForm
from plans.models import Action, Plan, PlanLevel
from plans.selectors import in_tree_order
from plans.services import save_action_update
from pmf import clock
from pmf.access import councils_for, restrict, scope_for
from pmf.errors import Conflict, Refused
from pmf.forms import show_refusal
from pmf.pagination import int_param, paginate


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
        "can_refresh": bool(scope_for(request.user).configure) or request.user.is_superuser,
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
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An action: its dates and status (C3), its updates, and the form for its owner's next update."""
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
                show_refusal(form, refused)
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
def approvals_awaiting(request: HttpRequest) -> HttpResponse:
    """A4: the plans submitted for approval that wait for me, with the approval each waits for from me."""
    awaiting = [(plan, [Approver(k).label for k in kinds]) for plan, kinds in approvals.awaiting(request.user)]
    return render(request, "plans/approvals.html", {"nav": "plans", "awaiting": awaiting})
