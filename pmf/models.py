"""Organisation core: councils (the tenants), financial years and periods, the officer structure,
people and the roles they hold, committees and portfolios (DOMAIN.md A5, E1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from pmf import periods
from pmf.choices import AuditAction, CommitteeKind, CouncilType, Frequency, RecoveryScope, Role, ServiceKind


class Council(models.Model):
    """The top of everything. One deployment hosts several councils; no council's data reaches another
    council's users. Councils that share one officer team (frameworks/004) share directorates."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=60, blank=True)
    slug = models.SlugField(max_length=60, unique=True)
    council_type = models.CharField(max_length=20, choices=CouncilType.choices, default=CouncilType.UNITARY)
    ons_code = models.CharField("ONS code", max_length=9, blank=True, help_text="e.g. E06000050")
    website = models.URLField(blank=True)
    default_tolerance_pct = models.DecimalField(
        "default tolerance (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("5"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Amber band used where a target sets no tolerance of its own (C1, B3).",
    )
    default_due_working_days = models.PositiveSmallIntegerField(
        default=10, help_text="Returns are due this many working days after the period ends (B2)."
    )
    period_close_days = models.PositiveSmallIntegerField(
        default=5, help_text="A period closes to entry this many days after its deadline (D1)."
    )
    open_data_licence = models.CharField(max_length=120, default="Open Government Licence v3.0")
    verification_required = models.BooleanField(
        "heads of service verify returns", default=False,
        help_text="On: a submitted return goes to the head of its service to verify (or send back) before the "
                  "director signs it off (E1).")
    recovery_plans_for = models.CharField(
        "recovery plans are asked for", max_length=10, choices=RecoveryScope.choices, default=RecoveryScope.KPIS,
        help_text="Which measures ask their owner for a recovery plan when an approved figure is red (D4).")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_tolerance_pct__gte=0),
                name="council_tolerance_not_negative",
                violation_error_message="The default tolerance cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FinancialYear(models.Model):
    """1 April to 31 March, identified by the calendar year it starts in (2025 for 2025/26)."""

    start_year = models.PositiveSmallIntegerField(
        primary_key=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )

    class Meta:
        ordering = ["start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_year__gte=2000, start_year__lte=2100),
                name="financial_year_in_range",
                violation_error_message="A financial year must start between 2000 and 2100.",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return periods.financial_year_label(self.start_year)

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)


_MAX_PERIOD = {Frequency.MONTHLY: 12, Frequency.QUARTERLY: 4, Frequency.HALF_YEARLY: 2, Frequency.ANNUAL: 1}


class Period(models.Model):
    """One month, quarter, half-year or year of one financial year. Dates are derived from the number."""

    financial_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="periods")
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    number = models.PositiveSmallIntegerField(help_text="Counts from 1 at April: months 1-12, quarters 1-4 ...")
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["financial_year", "frequency", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["financial_year", "frequency", "number"],
                name="period_unique_in_year",
                violation_error_message="That period already exists in this financial year.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1)
                & (
                    Q(frequency=Frequency.MONTHLY, number__lte=12)
                    | Q(frequency=Frequency.QUARTERLY, number__lte=4)
                    | Q(frequency=Frequency.HALF_YEARLY, number__lte=2)
                    | Q(frequency=Frequency.ANNUAL, number=1)
                ),
                name="period_number_in_range",
                violation_error_message="The period number is outside its frequency's range.",
            ),
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="period_ends_after_start",
                violation_error_message="A period must end on or after its start.",
            ),
            models.CheckConstraint(
                # A period lies inside its financial year: 1 April of start_year to 31 March next year.
                condition=(
                    (Q(start__year=F("financial_year_id"), start__month__gte=4)
                     | Q(start__year=F("financial_year_id") + 1, start__month__lte=3))
                    & (Q(end__year=F("financial_year_id"), end__month__gte=4)
                       | Q(end__year=F("financial_year_id") + 1, end__month__lte=3))
                ),
                name="period_inside_its_year",
                violation_error_message="A period must lie inside its financial year.",
            ),
        ]
        indexes = [models.Index(fields=["frequency", "end"], name="period_freq_end_idx")]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs) -> None:
        self.start, self.end = periods.period_bounds(
            frequency=self.frequency, year_start=self.financial_year_id, period_number=self.number
        )
        super().save(*args, **kwargs)
    @property
    def label(self) -> str:
        return periods.period_label(
            frequency=self.frequency, year_start=self.financial_year_id, period_number=self.number
        )

    @property
    def year_start(self) -> int:
        return self.financial_year_id

    @property
    def key(self) -> tuple[int, int]:
        return (self.financial_year_id, self.number)

    @property
    def is_year_end(self) -> bool:
        return self.number == _MAX_PERIOD[Frequency(self.frequency)]

    def clean(self) -> None:
        if self.frequency and self.number and self.financial_year_id:
            try:
                periods.period_bounds(
                    frequency=self.frequency, year_start=self.financial_year_id, period_number=self.number
                )
            except ValueError as exc:
                raise ValidationError({"number": str(exc)}) from exc



