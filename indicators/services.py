"""Writes of the indicators app: returns and their sign-off (B5, B6, D1, D4), target re-approval (B4).

Every service runs in one transaction and writes its audit entry in it (E3). Concurrent edits never overwrite
each other silently: writes are conditional on the version the user saw, and a mismatch raises ``Conflict``
with the current object (the form then shows the current figures).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from indicators import assessment as rules
from indicators import quality, selectors
from indicators.access import can_enter_return, can_reopen, can_send_back, can_sign_off, can_verify
from indicators.choices import AWAITING_SIGN_OFF, Calculation, IndicatorKind, ReturnState, SelfAssessment
from indicators.models import (
    EntryReopening,
    Evidence,
    Indicator,
    RecoveryPlan,
    RecoveryStatus,
    Return,
    ReturnReopening,
    Target,
    TrajectoryPoint,
)
from pmf import access, audit, clock, uploads
from pmf.calendar import due_date
from pmf.choices import AuditAction, RecoveryScope
from pmf.errors import Conflict, Refused
from pmf.models import Period, User

RETURN_FIELDS = ["value", "numerator", "denominator", "forecast", "forecast_confidence", "commentary",
                 "self_assessed_rag", "no_data_reason", "is_estimate", "state", "returned_reason"]
EDITABLE_STATES = {ReturnState.DRAFT, ReturnState.RETURNED, ReturnState.SUBMITTED, ReturnState.VERIFIED}
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
# Evidence is checked by its content, not its name (pmf/uploads.py): the kinds the return entry form accepts.
EVIDENCE = uploads.Rules.of(["pdf", "png", "jpeg", "csv", "txt", "xlsx", "docx"], max_bytes=MAX_EVIDENCE_BYTES)


@dataclass
class Entry:
    """What the officer typed."""

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    forecast: Decimal | None = None
    forecast_confidence: str = ""
    commentary: str = ""
    no_data_reason: str = ""
    is_estimate: bool = False
    self_assessed_rag: str = ""  # a narrative measure's status, chosen by the officer (B1)


def return_due(indicator: Indicator, period: Period) -> date:
    """B2: due N working days after the period ends (England and Wales bank holidays)."""
    spec = indicator.current_spec
    return due_date(period.end, spec.due_working_days if spec else indicator.council.default_due_working_days)


def entry_closes(indicator: Indicator, period: Period) -> date:
    """D1: a period closes to entry a set number of days after its deadline."""
    return return_due(indicator, period) + timedelta(days=indicator.council.period_close_days)


def entry_open(indicator: Indicator, period: Period, *, today: date | None = None) -> bool:
    today = today or clock.today()
    if period.end >= today:
        return period.start <= today  # the current period can be entered once it has begun
    if today <= entry_closes(indicator, period):
        return True
    return EntryReopening.objects.filter(indicator=indicator, period=period, until__gte=today).exists()


def computed_value(indicator: Indicator, entry: Entry) -> Decimal | None:
    spec = indicator.current_spec
    if spec.calculation == Calculation.RATIO:
        if entry.numerator is None or entry.denominator in (None, 0):
            return None
        value = entry.numerator / entry.denominator * spec.multiplier
        if abs(value) > quality.MAX_FIGURE:
            return value  # too large to store, or to round: quality.check refuses it
        return rules.quantize(value, spec.decimal_places)
    return entry.value


@dataclass(frozen=True)
class Preview:
    value: Decimal | None
    assessment: selectors.PeriodAssessment
    problems: list[quality.Problem]

    @property
    def blocked(self) -> bool:
        """The figure itself is invalid: it would be refused even as a draft, so it gets no status."""
        return any(p.blocks_draft for p in self.problems)


def preview(*, indicator: Indicator, period: Period, entry: Entry, ret: Return | None = None,
            adding_evidence: bool = False) -> Preview:
    """The figure the entry gives, the RAG and direction it will get, and its B6 problems, before saving.
    ``adding_evidence``: a file comes with the entry (it counts as the evidence B6 may ask for)."""
    series = selectors.load_series(Indicator.objects.filter(pk=indicator.pk))[0]
    value = computed_value(indicator, entry)
    fits = value is None or abs(value) <= quality.MAX_FIGURE  # if not, quality.check says so; nothing to rate
    draft = Return(indicator=indicator, period=period, value=value if fits else None, numerator=entry.numerator,
                   denominator=entry.denominator, no_data_reason=entry.no_data_reason,
                   self_assessed_rag=entry.self_assessed_rag
                   if indicator.is_qualitative and entry.self_assessed_rag in SelfAssessment.values else "")
    series.returns[period.key] = draft
    series._cache.clear()
    assessed = selectors.assess(series, period.key)
    previous_key = rules.comparison_period(frequency=period.frequency, measure_type="snapshot",
                                           year_start=period.year_start, period_number=period.number)
    previous = series.returns.get(previous_key)
    run = 0
    key = period.key
    for _ in range(2):
        key = rules.comparison_period(frequency=period.frequency, measure_type="snapshot", year_start=key[0],
                                      period_number=key[1])
        if key not in series.returns or selectors.assess(series, key).rag not in (rules.Rag.AMBER, rules.Rag.RED):
            break
        run += 1
    spec = indicator.current_spec
    problems = quality.check(
        unit=spec.unit, calculation=spec.calculation, value=value, numerator=entry.numerator,
        denominator=entry.denominator, no_data_reason=entry.no_data_reason, commentary=entry.commentary,
        plausible_min=spec.plausible_min, plausible_max=spec.plausible_max,
        previous_value=previous.value if previous else None, change_threshold_pct=spec.change_threshold_pct,
        rag=assessed.rag, amber_red_run_before=run,
        has_evidence=adding_evidence or bool(ret and ret.pk and ret.evidence.exists()),
        decimal_places=spec.decimal_places, qualitative=indicator.is_qualitative,
        self_assessed_rag=entry.self_assessed_rag, forecast=entry.forecast,
    )
    return Preview(value=value, assessment=assessed, problems=problems)


def _refuse(problems: list[quality.Problem]) -> None:
    errors: dict[str, list[str]] = {}
    for p in problems:
        errors.setdefault(p.field, []).append(p.message)
    raise Refused(errors)


@transaction.atomic
def save_return(*, user: User, indicator: Indicator, period: Period, entry: Entry, version: int | None,
                submit: bool, today: date | None = None, evidence=None) -> Return:
    """Save the officer's return as a draft, or submit it for sign-off (B5, B6, D1), with an evidence file if
    one is given (``evidence``, an upload).

    ``version`` is the version the officer loaded (None for a new return). Nothing is saved, the figure included,
    when a rule is broken or the file is refused (``Refused`` names the fields) or someone else saved first
    (``Conflict``)."""
    if not can_enter_return(user, indicator):
        raise PermissionDenied("Only the indicator's performance lead or the performance unit enters its returns.")
    if period.frequency != indicator.current_spec.frequency:
        raise Refused({"period": f"{indicator.ref} reports {indicator.current_spec.get_frequency_display().lower()}, "
                                 f"not for {period.label}."})
    ret = Return.objects.filter(indicator=indicator, period=period).first()
    if ret is not None and ret.state not in EDITABLE_STATES:
        raise Conflict(ret, "This return has been approved and is locked. Ask for it to be reopened if it is wrong.")
    if ret is not None and version != ret.version:
        raise Conflict(ret)
    if ret is None and version is not None:
        raise Conflict(None, "This return was removed while you were editing it.")
    if not entry_open(indicator, period, today=today) and not access.can_configure(user, indicator.council_id):
        raise Refused({"period": f"{period.label} closed to entry on {entry_closes(indicator, period):%d %B %Y}. "
                                 "Ask the performance unit to reopen it for this indicator."})
    previous_state = ret.state if ret is not None else ReturnState.DRAFT
    result = preview(indicator=indicator, period=period, entry=entry, ret=ret, adding_evidence=evidence is not None)
    blocking = [p for p in result.problems if p.blocks_draft or submit]
    if blocking:
        _refuse(blocking)

    now = timezone.now()
    fields = {
        "value": result.value, "numerator": entry.numerator, "denominator": entry.denominator,
        "forecast": entry.forecast, "forecast_confidence": entry.forecast_confidence if entry.forecast else "",
        "commentary": entry.commentary.strip(), "no_data_reason": entry.no_data_reason.strip(),
        "self_assessed_rag": entry.self_assessed_rag,
        "is_estimate": entry.is_estimate, "due_on": return_due(indicator, period),
    }
    if submit:
        fields.update(state=ReturnState.SUBMITTED, submitted_by=user, submitted_at=now, returned_reason="")
    fields.update(verified_by=None, verified_at=None)  # a changed figure is verified again
    if ret is None:
        try:
            with transaction.atomic():
                ret = Return.objects.create(indicator=indicator, period=period,
                                            state=fields.pop("state", ReturnState.DRAFT), **fields)
        except IntegrityError:
            raise Conflict(Return.objects.filter(indicator=indicator, period=period).first()) from None
        audit.record(user=user, action="create", obj=ret, changes=audit.diff({}, audit.snapshot(ret, RETURN_FIELDS)))
    else:
        before = audit.snapshot(ret, RETURN_FIELDS)
        if not submit and ret.state in AWAITING_SIGN_OFF:
            fields["state"] = ReturnState.DRAFT  # saving a submitted return as a draft withdraws it
        updated = Return.objects.filter(pk=ret.pk, version=version).exclude(state=ReturnState.APPROVED).update(
            version=F("version") + 1, updated_at=now, **fields)
        if not updated:
            raise Conflict(Return.objects.get(pk=ret.pk))
        ret.refresh_from_db()
        audit.record(user=user, action="update", obj=ret,
                     changes=audit.diff(before, audit.snapshot(ret, RETURN_FIELDS)))
    if submit:
        audit.record(user=user, action="submit", obj=ret, changes={"state": [previous_state, "submitted"]})
    if evidence is not None:
        attach_evidence(user=user, ret=ret, upload=evidence)  # refused: the whole save is undone
    return ret


def _transition(*, user: User, ret: Return, version: int, source: set[str], action: str, reason: str = "",
                record_first: bool = False, **fields) -> Return:
    """Move a return between states, conditional on the version the user saw, with its audit entry. With
    ``record_first`` the entry is written before the change (the database requires that of a reopening)."""
    before = audit.snapshot(ret, RETURN_FIELDS)
    if record_first:
        preview = copy.copy(ret)
        for name, value in fields.items():
            setattr(preview, name, value)
        audit.record(user=user, action=action, obj=ret, reason=reason,
                     changes=audit.diff(before, audit.snapshot(preview, RETURN_FIELDS)))
    updated = Return.objects.filter(pk=ret.pk, version=version, state__in=source).update(
        version=F("version") + 1, updated_at=timezone.now(), **fields)
    if not updated:
        raise Conflict(Return.objects.get(pk=ret.pk), "Someone else acted on this return first; its current "
                                                       "state is shown.")
    ret.refresh_from_db()
    if not record_first:
        audit.record(user=user, action=action, obj=ret, reason=reason,
                     changes=audit.diff(before, audit.snapshot(ret, RETURN_FIELDS)))
    return ret


@dataclass
class BulkResult:
    approved: list[Return]
    conflicts: list[Return]


def ready_for_sign_off(ret: Return) -> bool:
    """Submitted, and verified by the head of service where the council asks for that."""
    if ret.indicator.council.verification_required:
        return ret.state == ReturnState.VERIFIED
    return ret.state == ReturnState.SUBMITTED


@transaction.atomic
def verify_return(*, user: User, ret: Return, version: int) -> Return:
    """E1: the head of service verifies a submitted return before the director signs it off, where the council
    asks for that step."""
    if not can_verify(user, ret.indicator):
        raise PermissionDenied("Only the head of the indicator's service verifies its returns, where the council "
                               "asks for verification.")
    return _transition(user=user, ret=ret, version=version, source={ReturnState.SUBMITTED}, action="verify",
                       state=ReturnState.VERIFIED, verified_by=user, verified_at=timezone.now())


@transaction.atomic
def verify_returns(*, user: User, items: list[tuple[Return, int]]) -> BulkResult:
    """Verify several submitted returns at once; any another user changed meanwhile is left, and reported."""
    result = BulkResult([], [])
    for ret, version in items:
        try:
            with transaction.atomic():
                result.approved.append(verify_return(user=user, ret=ret, version=version))
        except Conflict as conflict:
            result.conflicts.append(conflict.current)
    return result


@transaction.atomic
def approve_return(*, user: User, ret: Return, version: int) -> Return:
    """B5: the director or delegate approves a submitted return (verified first, where the council asks), which
    locks it. A red measure asks its owner for a recovery plan; a recovered one closes its open plan (D4)."""
    if not can_sign_off(user, ret.indicator):
        raise PermissionDenied("Only the directorate's director or their delegate signs off its returns.")
    source = {ReturnState.VERIFIED} if ret.indicator.council.verification_required else {ReturnState.SUBMITTED}
    if ret.state == ReturnState.SUBMITTED and ReturnState.SUBMITTED not in source:
        raise Refused({"state": f"{ret.indicator.ref} {ret.period.label} has not been verified by the head of "
                                "service yet: it can be signed off once it is."})
    ret = _transition(user=user, ret=ret, version=version, source=source, action="approve",
                      state=ReturnState.APPROVED, approved_by=user, approved_at=timezone.now())
    follow_up_recovery(indicator=ret.indicator, period=ret.period, user=user)
    return ret


@transaction.atomic
def approve_returns(*, user: User, items: list[tuple[Return, int]]) -> BulkResult:
    """Approve several submitted returns at once; any another user changed meanwhile is left, and reported."""
    result = BulkResult([], [])
    for ret, version in items:
        try:
            with transaction.atomic():
                result.approved.append(approve_return(user=user, ret=ret, version=version))
        except Conflict as conflict:
            result.conflicts.append(conflict.current)
    return result


@transaction.atomic
def send_back_return(*, user: User, ret: Return, version: int, reason: str) -> Return:
    """B5: return a submitted (or verified) figure to its lead with a reason; it reappears on their "my updates".
    The director or delegate, or the head of service who verifies it."""
    if not can_send_back(user, ret.indicator):
        raise PermissionDenied("Only the directorate's director or their delegate, or the head of service who "
                               "verifies its returns, sends one back.")
    if not reason.strip():
        raise Refused({"reason": "Say why the return is being sent back, so the lead knows what to fix."})
    return _transition(user=user, ret=ret, version=version, source=set(AWAITING_SIGN_OFF), action="return",
                       reason=reason.strip(), state=ReturnState.RETURNED, returned_reason=reason.strip(),
                       verified_by=None, verified_at=None)


@transaction.atomic
def reopen_return(*, user: User, ret: Return, version: int, reason: str) -> Return:
    """B5: reopening an approved return is a recorded act with a reason; it goes back to its lead."""
    if not can_reopen(user, ret.indicator):
        raise PermissionDenied("Only the performance unit or the directorate's sign-off can reopen a return.")
    if not reason.strip():
        raise Refused({"reason": "Say why the approved return is being reopened."})
    # The database lets an approved return change state only in a transaction that has recorded its reopening
    # and the audit entry first (pmf/integrity.py); a conflict below rolls both back.
    ReturnReopening.objects.create(ret=ret, return_version=version, reason=reason.strip(), by=user)
    return _transition(user=user, ret=ret, version=version, source={ReturnState.APPROVED}, action="reopen",
                       reason=reason.strip(), record_first=True, state=ReturnState.RETURNED,
                       returned_reason=f"Reopened: {reason.strip()}", approved_by=None, approved_at=None)


@transaction.atomic
def reopen_period(*, user: User, indicator: Indicator, period: Period, until: date, reason: str) -> EntryReopening:
    """D1: the performance unit reopens a closed period for one indicator, recorded with a reason."""
    if not access.can_configure(user, indicator.council_id):
        raise PermissionDenied("Only the performance unit reopens a closed period.")
    if not reason.strip():
        raise Refused({"reason": "Say why the period is being reopened."})
    if until < clock.today():
        raise Refused({"until": "The reopening must last until today or later."})
    reopening = EntryReopening.objects.create(indicator=indicator, period=period, until=until, reason=reason.strip(),
                                              by=user)
    audit.record(user=user, action="reopen", obj=reopening, reason=reason.strip(), council=indicator.council,
                 changes={"open_until": [None, until.isoformat()]})
    return reopening


@transaction.atomic
def attach_evidence(*, user: User, ret: Return, upload) -> Evidence:
    """B5: attach a file to a return, checked by its content (``pmf.uploads``: type, size, name, and what an
    Office file expands to) before anything is stored."""
    if not can_enter_return(user, ret.indicator):
        raise PermissionDenied("Only the indicator's performance lead or the performance unit attaches evidence.")
    if ret.state == ReturnState.APPROVED:
        raise Refused({"evidence": "The return is approved and locked: evidence can no longer be added."})
    try:
        checked = uploads.check(upload, EVIDENCE)  # by its content: type, name, size, what it expands to
    except ValidationError as refused:
        raise Refused({"evidence": refused.messages}) from None
    evidence = Evidence.objects.create(ret=ret, file=upload, original_name=checked.name[:200], size=checked.size,
                                       content_type=checked.content_type, uploaded_by=user)
    audit.record(user=user, action="upload", obj=evidence, council=ret.indicator.council,
                 changes={"file": [None, evidence.original_name]})
    return evidence


# -- Recovery plans (D4) ----------------------------------------------------------------------------------

RECOVERY_DUE_DAYS = 14


def follow_up_recovery(*, indicator: Indicator, period: Period, user: User | None) -> RecoveryPlan | None:
    """After a figure is approved: a red measure asks its owner for a recovery plan (a KPI, or every rated measure,
    as the council chooses); a green figure closes the indicator's open plan, tracked to closure."""
    if indicator.council.recovery_plans_for == RecoveryScope.KPIS and indicator.kind != IndicatorKind.KPI:
        return None
    if not indicator.is_rated:
        return None
    series = selectors.load_series(Indicator.objects.filter(pk=indicator.pk),
                                   states=selectors.APPROVED_ONLY)[0]
    status = selectors.assess(series, period.key).rag
    open_plan = RecoveryPlan.objects.filter(indicator=indicator).exclude(status=RecoveryStatus.CLOSED).first()
    if status == rules.Rag.RED and open_plan is None:
        spec = indicator.current_spec
        owner = spec.accountable_officer or spec.performance_lead or user
        plan = RecoveryPlan.objects.create(
            indicator=indicator, trigger=f"Red at {period.label}", period=period, owner=owner,
            due_on=clock.today() + timedelta(days=RECOVERY_DUE_DAYS),
        )
        audit.record(user=user, action="create", obj=plan, council=indicator.council,
                     reason=f"{indicator.ref} was red at {period.label}.")
        return plan
    if status == rules.Rag.GREEN and open_plan is not None:
        close_recovery_plan(plan=open_plan, user=user, note=f"Back on target at {period.label}.")
    return open_plan


