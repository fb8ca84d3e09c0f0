"""Pure rules of the corporate risk register (E4): a risk's score and its band, and when a linked measure flags
the risk. No Django: plain values in, plain values out; pages, packs and tests call the same functions.

A risk is flagged when any measure linked to it is Red at its latest period, or has declined (direction of travel)
at its latest period and at the period before: two periods running. One decline alone does not flag it, nor does
a measure not yet measured.
"""

from __future__ import annotations

from indicators.assessment import Direction, Rag
from pmf.enums import Labelled

__all__ = ["BANDS", "ScoreBand", "Flag", "band_range", "measure_warning", "risk_score", "score_band"]


class ScoreBand(Labelled):
    """Where a likelihood × impact score (1 to 25) falls on the usual five-by-five matrix."""

    LOW = "low", "Low (1 to 4)"
    MEDIUM = "medium", "Medium (5 to 9)"
    HIGH = "high", "High (10 to 15)"
    VERY_HIGH = "very_high", "Very high (16 to 25)"


#: Each band's lowest and highest score.
BANDS: dict[ScoreBand, tuple[int, int]] = {
    ScoreBand.LOW: (1, 4), ScoreBand.MEDIUM: (5, 9), ScoreBand.HIGH: (10, 15), ScoreBand.VERY_HIGH: (16, 25),
}


class Flag(Labelled):
    """Why a linked measure flags its risk."""

    RED = "red", "Red at its latest period"
    DECLINING = "declining", "Declined two periods running"


def _score_part(value: int | None, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not 1 <= value <= 5:
        raise ValueError(f"{name} is scored 1 to 5, got {value}")
    return value


def risk_score(*, likelihood: int | None, impact: int | None) -> int | None:
    """Likelihood × impact, 1 to 25; None unless both are scored."""
    lik, imp = _score_part(likelihood, "likelihood"), _score_part(impact, "impact")
    return None if lik is None or imp is None else lik * imp


def score_band(*, score: int | None) -> ScoreBand | None:
    """The band a score falls in; None for no score."""
    if score is None:
        return None
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 25:
        raise ValueError(f"a risk score is 1 to 25, got {score!r}")
    return next(band for band, (low, high) in BANDS.items() if low <= score <= high)


def band_range(band: ScoreBand | str) -> tuple[int, int]:
    """The lowest and highest score of a band (for filtering the register by band)."""
    return BANDS[ScoreBand(band)]


def measure_warning(*, rag: Rag | str | None, direction: Direction | str | None,
                    previous_direction: Direction | str | None) -> Flag | None:
    """Whether a measure linked to a risk flags it: Red at its latest period, else declining at its latest period
    and at the one before. ``None`` (no figure yet) for any argument counts as not measured."""
    if rag is not None and Rag(rag) is Rag.RED:
        return Flag.RED
    if direction is not None and previous_direction is not None and \
            Direction(direction) is Direction.DECLINING and Direction(previous_direction) is Direction.DECLINING:
        return Flag.DECLINING
    return None
