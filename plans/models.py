"""The golden thread (DOMAIN.md A1-A4, A6, C3 inputs): plan levels as data, plans with their lifecycle,
plan items linked each to the item above, actions with milestones, programmes and decision points."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Concat, Substr
from django.urls import reverse

from plans.assessment import action_status
from plans.choices import Approver, Decision, PlanStatus
from pmf.models import Committee, Council, Directorate, FinancialYear, Portfolio, Service, Team, User
from pmf.periods import financial_year_label


class PlanLevel(models.Model):
    """A1: a level of the plan hierarchy, configured per council (not code). Rank 1 is the top.
    Plan levels (``is_plan``) are documents with a lifecycle; other levels are items inside them."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="plan_levels")
    name = models.CharField(max_length=100)
    rank = models.PositiveSmallIntegerField(help_text="1 is the top of the golden thread.")
    is_plan = models.BooleanField(
        default=False, help_text="A document with its own lifecycle (e.g. a service plan), not an item in one."
    )
    typical_years = models.PositiveSmallIntegerField(
        default=1, help_text="How many financial years a plan at this level usually covers."
    )
    description = models.TextField(blank=True)
    approvers = models.JSONField(
        default=list, blank=True,
        help_text="Who approves plans at this level (A4): a list of approver kinds (plans.choices.Approver).")
    all_approvers_needed = models.BooleanField(
        "every approver must approve", default=False,
        help_text="On: each approver listed must approve (e.g. the director and the portfolio holder). "
                  "Off: any one of them approves.")
    decision_needed = models.BooleanField(
        "record the decision", default=False,
        help_text="The approval must record the decision or minute reference (e.g. Cabinet, 12 March 2026, "
                  "minute 40).")

    class Meta:
        ordering = ["council", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["council", "rank"], name="plan_level_rank_unique",
                                    violation_error_message="This council already has a level at that rank."),
            models.UniqueConstraint(fields=["council", "name"], name="plan_level_name_unique",
                                    violation_error_message="This council already has a level of that name."),
        ]

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    """A plan document: the Council Plan, an outcome delivery plan, a directorate business plan, a service
    plan, a team plan or a person's objectives for a year."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="plans")
    level = models.ForeignKey(PlanLevel, on_delete=models.PROTECT, related_name="plans")
    title = models.CharField(max_length=200)
    start_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    end_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.CharField("decision or minute reference", max_length=300, blank=True,
                                     help_text="e.g. Cabinet, 12 March 2026, minute 40.")
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submissions = models.PositiveSmallIntegerField(
        default=0, help_text="How many times it has been submitted for approval; approvals count for the latest.")
    returned_reason = models.TextField("sent back because", blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change of status; stops lost "
                                                               "updates.")
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans_owned",
                              help_text="The officer accountable for the plan.")
    directorate = models.ForeignKey(Directorate, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="plans")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT, related_name="plans")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="plans")
    person = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="objective_plans",
                               help_text="For individual objectives: whose they are.")
    previous_version = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_versions",
        help_text="The plan this one was refreshed from (A4).",
    )

    class Meta:
        ordering = ["council", "level__rank", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")),
                name="plan_end_not_before_start",
                violation_error_message="A plan's last year cannot be before its first.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[PlanStatus.DRAFT, PlanStatus.SUBMITTED])
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="plan_approval_recorded",
                violation_error_message="An approved, active or closed plan must record who approved it and when.",
            ),
        ]
        indexes = [models.Index(fields=["council", "status"], name="plan_council_status_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:plan", args=[self.pk])

    @property
    def years_label(self) -> str:
        first = financial_year_label(self.start_year_id)
        if self.start_year_id == self.end_year_id:
            return first
        return f"{first} to {financial_year_label(self.end_year_id)}"

    @property
    def is_approved(self) -> bool:
        return self.status not in (PlanStatus.DRAFT, PlanStatus.SUBMITTED)

    def covers_year(self, start_year: int) -> bool:
        return self.start_year_id <= start_year <= self.end_year_id

    def clean(self) -> None:
        errors = {}
        if self.level_id and self.council_id and self.level.council_id != self.council_id:
            errors["level"] = "The level must belong to the plan's council."
        if self.level_id and not self.level.is_plan:
            errors["level"] = f"“{self.level}” is a level of items inside plans, not of plans."
        if errors:
            raise ValidationError(errors)


class PlanApproval(models.Model):
    """One approver's approval of one submission of a plan (A4): who, as which approver, when, and the decision
    or minute reference. The plan is approved when the approvers its level needs have all (or any one) approved the
    latest submission."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="approvals")
    submission = models.PositiveSmallIntegerField()
    approver = models.CharField(max_length=20, choices=Approver.choices)
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField()
    reference = models.CharField("decision or minute reference", max_length=300, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "submission", "approved_at"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "submission", "approver"], name="plan_approval_once_per_approver",
                                    violation_error_message="This approver has already approved this submission."),
        ]

    def __str__(self) -> str:
        return f"{self.plan} approved by {self.approved_by} ({self.get_approver_display()})"


