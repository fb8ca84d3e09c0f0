"""Writes that span a plan and its measures: approving a plan (which locks its targets, B4), the yearly refresh
(a plan, its measures' links and targets into the next year, A4 / F1), and the sign-off of an action update
(which may ask for a recovery plan, D4). They live here, above both apps, and call down into ``plans.services``.

Each runs in one transaction and writes its audit entries in it (E3).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from indicators.models import Indicator, RecoveryPlan, RecoveryStatus, Target, TrajectoryPoint
from indicators.services import RECOVERY_DUE_DAYS, close_recovery_plan
from plans import services as plan_services
from plans.assessment import ActionStatus
from plans.choices import PlanStatus
from plans.models import Action, ActionUpdate, Plan, PlanItem
from pmf import audit, clock
from pmf.models import User
from pmf.services import ensure_financial_year


@transaction.atomic
def refresh_plan(*, plan: Plan, user: User) -> Plan:
    """A4 / F1 yearly refresh: copy a plan into the following year(s) as a new draft, keeping history.

    The new plan covers the same number of years, starting the year after the old one ends. Its items are
    copies (the structure inside the plan is kept; items linked to a plan above stay linked to the same item).
    Unfinished actions and every indicator linked to the old items are linked to the new items too, and each
    such indicator gets next year's target copied from the last year's (with its trajectory and tolerance)
    unless it already has one. The old plan is untouched.
    """
    if plan.next_versions.exists():
        raise ValidationError(f"“{plan}” has already been refreshed into “{plan.next_versions.first()}”.")
    span = plan.end_year_id - plan.start_year_id
    start = plan.end_year_id + 1
    ensure_financial_year(start)
    ensure_financial_year(start + span)
    new = Plan.objects.create(
        council=plan.council, level=plan.level, title=_next_title(plan, start, span), start_year_id=start,
        end_year_id=start + span, status=PlanStatus.DRAFT, owner=plan.owner, directorate=plan.directorate,
        service=plan.service, team=plan.team, person=plan.person, previous_version=plan,
    )
    copies: dict[int, PlanItem] = {}
    for item in plan.items.order_by("path"):
        parent = copies.get(item.parent_id) if item.parent_id in copies else item.parent
        copies[item.pk] = PlanItem.objects.create(
            plan=new, level=item.level, parent=parent, ref=item.ref, title=item.title,
            description=item.description, position=item.position, portfolio=item.portfolio,
            outcome_owner=item.outcome_owner, lead_director=item.lead_director, owner=item.owner,
        )
    for old_id, copy in copies.items():
        copy.actions.add(*Action.objects.filter(plan_items=old_id, completed_on__isnull=True, no_longer_viable=False))
        copy.indicators.add(*Indicator.objects.filter(plan_items=old_id))
    indicators = Indicator.objects.filter(plan_items__in=list(copies.values())).distinct()
    for indicator in indicators:
        _roll_target(indicator, plan.end_year_id, start)
    return new


def _next_title(plan: Plan, start: int, span: int) -> str:
    old = f"{plan.start_year}" if span == 0 else f"{plan.start_year} to {plan.end_year}"
    new_label = f"{start}/{str(start + 1)[-2:]}"
    if span:
        new_label += f" to {start + span}/{str(start + span + 1)[-2:]}"
    return plan.title.replace(old, new_label) if old in plan.title else f"{plan.title} ({new_label})"


def _roll_target(indicator: Indicator, from_year: int, to_year: int) -> None:
    if Target.objects.filter(indicator=indicator, financial_year_id=to_year).exists():
        return
    old = Target.objects.filter(indicator=indicator, financial_year_id=from_year).first()
    if old is None:
        return
    points = list(old.trajectory.all())
    old.pk = None
    old.financial_year_id = to_year
    old.note = f"Rolled forward from {from_year}/{str(from_year + 1)[-2:]}; review before approval."
    old.save()
    TrajectoryPoint.objects.bulk_create(
        TrajectoryPoint(target=old, period_number=p.period_number, value=p.value) for p in points
    )


@transaction.atomic
def approve_plan(*, plan: Plan, user: User, note: str = "") -> Plan:
    """A4: approve a draft plan (who, when, the minute), which locks the targets it holds (B4)."""
    updated = Plan.objects.filter(pk=plan.pk, status=PlanStatus.DRAFT).update(
        status=PlanStatus.APPROVED, approved_by=user, approved_at=timezone.now(), approval_note=note
    )
    if not updated:
        raise ValidationError(f"“{plan}” is not a draft, so it cannot be approved again.")
    plan.refresh_from_db()
    audit.record(user=user, action="approve", obj=plan, changes={"status": ["draft", "approved"]}, reason=note)
    lock_targets(plan=plan, user=user)
    return plan


def lock_targets(*, plan: Plan, user: User | None = None, backdate: bool = False) -> int:
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
    approver = plan.approved_by or user
    when = plan.approved_at or timezone.now()
    Target.objects.filter(pk__in=[t.pk for t in targets]).update(approved_at=when, approved_by=approver)
    audit.record_many(user=user or approver, action="approve", objects=targets, council=plan.council,
                      changes={"approved_at": [None, when.isoformat()]},
                      reason=f"Locked by the approval of “{plan}”.", at=when if backdate else None)
    return len(targets)


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
