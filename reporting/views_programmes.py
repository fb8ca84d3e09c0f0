"""A project's page (A6): its programme and the plan item it serves, its status, its milestones, the actions
it delivers and the measures linked to them, and its decision points with the decision the board recorded. It
shows measures beside the plan, so it is the reporting app's; the programme pages and the decision form are the
plans app's (``plans.views``)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from indicators import selectors as ind_selectors
from indicators.models import Indicator
from plans.access import can_decide
from plans.models import Action, DecisionPoint, Milestone, Project
from plans.selectors import project_status
from pmf import clock
from pmf.access import restrict


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(
        restrict(Project.objects.all(), request.user)
        .select_related("programme__council", "programme__plan_item", "programme__board", "programme__sponsor",
                        "manager"),
        pk=pk)
    programme = project.programme
    today = clock.today()
    actions_qs = restrict(Action.objects.filter(projects=project), request.user)
    actions = [(a, a.status(today)) for a in actions_qs.select_related("owner").order_by("ref")]
    milestones = list(restrict(Milestone.objects.filter(action__in=actions_qs.values("pk")), request.user)
                      .select_related("action").order_by("approved_date", "title"))
    # The measures linked to the plan items the project's actions deliver, and to the item the programme serves.
    linked = Q(plan_items__actions__projects=project)
    if programme.plan_item_id:
        linked |= Q(plan_items=programme.plan_item_id)
    indicators = restrict(Indicator.objects.filter(
        pk__in=Indicator.objects.filter(linked).values("pk")), request.user).order_by("ref")
    measures = [(s, ind_selectors.latest(s)) for s in ind_selectors.load_series(indicators)]
    points = list(restrict(DecisionPoint.objects.filter(project=project), request.user)
                  .select_related("decided_by").order_by("due"))
    return render(request, "reporting/project_detail.html", {
        "nav": "thread", "project": project, "programme": programme, "as_of": today,
        "status_label": project_status((p.due, p.decision) for p in points),
        "actions": actions, "milestones": milestones, "measures": measures, "points": points,
        "may_decide": can_decide(request.user, programme),
    })
