"""Figures as people read them, at the indicator's precision and with its unit (94.5%, £1,200, 12 days): one
formatter for every page, report, export and chart label."""

from __future__ import annotations

from decimal import Decimal

from indicators.assessment import quantize
from indicators.choices import Unit


def figure(value: Decimal | None, spec) -> str:
    """A figure at the specification's decimal places with its unit: 94.5%, £1,200, 12 days; "–" for none."""
    if value is None:
        return "–"
    places = getattr(spec, "decimal_places", None)
    unit = getattr(spec, "unit", Unit.NUMBER)
    if unit == Unit.YES_NO:
        return "Yes" if value else "No"
    number = quantize(Decimal(value), places) if places is not None else Decimal(value)
    text = f"{number:,.{places}f}" if places is not None else f"{number:,}"
    if unit == Unit.PERCENT:
        return f"{text}%"
    if unit == Unit.MONEY:
        return f"£{text}"
    if unit == Unit.DAYS:
        return f"{text} days"
    if unit == Unit.RATE and getattr(spec, "rate_per", None):
        return f"{text} per {spec.rate_per:,}"
    return text


def target_figure(assessment, spec) -> str:
    """The target of an assessed period: the band for a 'within a band' measure, else the point target."""
    if assessment is None:
        return "–"
    if assessment.band:
        low, high = assessment.band
        return f"{figure(low, spec)} to {figure(high, spec)}"
    return figure(assessment.target, spec)
