"""Writes of the golden thread."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from indicators.models import Indicator, Target, TrajectoryPoint
from plans.choices import PlanStatus
from plans.models import Action, Plan, PlanItem
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
    from django.utils import timezone

    from pmf import audit

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
    from django.utils import timezone

    from pmf import audit

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


# -- Action updates (C3 inputs), signed off like returns ---------------------------------------------------

ACTION_UPDATE_FIELDS = ["as_of", "progress_pct", "forecast_end", "completed_on", "no_longer_viable",
                        "no_longer_viable_reason", "commentary", "state", "returned_reason"]


@transaction.atomic
def save_action_update(*, user: User, action: Action, data: dict, version: int | None, submit: bool):
    """The owner's progress update: progress, forecast end date, completion, or no longer viable with a reason.
    ``version`` is the open update's version the owner loaded (None to start one)."""
    from django.core.exceptions import PermissionDenied
    from django.db import IntegrityError
    from django.db.models import F
    from django.utils import timezone

    from indicators.services import Conflict, Refused
    from plans.models import ActionUpdate
    from pmf import access, audit

    if not access.can_update_action(user, action):
        raise PermissionDenied("Only the action's owner or the performance unit updates it.")
    errors = {}
    if data.get("no_longer_viable") and not (data.get("no_longer_viable_reason") or "").strip():
        errors["no_longer_viable_reason"] = "Say why the action is no longer viable."
    if data.get("no_longer_viable") and data.get("completed_on"):
        errors["completed_on"] = "An action cannot be both completed and no longer viable."
    if data.get("completed_on") and data["completed_on"] > data["as_of"]:
        errors["completed_on"] = "The completion date cannot be after the date of the update."
    if data.get("forecast_end") and action.start and data["forecast_end"] < action.start:
        errors["forecast_end"] = f"The forecast end cannot be before the action starts ({action.start:%d %B %Y})."
    if errors:
        raise Refused(errors)
    fields = {k: data.get(k) for k in ("as_of", "progress_pct", "forecast_end", "completed_on", "commentary")}
    fields["progress_pct"] = 100 if data.get("completed_on") else (fields["progress_pct"] or 0)
    fields["commentary"] = (fields["commentary"] or "").strip()
    fields["no_longer_viable"] = bool(data.get("no_longer_viable"))
    fields["no_longer_viable_reason"] = (data.get("no_longer_viable_reason") or "").strip()
    now = timezone.now()
    fields["state"] = ActionUpdate.State.SUBMITTED if submit else ActionUpdate.State.DRAFT
    if submit:
        fields.update(submitted_by=user, submitted_at=now, returned_reason="")
    current = action.updates.filter(state__in=["draft", "submitted", "returned"]).first()
    if current is None:
        if version is not None:
            raise Conflict(None, "This update was approved or removed by someone else while you were editing it.")
        try:
            with transaction.atomic():
                update = ActionUpdate.objects.create(action=action, **fields)
        except IntegrityError:
            raise Conflict(action.updates.filter(state__in=["draft", "submitted", "returned"]).first()) from None
        audit.record(user=user, action="create", obj=update, council=action.council,
                     changes=audit.diff({}, audit.snapshot(update, ACTION_UPDATE_FIELDS)))
    else:
        before = audit.snapshot(current, ACTION_UPDATE_FIELDS)
        if not ActionUpdate.objects.filter(pk=current.pk, version=version).update(version=F("version") + 1,
                                                                                  **fields):
            raise Conflict(ActionUpdate.objects.get(pk=current.pk))
        update = ActionUpdate.objects.get(pk=current.pk)
        audit.record(user=user, action="update", obj=update, council=action.council,
                     changes=audit.diff(before, audit.snapshot(update, ACTION_UPDATE_FIELDS)))
    if submit:
        audit.record(user=user, action="submit", obj=update, council=action.council)
    return update


@transaction.atomic
def decide_action_update(*, user: User, update, version: int, approve: bool, reason: str = ""):
    """The director approves a submitted update, which becomes the action's own dates and progress (and asks
    for a recovery plan if the action has slipped more than 3 months, D4), or sends it back with a reason."""
    from datetime import timedelta

    from django.core.exceptions import PermissionDenied
    from django.db.models import F
    from django.utils import timezone

    from indicators.models import RecoveryPlan, RecoveryStatus
    from indicators.services import RECOVERY_DUE_DAYS, Conflict, Refused
    from plans.assessment import ActionStatus
    from plans.models import ActionUpdate
    from pmf import access, audit, clock

    action = update.action
    if not access.can_sign_off_action(user, action):
        raise PermissionDenied("Only the directorate's director or their delegate signs off action updates.")
    if not approve and not reason.strip():
        raise Refused({"reason": "Say why the update is being sent back."})
    fields = ({"state": "approved", "approved_by": user, "approved_at": timezone.now()} if approve
              else {"state": "returned", "returned_reason": reason.strip()})
    if not ActionUpdate.objects.filter(pk=update.pk, version=version, state="submitted").update(
            version=F("version") + 1, **fields):
        raise Conflict(ActionUpdate.objects.get(pk=update.pk), "Someone else acted on this update first.")
    update.refresh_from_db()
    audit.record(user=user, action="approve" if approve else "return", obj=update, council=action.council,
                 reason=reason.strip())
    if not approve:
        return update
    before = audit.snapshot(action, ["progress_pct", "forecast_end", "completed_on", "no_longer_viable"])
    Action.objects.filter(pk=action.pk).update(
        progress_pct=update.progress_pct, forecast_end=update.forecast_end or action.forecast_end,
        completed_on=update.completed_on, no_longer_viable=update.no_longer_viable,
        no_longer_viable_reason=update.no_longer_viable_reason, latest_update=update.commentary,
        version=F("version") + 1)
    action.refresh_from_db()
    audit.record(user=user, action="update", obj=action, reason=f"Approved update of {update.as_of:%d %B %Y}.",
                 changes=audit.diff(before, audit.snapshot(
                     action, ["progress_pct", "forecast_end", "completed_on", "no_longer_viable"])))
    status = action.status(clock.today())
    open_plan = RecoveryPlan.objects.filter(action=action).exclude(status=RecoveryStatus.CLOSED).first()
    if status == ActionStatus.SLIPPED_GT3 and open_plan is None and action.owner_id:
        plan = RecoveryPlan.objects.create(action=action, trigger="Slipped more than 3 months", owner=action.owner,
                                           due_on=clock.today() + timedelta(days=RECOVERY_DUE_DAYS))
        audit.record(user=user, action="create", obj=plan, council=action.council)
    elif open_plan is not None and status in (ActionStatus.DELIVERED, ActionStatus.ON_TARGET):
        from indicators.services import close_recovery_plan

        close_recovery_plan(plan=open_plan, user=user, note=f"Action back on track ({status.value}).")
    return update
