"""The core's Celery task: the heartbeat Celery beat sends every minute, which tells /health/ that beat and a
worker are alive (pmf/health.py). Sent by beat only: sending it by hand would make beat look alive."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import after_task_publish, beat_init

from pmf import health

log = logging.getLogger(__name__)


@shared_task(name=health.HEARTBEAT_TASK, ignore_result=True)
def heartbeat() -> None:
    """Run by a worker: the worker is alive."""
    health.record_seen("worker")


@after_task_publish.connect
def _beat_sent_the_heartbeat(sender=None, **kwargs) -> None:
    """In the process that sent it (beat): beat is alive and its message reached the broker."""
    if sender == health.HEARTBEAT_TASK:
        health.record_seen("beat")


@beat_init.connect
def _send_a_heartbeat_at_start(sender=None, **kwargs) -> None:
    """Beat's first scheduled heartbeat comes a minute after it starts: send one now, so /health/ knows at once."""
    try:
        heartbeat.delay()
    except Exception:  # noqa: BLE001 - the broker is away: the schedule sends the next one
        log.warning("beat: the first heartbeat could not be sent", exc_info=True)
