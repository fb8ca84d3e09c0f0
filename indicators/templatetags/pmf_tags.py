"""Template helpers shared by every page: RAG and direction badges (colour plus word, never colour alone),
action status badges, and figures formatted at the indicator's precision and unit (``indicators.formatting``)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from indicators.choices import DIRECTION_STYLE, RAG_STYLE, Direction, Rag
from indicators.formatting import figure, target_figure
from plans.choices import ACTION_STATUS_STYLE, ActionStatus

register = template.Library()


@register.simple_tag
def rag_badge(status: str | None, self_assessed: bool = False) -> str:
    """The status in its colour with its word; a narrative measure's status chosen by its officer (B1) says so in
    words beside it: "(self-assessed)"."""
    if not status:
        return ""
    style = RAG_STYLE[status]
    if self_assessed:
        return format_html('<span class="badge rag {}">{}</span> <span class="small self-assessed">(self-assessed)'
                           '</span>', style["css"], Rag(status).label)
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


register.filter("figure", figure)
register.simple_tag(target_figure, name="target_figure")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
