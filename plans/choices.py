from django.db import models

from plans.assessment import ActionStatus  # noqa: F401  (defined once, with its labels, beside the C3 rule)


class PlanStatus(models.TextChoices):
    """A4: draft -> submitted for approval -> approved (by whom, when, the decision) -> active -> closed."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for approval"
    APPROVED = "approved", "Approved"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


#: Plans in force: approved, or active.
CURRENT_PLAN_STATUSES = (PlanStatus.APPROVED, PlanStatus.ACTIVE)


class Approver(models.TextChoices):
    """Who approves the plans of a level (A4, E1): each is a role relative to the plan."""

    CABINET = "cabinet", "The Leader or Cabinet (any Cabinet member, recording the decision)"
    DIRECTOR = "director", "The director of the plan's directorate (or their sign-off delegate)"
    PORTFOLIO_HOLDER = "portfolio_holder", "The portfolio holder of the priorities the plan serves"
    HEAD_OF_SERVICE = "head_of_service", "The head of the plan's service"
    LINE_MANAGER = "line_manager", "The line manager (the team's manager)"
    PERFORMANCE_UNIT = "performance_unit", "The performance unit"


#: C3, the colour each action status is shown in: one place for every table, badge and chart.
ACTION_STATUS_STYLE: dict[str, str] = {
    ActionStatus.DELIVERED: "status-delivered",
    ActionStatus.NO_LONGER_VIABLE: "status-nlv",
    ActionStatus.SCHEDULED: "status-scheduled",
    ActionStatus.ON_TARGET: "status-green",
    ActionStatus.SLIPPED_LT3: "status-amber",
    ActionStatus.SLIPPED_GT3: "status-red",
}


class Decision(models.TextChoices):
    """A6: the decision at a programme or project decision point."""

    PENDING = "pending", "Pending"
    CONTINUE = "continue", "Continue"
    CONTINUE_WITH_CHANGES = "continue_with_changes", "Continue with changes"
    PAUSE = "pause", "Pause"
    STOP = "stop", "Stop"
