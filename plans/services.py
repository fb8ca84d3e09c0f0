"""Writes of the golden thread: a plan's lifecycle (A4), action updates and their sign-off (C3's inputs).

Writes that also touch measures (approving a plan locks its targets, the yearly refresh rolls targets forward,
an approved update may ask for a recovery plan) build on these in ``indicators.plan_services``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from plans import approvals
from plans.access import can_decide, can_sign_off_action, can_update_action
from plans.choices import Decision, PlanStatus
from plans.models import Action, ActionUpdate, DecisionPoint, Plan, PlanApproval
from pmf import access, audit
from pmf.choices import AuditAction
from pmf.errors import Conflict, Refused
from pmf.models import User

# -- Action updates (C3 inputs), signed off like returns ---------------------------------------------------

ACTION_UPDATE_FIELDS = ["as_of", "progress_pct", "forecast_end", "completed_on", "no_longer_viable",
                        "no_longer_viable_reason", "commentary", "state", "returned_reason"]


@transaction.atomic
def save_action_update(*, user: User, action: Action, data: dict, version: int | None, submit: bool):
    """The owner's progress update: progress, forecast end date, completion, or no longer viable with a reason.
    ``version`` is the open update's version the owner loaded (None to start one)."""
    if not can_update_action(user, action):
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
def decide_action_update(*, user: User, update: ActionUpdate, version: int, approve: bool,
                         reason: str = "") -> ActionUpdate:
    """The director approves a submitted update, which becomes the action's own dates and progress, or sends it
    back with a reason. The recovery plan an approved update may call for (D4) is asked for by
    ``indicators.plan_services.sign_off_action_update``, which calls this: pages use that."""
    action = update.action
    if not can_sign_off_action(user, action):
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
    update.action = action  # the action as it now is, for whoever follows up the decision
    audit.record(user=user, action="update", obj=action, reason=f"Approved update of {update.as_of:%d %B %Y}.",
                 changes=audit.diff(before, audit.snapshot(
                     action, ["progress_pct", "forecast_end", "completed_on", "no_longer_viable"])))
    return update


# -- The plan's lifecycle (A4): draft -> submitted for approval -> approved -> active -> closed ---------------------
# Approving is ``indicators.plan_services.approve_plan``: it records the approval here (``record_approval``) and,
# when the plan is approved, locks its measures' targets in the same transaction.

PLAN_FIELDS = ["status", "submitted_at", "approved_at", "approval_note", "returned_reason"]


def can_submit_plan(user: User, plan: Plan) -> bool:
    """The plan's owner, the person whose objectives they are, or the performance unit."""
    return user.pk in (plan.owner_id, plan.person_id) or access.can_configure(user, plan.council_id)


def _move(*, plan: Plan, user: User, version: int, source: set[str], action: str, reason: str = "",
          **fields) -> Plan:
    before = audit.snapshot(plan, PLAN_FIELDS)
    if not Plan.objects.filter(pk=plan.pk, version=version, status__in=source).update(
            version=F("version") + 1, **fields):
        raise Conflict(Plan.objects.get(pk=plan.pk), "Someone else acted on this plan first: its current state is "
                                                     "shown.")
    plan.refresh_from_db()
    audit.record(user=user, action=action, obj=plan, reason=reason,
                 changes=audit.diff(before, audit.snapshot(plan, PLAN_FIELDS)))
    return plan


@transaction.atomic
def submit_plan(*, plan: Plan, user: User, version: int) -> Plan:
    """Send a draft plan to its approvers."""
    if not can_submit_plan(user, plan):
        raise PermissionDenied("Only the plan's owner or the performance unit submits it for approval.")
    if plan.status != PlanStatus.DRAFT:
        raise Refused({"status": f"“{plan}” is {plan.get_status_display().lower()}: only a draft is submitted."})
    return _move(plan=plan, user=user, version=version, source={PlanStatus.DRAFT}, action=AuditAction.SUBMIT,
                 status=PlanStatus.SUBMITTED, submitted_by=user, submitted_at=timezone.now(),
                 submissions=F("submissions") + 1, returned_reason="")


@transaction.atomic
def send_back_plan(*, plan: Plan, user: User, version: int, reason: str) -> Plan:
    """An approver (or the performance unit) returns a submitted plan to draft, with the reason."""
    who = approvals.Approvers(user)
    if not (who.kinds(plan) or access.can_configure(user, plan.council_id)):
        raise PermissionDenied("Only the plan's approvers or the performance unit send it back.")
    if not reason.strip():
        raise Refused({"reason": "Say why the plan is sent back, so its owner knows what to change."})
    return _move(plan=plan, user=user, version=version, source={PlanStatus.SUBMITTED}, action=AuditAction.RETURN,
                 reason=reason.strip(), status=PlanStatus.DRAFT, returned_reason=reason.strip())


