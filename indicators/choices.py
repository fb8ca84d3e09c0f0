"""Choices of the indicators app. Statuses shown as a colour keep their style here, in one place, used
by every table, badge and chart; the word is always shown beside the colour."""

from django.db import models

from indicators.assessment import Direction as _Direction
from indicators.assessment import ForecastMethod as _ForecastMethod
from indicators.assessment import MeasureType as _MeasureType
from indicators.assessment import Polarity as _Polarity
from indicators.assessment import Rag as _Rag
from pmf.choices import Frequency  # noqa: F401  (re-exported: indicators report at a frequency)


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


class Polarity(models.TextChoices):
    HIGHER = _Polarity.HIGHER.value, "Higher is better"
    LOWER = _Polarity.LOWER.value, "Lower is better"
    BAND = _Polarity.BAND.value, "Within a band is best"


class MeasureType(models.TextChoices):
    SNAPSHOT = _MeasureType.SNAPSHOT.value, "Snapshot"
    CUMULATIVE = _MeasureType.CUMULATIVE.value, "Cumulative (year to date)"


class Stretch(models.TextChoices):
    MAINTAIN = "maintain", "Maintain current performance"
    MODERATE = "moderate", "Moderate improvement"
    STRETCHING = "stretching", "Stretching"


class ForecastMethod(models.TextChoices):
    PROFILE_RATIO = _ForecastMethod.PROFILE_RATIO.value, "Year to date against the trajectory, pro rata"
    PROFILE_GAP = _ForecastMethod.PROFILE_GAP.value, "Annual target plus the variance so far"
    RUN_RATE = _ForecastMethod.RUN_RATE.value, "Run rate so far, extended to the year end"
    LATEST = _ForecastMethod.LATEST.value, "Latest value"
    LINEAR_TREND = _ForecastMethod.LINEAR_TREND.value, "Linear trend of the year so far"


class ReturnState(models.TextChoices):
    """B5: draft -> submitted -> approved, or returned with a reason."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"


class Confidence(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Rag(models.TextChoices):
    GREEN = _Rag.GREEN.value, "Green"
    AMBER = _Rag.AMBER.value, "Amber"
    RED = _Rag.RED.value, "Red"
    MEASURED = _Rag.MEASURED.value, "Measured (not rated)"


class Direction(models.TextChoices):
    IMPROVING = _Direction.IMPROVING.value, "Improving"
    MAINTAINED = _Direction.MAINTAINED.value, "Maintained"
    DECLINING = _Direction.DECLINING.value, "Declining"
    NOT_MEASURED = _Direction.NOT_MEASURED.value, "Not measured"


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
