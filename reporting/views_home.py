"""The home page, "My updates" (E5): what each signed-in person owes and what waits for them, across every app:
returns due (overdue first), action updates due, returns waiting for their sign-off, recovery plans asked of them,
the decisions due from the boards they sit on (A6), and their councils' priorities and headline measures."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from indicators import selectors as ind_selectors
from indicators.choices import ReturnState
from indicators.models import Indicator, RecoveryPlan, RecoveryStatus, Return
from plans.models import DecisionPoint, PlanItem
from plans.selectors import action_updates_due, decisions_due_q
from pmf import clock
from pmf.access import councils_for, restrict, scope_for
from pmf.choices import CommitteeKind


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where every signed-in person starts: their roles, their councils' plans and headline measures."""
    councils = list(councils_for(request.user).order_by("name"))
    roles = list(request.user.role_assignments.select_related(
        "council", "directorate", "service", "team", "committee", "portfolio"
    ))
    priorities = list(
        restrict(PlanItem.objects.all(), request.user)
        .filter(plan__level__rank=1, parent__isnull=True)
        .select_related("plan__council", "portfolio", "outcome_owner", "lead_director")
        .order_by("plan__council__name", "position", "ref")
    )
    headline_qs = restrict(Indicator.objects.filter(is_headline=True), request.user).order_by("council__name", "ref")
    headline = []
    counts: dict[str, int] = {}
    for series in ind_selectors.load_series(headline_qs):
        latest = ind_selectors.latest(series)
        headline.append((series, latest))
        if latest is not None:
            counts[latest.rag] = counts.get(latest.rag, 0) + 1
    today = clock.today()
    scope = scope_for(request.user)
    waiting = to_verify = 0
    if scope.sign_off:
        waiting = restrict(Return.objects.filter(ind_selectors.ready_for_sign_off_q(),
                                                 indicator__service__directorate__in=scope.sign_off),
                           request.user).count()
    if scope.verifies:
        to_verify = restrict(Return.objects.filter(state=ReturnState.SUBMITTED, indicator__service__in=scope.verifies,
                                                   indicator__council__verification_required=True),
                             request.user).count()
    recovery = list(RecoveryPlan.objects.filter(owner=request.user).exclude(status=RecoveryStatus.CLOSED)
                    .select_related("indicator", "action").order_by("due_on"))
    boards = {r.committee_id for r in roles if r.committee is not None and r.committee.kind == CommitteeKind.BOARD}
    decisions_due = []
    if boards:
        decisions_due = list(restrict(DecisionPoint.objects.filter(decisions_due_q(today=today, boards=boards)),
                                      request.user)
                             .select_related("project__programme__board").order_by("due", "pk"))
    return render(request, "reporting/home.html", {
        "nav": "home",
        "due": ind_selectors.due_returns(request.user, today=today),
        "actions_due": action_updates_due(request.user, today=today),
        "waiting_sign_off": waiting,
        "waiting_verification": to_verify,
        "recovery_plans": recovery,
        "decisions_due": decisions_due,
        "today": today,
        "councils": councils,
        "roles": roles,
        "priorities": priorities,
        "headline": headline,
        "rag_counts": counts,
    })
