"""Indicators (B1), their versioned technical specifications (B2), targets with trajectories and
tolerances (B3), returns (B5), corporate risks they link to (E4) and comparator benchmarks (C4)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from indicators.choices import (
    Calculation,
    Confidence,
    ForecastMethod,
    Frequency,
    IndicatorKind,
    MeasureType,
    Polarity,
    ReturnState,
    SelfAssessment,
    Stretch,
    Unit,
)
from plans.models import Action, PlanItem
from pmf.models import Council, Directorate, FinancialYear, Period, Service, User

VALUE = {"max_digits": 18, "decimal_places": 6}


class CorporateRisk(models.Model):
    """E4: a corporate risk that indicators link to."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="risks")
    ref = models.CharField("reference", max_length=20)
    title = models.CharField(max_length=250)
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="risks_owned")
    likelihood = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="How likely the risk is, 1 (rare) to 5 (almost certain), as the council's register scores it.")
    impact = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="How severe it would be, 1 (minimal) to 5 (severe).")
    # Issue 13: the register (E4): where the council means to bring the risk, whose it is, what is done about it.
    target_likelihood = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="How likely the risk should be once the planned actions are done, 1 (rare) to 5 (almost certain).")
    target_impact = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="How severe it should be once the planned actions are done, 1 (minimal) to 5 (severe).")
    directorate = models.ForeignKey(Directorate, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="risks", help_text="The directorate that manages the risk.")
    actions = models.ManyToManyField(Action, blank=True, related_name="risks",
                                     help_text="The plan actions that reduce the risk.")

    class Meta:
        ordering = ["council", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["council", "ref"], name="risk_ref_unique_in_council",
                                    violation_error_message="This council already has a risk with that reference."),
            models.CheckConstraint(
                condition=(Q(likelihood__isnull=True) | Q(likelihood__gte=1, likelihood__lte=5))
                & (Q(impact__isnull=True) | Q(impact__gte=1, impact__lte=5)),
                name="risk_scores_1_to_5",
                violation_error_message="Likelihood and impact are scored 1 to 5."),
            models.CheckConstraint(
                condition=(Q(target_likelihood__isnull=True) | Q(target_likelihood__gte=1, target_likelihood__lte=5))
                & (Q(target_impact__isnull=True) | Q(target_impact__gte=1, target_impact__lte=5)),
                name="risk_target_scores_1_to_5",
                violation_error_message="The target likelihood and impact are scored 1 to 5."),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def score(self) -> int | None:
        """Likelihood × impact (1 to 25), where both are scored."""
        return self.likelihood * self.impact if self.likelihood and self.impact else None

    @property
    def target_score(self) -> int | None:
        """The target likelihood × target impact (1 to 25), where both are scored."""
        return self.target_likelihood * self.target_impact if self.target_likelihood and self.target_impact else None

    def clean(self) -> None:
        if self.score and self.target_score and self.target_score > self.score:
            raise ValidationError({"target_impact": "The target score (likelihood × impact) cannot be above the "
                                                    "current score: the target is where the actions bring the risk."})


class IndicatorQuerySet(models.QuerySet):
    def with_current_spec(self) -> IndicatorQuerySet:
        return self.select_related("current_spec")