class User(AbstractUser):
    """A person: officer or member. What they may see and do comes from their role assignments."""

    job_title = models.CharField(max_length=150, blank=True)
    is_member = models.BooleanField(
        "elected member", default=False, help_text="An elected councillor rather than an officer."
    )
    sso_subject = models.CharField(
        "single sign-on identifier", max_length=255, null=True, blank=True, unique=True, editable=False,
        help_text="Who this person is at the council's identity provider (Entra ID's object ID), kept from their "
                  "first single sign-on.",
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        full = self.get_full_name()
        return f"Cllr {full}" if self.is_member and full else (full or self.username)


class Directorate(models.Model):
    """A directorate of the officer structure. Councils with one shared officer team share directorates."""

    councils = models.ManyToManyField(Council, related_name="directorates")
    name = models.CharField(max_length=150)
    code = models.SlugField(max_length=20, help_text="Short code used in references, e.g. ASC.")
    director = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="directorates_led"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="directorate_code_unique",
                                    violation_error_message="A directorate with this code exists."),
        ]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A service of a directorate, or a company, partnership or commissioned contract the directorate oversees."""

    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=150)
    kind = models.CharField(
        max_length=12, choices=ServiceKind.choices, default=ServiceKind.SERVICE,
        help_text="A council service, or a company, partnership or contract that delivers for the council.",
    )
    provider = models.CharField(
        max_length=150, blank=True,
        help_text="Who delivers it: the company, the lead partner or the contractor. Blank for a council service.",
    )
    head = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="services_headed",
        verbose_name="head of service",
    )

    class Meta:
        ordering = ["directorate__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["directorate", "name"], name="service_name_unique_in_directorate",
                                    violation_error_message="This directorate already has a service of that name."),
            models.CheckConstraint(
                condition=Q(kind=ServiceKind.SERVICE) | ~Q(provider=""), name="service_provider_named",
                violation_error_message="Name who delivers a company, partnership or contract (the provider).",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_external(self) -> bool:
        """A company, partnership or contract: delivered for the council by someone else."""
        return self.kind != ServiceKind.SERVICE

    def clean(self) -> None:
        # The database refuses it too (service_provider_named); here the form names the field.
        if self.kind != ServiceKind.SERVICE and not (self.provider or "").strip():
            raise ValidationError({"provider": f"A {self.get_kind_display().lower()} names who delivers it: the "
                                               "company, the lead partner or the contractor."})

    @property
    def measure_label(self) -> str:
        """How its measures are described on pages and in reports: "SLA KPI – delivered by Greenway
        Environmental Ltd"; blank for a council service."""
        if not self.is_external:
            return ""
        prefix = {ServiceKind.COMPANY: "Company KPI", ServiceKind.PARTNERSHIP: "Partnership KPI",
                  ServiceKind.CONTRACT: "SLA KPI"}[self.kind]
        return f"{prefix} – delivered by {self.provider}"


class Team(models.Model):
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=150)
    manager = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams_managed"
    )
    members = models.ManyToManyField(User, blank=True, related_name="teams")

    class Meta:
        ordering = ["service__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["service", "name"], name="team_name_unique_in_service",
                                    violation_error_message="This service already has a team of that name."),
        ]

    def __str__(self) -> str:
        return self.name


