"""Writes of the golden thread: action updates and their sign-off (C3's inputs).

Writes that also touch measures (approving a plan locks its targets, the yearly refresh rolls targets forward,
an approved update may ask for a recovery plan) build on these in ``indicators.plan_services``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from plans.access import can_sign_off_action, can_update_action
from plans.models import Action, ActionUpdate
from pmf import audit
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
