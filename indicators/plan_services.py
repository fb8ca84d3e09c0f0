"""Writes that span a plan and its measures: approving a plan (which locks its measures' targets, B4), the yearly
refresh (plans, their measures' links and next year's draft targets, A4 / F1), and the sign-off of an action update
(which may ask for a recovery plan, D4). They live here, above both apps, and call down into ``plans.services``.

Each runs in one transaction and writes its audit entries in it (E3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from indicators.models import Indicator, RecoveryPlan, RecoveryStatus, Target, TrajectoryPoint
from indicators.services import RECOVERY_DUE_DAYS, close_recovery_plan
from plans import approvals
from plans import services as plan_services
from plans.assessment import ActionStatus
from plans.choices import CURRENT_PLAN_STATUSES, Approver, PlanStatus
from plans.models import Action, ActionUpdate, Plan, PlanItem
from pmf import access, audit, clock
from pmf.choices import AuditAction
from pmf.errors import Conflict, Refused
from pmf.models import Council, User
from pmf.periods import financial_year_label
from pmf.services import ensure_financial_year

# -- Approving a plan (A4) and the targets it locks (B4) -------------------------------------------------------

def plan_targets(plan: Plan, *, years: range | None = None):
    """The targets in force of the measures evidencing the plan's items, for the years it covers (or ``years``)."""
    years = years or range(plan.start_year_id, plan.end_year_id + 1)
    return (Target.objects.filter(indicator__plan_items__plan=plan, financial_year_id__in=list(years),
                                  superseded_at__isnull=True)
            .distinct().select_related("indicator__current_spec", "approved_by")
            .prefetch_related("trajectory").order_by("indicator__ref", "financial_year_id"))


def targets_to_lock(plan: Plan):
    """What approving the plan locks: its measures' targets for its years that are not approved yet."""
    return plan_targets(plan).filter(approved_at__isnull=True)


def _check_reviewed(plan: Plan, targets_reviewed: bool) -> list[Target]:
    unapproved = list(targets_to_lock(plan))
    if unapproved and not targets_reviewed:
        listed = ", ".join(f"{t.indicator.ref} {financial_year_label(t.financial_year_id)}" for t in unapproved[:12])
        more = f" and {len(unapproved) - 12} more" if len(unapproved) > 12 else ""
        raise Refused({"targets_reviewed": f"Approving locks {len(unapproved)} target"
                                           f"{'s' if len(unapproved) != 1 else ''} not approved before ({listed}"
                                           f"{more}): confirm that they have been reviewed."})
    return unapproved


@transaction.atomic
def approve_plan(*, plan: Plan, user: User, approver: str, version: int, reference: str = "", note: str = "",
                 targets_reviewed: bool = False) -> Plan:
    """A4: one approver approves a submitted plan (as ``approver``, with the decision or minute reference). When it
    has every approval its level needs, it is approved, and the targets, trajectories and tolerances of its measures
    for its years are locked in the same transaction (B4). Targets not approved before are listed, and the approval
    is refused unless the approver confirms they were reviewed: nothing is locked silently."""
    if plan.version != version:
        raise Conflict(Plan.objects.get(pk=plan.pk))
    if plan.status != PlanStatus.SUBMITTED:
        raise Refused({"status": f"“{plan}” is {plan.get_status_display().lower()}: only a plan submitted for "
                                 "approval is approved."})
    _check_reviewed(plan, targets_reviewed)
    if not plan_services.record_approval(plan=plan, user=user, approver=approver, reference=reference, note=note):
        return plan  # another approver is still awaited
    references = "; ".join(a.reference for a in approvals.approvals_of(plan) if a.reference)
    plan = plan_services.mark_approved(plan=plan, user=user, version=version, reference=references)
    lock_targets(plan=plan, user=user)
    return plan