class Indicator(models.Model):
    """B1: a KPI, a PI or a contextual statistic, numeric or qualitative. What it measures and how lives
    in its specification versions; ``current_spec`` points at the one in force."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="indicators")
    ref = models.CharField("reference", max_length=30)
    title = models.CharField(max_length=250)
    kind = models.CharField(max_length=12, choices=IndicatorKind.choices, default=IndicatorKind.PI)
    is_headline = models.BooleanField("headline", default=False, help_text="In the corporate headline set (B1).")
    is_qualitative = models.BooleanField(
        "qualitative", default=False, help_text="Narrative only: reported by commentary, never RAG-rated."
    )
    is_restricted = models.BooleanField(
        "restricted", default=False, help_text="Never published on the public site (D9)."
    )
    is_perception = models.BooleanField(
        "perception / survey measure", default=False,
        help_text="A survey result: measured, not rated, until a result exists (C1).",
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="indicators",
                                help_text="The service that owns the indicator.")
    plan_items = models.ManyToManyField(PlanItem, related_name="indicators", blank=True,
                                        help_text="A2: the plan item(s) this indicator evidences.")
    risks = models.ManyToManyField(CorporateRisk, blank=True, related_name="indicators",
                                   help_text="Linked corporate risks (B2, E4).")
    current_spec = models.OneToOneField(
        "Specification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The specification version in force.",
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["council", "ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "ref"], name="indicator_ref_unique_in_council",
                violation_error_message="This council already has an indicator with that reference.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("indicators:detail", args=[self.pk])

    @property
    def is_rated(self) -> bool:
        return self.kind != IndicatorKind.CONTEXTUAL and not self.is_qualitative

    def clean(self) -> None:
        if self.is_qualitative and self.kind == IndicatorKind.CONTEXTUAL:
            raise ValidationError({"is_qualitative": NARRATIVE_NOT_CONTEXTUAL})


#: A narrative measure's return carries the status its officer chooses; a contextual statistic is never rated.
NARRATIVE_NOT_CONTEXTUAL = ("A narrative measure is rated by the status its officer chooses, and a contextual "
                            "statistic is never rated: make it a KPI or PI, or untick “qualitative”.")


class Specification(models.Model):
    """B2: one version of an indicator's technical specification. A change is a new version."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="specifications")
    version = models.PositiveSmallIntegerField(default=1)
    valid_from = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+",
                                   help_text="The first financial year this version applies to.")
    definition = models.TextField()
    rationale = models.TextField(blank=True, help_text="Why the measure matters.")
    data_source = models.CharField(max_length=250)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.NUMBER)
    rate_per = models.PositiveIntegerField(null=True, blank=True, help_text="For a rate: per how many (e.g. 10,000).")
    calculation = models.CharField(max_length=10, choices=Calculation.choices, default=Calculation.VALUE)
    numerator_label = models.CharField(max_length=200, blank=True)
    denominator_label = models.CharField(max_length=200, blank=True)
    multiplier = models.DecimalField(max_digits=12, decimal_places=4, default=Decimal("1"),
                                     help_text="Value = numerator / denominator × multiplier (100 for a percentage).")
    decimal_places = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(6)])
    polarity = models.CharField(max_length=8, choices=Polarity.choices, default=Polarity.HIGHER.value)
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.QUARTERLY.value)
    measure_type = models.CharField(max_length=10, choices=MeasureType.choices, default=MeasureType.SNAPSHOT.value)
    due_working_days = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(60)],
        help_text="Data due this many working days after the period ends (England and Wales bank holidays).",
    )
    accountable_officer = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    deputy_accountable_officer = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                                                   related_name="+")
    performance_lead = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="indicators_led", help_text="Enters the returns.")
    deputy_performance_lead = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                                                related_name="indicators_deputised")
    comparator_group = models.CharField(max_length=150, blank=True, help_text="e.g. CIPFA nearest neighbours.")
    national_code = models.CharField(max_length=30, blank=True, help_text="e.g. ASCOF 2A, PHOF C04.")
    is_statutory_return = models.BooleanField("statutory return", default=False)
    stretch = models.CharField("level of stretch", max_length=12, choices=Stretch.choices, default=Stretch.MODERATE)
    forecast_method = models.CharField(max_length=15, choices=ForecastMethod.choices, blank=True,
                                       help_text="How the year-end forecast is computed when the officer gives none.")
    plausible_min = models.DecimalField(null=True, blank=True, **VALUE,
                                        help_text="Values below this are refused as implausible (B6).")
    plausible_max = models.DecimalField(null=True, blank=True, **VALUE,
                                        help_text="Values above this are refused as implausible (B6).")
    change_threshold_pct = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))],
        help_text="A change from the last period beyond this percentage needs commentary (B6).",
    )
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "version"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "version"], name="spec_version_unique",
                                    violation_error_message="This version of the specification exists already."),
            models.CheckConstraint(condition=Q(decimal_places__lte=6), name="spec_decimal_places_max_6",
                                   violation_error_message="Decimal places must be between 0 and 6."),
            models.CheckConstraint(condition=Q(multiplier__gt=0), name="spec_multiplier_positive",
                                   violation_error_message="The multiplier must be greater than zero."),
            models.CheckConstraint(
                condition=Q(plausible_min__isnull=True) | Q(plausible_max__isnull=True)
                | Q(plausible_max__gte=F("plausible_min")),
                name="spec_plausible_range_ordered",
                violation_error_message="The plausible maximum cannot be below the plausible minimum."),
            models.CheckConstraint(condition=~Q(unit=Unit.RATE) | Q(rate_per__isnull=False),
                                   name="spec_rate_has_base",
                                   violation_error_message="A rate needs its base (per how many)."),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.ref} specification v{self.version}"

    def clean(self) -> None:
        if self.calculation == Calculation.RATIO and not (self.numerator_label and self.denominator_label):
            raise ValidationError({"numerator_label": "A numerator / denominator calculation needs both labels."})