@transaction.atomic
def provide_recovery_plan(*, user: User, plan: RecoveryPlan, version: int, causes: str, actions: str,
                          action_owner: str, expected_on_target: date) -> RecoveryPlan:
    subject = plan.indicator or plan.action
    if not (user.pk == plan.owner_id or user.is_superuser
            or access.can_configure(user, subject.council_id)):
        raise PermissionDenied("Only the plan's owner or the performance unit provides a recovery plan.")
    errors = {}
    if not causes.strip():
        errors["causes"] = "Say what caused the under-performance."
    if not actions.strip():
        errors["actions"] = "Say what will be done to recover."
    if expected_on_target is None:
        errors["expected_on_target"] = "Give the date performance is expected back on target."
    elif expected_on_target < clock.today():
        errors["expected_on_target"] = "The date expected back on target cannot be in the past."
    if errors:
        raise Refused(errors)
    before = audit.snapshot(plan, ["status", "causes", "actions", "action_owner", "expected_on_target"])
    updated = RecoveryPlan.objects.filter(pk=plan.pk, version=version).exclude(status=RecoveryStatus.CLOSED).update(
        version=F("version") + 1, status=RecoveryStatus.IN_PLACE, causes=causes.strip(), actions=actions.strip(),
        action_owner=action_owner.strip(), expected_on_target=expected_on_target, provided_at=timezone.now(),
        provided_by=user)
    if not updated:
        raise Conflict(RecoveryPlan.objects.get(pk=plan.pk))
    plan.refresh_from_db()
    audit.record(user=user, action="update", obj=plan, changes=audit.diff(before, audit.snapshot(
        plan, ["status", "causes", "actions", "action_owner", "expected_on_target"])))
    return plan


