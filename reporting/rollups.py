"""Golden-thread roll-ups (A2): for each plan item, how many measures and actions linked to it or to anything
beneath it are red / amber / green, and on target / slipped / delivered.

``rollups`` runs a fixed number of queries whatever the size of the tree: the links of measures and actions to
every item under the given items (matched by the materialised ``path`` prefix), the measures through
``indicators.selectors.load_series`` and the actions, each scoped to the user with ``restrict``. The rest is
plain Python: a link at path ``/1/5/9/`` counts for items 1, 5 and 9, and a measure or action linked twice
beneath one item counts once there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from indicators import selectors
from indicators.choices import RAG_STYLE, Rag
from indicators.models import Indicator
from plans.choices import ACTION_STATUS_STYLE, ActionStatus
from plans.models import Action, PlanItem
from plans.selectors import under_items_q
from pmf.access import restrict

#: The order and the short words the badges use (the full labels are in the choices).
MEASURE_ORDER = [(Rag.RED, "red"), (Rag.AMBER, "amber"), (Rag.GREEN, "green"), (Rag.MEASURED, "not rated")]
ACTION_ORDER = [
    (ActionStatus.SLIPPED_GT3, "slipped >3m"),
    (ActionStatus.SLIPPED_LT3, "slipped <3m"),
    (ActionStatus.ON_TARGET, "on target"),
    (ActionStatus.SCHEDULED, "scheduled"),
    (ActionStatus.DELIVERED, "delivered"),
    (ActionStatus.NO_LONGER_VIABLE, "no longer viable"),
]


@dataclass
class Rollup:
    """The measures and actions at or beneath one plan item, counted by latest RAG and by C3 status."""

    measures: Counter = field(default_factory=Counter)
    actions: Counter = field(default_factory=Counter)
    self_assessed: int = 0  # of the measures counted, narrative ones whose status their officer chose (B1)

    @property
    def measure_total(self) -> int:
        return sum(self.measures.values())

    @property
    def action_total(self) -> int:
        return sum(self.actions.values())

    @property
    def measure_parts(self) -> list[dict]:
        """Non-zero counts, worst first: ``{"count", "word", "css", "label"}``."""
        return [{"count": self.measures[status], "word": word, "css": RAG_STYLE[status]["css"],
                 "label": status.label} for status, word in MEASURE_ORDER if self.measures[status]]

    @property
    def action_parts(self) -> list[dict]:
        return [{"count": self.actions[status], "word": word, "css": ACTION_STATUS_STYLE[status],
                 "label": status.label} for status, word in ACTION_ORDER if self.actions[status]]

    @property
    def text(self) -> str:
        """``Measures: 3 red, 2 amber, 10 green · Actions: 1 slipped >3m, 4 on target``."""
        measures = ", ".join(f"{p['count']} {p['word']}" for p in self.measure_parts) or "none"
        if self.self_assessed:
            measures += f" ({self.self_assessed} self-assessed)"
        actions = ", ".join(f"{p['count']} {p['word']}" for p in self.action_parts) or "none"
        return f"Measures: {measures} · Actions: {actions}"


def _top_paths(items: list[PlanItem]) -> list[str]:
    """The fewest path prefixes covering every item's subtree (an item beneath another given item adds none)."""
    paths = sorted({i.path for i in items})
    out: list[str] = []
    for path in paths:
        if not out or not path.startswith(out[-1]):
            out.append(path)
    return out


def _spread(links: Iterable[tuple[int, str]], wanted: set[int]) -> dict[int, set[int]]:
    """item id -> the ids linked at it or beneath it, from (linked id, linked item's path) pairs."""
    beneath: dict[int, set[int]] = {}
    for linked_id, path in links:
        for part in path.strip("/").split("/"):
            if part and int(part) in wanted:
                beneath.setdefault(int(part), set()).add(linked_id)
    return beneath


def rollups(items: Iterable[PlanItem], *, user, as_of: date) -> dict[int, Rollup]:
    """For each item (by pk): the measures (latest RAG, ``selectors.latest``) and actions (C3 status at
    ``as_of``) linked to it or anything beneath it that the user may see. Seven queries, for any number of
    items and any size of tree; none when no items are given."""
    items = [i for i in items if i.path]
    result: dict[int, Rollup] = {i.pk: Rollup() for i in items}
    if not items:
        return result
    wanted = set(result)
    beneath_tops = under_items_q(_top_paths(items), prefix="planitem__")
    visible_items = restrict(PlanItem.objects.all(), user).values("pk")

    indicator_links = list(
        Indicator.plan_items.through.objects.filter(beneath_tops, planitem__in=visible_items)
        .values_list("indicator_id", "planitem__path")
    )
    measures_beneath = _spread(indicator_links, wanted)
    indicator_ids = {i for ids in measures_beneath.values() for i in ids}
    rags: dict[int, str] = {}
    chosen: set[int] = set()  # self-assessed
    if indicator_ids:
        for series in selectors.load_series(restrict(Indicator.objects.filter(pk__in=indicator_ids), user),
                                            latest_years=2):  # all that selectors.latest looks at
            assessed = selectors.latest(series)
            rags[series.indicator.pk] = assessed.rag if assessed is not None else Rag.MEASURED
            if assessed is not None and assessed.self_assessed:
                chosen.add(series.indicator.pk)

    action_links = list(
        Action.plan_items.through.objects.filter(beneath_tops, planitem__in=visible_items)
        .values_list("action_id", "planitem__path")
    )
    actions_beneath = _spread(action_links, wanted)
    action_ids = {i for ids in actions_beneath.values() for i in ids}
    statuses: dict[int, str] = {}
    if action_ids:
        for action in restrict(Action.objects.filter(pk__in=action_ids), user).only(
            "pk", "start", "approved_end", "forecast_end", "completed_on", "no_longer_viable"
        ):
            statuses[action.pk] = action.status(as_of)

    for pk, rollup in result.items():
        rollup.measures.update(rags[i] for i in measures_beneath.get(pk, ()) if i in rags)
        rollup.self_assessed = sum(1 for i in measures_beneath.get(pk, ()) if i in chosen)
        rollup.actions.update(statuses[i] for i in actions_beneath.get(pk, ()) if i in statuses)
    return result
