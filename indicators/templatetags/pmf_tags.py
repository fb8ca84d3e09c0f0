"""Template helpers shared by every page: RAG and direction badges (colour plus word, never colour alone),
action status badges, and figures formatted at the indicator's precision and unit."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html

from indicators.assessment import quantize
from indicators.choices import DIRECTION_STYLE, RAG_STYLE, Direction, Rag, Unit
from plans.choices import ACTION_STATUS_STYLE, ActionStatus

register = template.Library()


@register.simple_tag
def rag_badge(status: str | None) -> str:
    if not status:
        return ""
    style = RAG_STYLE[status]
    return format_html('<span class="badge rag {}">{}</span>', style["css"], Rag(status).label)


@register.simple_tag
def direction_badge(direction: str | None) -> str:
    if not direction:
        return ""
    style = DIRECTION_STYLE[direction]
    return format_html(
        '<span class="direction {}"><span aria-hidden="true">{}</span> {}</span>',
        style["css"], style["symbol"], Direction(direction).label,
    )


@register.simple_tag
def action_badge(status: str | None) -> str:
    if not status:
        return ""
    return format_html('<span class="badge rag {}">{}</span>', ACTION_STATUS_STYLE[status], ActionStatus(status).label)


@register.filter
def figure(value: Decimal | None, spec) -> str:
    """A figure at the specification's decimal places with its unit: 94.5%, £1,200, 12 days."""
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


@register.simple_tag
def target_figure(assessment, spec) -> str:
    """The target of an assessed period: the band for a 'within a band' measure, else the point target."""
    if assessment is None:
        return "–"
    if assessment.band:
        low, high = assessment.band
        return f"{figure(low, spec)} to {figure(high, spec)}"
    return figure(assessment.target, spec)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
