"""Reporting data: the reporting timetable (D1), published on the public site (D9)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from pmf.choices import CommitteeKind
from pmf.models import Committee, Council, FinancialYear, Period, User
from pmf.periods import financial_year_label


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
    SERVICE = "service", "A service"
    TEAM = "team", "A team"


#: The scopes that name one thing, and the field that names it.
SCOPE_FIELDS = {ScopeKind.PORTFOLIO: "portfolio", ScopeKind.COMMITTEE: "committee",
                ScopeKind.DIRECTORATE: "directorate", ScopeKind.SERVICE: "service", ScopeKind.TEAM: "team"}


def _scope_matches() -> Q:
    """The scope names exactly the one thing it is (nothing, for all plans)."""
    def only(named: str | None) -> Q:
        q = Q()
        for name in SCOPE_FIELDS.values():
            q &= Q(**{f"{name}__isnull": name != named})
        return q

    condition = Q(scope="all") & only(None)
    for scope, name in SCOPE_FIELDS.items():
        condition |= Q(scope=scope.value) & only(name)
    return condition


class Section(models.TextChoices):
    """The sections a pack may hold, in the order a pack shows them."""

    OVERVIEW = "overview", "Overview: counts by RAG and direction of travel, per priority"
    YEAR = "year", "Each priority's year: its measures and actions at the year end (annual report)"
    PLANS = "plans", "One section per plan: its scorecard and actions"
    SPECIFICATIONS = "specifications", "The technical specification of every measure, by priority"
    EXCEPTIONS = "exceptions", "Exception pages (D3): reds and actions slipped more than 3 months"
    TRACKER = "tracker", "Exception tracker: open exceptions with their age, and those closed this quarter"
    RISKS = "risks", "Risks flagged: corporate risks whose linked measures are Red or got worse two periods running"
    FINANCE = "finance", "Finance beside performance: each service's budget, forecast outturn and variance"
    SUCCESS = "success", "Recognising success: measures green and improving, actions delivered"
    CASE_STUDIES = "case_studies", "Case studies of staff work"
    BENCHMARKING = "benchmarking", "Benchmarking against comparator councils (Q2, previous year)"
    MISSING = "missing", "What was missing or unapproved at the time"


#: A new report's sections: those of a quarterly report.
DEFAULT_SECTIONS = [Section.OVERVIEW.value, Section.PLANS.value, Section.EXCEPTIONS.value, Section.BENCHMARKING.value,
                    Section.MISSING.value]


def _default_sections() -> list[str]:
    return list(DEFAULT_SECTIONS)


def _template_path(instance: ReportDefinition, filename: str) -> str:
    return f"report-templates/{instance.council_id}/{filename}"


class ReportDefinition(models.Model):
    """A report the council issues, as data: its type, scope, measures and sections (D2)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="report_definitions",
                                help_text="The council that issues the report.")
    other_councils = models.ManyToManyField(
        Council, blank=True, related_name="+", verbose_name="also covers",
        help_text="For a joint committee's report: the other councils it covers. Each council gets its own section, "
                  "side by side.")
    name = models.CharField(max_length=150, help_text="e.g. “Cabinet quarterly performance report”.")
    report_type = models.CharField("type", max_length=20, choices=ReportType.choices)
    scope = models.CharField(max_length=12, choices=ScopeKind.choices, default=ScopeKind.ALL)
    portfolio = models.ForeignKey("pmf.Portfolio", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="report_definitions", help_text="For a portfolio's report.")
    committee = models.ForeignKey(Committee, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="report_definitions", help_text="For a committee's remit.")
    directorate = models.ForeignKey("pmf.Directorate", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="report_definitions", help_text="For a directorate's report.")
    service = models.ForeignKey("pmf.Service", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="report_definitions", help_text="For a service's report.")
    team = models.ForeignKey("pmf.Team", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="report_definitions",
                             help_text="For a team's report: the measures and actions of its plans.")
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
                condition=_scope_matches(),
                name="report_definition_scope_matches",
                violation_error_message="The scope names exactly the portfolio, committee, directorate, service or "
                                        "team it is."),
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
        if self.scope == ScopeKind.SERVICE and self.service_id:
            return f"Service: {self.service.name}"
        if self.scope == ScopeKind.TEAM and self.team_id:
            return f"Team: {self.team.name}"
        return "All plans"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for scope, name in SCOPE_FIELDS.items():
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
        if self.service_id and self.council_id and not self.service.directorate.councils.filter(
                pk=self.council_id).exists():
            errors["service"] = "The service must be one of the council's services."
        if self.team_id and self.council_id and not self.team.service.directorate.councils.filter(
                pk=self.council_id).exists():
            errors["team"] = "The team must be one of the council's teams."
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


# -- The exception tracker (D3) ----------------------------------------------------------------------------------

