"""Reads of the golden thread that pages and reports share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from plans.models import PlanItem


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
