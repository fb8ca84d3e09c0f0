"""Reporting data: the reporting timetable (D1), published on the public site (D9)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify

from pmf.choices import CommitteeKind
from pmf.models import Committee, Council, FinancialYear, Period, User


class TimetableKind(models.TextChoices):
    """D1: what a date in the reporting timetable is."""

    DATA_DEADLINE = "data_deadline", "Data deadline"
    SIGN_OFF = "sign_off", "Sign-off deadline"
    MANAGEMENT_TEAM = "management_team", "Management team"
    CABINET = "cabinet", "Cabinet"
    SCRUTINY = "scrutiny", "Scrutiny committee"
    PUBLICATION = "publication", "Publication"


#: Kinds that are a committee meeting: the entry names the committee, of a matching kind.
COMMITTEE_KINDS: dict[str, set[str]] = {
    TimetableKind.CABINET: {CommitteeKind.CABINET},
    TimetableKind.SCRUTINY: {CommitteeKind.SCRUTINY, CommitteeKind.JOINT_SCRUTINY},
}


class TimetableEntryQuerySet(models.QuerySet):
    def public(self) -> TimetableEntryQuerySet:
        return self.filter(is_public=True)


class TimetableEntry(models.Model):
    """D1: one date of the reporting timetable (a data deadline, a sign-off deadline, a management-team or
    committee meeting, a publication), for the period it concerns. Public entries are published (D9)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="timetable_entries")
    kind = models.CharField(max_length=20, choices=TimetableKind.choices)
    title = models.CharField(max_length=200, help_text="e.g. “Cabinet: Q2 2026/27 performance report”.")
    date = models.DateField()
    financial_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+",
                                       help_text="The financial year whose reporting this date belongs to.")
    period = models.ForeignKey(
        Period, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The month or quarter the date concerns, if any (e.g. the data deadline for October).",
    )
    committee = models.ForeignKey(
        Committee, null=True, blank=True, on_delete=models.SET_NULL, related_name="timetable_entries",
        help_text="For a Cabinet or scrutiny meeting: the committee.",
    )
    notes = models.CharField(max_length=300, blank=True)
    is_public = models.BooleanField(
        "published", default=True, help_text="Shown on the public site's reporting timetable (D1, D9)."
    )

    objects = TimetableEntryQuerySet.as_manager()

    class Meta:
        ordering = ["council", "date", "kind", "title"]
        verbose_name = "reporting timetable entry"
        verbose_name_plural = "reporting timetable"
        constraints = [
            models.UniqueConstraint(
                fields=["council", "kind", "date", "title"], name="timetable_entry_unique",
                violation_error_message="This council's timetable already has that entry on that date.",
            ),
            models.CheckConstraint(
                condition=~Q(title=""), name="timetable_entry_has_title",
                violation_error_message="A timetable entry needs a title.",
            ),
        ]
        indexes = [models.Index(fields=["council", "date"], name="timetable_council_date_idx")]

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y} {self.title}"

    @property
    def period_label(self) -> str:
        return self.period.label if self.period_id else (self.financial_year.label if self.financial_year_id else "")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.period_id and self.financial_year_id and self.period.financial_year_id != self.financial_year_id:
            errors["period"] = f"The period must lie in the financial year {self.financial_year}."
        wanted = COMMITTEE_KINDS.get(self.kind)
        if wanted and not self.committee_id:
            errors["committee"] = f"A {self.get_kind_display()} meeting names its committee."
        elif self.committee_id:
            if wanted and self.committee.kind not in wanted:
                errors["committee"] = (f"“{self.committee}” is a {self.committee.get_kind_display()}, not a "
                                       f"{self.get_kind_display()}.")
            elif self.council_id and not self.committee.councils.filter(pk=self.council_id).exists():
                errors["committee"] = "The committee must be one of the council's committees."
        if errors:
            raise ValidationError(errors)


# -- quarterly packs (D2, D3, D6-D8) ------------------------------------------------------------------------------

class ReportType(models.TextChoices):
    """The reports a council issues (D2, D3, D6, D1)."""

    CABINET = "cabinet", "Cabinet report (tier 1)"
    PORTFOLIO = "portfolio", "Portfolio holder report (tier 2)"
    SCRUTINY = "scrutiny", "Scrutiny committee report (tier 3)"
    EXCEPTION = "exception", "Exception report"
    EXCEPTION_TRACKER = "exception_tracker", "Exception tracker"
    ANNUAL_STATEMENT = "annual_statement", "Annual performance statement"
    TECHNICAL_SPEC = "technical_spec", "Technical specification document"
    MANAGEMENT_TEAM = "management_team", "Monthly management-team report"
    DIRECTORATE = "directorate", "Directorate report"