class ExceptionCase(models.Model):
    """D3: a measure or an action from the quarter it first met the exception rule, followed every quarter until
    it recovers (a measure back within tolerance at a quarter end; an action delivered, or slipped less than three
    months) and is closed, with the quarter it closed."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="exception_cases")
    indicator = models.ForeignKey("indicators.Indicator", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="exception_cases")
    action = models.ForeignKey("plans.Action", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="exception_cases")
    opened_year = models.PositiveSmallIntegerField()
    opened_quarter = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    opened_because = models.CharField(max_length=200)
    closed_year = models.PositiveSmallIntegerField(null=True, blank=True)
    closed_quarter = models.PositiveSmallIntegerField(null=True, blank=True,
                                                      validators=[MinValueValidator(1), MaxValueValidator(4)])
    closed_because = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["council", "opened_year", "opened_quarter", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(indicator__isnull=True, action__isnull=False)
                                   | Q(indicator__isnull=False, action__isnull=True),
                                   name="exception_case_measure_or_action",
                                   violation_error_message="An exception is a measure's or an action's, not both."),
            models.CheckConstraint(condition=Q(closed_year__isnull=True, closed_quarter__isnull=True)
                                   | Q(closed_year__isnull=False, closed_quarter__isnull=False),
                                   name="exception_case_closed_quarter",
                                   violation_error_message="A closed exception records the quarter it closed."),
            models.UniqueConstraint(fields=["indicator"],
                                    condition=Q(closed_year__isnull=True, indicator__isnull=False),
                                    name="exception_case_one_open_per_measure",
                                    violation_error_message="This measure already has an open exception."),
            models.UniqueConstraint(fields=["action"], condition=Q(closed_year__isnull=True, action__isnull=False),
                                    name="exception_case_one_open_per_action",
                                    violation_error_message="This action already has an open exception."),
        ]

    def __str__(self) -> str:
        subject = self.indicator or self.action
        return f"{subject.ref} since Q{self.opened_quarter} {financial_year_label(self.opened_year)}"

    @property
    def is_open(self) -> bool:
        return self.closed_year is None

    def age(self, year: int, quarter: int) -> int:
        """Quarters since it opened, counting the quarter it opened as 1."""
        return (year - self.opened_year) * 4 + quarter - self.opened_quarter + 1


class ExceptionReview(models.Model):
    """One quarter of an exception: the figure and its rating (or the action's status) and the recovery plan."""

    case = models.ForeignKey(ExceptionCase, on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    figure = models.CharField(max_length=60, blank=True)
    rating = models.CharField(max_length=60, help_text="The RAG word, or the action's status.")
    direction = models.CharField(max_length=30, blank=True)
    recovery = models.CharField(max_length=300, blank=True, help_text="The recovery plan and its progress.")
    recovered = models.BooleanField(default=False)

    class Meta:
        ordering = ["case", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["case", "year", "quarter"], name="exception_review_once_a_quarter",
                                    violation_error_message="This exception was already reviewed for the quarter."),
        ]

    def __str__(self) -> str:
        return f"{self.case}: Q{self.quarter} {financial_year_label(self.year)} {self.rating}"


class TrackedQuarter(models.Model):
    """A quarter the council's exceptions have been tracked for: each quarter is tracked once, in order."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="tracked_quarters")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    tracked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["council", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["council", "year", "quarter"], name="tracked_quarter_once",
                                    violation_error_message="This quarter's exceptions are tracked already."),
        ]

    def __str__(self) -> str:
        return f"{self.council}: Q{self.quarter} {financial_year_label(self.year)}"


# -- Case studies (D6, F2, S 14) ---------------------------------------------------------------------------------

class CaseStudyStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted, waiting for the performance unit"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Not used"


def _picture_path(instance: CaseStudy, filename: str) -> str:
    return f"case-studies/{instance.council_id}/{filename}"


class CaseStudy(models.Model):
    """A story of staff work, told by staff from their home page, approved by the performance unit, and published
    in the annual performance report (and on the public site) when it is approved and marked published."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="case_studies")
    title = models.CharField(max_length=200)
    story = models.TextField(help_text="What was done, for whom, and what changed.")
    team = models.ForeignKey("pmf.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    priority = models.ForeignKey("plans.PlanItem", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="case_studies", help_text="The Council Plan priority it serves.")
    financial_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    quarter = models.PositiveSmallIntegerField(null=True, blank=True,
                                               validators=[MinValueValidator(1), MaxValueValidator(4)])
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="case_studies")
    picture = models.ImageField(upload_to=_picture_path, blank=True, max_length=300)
    picture_alt = models.CharField("picture description", max_length=300, blank=True,
                                   help_text="What the picture shows, for people who cannot see it.")
    status = models.CharField(max_length=10, choices=CaseStudyStatus.choices, default=CaseStudyStatus.SUBMITTED)
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=300, blank=True)
    is_published = models.BooleanField("published", default=False,
                                       help_text="Shown in the public annual report and on the public site.")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stops lost updates.")

    class Meta:
        ordering = ["council", "-financial_year", "title"]
        verbose_name_plural = "case studies"
        constraints = [
            models.CheckConstraint(condition=Q(picture="") | ~Q(picture_alt=""), name="case_study_picture_has_alt",
                                   violation_error_message="A picture needs its description (alt text)."),
            models.CheckConstraint(condition=~Q(is_published=True) | Q(status="approved"),
                                   name="case_study_published_when_approved",
                                   violation_error_message="Only an approved case study is published."),
        ]

    def __str__(self) -> str:
        return self.title
