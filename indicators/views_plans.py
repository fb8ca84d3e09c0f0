"""A plan's approval (A4, B4) and the yearly refresh (A4, F1): pages that span a plan and its measures' targets.

The approval page shows who approves the plan, what has been approved so far, and every target of its measures for
its years, marked locked or not, with the targets its approval will lock listed before anyone approves. The owner
(or the performance unit) submits it; each approver it waits for approves it, recording the decision where its level
asks; an approver can send it back to draft with a reason; the performance unit makes an approved plan active and
closes it. A plan in force that runs on (a four-year Council Plan) has next year's targets approved here too.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from indicators.plan_services import approve_plan, approve_targets, plan_targets, refresh_year
from plans import approvals
from plans import services as plan_services
from plans.choices import CURRENT_PLAN_STATUSES, Approver, PlanStatus
from plans.models import Plan
from pmf import access, clock
from pmf.errors import Conflict, Refused
from pmf.forms import VersionField, show_refusal
from pmf.models import Council
from pmf.pagination import int_param
from pmf.periods import financial_year_label, period_for_date


class ApproveForm(forms.Form):
    approver = forms.ChoiceField(label="Approving as", choices=Approver.choices)
    reference = forms.CharField(label="Decision or minute reference", max_length=300, required=False,
                                help_text="For example: Cabinet, 12 March 2026, minute 40.")
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    targets_reviewed = forms.BooleanField(label="I have reviewed the targets listed, which this approval locks",
                                          required=False)
    version = VersionField()

    def __init__(self, data=None, *, kinds: list[str], needs_reference: bool, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["approver"].choices = [(k, Approver(k).label) for k in kinds]
        if len(kinds) == 1:
            self.fields["approver"].widget = forms.HiddenInput()
            self.fields["approver"].initial = kinds[0]
        if needs_reference:
            self.fields["reference"].required = True
            self.fields["reference"].error_messages["required"] = (
                "Record the decision or minute reference: plans at this level are approved by a recorded decision.")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Why it goes back to draft", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    version = VersionField()


def _plan(request: HttpRequest, pk: int):
    return get_object_or_404(access.restrict(approvals.plan_queryset(), request.user), pk=pk)


def _context(request: HttpRequest, plan, **forms_given) -> dict:
    user = request.user
    who = approvals.Approvers(user)
    current = approvals.approvals_of(plan)
    kinds = who.kinds(plan, current)
    targets = list(plan_targets(plan))
    unlocked = [t for t in targets if not t.is_locked]
    configure = access.can_configure(user, plan.council_id)
    # the approvers of a plan in force may approve its measures' targets not yet approved (next year's, say)
    target_kinds = [k for k in approvals.approvers_of(plan) if who.can(plan, k)] \
        if plan.status in CURRENT_PLAN_STATUSES and unlocked else []
    needs_reference = plan.level.decision_needed
    return {
        "nav": "plans", "plan": plan, "level": plan.level,
        "approvers": [Approver(k).label for k in approvals.approvers_of(plan)],
        "all_needed": plan.level.all_approvers_needed, "needs_reference": needs_reference,
        "history": list(plan.approvals.select_related("approved_by").order_by("submission", "approved_at")),
        "current": current, "pending": [Approver(k).label for k in approvals.pending(plan, current)],
        "targets": targets, "unlocked": unlocked, "can_configure": configure,
        "can_submit": plan.status == PlanStatus.DRAFT and plan_services.can_submit_plan(user, plan),
        "approve_form": forms_given.get("approve_form") or (ApproveForm(
            kinds=kinds, needs_reference=needs_reference, initial={"version": plan.version}) if kinds else None),
        "targets_form": forms_given.get("targets_form") or (ApproveForm(
            kinds=target_kinds, needs_reference=needs_reference, initial={"version": plan.version},
            prefix="targets") if target_kinds else None),
        "send_back_form": forms_given.get("send_back_form") or (
            ReasonForm(initial={"version": plan.version}) if plan.status == PlanStatus.SUBMITTED
            and (kinds or configure) else None),
        "can_activate": configure and plan.status == PlanStatus.APPROVED,
        "can_close": configure and plan.status in CURRENT_PLAN_STATUSES,
        "edit_next": request.get_full_path(),
    }


@login_required
def plan_approval(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if request.method != "POST":
        return render(request, "indicators/plan_approval.html", _context(request, plan))
    action = request.POST.get("action", "")
    version = int_param(request.POST.get("version", "")) or 0
    given: dict = {}
    try:
        if action == "submit":
            plan_services.submit_plan(plan=plan, user=request.user, version=version)
            messages.success(request, f"“{plan}” is submitted for approval.")
        elif action == "approve":
            kinds = approvals.Approvers(request.user).kinds(plan)
            if not kinds:
                raise PermissionDenied("This plan is not waiting for your approval.")
            form = given["approve_form"] = ApproveForm(request.POST, kinds=kinds,
                                                       needs_reference=plan.level.decision_needed)
            if not form.is_valid():
                return render(request, "indicators/plan_approval.html", _context(request, plan, **given), status=400)
            d = form.cleaned_data
            approved = approve_plan(plan=plan, user=request.user, approver=d["approver"], version=d["version"],
                                    reference=d["reference"], note=d["note"], targets_reviewed=d["targets_reviewed"])
            if approved.status == PlanStatus.APPROVED:
                messages.success(request, f"“{plan}” is approved; its measures' targets for "
                                          f"{plan.years_label} are locked.")
            else:
                messages.success(request, "Your approval is recorded; the plan waits for: "
                                          + ", ".join(Approver(k).label for k in approvals.pending(approved)) + ".")
        elif action == "approve_targets":
            kinds = [k for k in approvals.approvers_of(plan) if approvals.Approvers(request.user).can(plan, k)]
            if not kinds:
                raise PermissionDenied("Only the plan's approvers approve its targets.")
            form = given["targets_form"] = ApproveForm(request.POST, kinds=kinds, prefix="targets",
                                                       needs_reference=plan.level.decision_needed)
            if not form.is_valid():
                return render(request, "indicators/plan_approval.html", _context(request, plan, **given), status=400)
            d = form.cleaned_data
            n = approve_targets(plan=plan, user=request.user, approver=d["approver"], reference=d["reference"],
                                targets_reviewed=d["targets_reviewed"])
            messages.success(request, f"{n} target{'s' if n != 1 else ''} approved and locked.")
        elif action == "send_back":
            form = given["send_back_form"] = ReasonForm(request.POST)
            if not form.is_valid():
                return render(request, "indicators/plan_approval.html", _context(request, plan, **given), status=400)
            plan_services.send_back_plan(plan=plan, user=request.user, version=form.cleaned_data["version"],
                                         reason=form.cleaned_data["reason"])
            messages.success(request, f"“{plan}” is back in draft, with your reason.")
        elif action == "activate":
            plan_services.activate_plan(plan=plan, user=request.user, version=version)
            messages.success(request, f"“{plan}” is active.")
        elif action == "close":
            plan_services.close_plan(plan=plan, user=request.user, version=version)
            messages.success(request, f"“{plan}” is closed.")
        else:
            messages.error(request, "Choose what to do with the plan.")
            return render(request, "indicators/plan_approval.html", _context(request, plan), status=400)
    except Refused as refused:
        form = next(iter(given.values()), None)
        if form is None:
            for message in refused.messages:
                messages.error(request, message)
            return render(request, "indicators/plan_approval.html", _context(request, plan), status=400)
        show_refusal(form, refused)
        return render(request, "indicators/plan_approval.html", _context(request, plan, **given), status=400)
    except Conflict as conflict:
        messages.error(request, conflict.args[0])
        plan = _plan(request, pk)
        return render(request, "indicators/plan_approval.html", _context(request, plan), status=409)
    return redirect("plans:approval", pk=plan.pk)


# -- The yearly refresh ----------------------------------------------------------------------------------------------

def _refresh_council(request: HttpRequest) -> Council:
    councils = [pk for pk in access.council_ids_for(request.user) if access.can_configure(request.user, pk)]
    if not councils:
        raise PermissionDenied("Only the performance unit refreshes the council's plans.")
    chosen = int_param(request.GET.get("council", "") or request.POST.get("council", ""))
    return get_object_or_404(Council, pk=chosen if chosen in councils else councils[0])


@login_required
def refresh(request: HttpRequest) -> HttpResponse:
    """GET: what the refresh of the plans ending in a year would do (a dry run). POST (confirmed): do it."""
    council = _refresh_council(request)
    this_year = period_for_date(frequency="annual", on=clock.today())[0]
    year = int_param(request.POST.get("year", "") or request.GET.get("year", ""), maximum=2100)
    if year is None or not 2000 <= year <= 2099:
        year = this_year
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "Confirm the refresh: tick the box that says what it creates.")
            report = refresh_year(council=council, year=year, user=request.user, dry_run=True)
            return render(request, "indicators/refresh.html", {"nav": "plans", "report": report, "council": council,
                                                               "years": access_years(council)}, status=400)
        report = refresh_year(council=council, year=year, user=request.user)
        messages.success(request, f"Refreshed {report.label}: {len(report.refreshed)} new draft plans and "
                                  f"{len(report.targets)} draft targets for {financial_year_label(year + 1)}.")
        return render(request, "indicators/refresh.html", {"nav": "plans", "report": report, "council": council,
                                                           "done": True, "years": access_years(council)})
    report = refresh_year(council=council, year=year, user=request.user, dry_run=True)
    return render(request, "indicators/refresh.html", {"nav": "plans", "report": report, "council": council,
                                                       "years": access_years(council)})


def access_years(council: Council) -> list[int]:
    """The financial years in which the council's plans in force end, latest first."""
    return sorted(set(Plan.objects.filter(council=council, status__in=CURRENT_PLAN_STATUSES)
                      .values_list("end_year_id", flat=True)), reverse=True)