#: How often each type of report is issued: its period's frequency.
REPORT_FREQUENCY = {
    ReportType.MANAGEMENT_TEAM: "monthly",
    ReportType.ANNUAL_STATEMENT: "annual",
    ReportType.TECHNICAL_SPEC: "annual",
}


class ScopeKind(models.TextChoices):
    ALL = "all", "All plans"
    PORTFOLIO = "portfolio", "A portfolio"
    COMMITTEE = "committee", "A committee's remit"
    DIRECTORATE = "directorate", "A directorate"


class Section(models.TextChoices):
    """The sections a pack may hold, in the order a pack shows them."""

    OVERVIEW = "overview", "Overview: counts by RAG and direction of travel, per priority"
    PLANS = "plans", "One section per plan: its scorecard and actions"
    EXCEPTIONS = "exceptions", "Exception pages (D3): reds and actions slipped more than 3 months"
    BENCHMARKING = "benchmarking", "Benchmarking against comparator councils (Q2, previous year)"
    MISSING = "missing", "What was missing or unapproved at the time"


DEFAULT_SECTIONS = [s.value for s in Section]


def _default_sections() -> list[str]:
    return list(DEFAULT_SECTIONS)


def _template_path(instance: ReportDefinition, filename: str) -> str:
    return f"report-templates/{instance.council_id}/{filename}"


