"""B3: setting a target that is not approved yet. B4: re-approving a locked target: the performance unit records
the new figures with a reason; the target approved before is kept unchanged and shown beside the new one. Two steps:
the form, then a check of what changes from what to what, because the re-approval is recorded in the audit trail for
good."""

from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from indicators import services
from indicators.choices import MeasureType, Polarity
from indicators.formatting import figure
from indicators.models import Specification, Target
from pmf import access
from pmf.forms import VersionField, show_refusal
from pmf.periods import period_label, periods_per_year

VALUE = {"max_digits": 18, "decimal_places": 6, "required": False}
FIGURES = ["annual_target", "band_low", "band_high", "tolerance_pct", "tolerance_abs"]
FIGURE_NAMES = {"annual_target": "Annual target", "band_low": "Band: low edge", "band_high": "Band: high edge",
                "tolerance_pct": "Tolerance (% of target)", "tolerance_abs": "Tolerance (absolute amount)"}


def _plain(value: Decimal | None) -> str | None:
    """A stored figure as typed: 180, 92.5 (not 180.000000)."""
    return None if value is None else format(value.normalize(), "f")


def _tolerance_text(value: Decimal | None, spec, percent: bool) -> str:
    if value is None:
        return "–"
    return f"{value.normalize():f}%" if percent else figure(value, spec)


class TargetFiguresForm(forms.Form):
    """A target's figures: the annual target (or a band), the tolerance and the trajectory by period."""

    annual_target = forms.DecimalField(label="Annual target", **VALUE)
    band_low = forms.DecimalField(label="Band: low edge", **VALUE)
    band_high = forms.DecimalField(label="Band: high edge", **VALUE)
    tolerance_pct = forms.DecimalField(label="Tolerance (% of target)", max_digits=6, decimal_places=2,
                                       min_value=0, required=False)
    tolerance_abs = forms.DecimalField(label="Tolerance (absolute amount)", min_value=0, **VALUE)
    tail: list[str] = []

    def __init__(self, data=None, *, target: Target, spec: Specification, default_tolerance: Decimal,
                 initial: dict | None = None):
        self.target, self.spec = target, spec
        points = {p.period_number: p.value for p in target.trajectory.all()}
        start = {name: _plain(getattr(target, name)) for name in FIGURES}
        self.periods = list(range(1, periods_per_year(spec.frequency) + 1))
        start.update({f"period_{n}": _plain(points.get(n)) for n in self.periods})
        start.update(initial or {})
        super().__init__(data, initial=start)
        self.band = spec.polarity == Polarity.BAND
        for name in (["annual_target"] if self.band else ["band_low", "band_high"]):
            del self.fields[name]
        ytd = " (year to date)" if spec.measure_type == MeasureType.CUMULATIVE else ""
        for n in self.periods:
            when = period_label(frequency=spec.frequency, year_start=target.financial_year_id, period_number=n)
            self.fields[f"period_{n}"] = forms.DecimalField(
                label=f"Trajectory{ytd}: {when}", **VALUE,
                help_text=f"Now: {figure(points[n], spec) if n in points else '–'}")
        for name in FIGURES:
            if name in self.fields:
                now = getattr(target, name)
                text = _tolerance_text(now, spec, name == "tolerance_pct") if name.startswith("tolerance") \
                    else figure(now, spec)
                self.fields[name].help_text = f"Now: {text}"
        if target.tolerance_pct is None and target.tolerance_abs is None:
            self.fields["tolerance_pct"].help_text = f"Now: the council default ({default_tolerance.normalize():f}%)"
        self.fields["tolerance_pct"].help_text += ". Leave both tolerances empty for the council default."
        self.order_fields([*[n for n in FIGURES if n in self.fields], *[f"period_{n}" for n in self.periods],
                           *self.tail])
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def trajectory(self) -> dict[int, Decimal]:
        return {n: self.cleaned_data[f"period_{n}"] for n in self.periods
                if self.cleaned_data.get(f"period_{n}") is not None}

    def clean(self):
        data = super().clean()
        if data.get("tolerance_pct") is not None and data.get("tolerance_abs") is not None:
            self.add_error("tolerance_abs", "Give the tolerance as a percentage or an absolute amount, not both.")
        if self.band:
            low, high = data.get("band_low"), data.get("band_high")
            if low is None and "band_low" not in self.errors:
                self.add_error("band_low", "A band measure needs the low edge of its band.")
            if high is None and "band_high" not in self.errors:
                self.add_error("band_high", "A band measure needs the high edge of its band.")
            if low is not None and high is not None and low > high:
                self.add_error("band_high", "The high edge cannot be below the low edge.")
        elif data.get("annual_target") is None and "annual_target" not in self.errors:
            self.add_error("annual_target", "Give the annual target.")
        return data