class Target(models.Model):
    """B3: the target for one financial year, with baseline, tolerance and an optional trajectory."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    financial_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="targets")
    annual_target = models.DecimalField(null=True, blank=True, **VALUE,
                                        help_text="Blank for a band measure, or a measure without a target.")
    band_low = models.DecimalField(null=True, blank=True, **VALUE, help_text="For 'within a band is best'.")
    band_high = models.DecimalField(null=True, blank=True, **VALUE, help_text="For 'within a band is best'.")
    baseline = models.DecimalField(null=True, blank=True, **VALUE)
    needs_baseline = models.BooleanField(
        default=False, help_text="The target is set from a baseline; without one the measure is not rated (C1).")
    tolerance_pct = models.DecimalField("tolerance (%)", max_digits=6, decimal_places=2, null=True, blank=True,
                                        help_text="Amber band as a percentage of the target.")
    tolerance_abs = models.DecimalField("tolerance (absolute)", null=True, blank=True, **VALUE,
                                        help_text="Amber band as an absolute amount.")
    note = models.CharField(max_length=300, blank=True)
    approved_at = models.DateTimeField(
        null=True, blank=True,
        help_text="Set when the plan holding the target is approved; from then on the target, trajectory and "
                  "tolerance refuse every edit (B4).",
    )
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revision = models.PositiveSmallIntegerField(default=1, help_text="1 for the original; each re-approval adds one.")
    revises = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="revised_by",
        help_text="The target this re-approved one replaces (kept, and shown beside it).",
    )
    revision_reason = models.TextField(blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stops lost updates.")

    class Meta:
        ordering = ["indicator", "financial_year", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "financial_year"], condition=Q(superseded_at__isnull=True),
                                    name="target_one_per_year",
                                    violation_error_message="This indicator already has a target for that year."),
            models.UniqueConstraint(fields=["indicator", "financial_year", "revision"], name="target_revision_unique",
                                    violation_error_message="That revision of the target exists already."),
            models.CheckConstraint(condition=Q(revision=1) | (Q(revises__isnull=False) & ~Q(revision_reason="")),
                                   name="target_revision_has_reason",
                                   violation_error_message="A re-approved target records the one it replaces "
                                                           "and why."),
            models.CheckConstraint(condition=Q(approved_at__isnull=True) | Q(approved_by__isnull=False),
                                   name="target_approval_recorded",
                                   violation_error_message="An approved target records who approved it."),
            models.CheckConstraint(condition=Q(tolerance_pct__isnull=True) | Q(tolerance_abs__isnull=True),
                                   name="target_one_tolerance",
                                   violation_error_message="Give the tolerance as a percentage or an absolute "
                                                           "amount, not both."),
            models.CheckConstraint(condition=Q(tolerance_pct__isnull=True) | Q(tolerance_pct__gte=0),
                                   name="target_tolerance_pct_not_negative",
                                   violation_error_message="The tolerance cannot be negative."),
            models.CheckConstraint(condition=Q(tolerance_abs__isnull=True) | Q(tolerance_abs__gte=0),
                                   name="target_tolerance_abs_not_negative",
                                   violation_error_message="The tolerance cannot be negative."),
            models.CheckConstraint(
                condition=(Q(band_low__isnull=True) & Q(band_high__isnull=True))
                | (Q(band_low__isnull=False) & Q(band_high__isnull=False) & Q(band_high__gte=F("band_low"))),
                name="target_band_complete_and_ordered",
                violation_error_message="A band needs both its low and high edge, low not above high."),
        ]

    def __str__(self) -> str:
        suffix = f" (revision {self.revision})" if self.revision > 1 else ""
        return f"{self.indicator.ref} target {self.financial_year}{suffix}"

    @property
    def is_locked(self) -> bool:
        return self.approved_at is not None


class TrajectoryPoint(models.Model):
    """B3: the target profiled by period (year-to-date for a cumulative measure)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="trajectory")
    period_number = models.PositiveSmallIntegerField()
    value = models.DecimalField(**VALUE)

    class Meta:
        ordering = ["target", "period_number"]
        constraints = [
            models.UniqueConstraint(fields=["target", "period_number"], name="trajectory_point_unique",
                                    violation_error_message="The trajectory already has a value for that period."),
            models.CheckConstraint(condition=Q(period_number__gte=1, period_number__lte=12),
                                   name="trajectory_period_in_range",
                                   violation_error_message="A trajectory period must be between 1 and 12."),
        ]

    def __str__(self) -> str:
        return f"period {self.period_number}: {self.value}"


