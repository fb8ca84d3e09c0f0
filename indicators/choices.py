"""Choices of the indicators app. Statuses shown as a colour keep their style here, in one place, used
by every table, badge and chart; the word is always shown beside the colour."""

from django.db import models

# Defined once, with their labels, in the pure rules that compute and compare them; named here with the rest.
from indicators.assessment import Direction, ForecastMethod, MeasureType, Polarity, Rag  # noqa: F401
from pmf.choices import Frequency  # noqa: F401  (indicators report at a frequency)


class IndicatorKind(models.TextChoices):
    """B1."""

    KPI = "kpi", "Key performance indicator (KPI)"
    PI = "pi", "Performance indicator (PI)"
    CONTEXTUAL = "contextual", "Contextual statistic"


class Unit(models.TextChoices):
    """B2."""

    NUMBER = "number", "Number"
    PERCENT = "percent", "Percentage"
    RATE = "rate", "Rate per N"
    MONEY = "money", "Money (£)"
    DAYS = "days", "Days"
    RATIO = "ratio", "Ratio"
    YES_NO = "yes_no", "Yes / no"


class Calculation(models.TextChoices):
    VALUE = "value", "A value entered directly"
    RATIO = "ratio", "Numerator / denominator × multiplier"


class Stretch(models.TextChoices):
    MAINTAIN = "maintain", "Maintain current performance"
    MODERATE = "moderate", "Moderate improvement"
    STRETCHING = "stretching", "Stretching"


class ReturnState(models.TextChoices):
    """B5: draft -> submitted -> (verified by the head of service, where the council asks for it) -> approved,
    or returned with a reason."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    VERIFIED = "verified", "Verified"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"


#: Submitted and not yet approved or sent back: waiting for verification or sign-off.
AWAITING_SIGN_OFF = frozenset({ReturnState.SUBMITTED, ReturnState.VERIFIED})


class SelfAssessment(models.TextChoices):
    """The RAG judgement an officer chooses for a qualitative (narrative) measure: never computed (B1)."""

    GREEN = "green", "Green: on track"
    AMBER = "amber", "Amber: some concern"
    RED = "red", "Red: off track"


class Confidence(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


#: One palette for badges (static/css: --pmf-green, --pmf-amber, --pmf-red, --pmf-measured) and charts.
RAG_STYLE: dict[str, dict[str, str]] = {
    Rag.GREEN: {"css": "status-green", "short": "G", "hex": "#00703c"},
    Rag.AMBER: {"css": "status-amber", "short": "A", "hex": "#8a4500"},
    Rag.RED: {"css": "status-red", "short": "R", "hex": "#b3261e"},
    Rag.MEASURED: {"css": "status-measured", "short": "M", "hex": "#505a5f"},
}

DIRECTION_STYLE: dict[str, dict[str, str]] = {
    Direction.IMPROVING: {"symbol": "▲", "css": "dot-improving"},
    Direction.MAINTAINED: {"symbol": "▶", "css": "dot-maintained"},
    Direction.DECLINING: {"symbol": "▼", "css": "dot-declining"},
    Direction.NOT_MEASURED: {"symbol": "–", "css": "dot-not-measured"},
}
