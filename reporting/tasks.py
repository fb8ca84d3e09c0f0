"""Celery tasks for report packs: thin, they take ids and call ``reporting.services`` (which makes them safe to
run twice: a second delivery finds the job claimed or done and does nothing)."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready

from reporting import services


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


@worker_ready.connect
def _requeue_what_this_worker_was_running(sender=None, **kwargs) -> None:
    hostname = getattr(sender, "hostname", None)
    if hostname:
        services.requeue_for_worker(hostname)