def close_recovery_plan(*, plan: RecoveryPlan, user: User | None, note: str) -> RecoveryPlan:
    RecoveryPlan.objects.filter(pk=plan.pk).update(status=RecoveryStatus.CLOSED, closed_at=timezone.now(),
                                                   closing_note=note, version=F("version") + 1)
    plan.refresh_from_db()
    audit.record(user=user, action="update", obj=plan, reason=note,
                 changes={"status": ["open", RecoveryStatus.CLOSED.value]})
    return plan


# -- Draft targets (B3) and target re-approval (B4) -------------------------------------------------------------

TARGET_FIELDS = ["annual_target", "band_low", "band_high", "baseline", "needs_baseline", "tolerance_pct",
                 "tolerance_abs", "note"]


def _check_figures(*, tolerance_pct, tolerance_abs, band_low, band_high) -> dict[str, str]:
    errors = {}
    if tolerance_pct is not None and tolerance_abs is not None:
        errors["tolerance_abs"] = "Give the tolerance as a percentage or an absolute amount, not both."
    if (tolerance_pct is not None and tolerance_pct < 0) or (tolerance_abs is not None and tolerance_abs < 0):
        errors["tolerance_pct"] = "The tolerance cannot be negative."
    if (band_low is None) != (band_high is None):
        errors["band_high" if band_high is None else "band_low"] = "A band needs both its low and high edge."
    elif band_low is not None and band_low > band_high:
        errors["band_high"] = "The band's high edge cannot be below its low edge."
    return errors