@transaction.atomic
def approve_targets(*, plan: Plan, user: User, approver: str, reference: str = "", targets_reviewed: bool = False
                    ) -> int:
    """The targets of a plan in force that are not approved yet (next year's, after the yearly refresh, for a plan
    that runs on, such as a four-year Council Plan): its approvers approve them, which locks them (B4)."""
    if plan.status not in CURRENT_PLAN_STATUSES:
        raise Refused({"status": "Only the targets of an approved or active plan are approved on their own; a draft "
                                 "plan's targets are approved with it."})
    if not approvals.Approvers(user).can(plan, approver) or approver not in approvals.approvers_of(plan):
        raise PermissionDenied("Only the plan's approvers approve its targets.")
    if plan.level.decision_needed and not reference.strip():
        raise Refused({"reference": "Record the decision or minute reference that approved these targets."})
    if not _check_reviewed(plan, targets_reviewed):
        raise Refused({"targets_reviewed": "Every target of this plan's measures for its years is approved already."})
    who = user.get_full_name() or user.username
    reason = f"Targets approved by {who} as {Approver(approver).label.lower()}"
    return lock_targets(plan=plan, user=user, reason=f"{reason}: {reference.strip()}" if reference.strip() else reason)


def lock_targets(*, plan: Plan, user: User | None = None, backdate: bool = False, reason: str = "") -> int:
    """B4: lock the targets an approved plan holds: those of the indicators evidencing its items, for the
    years it covers. Returns how many were locked; each is recorded in the audit trail (one batch), dated now,
    or at the plan's approval with ``backdate`` (for loading history)."""
    targets = list(
        Target.objects.filter(
            indicator__plan_items__plan=plan,
            financial_year_id__gte=plan.start_year_id,
            financial_year_id__lte=plan.end_year_id,
            approved_at__isnull=True,
            superseded_at__isnull=True,
        ).distinct().select_related("indicator")
    )
    if not targets:
        return 0
    approver = (user if reason else plan.approved_by) or user
    when = timezone.now() if reason else (plan.approved_at or timezone.now())
    Target.objects.filter(pk__in=[t.pk for t in targets]).update(approved_at=when, approved_by=approver)
    audit.record_many(user=user or approver, action="approve", objects=targets, council=plan.council,
                      changes={"approved_at": [None, when.isoformat()]},
                      reason=reason or f"Locked by the approval of “{plan}”.", at=when if backdate else None)
    return len(targets)


# -- The yearly refresh (A4, F1) -----------------------------------------------------------------------------------

ROLLED_NOTE = "Rolled forward from {year}: review before approval."


@dataclass
class PlanRefresh:
    """What the refresh did (or would do) with one plan."""

    plan: Plan
    new: Plan | None = None
    skipped: str = ""  # not refreshed, and why (not in force, already refreshed)
    detail: str = ""
    refused: str = ""  # tried, and nothing of it saved: why
    items: int = 0
    actions: int = 0
    measures: int = 0


@dataclass
class YearRefresh:
    """The refresh of a council's plans ending in ``year`` into the next year."""

    council: Council
    year: int
    dry_run: bool
    plans: list[PlanRefresh] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)  # next year's draft targets made
    running_on: list[Plan] = field(default_factory=list)  # plans in force next year too: not copied

    @property
    def refreshed(self) -> list[PlanRefresh]:
        return [p for p in self.plans if p.new is not None]

    @property
    def refused(self) -> list[PlanRefresh]:
        return [p for p in self.plans if p.refused]

    @property
    def skipped(self) -> list[PlanRefresh]:
        return [p for p in self.plans if p.skipped]

    @property
    def label(self) -> str:
        return f"{financial_year_label(self.year)} into {financial_year_label(self.year + 1)}"

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)


def _next_title(plan: Plan, start: int, span: int) -> str:
    old = f"{plan.start_year}" if span == 0 else f"{plan.start_year} to {plan.end_year}"
    new_label = f"{start}/{str(start + 1)[-2:]}"
    if span:
        new_label += f" to {start + span}/{str(start + span + 1)[-2:]}"
    return plan.title.replace(old, new_label) if old in plan.title else f"{plan.title} ({new_label})"


