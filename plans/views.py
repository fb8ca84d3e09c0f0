"""Pages of the golden thread: the plans, a plan, an action and its updates. The thread itself and a plan item's
page, which show measures and roll-ups beside the plan, are the reporting app's (``reporting.views_thread``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from plans import approvals
from plans.access import can_decide, can_update_action
from plans.choices import Approver, PlanStatus
from plans.forms import ActionUpdateForm, DecisionForm
from plans.models import Action, DecisionPoint, Plan, PlanLevel, Programme, Project
from plans.selectors import in_tree_order, project_status
from plans.services import record_decision, save_action_update
from pmf import clock
from pmf.access import councils_for, councils_in_view, restrict, scope_for
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


# -- Programmes and projects (A6) -----------------------------------------------------------------------------

@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    """The programmes of the user's councils: the plan item each serves, its board, its projects and the decisions
    whose date has come without a decision."""
    today = clock.today()
    programmes = (
        restrict(Programme.objects.all(), request.user)
        .select_related("council", "plan_item", "sponsor", "board")
        .annotate(project_count=Count("projects", distinct=True),
                  due_count=Count("projects__decision_points", distinct=True,
                                  filter=Q(projects__decision_points__decision="pending",
                                           projects__decision_points__due__lte=today)))
        .order_by("council__name", "name")
    )
    return render(request, "plans/programme_list.html", {"nav": "thread", "programmes": programmes, "today": today,
                                                         "many_councils": councils_in_view(request.user) > 1})


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A programme: its projects, each with its status and decision points."""
    programme = get_object_or_404(
        restrict(Programme.objects.all(), request.user).select_related("council", "plan_item", "sponsor", "board"),
        pk=pk)
    today = clock.today()
    projects = list(
        restrict(Project.objects.filter(programme=programme), request.user).select_related("manager")
        .prefetch_related(Prefetch("decision_points",
                                   queryset=DecisionPoint.objects.select_related("decided_by").order_by("due")))
        .order_by("name"))
    for project in projects:
        points = list(project.decision_points.all())
        project.status_label = project_status((p.due, p.decision) for p in points)
        project.points = points
    return render(request, "plans/programme_detail.html", {
        "nav": "thread", "programme": programme, "projects": projects, "today": today})


@login_required
def decision_record(request: HttpRequest, pk: int) -> HttpResponse:
    """A decision point, and the form for the board that owns the programme to record its decision: stop, continue,
    or continue with changes, with the reason. Anyone who reads the programme sees the page; only the board's
    members may record (others get 403)."""
    point = get_object_or_404(
        restrict(DecisionPoint.objects.all(), request.user)
        .select_related("project__programme__council", "project__programme__board", "project__manager",
                        "decided_by"),
        pk=pk)
    programme = point.project.programme
    may_decide = can_decide(request.user, programme)
    form = DecisionForm(request.POST or None, initial={"version": point.version, "decision": point.decision
                                                      if point.decision != "pending" else None,
                                                      "reason": point.reason})
    status = 200
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied("Only members of the board that owns the programme record its decisions.")
        if form.is_valid():
            try:
                record_decision(user=request.user, point=point, decision=form.cleaned_data["decision"],
                                reason=form.cleaned_data["reason"], version=form.cleaned_data.get("version"),
                                today=clock.today())
            except Refused as refused:
                show_refusal(form, refused)
            except Conflict as conflict:
                messages.error(request, conflict.args[0])
                point = conflict.current
                form = DecisionForm(initial={"version": point.version})
                status = 409
            else:
                messages.success(request, f"Decision recorded: {point.get_decision_display()}.")
                return redirect("plans:project", point.project_id)
        status = 400 if status == 200 else status
    return render(request, "plans/decision.html", {
        "nav": "thread", "point": point, "programme": programme, "form": form, "may_decide": may_decide,
        "today": clock.today()}, status=status)