@transaction.atomic
def update_target(*, user: User, target: Target, version: int, figures: dict, trajectory: dict[int, Decimal]) -> Target:
    """B3: the performance unit sets a target that is not approved yet (next year's draft, after the yearly
    refresh): its figures, tolerance and trajectory. An approved target changes only by re-approval (B4)."""
    if not access.can_configure(user, target.indicator.council_id):
        raise PermissionDenied("Only the performance unit sets targets.")
    if target.approved_at is not None:
        raise Refused({"target": "This target is approved and locked: it changes only by a recorded re-approval."})
    errors = _check_figures(tolerance_pct=figures.get("tolerance_pct"), tolerance_abs=figures.get("tolerance_abs"),
                            band_low=figures.get("band_low"), band_high=figures.get("band_high"))
    if errors:
        raise Refused(errors)
    before = audit.snapshot(target, TARGET_FIELDS)
    before_points = {p.period_number: p.value for p in target.trajectory.all()}
    values = {name: figures.get(name) for name in TARGET_FIELDS if name in figures}
    values["note"] = (values.get("note") or "").strip()
    if not Target.objects.filter(pk=target.pk, version=version, approved_at__isnull=True).update(
            version=F("version") + 1, **values):
        raise Conflict(Target.objects.get(pk=target.pk), "Someone else changed or approved this target while you "
                                                         "were editing it: its current figures are shown.")
    TrajectoryPoint.objects.filter(target=target).delete()
    TrajectoryPoint.objects.bulk_create(TrajectoryPoint(target=target, period_number=n, value=v)
                                        for n, v in sorted(trajectory.items()))
    target.refresh_from_db()
    changes = audit.diff(before, audit.snapshot(target, TARGET_FIELDS))
    after_points = dict(sorted(trajectory.items()))
    if before_points != after_points:
        changes["trajectory"] = [{str(k): format(v.normalize(), "f") for k, v in sorted(before_points.items())},
                                 {str(k): format(v.normalize(), "f") for k, v in after_points.items()}]
    audit.record(user=user, action=AuditAction.UPDATE, obj=target, changes=changes)
    return target