class Return(models.Model):
    """B5: one period's data for one indicator, with its workflow state."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="returns")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="returns")
    value = models.DecimalField(null=True, blank=True, **VALUE,
                                help_text="Computed from the numerator and denominator where the measure has them.")
    numerator = models.DecimalField(null=True, blank=True, **VALUE)
    denominator = models.DecimalField(null=True, blank=True, **VALUE)
    forecast = models.DecimalField("year-end forecast", null=True, blank=True, **VALUE)
    forecast_confidence = models.CharField(max_length=6, choices=Confidence.choices, blank=True)
    commentary = models.TextField(blank=True)
    self_assessed_rag = models.CharField(
        "self-assessed status", max_length=6, choices=SelfAssessment.choices, blank=True,
        help_text="For a narrative measure: the status the officer judges from the narrative. Never computed.",
    )
    no_data_reason = models.CharField("no data this period: reason", max_length=300, blank=True)
    is_estimate = models.BooleanField("estimated figure", default=False)
    is_queried = models.BooleanField("queried", default=False, help_text="Under query by the performance unit.")
    query_note = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=ReturnState.choices, default=ReturnState.DRAFT)
    returned_reason = models.TextField(blank=True)
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    help_text="The head of service who verified the figure, where the council asks.")
    verified_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True, help_text="When the figure was due (B2 rule).")
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every save; stops lost updates.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "period__start"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="return_one_per_period",
                                    violation_error_message="This indicator already has a return for that period."),
            models.CheckConstraint(
                condition=(Q(numerator__isnull=True) & Q(denominator__isnull=True))
                | (Q(numerator__isnull=False) & Q(denominator__isnull=False)),
                name="return_numerator_with_denominator",
                violation_error_message="A numerator needs a denominator, and a denominator a numerator."),
            models.CheckConstraint(condition=Q(denominator__isnull=True) | ~Q(denominator=0),
                                   name="return_denominator_not_zero",
                                   violation_error_message="The denominator cannot be zero."),
            models.CheckConstraint(condition=Q(numerator__isnull=True) | Q(value__isnull=False),
                                   name="return_ratio_has_value",
                                   violation_error_message="A return with a numerator must store its computed value."),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(no_data_reason=""),
                                   name="return_value_or_no_data",
                                   violation_error_message="A return cannot have both a value and a “no data” reason."),
            models.CheckConstraint(
                condition=Q(state__in=[ReturnState.DRAFT, ReturnState.RETURNED])
                | Q(value__isnull=False) | ~Q(no_data_reason="") | ~Q(self_assessed_rag=""),
                name="return_submitted_has_value_or_reason",
                violation_error_message="A submitted return needs a value, a self-assessed status or a reason why "
                                        "there is no data."),
            models.CheckConstraint(
                condition=~Q(state__in=[ReturnState.SUBMITTED, ReturnState.VERIFIED, ReturnState.APPROVED])
                | Q(submitted_by__isnull=False, submitted_at__isnull=False),
                name="return_submission_recorded",
                violation_error_message="A submitted return must record who submitted it and when."),
            models.CheckConstraint(
                condition=~Q(state=ReturnState.VERIFIED) | Q(verified_by__isnull=False, verified_at__isnull=False),
                name="return_verification_recorded",
                violation_error_message="A verified return must record who verified it and when."),
            models.CheckConstraint(
                condition=~Q(state=ReturnState.APPROVED) | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="return_approval_recorded",
                violation_error_message="An approved return must record who approved it and when."),
            models.CheckConstraint(condition=~Q(state=ReturnState.RETURNED) | ~Q(returned_reason=""),
                                   name="return_returned_has_reason",
                                   violation_error_message="A return sent back needs a reason."),
        ]
        indexes = [models.Index(fields=["state"], name="return_state_idx")]

    def __str__(self) -> str:
        return f"{self.indicator.ref} {self.period}"

    @property
    def is_late(self) -> bool:
        if self.due_on is None or self.submitted_at is None:
            return False
        return timezone.localdate(self.submitted_at) > self.due_on

    @property
    def quality(self) -> list[str]:
        """B6 data-quality rating: complete, or the ways it falls short (late, estimated, queried)."""
        flags = [name for name, on in (("late", self.is_late), ("estimated", self.is_estimate),
                                       ("queried", self.is_queried)) if on]
        if self.value is None and not self.no_data_reason:
            flags.insert(0, "incomplete")
        return flags or ["complete"]

    @property
    def is_locked(self) -> bool:
        return self.state == ReturnState.APPROVED


def _evidence_path(instance: Evidence, filename: str) -> str:
    ret = instance.ret
    return f"evidence/{ret.indicator.council_id}/{ret.indicator_id}/{ret.period_id}/{filename}"


class Evidence(models.Model):
    """B5: a file attached to a return, downloadable by those who may see the return."""

    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="evidence", verbose_name="return")
    file = models.FileField(upload_to=_evidence_path, max_length=300)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ret", "uploaded_at"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.original_name


class EntryReopening(models.Model):
    """D1: the performance unit reopens a closed period for one indicator so a late figure can be entered."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="reopenings")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    until = models.DateField(help_text="Entry stays open until the end of this day.")
    reason = models.TextField()
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="reopening_has_reason",
                                   violation_error_message="Reopening a period needs a reason."),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.ref} {self.period} reopened until {self.until}"