class Portfolio(models.Model):
    """A Cabinet portfolio, held by a Cabinet member (the outcome owner of its priorities, A3)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="portfolios")
    name = models.CharField(max_length=150)
    holder = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="portfolios_held",
        help_text="The Cabinet member / portfolio holder.",
    )

    class Meta:
        ordering = ["council__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="portfolio_name_unique_in_council",
                                    violation_error_message="This council already has a portfolio of that name."),
        ]

    def __str__(self) -> str:
        return self.name


class Committee(models.Model):
    """Cabinet, a scrutiny committee, or a joint committee of several councils (A5). Its remit, the plan items it
    oversees, is the plans app's (``committee.remit``, from ``PlanItem.committees``)."""

    councils = models.ManyToManyField(Council, related_name="committees")
    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=20, choices=CommitteeKind.choices)
    chair = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="committees_chaired")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(models.Model):
    """A role held by a person in one council, over the part of the organisation it covers (E1)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    directorate = models.ForeignKey(Directorate, null=True, blank=True, on_delete=models.CASCADE)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE)
    committee = models.ForeignKey(Committee, null=True, blank=True, on_delete=models.CASCADE)
    portfolio = models.ForeignKey(Portfolio, null=True, blank=True, on_delete=models.CASCADE)
    delegate_for = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="delegations",
        help_text="For a sign-off delegate: the director on whose behalf they sign.",
    )
    from_sso = models.BooleanField(
        "from single sign-on", default=False, editable=False,
        help_text="Given at single sign-on by one of the person's groups; ended at a sign-in when no group gives it "
                  "any more. Roles given by hand are never ended that way.",
    )

    class Meta:
        ordering = ["council", "role", "user"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=[Role.DIRECTOR, Role.DELEGATE]) | Q(directorate__isnull=False),
                name="role_director_has_directorate",
                violation_error_message="A director or sign-off delegate must cover a directorate.",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.HEAD_OF_SERVICE) | Q(service__isnull=False),
                name="role_head_has_service",
                violation_error_message="A head of service must cover a service.",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.SCRUTINY_MEMBER) | Q(committee__isnull=False),
                name="role_scrutiny_has_committee",
                violation_error_message="A scrutiny member must sit on a committee.",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.CABINET_MEMBER) | Q(portfolio__isnull=False),
                name="role_cabinet_has_portfolio",
                violation_error_message="A Cabinet member must hold a portfolio.",
            ),
            models.UniqueConstraint(
                fields=["user", "council", "role", "directorate", "service", "team", "committee", "portfolio"],
                name="role_assignment_unique",
                violation_error_message="This person already holds that role over that part of the council.",
            ),
        ]
        indexes = [models.Index(fields=["user", "council"], name="role_user_council_idx")]

    def __str__(self) -> str:
        scope = self.directorate or self.service or self.team or self.committee or self.portfolio
        label = self.get_role_display()
        where = f" ({scope})" if scope else ""
        return f"{self.user} — {label}{where}, {self.council.short_name or self.council}"


class AuditEntry(models.Model):
    """E3: who changed what, when, from what to what, and why. Append-only: the database itself refuses to
    change or delete a row (triggers on PostgreSQL and SQLite)."""

    council = models.ForeignKey(Council, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
                                related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+")
    user_name = models.CharField(max_length=200, blank=True, help_text="Kept even if the account is removed.")
    action = models.CharField(max_length=12, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60, db_index=True, help_text="app.Model")
    object_id = models.CharField(max_length=40, db_index=True)
    object_repr = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [from, to]}")
    reason = models.TextField(blank=True)
    batch = models.UUIDField(null=True, blank=True, db_index=True,
                             help_text="Shared by the entries of one bulk change.")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["council", "-at"], name="audit_council_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_name} {self.get_action_display()} {self.object_repr}"


class MaintenanceWindow(models.Model):
    """A row here, inside one transaction, lets that transaction delete what the integrity triggers otherwise
    protect (approved targets, the audit trail): used only to remove a whole council (the demo's --reset)."""

    opened_at = models.DateTimeField(default=timezone.now)
    purpose = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.purpose


# -- Reminders and the schedule (E5) ---------------------------------------------------------------------------

class ReminderKind(models.TextChoices):
    """What a reminder is about. Each person chooses which kinds they get (ReminderPreference)."""

    RETURNS_DUE = "returns_due", "Returns due soon"
    RETURNS_OVERDUE = "returns_overdue", "Returns overdue"
    SIGN_OFFS = "sign_offs", "Returns and action updates waiting for my sign-off"
    RECOVERY_PLANS = "recovery_plans", "Recovery plans asked of me"
    ACTION_UPDATES = "action_updates", "Action updates due"


class ReminderPreference(models.Model):
    """Which reminders one person gets by email (E5). Created with everything on the first time it is needed;
    everything due still shows on their home page whatever they choose here."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="reminder_preference")
    returns_due = models.BooleanField(
        "returns due soon", default=True,
        help_text="Returns you enter that fall due within the council's reminder window.")
    returns_overdue = models.BooleanField(
        "returns overdue", default=True,
        help_text="Returns you enter that are past their due date, repeated until they are submitted.")
    sign_offs = models.BooleanField(
        "sign-offs waiting", default=True,
        help_text="For directors and delegates: returns and action updates submitted for your sign-off.")
    recovery_plans = models.BooleanField(
        "recovery plans", default=True,
        help_text="Recovery plans asked of you that are due soon or overdue (D4).")
    action_updates = models.BooleanField(
        "action updates", default=True,
        help_text="Quarterly updates due on the actions you own, and updates sent back to you.")
    updated_at = models.DateTimeField(auto_now=True)

    #: Preference field for each kind of reminder.
    FIELD_FOR_KIND = {
        ReminderKind.RETURNS_DUE: "returns_due",
        ReminderKind.RETURNS_OVERDUE: "returns_overdue",
        ReminderKind.SIGN_OFFS: "sign_offs",
        ReminderKind.RECOVERY_PLANS: "recovery_plans",
        ReminderKind.ACTION_UPDATES: "action_updates",
    }

    def __str__(self) -> str:
        return f"Reminder preferences of {self.user}"

    def wants(self, kind: str) -> bool:
        return bool(getattr(self, self.FIELD_FOR_KIND[kind]))


class ReminderSettings(models.Model):
    """A council's reminder rules (E5), set by the performance unit."""

    council = models.OneToOneField(Council, on_delete=models.CASCADE, related_name="reminder_settings")
    enabled = models.BooleanField(
        "send reminder emails", default=True,
        help_text="Off: the scheduled run sends nothing for this council (the home page still lists what is due).")
    days_before_due = models.PositiveSmallIntegerField(
        "days before the due date", default=5, validators=[MinValueValidator(0), MaxValueValidator(30)],
        help_text="Remind people this many days before a return, action update or recovery plan is due "
                  "(0: on the day). Each item is reminded once before it is due.")
    repeat_every_days = models.PositiveSmallIntegerField(
        "repeat overdue reminders every (days)", default=7, validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Overdue items and sign-offs still waiting are reminded again after this many days.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "reminder settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(days_before_due__lte=30), name="reminder_days_before_due_in_range",
                violation_error_message="Days before the due date must be between 0 and 30."),
            models.CheckConstraint(
                condition=Q(repeat_every_days__gte=1, repeat_every_days__lte=60), name="reminder_repeat_in_range",
                violation_error_message="Overdue reminders repeat every 1 to 60 days."),
        ]

    def __str__(self) -> str:
        return f"Reminder settings of {self.council}"