def record_approval(*, plan: Plan, user: User, approver: str, reference: str, note: str) -> bool:
    """Record one approver's approval of the plan's latest submission (inside the caller's transaction). True when
    the plan now has every approval it needs. Refused if the person may not approve as ``approver`` now, or the
    level asks for the decision or minute reference and none is given."""
    if approver not in approvals.Approvers(user).kinds(plan):
        raise PermissionDenied("You are not an approver this plan is waiting for.")
    if plan.level.decision_needed and not reference.strip():
        raise Refused({"reference": f"Record the decision or minute reference: a {plan.level.name.lower()} is "
                                    "approved by a recorded decision (for example Cabinet, 12 March 2026, minute 40)."})
    try:
        with transaction.atomic():
            approval = PlanApproval.objects.create(
                plan=plan, submission=plan.submissions, approver=approver, approved_by=user,
                approved_at=timezone.now(), reference=reference.strip(), note=note.strip())
    except IntegrityError:
        raise Conflict(plan, "Someone else recorded that approval first.") from None
    audit.record(user=user, action=AuditAction.APPROVE, obj=approval, council=plan.council,
                 reason=reference.strip(), changes={"approver": [None, approval.get_approver_display()]})
    return not approvals.pending(plan)


def mark_approved(*, plan: Plan, user: User, version: int, reference: str) -> Plan:
    """The plan has every approval it needs: it is approved (inside the caller's transaction)."""
    return _move(plan=plan, user=user, version=version, source={PlanStatus.SUBMITTED}, action=AuditAction.APPROVE,
                 reason=reference, status=PlanStatus.APPROVED, approved_by=user, approved_at=timezone.now(),
                 approval_note=reference[:300])


@transaction.atomic
def activate_plan(*, plan: Plan, user: User, version: int) -> Plan:
    """The performance unit puts an approved plan into force."""
    if not access.can_configure(user, plan.council_id):
        raise PermissionDenied("Only the performance unit makes a plan active or closes it.")
    return _move(plan=plan, user=user, version=version, source={PlanStatus.APPROVED}, action=AuditAction.UPDATE,
                 status=PlanStatus.ACTIVE)


@transaction.atomic
def close_plan(*, plan: Plan, user: User, version: int, reason: str = "") -> Plan:
    """The performance unit closes a plan whose years are over (or that is replaced)."""
    if not access.can_configure(user, plan.council_id):
        raise PermissionDenied("Only the performance unit makes a plan active or closes it.")
    return _move(plan=plan, user=user, version=version, source={PlanStatus.APPROVED, PlanStatus.ACTIVE},
                 action=AuditAction.UPDATE, reason=reason, status=PlanStatus.CLOSED)


# -- A programme's decision points (A6): the owning board records stop, continue or change -------------------------

DECISION_FIELDS = ["decision", "reason", "decided_by", "decided_on"]
#: The decisions a board records through the form (pause stays for decisions recorded before).
BOARD_DECISIONS = [Decision.CONTINUE, Decision.CONTINUE_WITH_CHANGES, Decision.STOP]


@transaction.atomic
def record_decision(*, user: User, point: DecisionPoint, decision: str, reason: str, version: int | None,
                    today) -> DecisionPoint:
    """A member of the board that owns the programme records the decision at a decision point, with the reason.
    ``version`` is the decision point's version the member loaded: a decision someone else recorded meanwhile
    is not overwritten."""
    programme = point.project.programme
    if not can_decide(user, programme):
        raise PermissionDenied("Only members of the board that owns the programme record its decisions.")
    errors = {}
    if decision not in BOARD_DECISIONS:
        errors["decision"] = "Decision: choose stop, continue, or continue with changes."
    if not (reason or "").strip():
        errors["reason"] = "Reason: say why the board decided this."
    if errors:
        raise Refused(errors)
    before = audit.snapshot(point, DECISION_FIELDS)
    if not DecisionPoint.objects.filter(pk=point.pk, version=version).update(
            version=F("version") + 1, decision=decision, reason=reason.strip(), decided_by=user, decided_on=today):
        raise Conflict(DecisionPoint.objects.get(pk=point.pk),
                       "Someone else recorded a decision here while you were deciding. The decision as it now "
                       "stands is shown: check it, then record yours again if it still needs changing.")
    point.refresh_from_db()
    audit.record(user=user, action="update", obj=point, council=programme.council, reason=reason.strip(),
                 changes=audit.diff(before, audit.snapshot(point, DECISION_FIELDS)))
    return point
