"""Return entry, preview, evidence, sign-off, reopening and recovery plans (B4-B6, D1, D4, E2)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from indicators import selectors, services
from indicators.access import can_enter_return, can_reopen, can_send_back, can_sign_off
from indicators.choices import AWAITING_SIGN_OFF, ReturnState
from indicators.forms import RecoveryPlanForm, ReturnForm
from indicators.models import Evidence, Indicator, RecoveryPlan, Return
from indicators.plan_services import sign_off_action_update
from plans.access import can_sign_off_action
from plans.models import ActionUpdate
from pmf import access
from pmf.downloads import file_download
from pmf.forms import ReasonForm, show_refusal
from pmf.models import Period
from pmf.pagination import int_param


def _indicator(request: HttpRequest, pk: int) -> Indicator:
    return get_object_or_404(
        access.restrict(Indicator.objects.all(), request.user).select_related(
            "council", "current_spec", "service__directorate"),
        pk=pk,
    )


def _context(indicator: Indicator, period: Period, ret: Return | None) -> dict:
    """What the officer sees beside the form: target, tolerance, the last periods with their RAG."""
    series = selectors.load_series(Indicator.objects.filter(pk=indicator.pk))[0]
    history = [a for a in selectors.assess_all(series) if a.key < period.key][-6:]
    target = series.targets.get(period.year_start)
    return {
        "indicator": indicator, "spec": indicator.current_spec, "period": period, "ret": ret,
        "target": target, "point_target": selectors.target_at(target, period.number),
        "history": history, "due": services.return_due(indicator, period),
        "closes": services.entry_closes(indicator, period),
        "evidence": list(ret.evidence.all()) if ret and ret.pk else [],
        "default_tolerance": indicator.council.default_tolerance_pct,
    }


@login_required
def enter_return(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    """The monthly return: enter, check, save as a draft or submit for sign-off."""
    indicator = _indicator(request, pk)
    period = get_object_or_404(Period, pk=period_pk, frequency=indicator.current_spec.frequency)
    ret = Return.objects.filter(indicator=indicator, period=period).first()
    editable = can_enter_return(request.user, indicator)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("You may read this return but not enter it.")
        form = ReturnForm(request.POST, request.FILES, indicator=indicator, ret=ret)
        if form.is_valid():
            submit = "submit" in request.POST
            try:
                services.save_return(user=request.user, indicator=indicator, period=period, entry=form.entry(),
                                     version=form.cleaned_data.get("version"), submit=submit,
                                     evidence=form.cleaned_data.get("evidence") or None)
            except services.Refused as refused:
                show_refusal(form, refused)
            except services.Conflict as conflict:
                messages.error(request, conflict.args[0])
                current = conflict.current
                form = ReturnForm(indicator=indicator, ret=current)
                return render(request, "indicators/return_form.html", {
                    **_context(indicator, period, current), "form": form, "editable": editable,
                    "conflict": True}, status=409)
            else:
                verb = "submitted for sign-off" if submit else "saved as a draft"
                messages.success(request, f"{indicator.ref} {period.label} {verb}.")
                return redirect("home") if submit else redirect(request.path)
    else:
        form = ReturnForm(indicator=indicator, ret=ret)
    status = 200 if request.method == "GET" or not form.errors else 400
    return render(request, "indicators/return_form.html", {
        **_context(indicator, period, ret), "form": form, "editable": editable}, status=status)


@login_required
@require_POST
def preview_return(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    """htmx: the value the entry gives and the RAG it will get, and any data-quality problems, live."""
    indicator = _indicator(request, pk)
    period = get_object_or_404(Period, pk=period_pk, frequency=indicator.current_spec.frequency)
    ret = Return.objects.filter(indicator=indicator, period=period).first()
    form = ReturnForm(request.POST, indicator=indicator, ret=ret)
    form.is_valid()  # the preview shows what it can from whatever parses
    entry = form.entry() if hasattr(form, "cleaned_data") else services.Entry()
    result = services.preview(indicator=indicator, period=period, entry=entry, ret=ret)
    return render(request, "indicators/_return_preview.html", {
        "preview": result, "spec": indicator.current_spec, "form_errors": form.errors})


@login_required
def download_evidence(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(access.restrict(Evidence.objects.all(), request.user), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is no longer in storage.") from None
    return file_download(handle, filename=evidence.original_name, content_type=evidence.content_type)


# -- Sign-off ---------------------------------------------------------------------------------------------

def _selected(request: HttpRequest, returns) -> list[tuple[Return, int]]:
    """The returns ticked (or the one button pressed), each with the version the user saw; others are ignored."""
    items = []
    by_pk = {r.pk: r for r in returns}
    for raw in request.POST.getlist("approve"):
        pk_text, _, version_text = raw.partition(":")
        ret = by_pk.get(int_param(pk_text))
        version = int_param(version_text)
        if ret is not None and version is not None:
            items.append((ret, version))
    return items


def _queue_rows(returns) -> list[tuple[Return, selectors.PeriodAssessment, bool]]:
    """Each return with the RAG its figure gets, and whether it can be acted on now (ready for sign-off)."""
    series_by_ind = {s.indicator.pk: s for s in selectors.load_series(
        Indicator.objects.filter(pk__in={r.indicator_id for r in returns}))}
    return [(ret, selectors.assess(series_by_ind[ret.indicator_id], ret.period.key), services.ready_for_sign_off(ret))
            for ret in returns.order_by("indicator__ref", "period__start")]


def _report(request: HttpRequest, result: services.BulkResult, done: str) -> None:
    if result.approved:
        n = len(result.approved)
        messages.success(request, f"{done.capitalize()} {n} return{'s' if n != 1 else ''}: "
                                  + ", ".join(f"{r.indicator.ref} {r.period.label}" for r in result.approved))
    for r in result.conflicts:
        messages.error(request, f"{r.indicator.ref} {r.period.label} was changed by someone else "
                                f"({r.get_state_display().lower()} now) and was not {done}: check it again.")


@login_required
def sign_off(request: HttpRequest) -> HttpResponse:
    """The director's (or delegate's) queue: submitted returns of their directorates, to approve one by one or
    in bulk, or send back with a reason. Where the council asks heads of service to verify returns first, those
    not verified yet are listed as waiting for it."""
    scope = access.scope_for(request.user)
    if not (scope.sign_off or request.user.is_superuser):
        raise PermissionDenied("Only directors and their delegates sign off returns.")
    submitted = access.restrict(Return.objects.filter(state__in=AWAITING_SIGN_OFF), request.user)
    if not request.user.is_superuser:
        submitted = submitted.filter(indicator__service__directorate__in=scope.sign_off)
    submitted = submitted.select_related("indicator__current_spec", "indicator__service", "indicator__council",
                                         "period", "submitted_by", "verified_by")

    if request.method == "POST":
        items = [(ret, v) for ret, v in _selected(request, submitted) if services.ready_for_sign_off(ret)]
        if not items:
            messages.error(request, "Select at least one return to approve.")
        else:
            _report(request, services.approve_returns(user=request.user, items=items), "approved")
        return redirect("indicators:sign_off")

    updates = access.restrict(ActionUpdate.objects.filter(state="submitted"), request.user)
    if not request.user.is_superuser:
        updates = updates.filter(action__service__directorate__in=scope.sign_off)
    updates = updates.select_related("action__council", "submitted_by").order_by("action__ref")
    return render(request, "indicators/sign_off.html", {
        "nav": "sign_off", "rows": _queue_rows(submitted), "updates": updates, "verifying": False,
        "heading": "Returns awaiting your sign-off", "act": "Approve"})


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The head of service's queue, where the council asks for verification (E1): submitted returns of their
    services, to verify one by one or in bulk (they then go to the director), or send back with a reason."""
    scope = access.scope_for(request.user)
    if not (scope.verifies or request.user.is_superuser):
        raise PermissionDenied("Only heads of service verify returns.")
    submitted = access.restrict(Return.objects.filter(state=ReturnState.SUBMITTED,
                                                      indicator__council__verification_required=True), request.user)
    if not request.user.is_superuser:
        submitted = submitted.filter(indicator__service__in=scope.verifies)
    submitted = submitted.select_related("indicator__current_spec", "indicator__service", "indicator__council",
                                         "period", "submitted_by", "verified_by")
    if request.method == "POST":
        items = _selected(request, submitted)
        if not items:
            messages.error(request, "Select at least one return to verify.")
        else:
            _report(request, services.verify_returns(user=request.user, items=items), "verified")
        return redirect("indicators:verify")
    rows = [(ret, a, True) for ret, a, _ready in _queue_rows(submitted)]
    return render(request, "indicators/sign_off.html", {
        "nav": "verify", "rows": rows, "updates": None, "verifying": True,
        "heading": "Returns awaiting your verification", "act": "Verify"})