# -- Target re-approval (B4) ------------------------------------------------------------------------------

@transaction.atomic
def reapprove_target(*, user: User, target: Target, reason: str, annual_target: Decimal | None,
                     tolerance_pct: Decimal | None, tolerance_abs: Decimal | None,
                     band_low: Decimal | None = None, band_high: Decimal | None = None,
                     trajectory: dict[int, Decimal] | None = None) -> Target:
    """B4: an approved target changes only by a recorded re-approval: a new revision (who, when, why) that
    replaces it, while the original is kept and reports show it beside the new one."""
    if not access.can_configure(user, target.indicator.council_id):
        raise PermissionDenied("Only the performance unit records a target re-approval.")
    if not reason.strip():
        raise Refused({"reason": "A re-approval records why the target changes."})
    if target.superseded_at is not None:
        raise Conflict(target, "This target has already been replaced by a later re-approval.")
    errors = _check_figures(tolerance_pct=tolerance_pct, tolerance_abs=tolerance_abs, band_low=band_low,
                            band_high=band_high)
    if target.approved_at is None:
        errors["target"] = "This target is not approved yet: change it directly, no re-approval is needed."
    if errors:
        raise Refused(errors)
    now = timezone.now()
    if not Target.objects.filter(pk=target.pk, superseded_at__isnull=True).update(superseded_at=now):
        raise Conflict(Target.objects.get(pk=target.pk))
    new = Target.objects.create(
        indicator=target.indicator, financial_year=target.financial_year, annual_target=annual_target,
        band_low=band_low, band_high=band_high, baseline=target.baseline, needs_baseline=target.needs_baseline,
        tolerance_pct=tolerance_pct, tolerance_abs=tolerance_abs, note=target.note, revision=target.revision + 1,
        revises=target, revision_reason=reason.strip(),
    )
    points = trajectory if trajectory is not None else {p.period_number: p.value for p in target.trajectory.all()}
    TrajectoryPoint.objects.bulk_create(TrajectoryPoint(target=new, period_number=n, value=v)
                                        for n, v in sorted(points.items()))
    Target.objects.filter(pk=new.pk).update(approved_at=now, approved_by=user)
    new.refresh_from_db()
    fields = ["annual_target", "band_low", "band_high", "tolerance_pct", "tolerance_abs"]
    audit.record(user=user, action="reapprove", obj=new, reason=reason.strip(),
                 changes=audit.diff(audit.snapshot(target, fields), audit.snapshot(new, fields)))
    return new


@transaction.atomic
def query_return(*, user: User, ret: Return, version: int, reason: str) -> Return:
    """B6: the performance unit queries a figure (or clears its query); the rating shows it as queried."""
    if not access.can_configure(user, ret.indicator.council_id):
        raise PermissionDenied("Only the performance unit queries a return's data quality.")
    if not reason.strip():
        raise Refused({"reason": "Say what is being queried, or why the query is cleared."})
    raising = not ret.is_queried
    before = audit.snapshot(ret, ["is_queried", "query_note"])
    if not Return.objects.filter(pk=ret.pk, version=version).update(
            is_queried=raising, query_note=reason.strip() if raising else "", version=F("version") + 1):
        raise Conflict(Return.objects.get(pk=ret.pk))
    ret.refresh_from_db()
    audit.record(user=user, action="update", obj=ret, reason=reason.strip(),
                 changes=audit.diff(before, audit.snapshot(ret, ["is_queried", "query_note"])))
    return ret
