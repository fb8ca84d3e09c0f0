"""Forms of the report definitions and packs (issue 5)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms

from pmf import uploads
from pmf.forms import VersionField
from pmf.models import Committee, Directorate, Period, Portfolio, Service, Team
from reporting.models import ReportDefinition, Section

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
TEMPLATE = uploads.Rules.of(["docx"], max_bytes=MAX_TEMPLATE_BYTES)


class ReportDefinitionForm(forms.ModelForm):
    sections = forms.MultipleChoiceField(
        choices=Section.choices, widget=forms.CheckboxSelectMultiple,
        help_text="What the pack holds, in this order. Benchmarking appears in Q2 packs only (C4).")
    version = VersionField(required=False)

    class Meta:
        model = ReportDefinition
        fields = ["name", "report_type", "scope", "portfolio", "committee", "directorate", "service", "team",
                  "kpis_only", "sections", "word_template", "is_public", "is_active"]
        help_texts = {"scope": "Which plans the report covers. A portfolio or a committee's remit includes every "
                               "plan item beneath it."}

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        self.council = council
        self.instance.council = council
        self.fields["portfolio"].queryset = Portfolio.objects.filter(council=council)
        self.fields["committee"].queryset = Committee.objects.filter(councils=council)
        self.fields["directorate"].queryset = Directorate.objects.filter(councils=council)
        self.fields["service"].queryset = Service.objects.filter(directorate__councils=council).order_by("name")
        self.fields["team"].queryset = Team.objects.filter(service__directorate__councils=council).order_by("name")
        self.fields["word_template"].widget.attrs["accept"] = ".docx"
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_word_template(self):
        """The council's template, checked by its content (``pmf.uploads``): a real Word document, within the
        limits on what it expands to, its XML safe to parse."""
        upload = self.cleaned_data.get("word_template")
        if not upload or not hasattr(upload, "content_type"):  # unchanged or cleared
            return upload
        if not upload.name.lower().endswith(".docx"):
            raise forms.ValidationError("The Word template must be a .docx file (Word 2007 or later).")
        if upload.size > MAX_TEMPLATE_BYTES:
            raise forms.ValidationError("The Word template must be under 5 MB.")
        uploads.check(upload, TEMPLATE)
        return upload

    def clean(self):
        data = super().clean()
        if self.instance.pk and data.get("version") not in (None, self.instance.version):
            raise forms.ValidationError(
                "Someone else changed this report while you were editing it. Reload the page to see their "
                "changes, then make yours again.", code="conflict")
        scope = data.get("scope")
        for name in ("portfolio", "committee", "directorate", "service", "team"):
            if scope != name:
                data[name] = None
        return data


class PackRequestForm(forms.Form):
    period = forms.ModelChoiceField(queryset=Period.objects.none(), label="Period",
                                    help_text="Only periods that have ended can be reported.")

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods
        self.fields["period"].label_from_instance = lambda p: p.label if hasattr(p, "label") else str(p)


class ArchiveFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, help_text="Words in the title or the committee's name.")
    year = forms.TypedChoiceField(label="Financial year", required=False, coerce=int, empty_value=None)
    quarter = forms.TypedChoiceField(label="Quarter", required=False, coerce=int, empty_value=None,
                                     choices=[("", "Any")] + [(q, f"Q{q}") for q in range(1, 5)])
    committee = forms.TypedChoiceField(label="Committee", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="Status", required=False)

    def __init__(self, *args, years, committees, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "Any")] + [(y, f"{y}/{(y + 1) % 100:02d}") for y in years]
        self.fields["committee"].choices = [("", "Any")] + [(c.pk, c.name) for c in committees]
        self.fields["status"].choices = [("", "Any")] + list(statuses)
