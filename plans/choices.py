from django.db import models

from plans.assessment import ActionStatus  # noqa: F401  (defined once, with its labels, beside the C3 rule)


class PlanStatus(models.TextChoices):
    """A4: draft -> approved (by whom, when) -> active -> closed."""

    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


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
