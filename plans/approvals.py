"""Who approves a plan (A4, E1): each plan level names its approvers (``PlanLevel.approvers``), as roles relative to
the plan (the director of its directorate, the head of its service, its team's manager ...), and whether every one
of them must approve or any one. These reads say who that is for a plan, what is still awaited, and which plans
wait for a person.

Defaults (``default_approval``), which a council changes per level: the Council Plan by the Leader or Cabinet,
with the decision recorded; directorate and outcome delivery plans by the director and the portfolio holder;
service plans by the director; team plans and individual objectives by the head of service or the line manager;
other plans by the performance unit. Nobody approves a plan they own, submitted, or whose objectives they are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from plans.choices import Approver, PlanStatus
from plans.models import Plan, PlanApproval, PlanItem, PlanLevel
from pmf.access import restrict, scope_for
from pmf.choices import Role
from pmf.models import Portfolio, RoleAssignment, User


def default_approval(level_name: str, rank: int) -> tuple[list[str], bool, bool]:
    """(approvers, every approver needed, decision needed) for a plan level, by its name."""
    name = level_name.lower()
    if rank == 1 or "council plan" in name or "corporate plan" in name:
        return [Approver.CABINET.value], False, True
    if "directorate" in name or "outcome" in name:
        return [Approver.DIRECTOR.value, Approver.PORTFOLIO_HOLDER.value], True, False
    if "service" in name:
        return [Approver.DIRECTOR.value], False, False
    if "team" in name or "individual" in name or "objective" in name:
        return [Approver.HEAD_OF_SERVICE.value, Approver.LINE_MANAGER.value], False, False
    return [Approver.PERFORMANCE_UNIT.value], False, False


def apply_default_approval(level: PlanLevel) -> None:
    """Give a plan level its default approvers (not saved)."""
    level.approvers, level.all_approvers_needed, level.decision_needed = default_approval(level.name, level.rank)


def approvers_of(plan: Plan) -> list[str]:
    return list(plan.level.approvers) or [Approver.PERFORMANCE_UNIT.value]


def approvals_of(plan: Plan) -> list[PlanApproval]:
    """The approvals of the plan's latest submission."""
    return list(plan.approvals.filter(submission=plan.submissions).select_related("approved_by"))


def pending(plan: Plan, approvals: list[PlanApproval] | None = None) -> list[str]:
    """The approvers still awaited for the latest submission: those not yet approved when every one is needed,
    else all of them until one approves. None unless the plan is submitted."""
    if plan.status != PlanStatus.SUBMITTED:
        return []
    approvals = approvals_of(plan) if approvals is None else approvals
    done = {a.approver for a in approvals}
    wanted = approvers_of(plan)
    if plan.level.all_approvers_needed:
        return [kind for kind in wanted if kind not in done]
    return [] if done else wanted


def directorate_of(plan: Plan) -> int | None:
    if plan.directorate_id:
        return plan.directorate_id
    if plan.service_id:
        return plan.service.directorate_id
    if plan.team_id:
        return plan.team.service.directorate_id
    return None


def service_of(plan: Plan) -> int | None:
    if plan.service_id:
        return plan.service_id
    if plan.team_id:
        return plan.team.service_id
    return None


def _holders(plans: Iterable[Plan]) -> dict[int, set[int]]:
    """Plan -> the holders of the portfolios of the priorities its items sit beneath (two queries)."""
    plans = list(plans)
    tops: dict[int, set[int]] = defaultdict(set)
    for plan_id, path in PlanItem.objects.filter(plan__in=plans).values_list("plan_id", "path"):
        first = path.strip("/").split("/")[0]
        if first:
            tops[plan_id].add(int(first))
    wanted = {top for ids in tops.values() for top in ids}
    holder_of = dict(PlanItem.objects.filter(pk__in=wanted, portfolio__holder__isnull=False)
                     .values_list("pk", "portfolio__holder_id"))
    return {plan.pk: {holder_of[t] for t in tops.get(plan.pk, ()) if t in holder_of} for plan in plans}


class Approvers:
    """One person's standing as an approver, loaded once (their roles and the portfolios they hold)."""

    def __init__(self, user: User):
        self.user = user
        self.scope = scope_for(user)
        rows = RoleAssignment.objects.filter(user=user).values_list("council_id", "role", "service_id")
        self.cabinet = {c for c, role, _ in rows if role == Role.CABINET_MEMBER}
        self.heads = {s for _, role, s in rows if role == Role.HEAD_OF_SERVICE and s}
        self.holds = set(Portfolio.objects.filter(holder=user).values_list("council_id", flat=True))

    def can(self, plan: Plan, kind: str, holders: set[int] | None = None) -> bool:
        """May this person approve ``plan`` as ``kind``? ``holders``: the plan's portfolio holders, if known."""
        user, s = self.user, self.scope
        if user.is_superuser:
            return True
        if plan.council_id not in s.councils or user.pk in (plan.person_id, plan.owner_id, plan.submitted_by_id):
            return False  # nobody approves their own plan or objectives, or a plan they submitted
        if kind == Approver.CABINET:
            return plan.council_id in self.cabinet
        if kind == Approver.DIRECTOR:
            return directorate_of(plan) in s.sign_off
        if kind == Approver.PORTFOLIO_HOLDER:
            holders = _holders([plan])[plan.pk] if holders is None else holders
            return user.pk in holders if holders else plan.council_id in self.cabinet
        if kind == Approver.HEAD_OF_SERVICE:
            return service_of(plan) in self.heads
        if kind == Approver.LINE_MANAGER:
            return plan.team_id is not None and plan.team.manager_id == user.pk
        if kind == Approver.PERFORMANCE_UNIT:
            return plan.council_id in s.configure
        return False

    def kinds(self, plan: Plan, approvals: list[PlanApproval] | None = None,
              holders: set[int] | None = None) -> list[str]:
        """The awaited approvals of ``plan`` this person may give."""
        return [kind for kind in pending(plan, approvals) if self.can(plan, kind, holders)]


def plan_queryset():
    return Plan.objects.select_related("council", "level", "directorate", "service__directorate",
                                       "team__service__directorate", "person", "owner", "submitted_by")


def awaiting(user: User) -> list[tuple[Plan, list[str]]]:
    """The plans submitted for approval that wait for this person, with the approvals they may give (a fixed
    number of queries)."""
    plans = list(restrict(plan_queryset().filter(status=PlanStatus.SUBMITTED), user)
                 .order_by("level__rank", "title"))
    if not plans:
        return []
    approvals: dict[int, list[PlanApproval]] = defaultdict(list)
    for approval in PlanApproval.objects.filter(plan__in=plans).select_related("approved_by"):
        approvals[approval.plan_id].append(approval)
    holders = _holders(plans)
    who = Approvers(user)
    out = []
    for plan in plans:
        current = [a for a in approvals[plan.pk] if a.submission == plan.submissions]
        kinds = who.kinds(plan, current, holders[plan.pk])
        if kinds:
            out.append((plan, kinds))
    return out
