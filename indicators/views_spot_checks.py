"""Internal audit's spot checks (E1, W 3.5): draw a reproducible sample of a quarter's approved returns, record for
each whether the evidence supports the figure, and download the sample with its outcomes. The performance unit
reads them too."""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from indicators import spot_checks
from indicators.models import SpotCheck, SpotCheckItem, SpotCheckOutcome
from pmf import access, clock
from pmf.downloads import content_download
from pmf.errors import Conflict, Refused
from pmf.forms import VersionField, show_refusal
from pmf.models import Council, Period
from pmf.pagination import int_param, paginate


class DrawForm(forms.Form):
    period = forms.ModelChoiceField(queryset=Period.objects.none(), label="Quarter")
    size = forms.IntegerField(label="Sample size", min_value=1, max_value=500, initial=20,
                              help_text="How many approved returns to check.")
    by_directorate = forms.BooleanField(label="Stratify by directorate", required=False,
                                        help_text="Each directorate's share of the sample follows its share of the "
                                                  "quarter's returns.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        recent = Period.objects.filter(frequency="quarterly", end__lt=clock.today()).order_by(
            "-financial_year", "-number").values_list("pk", flat=True)[:12]
        self.fields["period"].queryset = Period.objects.filter(pk__in=list(recent)).order_by("-financial_year",
                                                                                              "-number")
        self.fields["period"].label_from_instance = lambda p: p.label


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=[(SpotCheckOutcome.VERIFIED, SpotCheckOutcome.VERIFIED.label),
                                         (SpotCheckOutcome.ISSUE, SpotCheckOutcome.ISSUE.label)],
                                widget=forms.RadioSelect)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = VersionField()


def _audited_councils(request: HttpRequest) -> list[int]:
    councils = [pk for pk in access.council_ids_for(request.user) if access.can_read_audit(request.user, pk)]
    if not councils:
        raise PermissionDenied("Spot checks are internal audit's, read by the performance unit.")
    return councils


@login_required
def spot_check_list(request: HttpRequest) -> HttpResponse:
    councils = _audited_councils(request)
    auditing = [pk for pk in councils if access.is_internal_audit(request.user, pk)]
    chosen = int_param(request.POST.get("council", "") or request.GET.get("council", ""))
    council = get_object_or_404(Council, pk=chosen if chosen in councils else councils[0])
    form = DrawForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if council.pk not in auditing:
            raise PermissionDenied("Only internal audit draws spot checks.")
        if form.is_valid():
            d = form.cleaned_data
            try:
                check = spot_checks.draw(user=request.user, council=council, quarter=d["period"], size=d["size"],
                                         by_directorate=d["by_directorate"])
            except Refused as refused:
                show_refusal(form, refused)
            except Conflict as conflict:
                messages.error(request, conflict.args[0])
            else:
                messages.success(request, f"Drew {check.items.count()} of the quarter's {check.population} approved "
                                          "returns.")
                return redirect("spot_check", pk=check.pk)
        status = 400
    checks = (access.restrict(SpotCheck.objects.filter(council=council), request.user)
              .select_related("period", "drawn_by").order_by("-drawn_at"))
    page, querystring = paginate(request, checks, 20)
    return render(request, "indicators/spot_checks.html", {
        "nav": "audit", "council": council, "councils": Council.objects.filter(pk__in=councils).order_by("name"),
        "form": form if council.pk in auditing else None, "page_obj": page, "querystring_without_page": querystring,
    }, status=status)


def _check(request: HttpRequest, pk: int) -> SpotCheck:
    return get_object_or_404(access.restrict(SpotCheck.objects.all(), request.user)
                             .select_related("council", "period", "drawn_by"), pk=pk)


def _items(check: SpotCheck):
    return (check.items.select_related("ret__indicator__service__directorate", "ret__period", "ret__approved_by",
                                       "checked_by").order_by("ret__indicator__ref", "ret__period__start"))


@login_required
def spot_check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = _check(request, pk)
    auditor = access.is_internal_audit(request.user, check.council_id)
    forms_by_item: dict[int, OutcomeForm] = {}
    status = 200
    if request.method == "POST":
        if not auditor:
            raise PermissionDenied("Only internal audit records spot checks.")
        item = get_object_or_404(SpotCheckItem, pk=int_param(request.POST.get("item", "")) or 0, spot_check=check)
        form = OutcomeForm(request.POST, prefix=f"i{item.pk}")
        if form.is_valid():
            d = form.cleaned_data
            try:
                spot_checks.record(user=request.user, item=item, version=d["version"], outcome=d["outcome"],
                                   notes=d["notes"])
            except Refused as refused:
                show_refusal(form, refused)
            except Conflict as conflict:
                messages.error(request, conflict.args[0])
                return redirect("spot_check", pk=check.pk)
            else:
                messages.success(request, f"{item.ret.indicator.ref} {item.ret.period.label}: recorded.")
                return redirect("spot_check", pk=check.pk)
        forms_by_item[item.pk] = form
        status = 400
    rows = []
    for item in _items(check):
        form = forms_by_item.get(item.pk) or OutcomeForm(prefix=f"i{item.pk}", initial={
            "outcome": item.outcome if item.outcome != SpotCheckOutcome.PENDING else None, "notes": item.notes,
            "version": item.version})
        rows.append((item, form))
    done = sum(1 for item, _ in rows if item.outcome != SpotCheckOutcome.PENDING)
    issues = sum(1 for item, _ in rows if item.outcome == SpotCheckOutcome.ISSUE)
    return render(request, "indicators/spot_check.html", {
        "nav": "audit", "check": check, "rows": rows, "auditor": auditor, "done": done, "issues": issues},
        status=status)


@login_required
def spot_check_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The sample and its outcomes, as CSV."""
    check = _check(request, pk)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Indicator", "Title", "Directorate", "Period", "Figure", "Approved by", "Outcome", "Notes",
                     "Checked by", "Checked on"])
    for item in _items(check):
        ret = item.ret
        writer.writerow([ret.indicator.ref, ret.indicator.title, ret.indicator.service.directorate.name,
                         ret.period.label, "" if ret.value is None else format(ret.value.normalize(), "f"),
                         ret.approved_by.display_name if ret.approved_by else "", item.get_outcome_display(),
                         item.notes, item.checked_by.display_name if item.checked_by else "",
                         f"{item.checked_at:%Y-%m-%d}" if item.checked_at else ""])
    name = f"spot-check-{check.council.slug}-{check.period.financial_year_id}-q{check.period.number}-{check.draw}.csv"
    return content_download(("\ufeff" + out.getvalue()).encode(), filename=name, content_type="text/csv; charset=utf-8")