@login_required
def decide_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a submitted action update (POST decision=approve) or send it back with a reason; it is in the
    director's sign-off queue beside the returns."""
    update = get_object_or_404(access.restrict(ActionUpdate.objects.all(), request.user)
                               .select_related("action__service", "action__council"), pk=pk)
    if not can_sign_off_action(request.user, update.action):
        raise PermissionDenied("Only the directorate's director or their delegate signs off action updates.")
    form = ReasonForm(request.POST or None, initial={"version": update.version})
    status = 200
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        version = int_param(request.POST.get("version", ""))
        valid = form.is_valid()
        # Approving needs no reason, but one given goes into the audit trail: it must pass the form's checks.
        reason_refused = "reason" in form.errors and request.POST.get("reason", "").strip()
        if (approve and not reason_refused) or valid:
            try:
                sign_off_action_update(user=request.user, update=update, version=-1 if version is None else version,
                                       approve=approve, reason=form.cleaned_data.get("reason", ""))
            except services.Refused as refused:
                show_refusal(form, refused)
            except services.Conflict as conflict:
                messages.error(request, conflict.args[0])
                return redirect("indicators:sign_off")
            else:
                messages.success(request, f"{update.action.ref} update " + ("approved." if approve else "sent back."))
                return redirect("indicators:sign_off")
        status = 400
    return render(request, "indicators/decide_update.html", {"update": update, "form": form}, status=status)