class ReminderLog(models.Model):
    """One item reminded to one person on one day. The unique constraint makes a second run on the same day
    send nothing twice; the last date decides when an overdue item is reminded again."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reminder_logs")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    subject_key = models.CharField(max_length=100, help_text="What was reminded, e.g. return:12:345.")
    sent_on = models.DateField(db_index=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_on", "user", "kind", "subject_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "subject_key", "sent_on"], name="reminder_once_a_day",
                violation_error_message="This item was already reminded to this person today."),
        ]
        indexes = [models.Index(fields=["council", "sent_on"], name="reminder_log_council_idx")]

    def __str__(self) -> str:
        return f"{self.sent_on} {self.user} {self.get_kind_display()} {self.subject_key}"


class JobKind(models.TextChoices):
    """The council's scheduled jobs, each a django-celery-beat PeriodicTask calling one Celery task."""

    REMINDERS = "reminders", "Reminders"
    DRAFT_PACKS = "draft_packs", "Draft packs"


class ScheduledJob(models.Model):
    """Ties a council to one of its django-celery-beat periodic tasks, so that the schedule page shows and
    edits only that council's jobs (other councils' jobs are not found)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="scheduled_jobs")
    kind = models.CharField(max_length=20, choices=JobKind.choices)
    periodic_task = models.OneToOneField("django_celery_beat.PeriodicTask", on_delete=models.CASCADE,
                                         related_name="pmf_job")

    class Meta:
        ordering = ["council", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["council", "kind"], name="scheduled_job_once_per_council",
                                    violation_error_message="This council already has that scheduled job."),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.council}"


class ApiToken(models.Model):
    """A personal API token (the REST API, README "API"): a random secret shown once when it is made; only its
    SHA-256 digest is stored. It acts as its person, scoped exactly like them, until it expires or is revoked."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “Power BI refresh”.")
    digest = models.CharField(max_length=64, unique=True, editable=False, help_text="SHA-256 of the secret, in hex.")
    prefix = models.CharField(max_length=12, editable=False, help_text="The secret's first characters, to tell "
                                                                      "tokens apart.")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="api_token_expires_after_made",
                                   violation_error_message="A token must expire after it is made."),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
