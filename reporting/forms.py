"""Forms of the report definitions and packs (issue 5)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q

from pmf import uploads
from pmf.access import scope_for
from pmf.forms import VersionField
from pmf.models import Committee, Council, Directorate, Period, Portfolio, Service, Team
from reporting.access import councils_refused, refused_message
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
                  "other_councils", "kpis_only", "sections", "word_template", "is_public", "is_active"]
        widgets = {"other_councils": forms.CheckboxSelectMultiple}
        help_texts = {"scope": "Which plans the report covers. A portfolio or a committee's remit includes every "
                               "plan item beneath it."}

    def __init__(self, *args, council, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.council = council
        self.user = user
        self.instance.council = council
        self.fields["other_councils"].queryset = joint_councils(council, user, self.instance)
        self.fields["other_councils"].help_text = (
            "For a joint committee's report: the other councils it covers, each with its own section side by side. "
            "Only councils that share a committee with this council, or whose performance unit you are, are "
            "offered. A council whose performance unit you are not is covered only by the report of a committee it "
            "shares with this council.")
        self.fields["other_councils"].error_messages["invalid_choice"] = (
            "%(value)s is not a council that shares a committee with this council or that you set up.")
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
        self._check_other_councils(data)
        return data

    def _check_other_councils(self, data: dict) -> None:
        """A report covering other councils: scoped to what they share (all plans, a committee of every council
        covered, or a directorate or service they share), never a portfolio or a team (one council's own); and
        each other council covered with its performance unit's say or within a joint committee's remit
        (``reporting.access.councils_refused``)."""
        others = list(data.get("other_councils") or [])
        if not others:
            return
        scope = data.get("scope")
        if scope in ("portfolio", "team"):
            self.add_error("other_councils", f"A report for {dict(self.fields['scope'].choices)[scope].lower()} "
                                             "covers one council only: a portfolio or a team is one council's own.")
            return
        shared = {"committee": ("councils", "committee"), "directorate": ("councils", "directorate"),
                  "service": ("directorate__councils", "service")}.get(scope)
        if shared is not None and data.get(shared[1]) is not None:
            through, name = shared
            holder = data[name]
            covered = set(type(holder).objects.filter(pk=holder.pk).values_list(f"{through}__pk", flat=True))
            outside = [c.name for c in others if c.pk not in covered]
            if outside:
                self.add_error("other_councils", f"The {name} {holder} is not {', '.join(outside)}'s: a report "
                                                 f"covers only councils its {name} belongs to.")
                return
        refused = councils_refused(self.user, self.council, data, self.instance if self.instance.pk else None)
        if refused:
            self.add_error("other_councils", refused_message(refused))


def joint_councils(council: Council, user=None, definition: ReportDefinition | None = None):
    """The councils a report of ``council`` may offer to cover as well: those sharing a committee with it (a joint
    committee), those whose performance unit ``user`` is, and those the saved ``definition`` already covers (which
    may have been chosen by someone else). Which of them a report may really cover is ``councils_refused``."""
    configured = set()
    if user is not None:
        configured = set(Council.objects.values_list("pk", flat=True)) if user.is_superuser else \
            scope_for(user).configure
    offered = Q(committees__councils=council) | Q(pk__in=configured)
    if definition is not None and definition.pk:
        offered |= Q(pk__in=definition.other_councils.values("pk"))
    return Council.objects.filter(offered).exclude(pk=council.pk).distinct().order_by("name")


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
