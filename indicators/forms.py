from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms

from indicators.choices import Calculation, Confidence, SelfAssessment
from indicators.models import Indicator, Return
from indicators.services import EVIDENCE, MAX_EVIDENCE_BYTES, Entry
from pmf import uploads
from pmf.forms import VersionField

DECIMAL = {"max_digits": 18, "decimal_places": 6, "required": False}


class ReturnForm(forms.Form):
    """B5: what a performance lead enters for one period. Fields follow the specification: a value, or a
    numerator and denominator from which the value is computed."""

    value = forms.DecimalField(label="Figure", **DECIMAL)
    numerator = forms.DecimalField(**DECIMAL)
    denominator = forms.DecimalField(**DECIMAL)
    no_data = forms.BooleanField(label="No data this period", required=False)
    no_data_reason = forms.CharField(label="Reason there is no data", max_length=300, required=False)
    commentary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                 help_text="Needed for a red figure, or a change beyond the set size (B6).")
    is_estimate = forms.BooleanField(label="This figure is an estimate", required=False)
    self_assessed_rag = forms.ChoiceField(
        label="Status (self-assessed)", required=False, widget=forms.RadioSelect, choices=SelfAssessment.choices,
        help_text="Your judgement of how delivery stands, from the narrative. It is shown as self-assessed: it is "
                  "not worked out from figures.")
    forecast = forms.DecimalField(label="Year-end forecast", **DECIMAL,
                                  help_text="Optional: your forecast for the year end.")
    forecast_confidence = forms.ChoiceField(label="Confidence in the forecast", required=False,
                                            choices=[("", "—"), *Confidence.choices])
    evidence = forms.FileField(required=False, help_text=f"PDF, image, CSV, text, Excel or Word, up to "
                                                         f"{MAX_EVIDENCE_BYTES // 1048576} MB.")
    version = VersionField(required=False)

    def __init__(self, *args, indicator: Indicator, ret: Return | None = None, **kwargs):
        if ret is not None and "initial" not in kwargs and not args:
            kwargs["initial"] = self.initial_for(ret)
        super().__init__(*args, **kwargs)
        spec = indicator.current_spec
        self.indicator = indicator
        if indicator.is_qualitative:  # B1: the narrative and the status the officer chooses, no figure
            for name in ("value", "numerator", "denominator", "no_data", "no_data_reason", "is_estimate", "forecast",
                         "forecast_confidence"):
                del self.fields[name]
            self.fields["commentary"].label = "Narrative"
            self.fields["commentary"].help_text = ("What has been delivered this period, what has slipped and why, "
                                                   "and what happens next.")
            self.fields["commentary"].widget.attrs["rows"] = 6
            # A draft may lack either; submitting asks for both (the service, naming the field).
        elif spec.calculation == Calculation.RATIO:
            del self.fields["value"]
            self.fields["numerator"].label = spec.numerator_label or "Numerator"
            self.fields["denominator"].label = spec.denominator_label or "Denominator"
        else:
            del self.fields["numerator"]
            del self.fields["denominator"]
            unit = spec.get_unit_display().lower()
            self.fields["value"].help_text = f"In {unit}, to {spec.decimal_places} decimal places."
        if not indicator.is_qualitative:
            del self.fields["self_assessed_rag"]
        self.fields["evidence"].widget.attrs["accept"] = ",".join(EVIDENCE.extensions)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    @staticmethod
    def initial_for(ret: Return) -> dict:
        def plain(d):  # 80.000000 as stored shows as 80, 72.500000 as 72.5
            return None if d is None else Decimal(format(d.normalize(), "f"))

        return {
            "value": plain(ret.value), "numerator": plain(ret.numerator),
            "denominator": plain(ret.denominator),
            "no_data": bool(ret.no_data_reason), "no_data_reason": ret.no_data_reason, "commentary": ret.commentary,
            "is_estimate": ret.is_estimate, "forecast": plain(ret.forecast),
            "forecast_confidence": ret.forecast_confidence, "self_assessed_rag": ret.self_assessed_rag,
            "version": ret.version,
        }

    def clean_evidence(self):
        """The file is checked by its content before anything is saved (``pmf.uploads``); the service checks it
        again (the same answer, not read twice)."""
        upload = self.cleaned_data.get("evidence")
        if upload:
            uploads.check(upload, EVIDENCE)
        return upload

    def clean(self):
        data = super().clean()
        if data.get("no_data"):
            if not (data.get("no_data_reason") or "").strip():
                self.add_error("no_data_reason", "Say why there is no data this period.")
            for name in ("value", "numerator", "denominator"):
                if data.get(name) is not None:
                    self.add_error(name, "Leave the figure empty when there is no data this period.")
        elif (data.get("no_data_reason") or "").strip():
            self.add_error("no_data", "Tick “no data this period” to give a reason instead of a figure.")
        if data.get("forecast_confidence") and data.get("forecast") is None:
            self.add_error("forecast", "Give the forecast your confidence refers to.")
        return data

    def entry(self) -> Entry:
        d = self.cleaned_data
        no_data = bool(d.get("no_data"))
        return Entry(
            value=None if no_data else d.get("value"),
            numerator=None if no_data else d.get("numerator"),
            denominator=None if no_data else d.get("denominator"),
            forecast=d.get("forecast"),
            forecast_confidence=d.get("forecast_confidence") or "",
            commentary=d.get("commentary") or "",
            no_data_reason=(d.get("no_data_reason") or "") if no_data else "",
            is_estimate=bool(d.get("is_estimate")),
            self_assessed_rag=d.get("self_assessed_rag") or "",
        )


class RecoveryPlanForm(forms.Form):
    causes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What caused the under-performance")
    actions = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Recovery actions")
    action_owner = forms.CharField(max_length=200, required=False, label="Who leads the recovery")
    expected_on_target = forms.DateField(label="Date expected back on target",
                                         widget=forms.DateInput(attrs={"type": "date"}),
                                         help_text="The date performance should be back on target.")
    version = VersionField()