class ReportDefinition(models.Model):
    """A report the council issues, as data: its type, scope, measures and sections (D2)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="report_definitions")
    name = models.CharField(max_length=150, help_text="e.g. “Cabinet quarterly performance report”.")
    report_type = models.CharField("type", max_length=20, choices=ReportType.choices)
    scope = models.CharField(max_length=12, choices=ScopeKind.choices, default=ScopeKind.ALL)
    portfolio = models.ForeignKey("pmf.Portfolio", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="report_definitions", help_text="For a portfolio's report.")
    committee = models.ForeignKey(Committee, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="report_definitions", help_text="For a committee's remit.")
    directorate = models.ForeignKey("pmf.Directorate", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="report_definitions", help_text="For a directorate's report.")
    kpis_only = models.BooleanField("key performance indicators only", default=True,
                                    help_text="Untick to report every measure in scope.")
    sections = models.JSONField(default=_default_sections, help_text="The sections the pack holds.")
    word_template = models.FileField(
        "Word template", upload_to=_template_path, blank=True, max_length=300,
        help_text="The council's own .docx (fonts, header, footer); the Word version is built on it.")
    is_public = models.BooleanField("published", default=False,
                                    help_text="Issued packs appear on the public site.")
    is_active = models.BooleanField("active", default=True,
                                    help_text="Inactive reports are not prepared automatically.")
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stops lost updates.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["council", "report_type", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="report_definition_name_unique",
                                    violation_error_message="This council already has a report of that name."),
            models.CheckConstraint(
                condition=(Q(scope="all") & Q(portfolio__isnull=True) & Q(committee__isnull=True)
                           & Q(directorate__isnull=True))
                | (Q(scope="portfolio") & Q(portfolio__isnull=False) & Q(committee__isnull=True)
                   & Q(directorate__isnull=True))
                | (Q(scope="committee") & Q(committee__isnull=False) & Q(portfolio__isnull=True)
                   & Q(directorate__isnull=True))
                | (Q(scope="directorate") & Q(directorate__isnull=False) & Q(portfolio__isnull=True)
                   & Q(committee__isnull=True)),
                name="report_definition_scope_matches",
                violation_error_message="The scope names exactly the portfolio, committee or directorate it is."),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def frequency(self) -> str:
        return REPORT_FREQUENCY.get(self.report_type, "quarterly")

    @property
    def scope_label(self) -> str:
        if self.scope == ScopeKind.PORTFOLIO and self.portfolio_id:
            return f"Portfolio: {self.portfolio.name}"
        if self.scope == ScopeKind.COMMITTEE and self.committee_id:
            return f"Committee: {self.committee.name}"
        if self.scope == ScopeKind.DIRECTORATE and self.directorate_id:
            return f"Directorate: {self.directorate.name}"
        return "All plans"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        needed = {ScopeKind.PORTFOLIO: "portfolio", ScopeKind.COMMITTEE: "committee",
                  ScopeKind.DIRECTORATE: "directorate"}
        for scope, name in needed.items():
            if self.scope == scope and not getattr(self, f"{name}_id"):
                errors[name] = f"A report for {ScopeKind(scope).label.lower()} names the {name}."
            elif self.scope != scope and getattr(self, f"{name}_id"):
                errors[name] = f"Only a report for {ScopeKind(scope).label.lower()} names a {name}."
        if self.portfolio_id and self.council_id and self.portfolio.council_id != self.council_id:
            errors["portfolio"] = "The portfolio must be one of the council's portfolios."
        if self.committee_id and self.council_id and not self.committee.councils.filter(pk=self.council_id).exists():
            errors["committee"] = "The committee must be one of the council's committees."
        if (self.directorate_id and self.council_id
                and not self.directorate.councils.filter(pk=self.council_id).exists()):
            errors["directorate"] = "The directorate must be one of the council's directorates."
        unknown = [s for s in (self.sections or []) if s not in Section.values]
        if not self.sections:
            errors["sections"] = "Choose at least one section."
        elif unknown:
            errors["sections"] = f"Unknown section(s): {', '.join(map(str, unknown))}."
        if errors:
            raise ValidationError(errors)


class PackStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    READY = "ready", "Draft ready"
    FAILED = "failed", "Failed"
    ISSUED = "issued", "Issued"


class PackFormat(models.TextChoices):
    PDF = "pdf", "PDF (committee papers)"
    DOCX = "docx", "Word (for editing)"
    XLSX = "xlsx", "Excel data annex"


FORMAT_CONTENT_TYPES = {
    PackFormat.PDF: "application/pdf",
    PackFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    PackFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class Pack(models.Model):
    """One report for one period: generated as a draft by a Celery job, then issued (D7).

    While a draft it can be regenerated; issuing freezes it: its snapshot (every figure as data) and its files
    never change again (a database trigger refuses it, pmf/integrity.py). One draft per report and period at a
    time (a constraint), so a job run twice, or a button pressed twice, makes one pack.
    """

    definition = models.ForeignKey(ReportDefinition, on_delete=models.PROTECT, related_name="packs")
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="packs")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+",
                               help_text="The month, quarter or year reported.")
    title = models.CharField(max_length=250)
    status = models.CharField(max_length=10, choices=PackStatus.choices, default=PackStatus.QUEUED)
    job = models.CharField(max_length=10, choices=[("generate", "Prepare the draft"), ("issue", "Issue")],
                           default="generate", help_text="What the queued or running job does.")
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done while running.")
    step = models.CharField(max_length=120, blank=True, help_text="What the job is doing now.")
    error = models.TextField(blank=True, help_text="Why the last attempt failed.")
    attempts = models.PositiveSmallIntegerField(default=0)
    claim = models.CharField(max_length=64, blank=True, help_text="The attempt that holds the job.")
    worker = models.CharField(max_length=200, blank=True, help_text="The Celery worker running it.")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(null=True, blank=True, help_text="Every figure of the pack, as data.")
    as_of = models.DateField(null=True, blank=True, help_text="The date the data was read.")
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(null=True, blank=True)
    issue_number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1 for the first issue of this report for the period; a reissue adds one.")
    is_public = models.BooleanField("published", default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-period__financial_year", "-period__number", "definition__name", "-issue_number"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "period"], condition=~Q(status="issued"),
                                    name="pack_one_draft_per_period",
                                    violation_error_message="This report already has a draft for that period."),
            models.UniqueConstraint(fields=["definition", "period", "issue_number"], name="pack_issue_unique",
                                    violation_error_message="That issue of this report already exists."),
            models.CheckConstraint(
                condition=(Q(status="issued") & Q(issued_at__isnull=False) & Q(issue_number__isnull=False)
                           & Q(snapshot__isnull=False))
                | (~Q(status="issued") & Q(issued_at__isnull=True) & Q(issue_number__isnull=True)),
                name="pack_issued_has_issue",
                violation_error_message="An issued pack has its issue date, issue number and figures."),
            models.CheckConstraint(condition=Q(progress__lte=100), name="pack_progress_percent",
                                   violation_error_message="Progress is a percentage."),
        ]
        indexes = [models.Index(fields=["council", "status"], name="pack_council_status_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reporting:pack", args=[self.pk])

    @property
    def is_issued(self) -> bool:
        return self.status == PackStatus.ISSUED

    @property
    def is_active(self) -> bool:
        return self.status in (PackStatus.QUEUED, PackStatus.RUNNING)


def _pack_file_path(instance: PackFile, filename: str) -> str:
    return f"packs/{instance.pack.council_id}/{instance.pack_id}/{filename}"


class PackFile(models.Model):
    """One format of a pack (D8). Replaced while the pack is a draft; frozen once it is issued."""

    pack = models.ForeignKey(Pack, on_delete=models.PROTECT, related_name="files")
    format = models.CharField(max_length=5, choices=PackFormat.choices)
    file = models.FileField(upload_to=_pack_file_path, max_length=300)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(null=True, blank=True, help_text="A PDF's page count.")
    seconds = models.DecimalField(max_digits=8, decimal_places=3, help_text="Time taken to produce it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pack", "format"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "format"], name="pack_file_one_per_format",
                                    violation_error_message="The pack already has a file in that format."),
        ]

    def __str__(self) -> str:
        return f"{self.pack} ({self.get_format_display()})"

    @property
    def filename(self) -> str:
        return f"{slugify(self.pack.title)[:120]}.{self.format}"