class ReturnReopening(models.Model):
    """B5: an approved return reopened, with the reason, by whom, and the version of the return it reopened. The
    database lets an approved return leave that state only in the transaction that wrote this row and its audit
    entry (pmf/integrity.py); rows are never changed or deleted."""

    ret = models.ForeignKey(Return, on_delete=models.PROTECT, related_name="reopenings", verbose_name="return")
    return_version = models.PositiveIntegerField(help_text="The version of the return that was reopened.")
    reason = models.TextField()
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="return_reopening_has_reason",
                                   violation_error_message="Reopening an approved return needs a reason."),
        ]

    def __str__(self) -> str:
        return f"{self.ret} reopened"


class RecoveryStatus(models.TextChoices):
    REQUESTED = "requested", "Requested: awaiting the owner's plan"
    IN_PLACE = "in_place", "In place"
    CLOSED = "closed", "Closed: back on track"


class RecoveryPlan(models.Model):
    """D4: the recovery (exception / delivery) plan for a red KPI or an action slipped more than 3 months."""

    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="recovery_plans")
    action = models.ForeignKey("plans.Action", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="recovery_plans")
    trigger = models.CharField(max_length=200, help_text="Why it was asked for, e.g. 'Red at Q2 2026/27'.")
    period = models.ForeignKey(Period, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               help_text="The period whose figure asked for the plan.")
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="recovery_plans",
                              help_text="Who must provide the plan.")
    status = models.CharField(max_length=10, choices=RecoveryStatus.choices, default=RecoveryStatus.REQUESTED)
    requested_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(help_text="When the plan is due.")
    causes = models.TextField(blank=True)
    actions = models.TextField("recovery actions", blank=True)
    action_owner = models.CharField("who leads the recovery", max_length=200, blank=True)
    expected_on_target = models.DateField("date expected back on target", null=True, blank=True)
    provided_at = models.DateTimeField(null=True, blank=True)
    provided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(indicator__isnull=False) & Q(action__isnull=True))
                | (Q(indicator__isnull=True) & Q(action__isnull=False)),
                name="recovery_for_indicator_or_action",
                violation_error_message="A recovery plan is for one indicator or one action."),
            models.UniqueConstraint(fields=["indicator"], condition=~Q(status="closed") & Q(indicator__isnull=False),
                                    name="recovery_one_open_per_indicator",
                                    violation_error_message="This indicator already has an open recovery plan."),
            models.UniqueConstraint(fields=["action"], condition=~Q(status="closed") & Q(action__isnull=False),
                                    name="recovery_one_open_per_action",
                                    violation_error_message="This action already has an open recovery plan."),
            models.CheckConstraint(
                condition=Q(status="requested")
                | (~Q(causes="") & ~Q(actions="") & Q(expected_on_target__isnull=False) & Q(provided_at__isnull=False)),
                name="recovery_plan_complete_when_given",
                violation_error_message="A recovery plan needs its causes, actions and the date expected back on "
                                        "target."),
        ]

    def __str__(self) -> str:
        subject = self.indicator or self.action
        return f"Recovery plan: {subject}"


