"""Celery tasks for report packs and reminders: thin, they take ids and call ``reporting.services`` or
``reporting.reminders`` (which makes them safe to run twice: a second delivery finds the job claimed or done, or
today's reminders logged, and does nothing)."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_ready

from pmf import clock
from pmf.models import Council
from reporting import reminders, services

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=False)
def generate_pack(self, pack_id: int) -> str:
    """Prepare (or prepare again) the draft pack ``pack_id``: assemble its figures, write every format."""
    return services.run_job(pack_id, worker=self.request.hostname or "in-process")


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=False)
def issue_pack(self, pack_id: int) -> str:
    """Issue the ready draft ``pack_id``: final files from its own snapshot, then frozen (D7)."""
    return services.run_job(pack_id, worker=self.request.hostname or "in-process")


@shared_task
def prepare_due_packs(council_id: int) -> list[int]:
    """The schedule's job: draft packs for quarters whose sign-off deadline has passed."""
    return services.prepare_due_packs(council_id)


@shared_task
def recover_interrupted_packs() -> list[int]:
    """The schedule's job: requeue packs whose worker died or whose message was lost."""
    return services.recover_interrupted()


@shared_task
def send_council_reminders(council_id: int) -> int:
    """E5: one council's reminder emails for today (scheduled by ``reporting.schedule``). Safe to run twice: what
    was sent today is in the reminder log and is not sent again. Returns the number of emails sent."""
    council = Council.objects.filter(pk=council_id).first()
    if council is None:
        logger.warning("send_council_reminders: no council %s (removed?): nothing sent", council_id)
        return 0
    return reminders.send_reminders(council, today=clock.today())


@worker_ready.connect
def _requeue_what_this_worker_was_running(sender=None, **kwargs) -> None:
    hostname = getattr(sender, "hostname", None)
    if hostname:
        services.requeue_for_worker(hostname)