def _copy_plan(plan: Plan, copies: dict[int, PlanItem], user: User | None) -> PlanRefresh:
    """A draft copy of ``plan`` for the years after it: its items (each under the copy of its parent where the
    parent was copied too, in this plan or one refreshed before it, else under the same parent), their links to
    unfinished actions, measures and committees. ``copies`` maps old items to new ones and grows."""
    span = plan.end_year_id - plan.start_year_id
    start = plan.end_year_id + 1
    ensure_financial_year(start)
    ensure_financial_year(start + span)
    new = Plan.objects.create(
        council=plan.council, level=plan.level, title=_next_title(plan, start, span), start_year_id=start,
        end_year_id=start + span, status=PlanStatus.DRAFT, owner=plan.owner, directorate=plan.directorate,
        service=plan.service, team=plan.team, person=plan.person, previous_version=plan,
    )
    result = PlanRefresh(plan=plan, new=new)
    for item in plan.items.order_by("path"):
        parent = copies.get(item.parent_id, item.parent)
        copy = PlanItem.objects.create(
            plan=new, level=item.level, parent=parent, ref=item.ref, title=item.title,
            description=item.description, position=item.position, portfolio=item.portfolio,
            outcome_owner=item.outcome_owner, lead_director=item.lead_director, owner=item.owner,
        )
        copies[item.pk] = copy
        actions = list(Action.objects.filter(plan_items=item, completed_on__isnull=True, no_longer_viable=False))
        measures = list(Indicator.objects.filter(plan_items=item))
        copy.actions.add(*actions)
        copy.indicators.add(*measures)
        copy.committees.add(*item.committees.all())
        result.items += 1
        result.actions += len(actions)
        result.measures += len(measures)
    audit.record(user=user, action=AuditAction.CREATE, obj=new, council=plan.council,
                 reason=f"Yearly refresh of “{plan}”: {result.items} items, {result.actions} unfinished actions, "
                        f"{result.measures} measure links.")
    return result


def roll_targets(indicators, *, from_year: int, user: User | None) -> list[Target]:
    """Next year's target of each measure that has one in force for ``from_year`` and none for the year after:
    a copy of its figures, trajectory and tolerance, as a draft to review and approve (never approved by the copy).
    """
    to_year = from_year + 1
    have = set(Target.objects.filter(indicator__in=indicators, financial_year_id=to_year)
               .values_list("indicator_id", flat=True))
    made = []
    sources = (Target.objects.filter(indicator__in=indicators, financial_year_id=from_year, superseded_at__isnull=True)
               .exclude(indicator_id__in=have).prefetch_related("trajectory").select_related("indicator__council")
               .order_by("indicator__ref"))
    for old in sources:
        new = Target.objects.create(
            indicator_id=old.indicator_id, financial_year_id=to_year, annual_target=old.annual_target,
            band_low=old.band_low, band_high=old.band_high, baseline=old.baseline,
            needs_baseline=old.needs_baseline, tolerance_pct=old.tolerance_pct, tolerance_abs=old.tolerance_abs,
            note=ROLLED_NOTE.format(year=financial_year_label(from_year)))
        TrajectoryPoint.objects.bulk_create(TrajectoryPoint(target=new, period_number=p.period_number, value=p.value)
                                            for p in old.trajectory.all())
        new.indicator = old.indicator
        made.append(new)
    if made:
        audit.record_many(user=user, action=AuditAction.CREATE, objects=made, council=made[0].indicator.council,
                          reason=f"Yearly refresh: {financial_year_label(to_year)} target rolled forward from "
                                 f"{financial_year_label(from_year)}, to review before approval.")
    return made