class BenchmarkValue(models.Model):
    """C4: a comparator council's value for an indicator and year (e.g. a nearest neighbour)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="benchmarks")
    financial_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    comparator = models.CharField(max_length=150, help_text="The comparator council or group average.")
    value = models.DecimalField(**VALUE)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["indicator", "financial_year", "comparator"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "financial_year", "comparator"], name="benchmark_unique",
                                    violation_error_message="That comparator already has a value for this year."),
        ]

    def __str__(self) -> str:
        return f"{self.comparator} {self.financial_year}: {self.value}"


class SpotCheck(models.Model):
    """E1, W 3.5: a sample of approved returns of one quarter that internal audit checks against their evidence.
    Reproducible: the same council, quarter, size, stratification and draw number give the same sample."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="spot_checks")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+",
                               limit_choices_to={"frequency": "quarterly"}, help_text="The quarter sampled.")
    size = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(500)])
    by_directorate = models.BooleanField("stratified by directorate", default=False,
                                         help_text="Each directorate's share of the sample follows its share of "
                                                   "the returns.")
    draw = models.PositiveSmallIntegerField(default=1, help_text="The number of this draw for the quarter.")
    seed = models.CharField(max_length=100, help_text="What the random draw was seeded with, to repeat it.")
    population = models.PositiveIntegerField(help_text="How many approved returns it was drawn from.")
    drawn_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["council", "-drawn_at"]
        constraints = [
            models.UniqueConstraint(fields=["council", "period", "draw"], name="spot_check_draw_unique",
                                    violation_error_message="That draw of the quarter exists already."),
        ]

    def __str__(self) -> str:
        return f"Spot check {self.draw} of {self.period}"


class SpotCheckOutcome(models.TextChoices):
    PENDING = "pending", "Not checked yet"
    VERIFIED = "verified", "Verified: the evidence supports the figure"
    ISSUE = "issue", "Issue found"


class SpotCheckItem(models.Model):
    """One sampled return and what internal audit found."""

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="items")
    ret = models.ForeignKey(Return, on_delete=models.PROTECT, related_name="spot_checks", verbose_name="return")
    outcome = models.CharField(max_length=10, choices=SpotCheckOutcome.choices, default=SpotCheckOutcome.PENDING)
    notes = models.TextField(blank=True)
    checked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["spot_check", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["spot_check", "ret"], name="spot_check_item_once",
                                    violation_error_message="This return is in the sample already."),
            models.CheckConstraint(condition=~Q(outcome="issue") | ~Q(notes=""), name="spot_check_issue_has_notes",
                                   violation_error_message="An issue found needs notes saying what it is."),
            models.CheckConstraint(condition=Q(outcome="pending") | Q(checked_by__isnull=False,
                                                                      checked_at__isnull=False),
                                   name="spot_check_outcome_recorded",
                                   violation_error_message="A checked return records who checked it and when."),
        ]

    def __str__(self) -> str:
        return f"{self.ret}: {self.get_outcome_display()}"


# -- National benchmarking data (C4, issue 12) -----------------------------------------------------------------

class ComparatorKind(models.TextChoices):
    CIPFA = "cipfa", "CIPFA nearest neighbours"
    REGION = "region", "Region"
    UNITARIES = "unitaries", "All English unitaries"
    CUSTOM = "custom", "A custom list"


class Area(models.Model):
    """A local authority area, by its ONS (GSS) code, as the national data downloads name it."""

    code = models.CharField("ONS (GSS) code", max_length=9, unique=True, help_text="e.g. E06000050")
    name = models.CharField(max_length=150)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class NationalMetric(models.Model):
    """A metric of a national data set (LG Inform, Oflog), by the code its download gives it."""

    source = models.CharField(max_length=60, help_text="e.g. LG Inform, Oflog")
    code = models.CharField(max_length=60, help_text="The metric's identifier in its source.")
    title = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["source", "code"]
        constraints = [
            models.UniqueConstraint(fields=["source", "code"], name="national_metric_unique",
                                    violation_error_message="That source already has a metric with this code."),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.code}" + (f": {self.title}" if self.title else "")