class DraftTargetForm(TargetFiguresForm):
    """A target not approved yet (B3): its figures, baseline and note, changed freely until its plan is approved."""

    baseline = forms.DecimalField(label="Baseline", **VALUE)
    needs_baseline = forms.BooleanField(label="The target is set from the baseline", required=False,
                                        help_text="Without a baseline such a measure is not rated.")
    note = forms.CharField(label="Note", max_length=300, required=False)
    version = VersionField()
    tail = ["baseline", "needs_baseline", "note", "version"]

    def __init__(self, data=None, **kwargs):
        target = kwargs["target"]
        super().__init__(data, initial={"baseline": _plain(target.baseline), "needs_baseline": target.needs_baseline,
                                        "note": target.note, "version": target.version}, **kwargs)

    def figures(self) -> dict:
        d = self.cleaned_data
        return {name: d.get(name) for name in ("annual_target", "band_low", "band_high", "baseline",
                                               "needs_baseline", "tolerance_pct", "tolerance_abs", "note")}


class ReapprovalForm(TargetFiguresForm):
    reason = forms.CharField(
        label="Why the target changes", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for the re-approval: it is recorded with it (B4)."},
        help_text="For example the decision that approved the change (meeting and date).",
    )
    tail = ["reason"]

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        for name, label in (("annual_target", "New annual target"), ("band_low", "New band: low edge"),
                            ("band_high", "New band: high edge")):
            if name in self.fields:
                self.fields[name].label = label

    def clean(self):
        data = super().clean()
        if not self.errors and not self.changes():
            raise forms.ValidationError("These are the figures approved now: change at least one, or cancel.")
        return data

    def changes(self) -> list[tuple[str, str, str]]:
        """What the re-approval changes, as (what, now, new) in words."""
        spec, rows = self.spec, []
        for name in FIGURES:
            if name not in self.fields:
                continue
            now, new = getattr(self.target, name), self.cleaned_data.get(name)
            if now != new:
                percent = name == "tolerance_pct"
                text = (lambda v, p=percent: _tolerance_text(v, spec, p)) if name.startswith("tolerance") \
                    else (lambda v: figure(v, spec))
                rows.append((FIGURE_NAMES[name], text(now), text(new)))
        points = {p.period_number: p.value for p in self.target.trajectory.all()}
        new_points = self.trajectory()
        for n in self.periods:
            if points.get(n) != new_points.get(n):
                rows.append((str(self.fields[f"period_{n}"].label), figure(points.get(n), spec),
                             figure(new_points.get(n), spec)))
        return rows


def _spec_for(target: Target) -> Specification:
    """The specification version in force in the target's year (as ``selectors.Series.spec_for``)."""
    specs = list(Specification.objects.filter(indicator=target.indicator).order_by("version"))
    chosen = specs[0] if specs else target.indicator.current_spec
    for spec in specs:
        if spec.valid_from_id <= target.financial_year_id:
            chosen = spec
    return chosen