def _return_for_action(request: HttpRequest, pk: int) -> Return:
    return get_object_or_404(
        access.restrict(Return.objects.all(), request.user).select_related(
            "indicator__council", "indicator__current_spec", "indicator__service", "period"), pk=pk)


@login_required
def send_back(request: HttpRequest, pk: int) -> HttpResponse:
    ret = _return_for_action(request, pk)
    if not can_send_back(request.user, ret.indicator):
        raise PermissionDenied("Only the directorate's director or their delegate, or the head of service who "
                               "verifies its returns, sends one back.")
    back = "indicators:sign_off" if can_sign_off(request.user, ret.indicator) else "indicators:verify"
    return _reason_page(request, ret, action=services.send_back_return, title="Send back to the lead",
                        done="sent back to its lead", redirect_to=reverse(back))


@login_required
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    ret = _return_for_action(request, pk)
    if not can_reopen(request.user, ret.indicator):
        raise PermissionDenied("Only the performance unit or the directorate's sign-off can reopen a return.")
    return _reason_page(request, ret, action=services.reopen_return, title="Reopen an approved return",
                        done="reopened and sent back to its lead", redirect_to=ret.indicator.get_absolute_url())


@login_required
def query(request: HttpRequest, pk: int) -> HttpResponse:
    ret = _return_for_action(request, pk)
    if not access.can_configure(request.user, ret.indicator.council_id):
        raise PermissionDenied("Only the performance unit queries a return's data quality.")
    title = "Clear the data-quality query" if ret.is_queried else "Query this figure's data quality"
    return _reason_page(request, ret, action=services.query_return, title=title,
                        done="query cleared" if ret.is_queried else "queried",
                        redirect_to=ret.indicator.get_absolute_url())


def _reason_page(request, ret, *, action, title, done, redirect_to) -> HttpResponse:
    form = ReasonForm(request.POST or None, initial={"version": ret.version})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                action(user=request.user, ret=ret, version=form.cleaned_data["version"],
                       reason=form.cleaned_data["reason"])
            except services.Refused as refused:
                show_refusal(form, refused)
            except services.Conflict as conflict:
                messages.error(request, conflict.args[0])
                ret.refresh_from_db()
                form = ReasonForm(initial={"version": ret.version, "reason": request.POST.get("reason", "")})
                status = 409
            else:
                messages.success(request, f"{ret.indicator.ref} {ret.period.label} {done}.")
                return redirect(redirect_to)
        status = 400 if status == 200 else status
    return render(request, "indicators/reason_form.html", {"ret": ret, "form": form, "title": title},
                  status=status)


# -- Recovery plans (D4) ----------------------------------------------------------------------------------

@login_required
def recovery_plan(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(
        access.restrict(RecoveryPlan.objects.all(), request.user).select_related(
            "indicator__council", "action__council", "owner", "period", "provided_by"), pk=pk)
    subject = plan.indicator or plan.action
    may_edit = plan.status != "closed" and (
        request.user.pk == plan.owner_id or request.user.is_superuser
        or access.can_configure(request.user, subject.council_id))
    initial = {"causes": plan.causes, "actions": plan.actions, "action_owner": plan.action_owner,
               "expected_on_target": plan.expected_on_target, "version": plan.version}
    form = RecoveryPlanForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("Only the plan's owner or the performance unit provides a recovery plan.")
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.provide_recovery_plan(user=request.user, plan=plan, version=d["version"], causes=d["causes"],
                                               actions=d["actions"], action_owner=d["action_owner"],
                                               expected_on_target=d["expected_on_target"])
            except services.Refused as refused:
                show_refusal(form, refused)
            except services.Conflict as conflict:
                messages.error(request, conflict.args[0])
                status = 409
            else:
                messages.success(request, "Recovery plan recorded.")
                return redirect(request.path)
        status = 400 if status == 200 else status
    return render(request, "indicators/recovery_plan.html",
                  {"plan": plan, "subject": subject, "form": form, "may_edit": may_edit}, status=status)