def refresh_year(*, council: Council, year: int, user: User | None, dry_run: bool = False) -> YearRefresh:
    """A4 / F1: roll every plan of the council in force (approved or active) that ends in financial year ``year``
    into the next year as a draft, and give the measures of every plan in force next year (the new drafts, and
    plans that run on, such as a four-year Council Plan) next year's targets as drafts, copied from this year's.

    All or nothing per plan: a plan refused leaves nothing of itself and says why; the others go ahead. Plans
    already refreshed, and drafts, are left (and listed); so a second run changes nothing. ``dry_run`` works it
    all out and saves none of it."""
    if user is not None and not access.can_configure(user, council.pk):
        raise PermissionDenied("Only the performance unit refreshes the council's plans.")
    report = YearRefresh(council=council, year=year, dry_run=dry_run)
    with transaction.atomic():
        ensure_financial_year(year + 1)
        copies: dict[int, PlanItem] = {}
        ending = (Plan.objects.filter(council=council, end_year_id=year).select_related("level")
                  .prefetch_related("next_versions").order_by("level__rank", "title", "pk"))
        for plan in ending:
            if plan.status not in CURRENT_PLAN_STATUSES:
                status = plan.get_status_display().lower()
                report.plans.append(PlanRefresh(plan=plan, skipped=f"not in force ({status})"))
                continue
            following = list(plan.next_versions.all())
            if following:
                report.plans.append(PlanRefresh(plan=plan, skipped="already refreshed",
                                                detail=f"into “{following[0]}”"))
                continue
            before = dict(copies)
            try:
                with transaction.atomic():
                    report.plans.append(_copy_plan(plan, copies, user))
            except (DatabaseError, ValidationError) as exc:
                copies.clear()
                copies.update(before)
                message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc).splitlines()[0]
                report.plans.append(PlanRefresh(plan=plan, refused=message or exc.__class__.__name__))
        next_year = year + 1
        in_force = Plan.objects.filter(council=council, start_year_id__lte=next_year, end_year_id__gte=next_year)
        in_force = in_force.filter(Q(status__in=CURRENT_PLAN_STATUSES)
                                   | Q(previous_version__end_year_id=year, status=PlanStatus.DRAFT))
        report.running_on = list(in_force.filter(start_year_id__lte=year).order_by("level__rank", "title"))
        measures = Indicator.objects.filter(council=council, plan_items__plan__in=in_force).distinct()
        report.targets = roll_targets(measures, from_year=year, user=user)
        if dry_run:
            transaction.set_rollback(True)
    return report


def refresh_plan(*, plan: Plan, user: User) -> Plan:
    """Refresh one plan into the years after it (as ``refresh_year`` does for each plan), with next year's draft
    targets for its measures. Refused (``ValidationError``) if it has been refreshed already."""
    following = plan.next_versions.first()
    if following is not None:
        raise ValidationError(f"“{plan}” has already been refreshed into “{following}”.")
    with transaction.atomic():
        result = _copy_plan(plan, {}, user)
        roll_targets(Indicator.objects.filter(plan_items__plan=result.new).distinct(), from_year=plan.end_year_id,
                     user=user)
    return result.new


@transaction.atomic
def sign_off_action_update(*, user: User, update: ActionUpdate, version: int, approve: bool,
                           reason: str = "") -> ActionUpdate:
    """The director approves a submitted action update or sends it back (``plans.services.decide_action_update``).
    An approved update that leaves the action slipped more than 3 months asks its owner for a recovery plan (D4);
    one that brings it back on track or delivers it closes the open plan."""
    update = plan_services.decide_action_update(user=user, update=update, version=version, approve=approve,
                                                reason=reason)
    if approve:
        follow_up_action_recovery(action=update.action, user=user)
    return update


def follow_up_action_recovery(*, action: Action, user: User | None) -> RecoveryPlan | None:
    status = action.status(clock.today())
    open_plan = RecoveryPlan.objects.filter(action=action).exclude(status=RecoveryStatus.CLOSED).first()
    if status == ActionStatus.SLIPPED_GT3 and open_plan is None and action.owner_id:
        plan = RecoveryPlan.objects.create(action=action, trigger="Slipped more than 3 months", owner=action.owner,
                                           due_on=clock.today() + timedelta(days=RECOVERY_DUE_DAYS))
        audit.record(user=user, action="create", obj=plan, council=action.council)
        return plan
    if open_plan is not None and status in (ActionStatus.DELIVERED, ActionStatus.ON_TARGET):
        close_recovery_plan(plan=open_plan, user=user, note=f"Action back on track ({status.value}).")
    return open_plan
