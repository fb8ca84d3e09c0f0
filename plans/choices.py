from django.db import models

from plans.assessment import ActionStatus as _ActionStatus


class PlanStatus(models.TextChoices):
    """A4: draft -> approved (by whom, when) -> active -> closed."""

    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class ActionStatus(models.TextChoices):
    """C3, with the colour each status is shown in: one place for every table, badge and chart."""

    DELIVERED = _ActionStatus.DELIVERED.value, "Delivered"
    NO_LONGER_VIABLE = _ActionStatus.NO_LONGER_VIABLE.value, "No longer viable"
    SCHEDULED = _ActionStatus.SCHEDULED.value, "Scheduled for future quarters"
    ON_TARGET = _ActionStatus.ON_TARGET.value, "On target"
    SLIPPED_LT3 = _ActionStatus.SLIPPED_LT3.value, "Slipped (less than 3 months)"
    SLIPPED_GT3 = _ActionStatus.SLIPPED_GT3.value, "Slipped (more than 3 months)"


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