@login_required
def target_reapprove(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(
        access.restrict(Target.objects.all(), request.user).select_related(
            "indicator__council", "indicator__current_spec", "financial_year", "approved_by"
        ).prefetch_related("trajectory"),
        pk=pk,
    )
    indicator = target.indicator
    if not access.can_configure(request.user, indicator.council_id):
        raise PermissionDenied("Only the performance unit records a target re-approval.")
    if target.superseded_at is not None:
        current = Target.objects.filter(indicator=indicator, financial_year=target.financial_year,
                                        superseded_at__isnull=True).first()
        messages.info(request, "That target was replaced by a later re-approval; this is the one in force now.")
        return redirect(reverse("indicators:target_reapprove", args=[current.pk]) if current
                        else indicator.get_absolute_url())
    if not target.is_locked:
        messages.warning(request, "This target is not approved yet, so it needs no re-approval: change it in "
                                  "configuration.")
        return redirect(indicator.get_absolute_url())

    spec = _spec_for(target)
    form = ReapprovalForm(request.POST if request.method == "POST" else None, target=target, spec=spec,
                          default_tolerance=indicator.council.default_tolerance_pct)
    confirming, status = False, 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        elif "edit" in request.POST:
            pass  # back to the form, with what they typed
        elif request.POST.get("confirm") != "yes":
            confirming = True
        else:
            data = form.cleaned_data
            try:
                services.reapprove_target(
                    user=request.user, target=target, reason=data["reason"],
                    annual_target=data.get("annual_target"), tolerance_pct=data.get("tolerance_pct"),
                    tolerance_abs=data.get("tolerance_abs"), band_low=data.get("band_low"),
                    band_high=data.get("band_high"), trajectory=form.trajectory(),
                )
            except services.Refused as refused:
                show_refusal(form, refused)
                status = 400
            except services.Conflict as conflict:
                form.add_error(None, str(conflict.args[0]) if conflict.args else "The target changed meanwhile.")
                status = 409
            except IntegrityError as exc:
                form.add_error(None, f"Nothing was saved: {str(exc).splitlines()[0] if str(exc) else exc!r}")
                status = 400
            else:
                messages.success(request, f"The {target.financial_year} target of {indicator.ref} is re-approved. "
                                          f"The target approved before is kept and shown beside it.")
                return redirect(indicator.get_absolute_url())

    panels = [(f"Approved now (revision {target.revision})" if target.revision > 1 else "Approved now", target)]
    if target.revision > 1:
        original = (Target.objects.filter(indicator=indicator, financial_year=target.financial_year, revision=1)
                    .select_related("approved_by").prefetch_related("trajectory").first())
        if original is not None:
            panels.append(("Originally approved", original))
    return render(request, "indicators/target_reapprove.html", {
        "nav": "indicators", "target": target, "indicator": indicator, "spec": spec, "form": form,
        "confirming": confirming, "changes": form.changes() if confirming else [], "panels": panels,
        "band": form.band, "default_tolerance": indicator.council.default_tolerance_pct,
    }, status=status)


@login_required
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """B3: the performance unit sets a target that is not approved yet (next year's draft after the yearly refresh,
    or one not yet locked by its plan's approval). An approved target is re-approved instead."""
    target = get_object_or_404(
        access.restrict(Target.objects.all(), request.user).select_related(
            "indicator__council", "indicator__current_spec", "financial_year").prefetch_related("trajectory"),
        pk=pk,
    )
    indicator = target.indicator
    if not access.can_configure(request.user, indicator.council_id):
        raise PermissionDenied("Only the performance unit sets targets.")
    if target.is_locked:
        messages.info(request, "This target is approved and locked: it changes only by a recorded re-approval.")
        return redirect("indicators:target_reapprove", pk=target.pk)
    spec = _spec_for(target)
    form = DraftTargetForm(request.POST if request.method == "POST" else None, target=target, spec=spec,
                           default_tolerance=indicator.council.default_tolerance_pct)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_target(user=request.user, target=target, version=form.cleaned_data["version"],
                                       figures=form.figures(), trajectory=form.trajectory())
            except services.Refused as refused:
                show_refusal(form, refused)
            except services.Conflict as conflict:
                messages.error(request, conflict.args[0])
                return redirect("indicators:target_edit", pk=target.pk)
            else:
                messages.success(request, f"The {target.financial_year} target of {indicator.ref} is saved. It is "
                                          "locked when the plan holding it is approved.")
                return redirect(request.GET.get("next") if _safe_next(request) else indicator.get_absolute_url())
        status = 400
    return render(request, "indicators/target_edit.html", {
        "nav": "indicators", "target": target, "indicator": indicator, "spec": spec, "form": form,
        "band": spec.polarity == Polarity.BAND, "next": request.GET.get("next", "") if _safe_next(request) else ""},
        status=status)


def _safe_next(request: HttpRequest) -> bool:
    """A ``next`` address on this site only (never an open redirect)."""
    target = request.GET.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                            require_https=request.is_secure())