class PlanItem(models.Model):
    """A2: an item of a plan (priority, outcome, objective ...) linked to the item above it, which may be in
    another plan. ``path`` is the materialised chain of ids from the top, kept by ``save``, so going up
    or down the thread is one query."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    level = models.ForeignKey(PlanLevel, on_delete=models.PROTECT, related_name="items")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               help_text="The item above this one in the golden thread.")
    ref = models.CharField("reference", max_length=30, help_text="e.g. P3 or P3.O2")
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    portfolio = models.ForeignKey(Portfolio, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    committees = models.ManyToManyField(
        Committee, blank=True, related_name="remit", db_table="pmf_committee_remit",
        help_text="The committees whose remit this item is in: they oversee its measures and actions, and everything "
                  "beneath it.",
    )
    outcome_owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="outcomes_owned",
        help_text="A3: the councillor outcome owner (Cabinet member / portfolio holder).",
    )
    lead_director = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="outcomes_led",
        help_text="A3: the lead director.",
    )
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_items_owned",
                              help_text="The officer responsible for this item.")
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    class Meta:
        ordering = ["plan", "path"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "ref"], name="plan_item_ref_unique_in_plan",
                                    violation_error_message="This plan already has an item with that reference."),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="plan_item_not_own_parent",
                                   violation_error_message="An item cannot be its own parent."),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            old_path = self.path
            if self.pk is None:
                super().save(*args, **kwargs)
                kwargs.pop("force_insert", None)
            parent_path = self.parent.path if self.parent_id else "/"
            self.path = f"{parent_path}{self.pk}/"
            self.depth = self.path.count("/") - 2
            super().save(*args, **{**kwargs, "force_insert": False})
            if old_path and old_path != self.path:
                # Moved: re-root every descendant's path in one statement.
                PlanItem.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(models.Value(self.path), Substr("path", len(old_path) + 1)),
                    depth=F("depth") + (self.depth - old_path.count("/") + 2),
                )

    def get_absolute_url(self) -> str:
        return reverse("plans:item", args=[self.pk])

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/")[:-1] if p]

    def clean(self) -> None:
        errors = {}
        if self.plan_id and self.level_id:
            if self.level.council_id != self.plan.council_id:
                errors["level"] = "The level must belong to the plan's council."
            elif self.level.rank < self.plan.level.rank:
                errors["level"] = f"A {self.plan.level} cannot hold items at the higher level “{self.level}”."
        if self.parent_id:
            parent = self.parent
            if self.plan_id and parent.plan.council_id != self.plan.council_id:
                errors["parent"] = "The item above must belong to the same council."
            elif self.level_id and parent.level.rank >= self.level.rank:
                errors["parent"] = (f"The item above must be at a higher level than “{self.level}”; "
                                    f"“{parent}” is a {parent.level}.")
            elif self.pk and f"/{self.pk}/" in parent.path:
                errors["parent"] = "The item above cannot be one of this item's own descendants."
        if errors:
            raise ValidationError(errors)

    def ancestors(self) -> models.QuerySet[PlanItem]:
        return PlanItem.objects.filter(pk__in=self.ancestor_ids).order_by("depth")

    def descendants(self) -> models.QuerySet[PlanItem]:
        return PlanItem.objects.filter(path__startswith=self.path).exclude(pk=self.pk)


class Action(models.Model):
    """An action (deliverable) in a plan, with the dates C3 rates it by."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="actions")
    ref = models.CharField("reference", max_length=30)
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    plan_items = models.ManyToManyField(PlanItem, related_name="actions",
                                        help_text="A2: the plan item(s) this action delivers.")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT, related_name="actions")
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions_owned")
    is_key = models.BooleanField("key action", default=False, help_text="Reported to members.")
    start = models.DateField(null=True, blank=True)
    approved_end = models.DateField("approved end date")
    forecast_end = models.DateField("forecast end date", null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    no_longer_viable = models.BooleanField(default=False)
    no_longer_viable_reason = models.TextField(blank=True)
    progress_pct = models.PositiveSmallIntegerField("progress (%)", default=0, validators=[MaxValueValidator(100)])
    latest_update = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stops lost updates.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["council", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["council", "ref"], name="action_ref_unique_in_council",
                                    violation_error_message="This council already has an action with that reference."),
            models.CheckConstraint(condition=Q(start__isnull=True) | Q(approved_end__gte=F("start")),
                                   name="action_end_after_start",
                                   violation_error_message="The approved end date cannot be before the start."),
            models.CheckConstraint(
                condition=Q(forecast_end__isnull=True) | Q(start__isnull=True) | Q(forecast_end__gte=F("start")),
                name="action_forecast_after_start",
                violation_error_message="The forecast end date cannot be before the start."),
            models.CheckConstraint(condition=Q(no_longer_viable=False) | ~Q(no_longer_viable_reason=""),
                                   name="action_nlv_has_reason",
                                   violation_error_message="An action marked no longer viable needs a reason."),
            models.CheckConstraint(condition=Q(completed_on__isnull=True) | Q(no_longer_viable=False),
                                   name="action_not_both_done_and_nlv",
                                   violation_error_message="An action cannot be both completed and no longer viable."),
            models.CheckConstraint(condition=Q(progress_pct__lte=100), name="action_progress_max_100",
                                   violation_error_message="Progress cannot exceed 100%."),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def status(self, as_of):
        return action_status(as_of=as_of, start=self.start, approved_end=self.approved_end,
                             forecast_end=self.forecast_end, completed_on=self.completed_on,
                             no_longer_viable=self.no_longer_viable)


class Milestone(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=250)
    approved_date = models.DateField()
    forecast_date = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["action", "approved_date"]

    def __str__(self) -> str:
        return self.title


class Programme(models.Model):
    """A6: a programme of projects serving a plan item."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="programmes")
    name = models.CharField(max_length=200)
    plan_item = models.ForeignKey(PlanItem, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="programmes")
    sponsor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    board = models.ForeignKey(
        "pmf.Committee", null=True, blank=True, on_delete=models.SET_NULL, related_name="programmes",
        limit_choices_to={"kind": "board"},
        help_text="The board that owns the programme. Its members record the decisions at its decision points.")

    class Meta:
        ordering = ["council", "name"]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=200)
    manager = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actions = models.ManyToManyField(Action, blank=True, related_name="projects")

    class Meta:
        ordering = ["programme", "name"]

    def __str__(self) -> str:
        return self.name


class DecisionPoint(models.Model):
    """A6: a stop / continue decision point, recorded with its recommendation and who decided."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="decision_points")
    title = models.CharField(max_length=200)
    due = models.DateField()
    recommendation = models.TextField(blank=True)
    decision = models.CharField(max_length=25, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why the board decided as it did.")
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stops lost updates.")

    class Meta:
        ordering = ["project", "due"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision=Decision.PENDING) | Q(decided_by__isnull=False, decided_on__isnull=False),
                name="decision_recorded",
                violation_error_message="A decision must record who made it and when.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ActionUpdate(models.Model):
    """An action's progress update (C3 inputs), entered by its owner and signed off by the director like a
    return. On approval its figures become the action's own."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    as_of = models.DateField(help_text="The date the update describes.")
    progress_pct = models.PositiveSmallIntegerField("progress (%)", default=0, validators=[MaxValueValidator(100)])
    forecast_end = models.DateField("forecast end date", null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    no_longer_viable = models.BooleanField(default=False)
    no_longer_viable_reason = models.TextField(blank=True)
    commentary = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    returned_reason = models.TextField(blank=True)
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["action", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["action"], condition=Q(state__in=["draft", "submitted", "returned"]),
                                    name="action_update_one_open",
                                    violation_error_message="This action already has an update in progress."),
            models.CheckConstraint(condition=Q(no_longer_viable=False) | ~Q(no_longer_viable_reason=""),
                                   name="action_update_nlv_has_reason",
                                   violation_error_message="An action marked no longer viable needs a reason."),
            models.CheckConstraint(condition=Q(completed_on__isnull=True) | Q(no_longer_viable=False),
                                   name="action_update_not_done_and_nlv",
                                   violation_error_message="An action cannot be both completed and no longer "
                                                           "viable."),
            models.CheckConstraint(
                condition=~Q(state__in=["submitted", "approved"]) | Q(submitted_by__isnull=False,
                                                                     submitted_at__isnull=False),
                name="action_update_submission_recorded",
                violation_error_message="A submitted update records who submitted it and when."),
            models.CheckConstraint(
                condition=~Q(state="approved") | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="action_update_approval_recorded",
                violation_error_message="An approved update records who approved it and when."),
            models.CheckConstraint(condition=~Q(state="returned") | ~Q(returned_reason=""),
                                   name="action_update_returned_has_reason",
                                   violation_error_message="An update sent back needs a reason."),
            models.CheckConstraint(condition=Q(progress_pct__lte=100), name="action_update_progress_max_100",
                                   violation_error_message="Progress cannot exceed 100%."),
        ]

    def __str__(self) -> str:
        return f"{self.action.ref} update {self.as_of}"
