"""Reads of the golden thread that pages and reports share."""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable
from functools import reduce

from django.db.models import Max, Q, QuerySet

from plans.models import Action, ActionUpdate, PlanItem
from pmf.calendar import due_date
from pmf.periods import period_bounds, period_for_date, previous_period


def in_tree_order(items: Iterable[PlanItem]) -> list[PlanItem]:
    """Depth-first order of a set of items, siblings by position then reference (P2 before P10). Items whose
    parent is not in the set are roots. Each item gets ``indent``: its depth below its root."""
    items = list(items)
    present = {i.pk for i in items}
    children: dict[int | None, list[PlanItem]] = defaultdict(list)
    for item in items:
        children[item.parent_id if item.parent_id in present else None].append(item)

    def key(item: PlanItem):
        # natural order of references: P2 before P10, P1.O2 before P1.O10
        parts = item.ref.replace(".", " ").split()
        return item.position, [(0, int(p[1:]), p[0]) if p[1:].isdigit() else (1, 0, p) for p in parts]

    ordered: list[PlanItem] = []
    stack = [(root, 0) for root in sorted(children[None], key=key, reverse=True)]
    while stack:
        item, indent = stack.pop()
        item.indent = indent
        ordered.append(item)
        stack.extend((child, indent + 1) for child in sorted(children[item.pk], key=key, reverse=True))
    return ordered


# -- Beneath plan items ---------------------------------------------------------------------------------------
# A measure or an action is "beneath" a plan item when it is linked to that item or to anything under it: its
# link's materialised path starts with the item's path. Access rules (a portfolio's priorities, a committee's
# remit), the dashboard's filters and the scope of a report all ask this one question.

def under_items_q(paths: Iterable[str], *, prefix: str = "plan_items__") -> Q:
    """Linked (through ``prefix``) to a plan item at or beneath any of ``paths``; nothing when there are none."""
    conditions = [Q(**{f"{prefix}path__startswith": p}) for p in paths]
    return reduce(operator.or_, conditions) if conditions else Q(pk__in=[])


def linked_under(qs: QuerySet, paths: list[str]) -> QuerySet:
    """The objects of ``qs`` (indicators or actions) beneath any of ``paths``, through a subquery: one row each,
    however many of its links match. None when there are no paths."""
    if not paths:
        return qs.none()
    return qs.filter(pk__in=qs.model._default_manager.filter(under_items_q(paths)).values("pk"))


def remit_paths(items: QuerySet[PlanItem], *, portfolios: Iterable[int] = (),
                committees: Iterable[int] = ()) -> list[str]:
    """The paths of the ``items`` whose portfolio is one of ``portfolios`` or that are in the remit of one of
    ``committees``: everything beneath them is theirs."""
    return sorted(set(items.filter(Q(portfolio__in=list(portfolios)) | Q(committees__in=list(committees)))
                      .values_list("path", flat=True)))


def action_updates_due(user, *, today) -> list[tuple]:
    """Actions whose owner owes an update: unfinished actions already started with no update since the last
    quarter ended (due 10 working days after it), and updates in draft or sent back. Overdue first."""
    year, quarter = period_for_date(frequency="quarterly", on=today)
    last_year, last_quarter = previous_period(frequency="quarterly", year_start=year, period_number=quarter)
    quarter_end = period_bounds(frequency="quarterly", year_start=last_year, period_number=last_quarter)[1]
    due = due_date(quarter_end, 10)
    actions = (
        Action.objects.filter(owner=user, completed_on__isnull=True, no_longer_viable=False).select_related("council")
        .filter(Q(start__isnull=True) | Q(start__lte=quarter_end))
        .annotate(last_update=Max("updates__as_of"))
        .order_by("approved_end", "ref")
    )
    open_updates = {u.action_id: u for u in ActionUpdate.objects.filter(
        action__owner=user, state__in=["draft", "returned", "submitted"])}
    out = []
    for action in actions:
        pending = open_updates.get(action.pk)
        if pending is not None and pending.state == "submitted":
            continue
        if pending is not None or action.last_update is None or action.last_update < quarter_end:
            out.append((action, pending, due, due < today))
    return sorted(out, key=lambda row: (not row[3], row[2], row[0].ref))


# -- Programmes and their decision points (A6) -----------------------------------------------------------------

def decisions_due_q(*, today, boards: Iterable[int]) -> Q:
    """Decision points whose date has come and which have no decision yet, of programmes owned by ``boards``."""
    return Q(decision="pending", due__lte=today, project__programme__board__in=list(boards))


def project_status(decisions: Iterable[tuple]) -> str:
    """A project's status in words, from its decision points as (due, decision) pairs: the latest decision made
    says where it stands; none made yet, it is awaiting its first decision."""
    made = sorted((due, d) for due, d in decisions if d != "pending")
    if not made:
        return "Awaiting its first decision"
    return {"stop": "Stopped", "pause": "Paused", "continue_with_changes": "Continuing with changes",
            "continue": "Continuing"}.get(made[-1][1], "Continuing")
