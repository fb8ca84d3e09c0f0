"""Celery tasks of the organisation core (autodiscovered). Thin: they take ids, load, and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="pmf.tasks.send_council_reminders")
def send_council_reminders(council_id: int) -> int:
    """E5: one council's reminder emails for today (scheduled by ``pmf.schedule``). Safe to run twice: what was
    sent today is in the reminder log and is not sent again. Returns the number of emails sent."""
    from pmf import clock, reminders
    from pmf.models import Council

    council = Council.objects.filter(pk=council_id).first()
    if council is None:
        logger.warning("send_council_reminders: no council %s (removed?): nothing sent", council_id)
        return 0
    return reminders.send_reminders(council, today=clock.today())