class NationalValue(models.Model):
    """One area's value of a national metric for a financial year, with where and when it was published."""

    metric = models.ForeignKey(NationalMetric, on_delete=models.CASCADE, related_name="values")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="values")
    financial_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(**VALUE)
    published_on = models.DateField(null=True, blank=True, help_text="When the source published the figure.")
    file_name = models.CharField(max_length=200, blank=True, help_text="The download it came from.")

    class Meta:
        ordering = ["metric", "financial_year", "area"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "area", "financial_year"], name="national_value_unique",
                                    violation_error_message="That area already has a value of this metric for the "
                                                            "year."),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.area.code} {self.financial_year}: {self.value}"


class MetricMapping(models.Model):
    """A council's measure and the national metric it is compared on."""

    indicator = models.OneToOneField(Indicator, on_delete=models.CASCADE, related_name="national_metric")
    metric = models.ForeignKey(NationalMetric, on_delete=models.PROTECT, related_name="mappings")

    def __str__(self) -> str:
        return f"{self.indicator.ref} ← {self.metric}"


class ComparatorGroup(models.Model):
    """C4: the councils a council compares itself with, as data: its CIPFA nearest neighbours, its region, all
    English unitaries or a list of its own. A measure uses the group its specification names."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="comparator_groups")
    name = models.CharField(max_length=150, help_text="As measures' specifications name it, e.g. CIPFA nearest "
                                                      "neighbours.")
    kind = models.CharField(max_length=12, choices=ComparatorKind.choices, default=ComparatorKind.CUSTOM)
    areas = models.ManyToManyField(Area, related_name="comparator_groups")

    class Meta:
        ordering = ["council", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="comparator_group_name_unique",
                                    violation_error_message="This council already has a comparator group of that "
                                                            "name."),
        ]

    def __str__(self) -> str:
        return self.name


MONEY = {"max_digits": 14, "decimal_places": 2}


def variance_pct(variance: Decimal, budget: Decimal | None) -> Decimal | None:
    """A finance variance as a share of the budget, to one decimal place (None without a budget): the one
    computation behind ``ServiceFinance.variance_pct`` and the finance import's preview."""
    if not budget:
        return None
    return (variance * 100 / budget).quantize(Decimal("0.1"))


class ServiceFinance(models.Model):
    """A service's money for one quarter, shown beside its measures (C 3.1): the budget for the year, the forecast
    outturn and the variance between them, entered by the performance unit or imported from the finance system's
    export. Held per service, and per plan item where the finance system holds it. Finance is context only: it
    never changes a measure's status."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="finance")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="finance")
    plan_item = models.ForeignKey(PlanItem, null=True, blank=True, on_delete=models.CASCADE, related_name="finance",
                                  help_text="Where the finance system holds the budget per plan item: that item.")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+",
                               limit_choices_to={"frequency": Frequency.QUARTERLY.value},
                               help_text="The quarter the forecast was made at.")
    budget = models.DecimalField("budget for the year (£)", **MONEY)
    forecast_outturn = models.DecimalField("forecast outturn (£)", **MONEY,
                                           help_text="What the service expects to spend by the end of the year.")
    spent_to_date = models.DecimalField("spent to date (£)", null=True, blank=True, **MONEY)
    commentary = models.TextField(blank=True, help_text="Why the forecast differs from the budget.")
    source = models.CharField(max_length=200, blank=True,
                              help_text="Where the figures came from, e.g. the finance system export's file name.")
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stops lost updates.")

    class Meta:
        ordering = ["council", "period__start", "service__name"]
        verbose_name = "service finance figures"
        verbose_name_plural = "service finance figures"
        constraints = [
            models.UniqueConstraint(
                fields=["council", "service", "period"], condition=Q(plan_item__isnull=True),
                name="finance_once_per_service",
                violation_error_message="This service already has finance figures for that quarter."),
            models.UniqueConstraint(
                fields=["service", "period", "plan_item"], condition=Q(plan_item__isnull=False),
                name="finance_once_per_plan_item",
                violation_error_message="This service already has finance figures for that plan item and quarter."),
            models.CheckConstraint(condition=Q(budget__gte=0), name="finance_budget_not_negative",
                                   violation_error_message="The budget cannot be negative."),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.period}"

    @property
    def variance(self) -> Decimal:
        """Forecast outturn less budget: positive is an overspend."""
        return self.forecast_outturn - self.budget

    @property
    def variance_pct(self) -> Decimal | None:
        """The variance as a share of the budget, to one decimal place (None without a budget)."""
        return variance_pct(self.variance, self.budget)
