"""Today's date, as the product sees it: what is due, what is overdue, which periods are open to entry and the
status of actions all depend on it. ``PMF_TODAY`` (YYYY-MM-DD) pins it, for the demo and for tests only;
timestamps of what people do are always the real time."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone


def today() -> date:
    pinned = getattr(settings, "PMF_TODAY", None)
    return pinned or timezone.localdate()
