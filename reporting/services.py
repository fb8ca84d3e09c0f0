"""Report packs: asking for one, the job that prepares it, issuing it, and recovering interrupted jobs (D7, D8).

The Celery tasks in ``reporting.tasks`` are thin: they pass ids here.

One pack, never two. ``request_pack`` reuses the report's draft for the period (a partial unique constraint
allows one draft per report and period), so pressing the button twice or the schedule firing twice makes one
pack. A job *claims* its pack with one conditional UPDATE (queued -> running, with a fresh token); a second
delivery of the same task finds it running (or done) and does nothing. Every step renews the claim's heartbeat
and stops if the claim was lost; the result is written in one transaction that checks the claim, so a job
that was given up for dead cannot overwrite the one that replaced it. A worker killed mid-job leaves its pack
running: when a worker starts it requeues the packs its predecessor of the same name was running, and the
periodic ``recover_interrupted`` requeues any whose heartbeat has gone stale (a worker that died on another
machine) or that waited queued too long (a message lost with the broker). A job that could not be handed to the
broker at all (Redis unreachable) leaves its pack queued with a note saying so, and the next
``recover_interrupted`` sends it again: nobody needs to ask for the pack twice.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from pmf import audit, clock
from pmf.choices import AuditAction
from pmf.errors import Refused
from pmf.models import Period, User
from reporting import packs
from reporting.models import (
    Pack,
    PackFile,
    PackFormat,
    PackStatus,
    ReportDefinition,
    ReportType,
    TimetableEntry,
    TimetableKind,
)
from reporting.rendering import excel, pdf, word

log = logging.getLogger(__name__)

#: A running job renews its heartbeat at every step; one silent this long is taken to be dead.
STALE_AFTER = timedelta(minutes=10)
#: A pack queued this long without a worker picking it up is sent again.
QUEUED_TOO_LONG = timedelta(minutes=15)


class LostClaim(Exception):
    """Another attempt has taken over this job."""


#: How a queued pack's step begins when its job could not be handed to the job runner (the Celery broker was
#: unreachable): the pack stays queued and ``recover_interrupted`` sends it again once the broker is back.
RUNNER_UNREACHABLE = "The job runner could not be reached"


def _enqueue(pack: Pack) -> None:
    """Hand the pack's job to the job runner once the transaction commits. With the broker unreachable the pack
    is not lost nor stuck: it stays queued, its step says so, and the periodic recovery sends it again."""
    from reporting import tasks  # the tasks call this module: imported here to break the cycle

    task = tasks.issue_pack if pack.job == "issue" else tasks.generate_pack
    pk = pack.pk

    def send() -> None:
        if task.app.conf.task_always_eager:  # in-process: no broker to miss, and a failing job must propagate
            task.delay(pk)
            return
        try:
            task.delay(pk)
        except Exception:  # noqa: BLE001 - whatever the broker's client raised, the pack waits for recovery
            log.warning("report pack %s: the job runner (Celery broker) cannot be reached; the pack stays queued "
                        "and is sent again by recover_interrupted", pk, exc_info=True)
            at = timezone.localtime().strftime("%H:%M")
            Pack.objects.filter(pk=pk, status=PackStatus.QUEUED).update(
                step=f"{RUNNER_UNREACHABLE} at {at}: the job starts by itself when it is back.")

    transaction.on_commit(send)


def waiting_for_runner(pack: Pack) -> bool:
    """True when the pack's job is queued but could not be handed to the job runner (read after the commit)."""
    return pack.status == PackStatus.QUEUED and pack.step.startswith(RUNNER_UNREACHABLE)


def _period_has_ended(period: Period) -> bool:
    return period.end < clock.today()


#: The annual documents may be prepared while their year runs, as a draft "to date" (issued once it has ended).
TO_DATE_TYPES = {ReportType.ANNUAL_STATEMENT, ReportType.TECHNICAL_SPEC}


def _prepared_to_date(definition: ReportDefinition, period: Period) -> bool:
    return definition.report_type in TO_DATE_TYPES and period.start <= clock.today()


# -- asking ------------------------------------------------------------------------------------------------------

def request_pack(definition: ReportDefinition, period: Period, *, user: User | None, regenerate: bool = False) -> Pack:
    """The draft of ``definition``'s report for ``period``, queued for preparation unless it is already queued,
    running, or (without ``regenerate``) ready."""
    if period.frequency != definition.frequency:
        raise ValidationError({"period": f"A {definition.get_report_type_display()} reports a "
                                         f"{definition.frequency.replace('_', '-')} period."})
    if not _period_has_ended(period) and not _prepared_to_date(definition, period):
        raise ValidationError({"period": f"{period} has not ended yet: a report covers a finished period."})
    with transaction.atomic():
        pack = (Pack.objects.select_for_update()
                .filter(definition=definition, period=period).exclude(status=PackStatus.ISSUED).first())
        if pack is None:
            try:
                with transaction.atomic():
                    pack = Pack.objects.create(
                        definition=definition, council_id=definition.council_id, period=period,
                        title=packs.pack_title(definition, period), requested_by=user,
                        is_public=definition.is_public)
            except IntegrityError:  # another request created it a moment ago: use that one
                return Pack.objects.get(definition=definition, period=period, status__in=[
                    PackStatus.QUEUED, PackStatus.RUNNING, PackStatus.READY, PackStatus.FAILED])
            audit.record(user=user, action=AuditAction.CREATE, obj=pack, reason="Draft report requested")
            _enqueue(pack)
            return pack
        if pack.is_active or (pack.status == PackStatus.READY and not regenerate):
            return pack
        Pack.objects.filter(pk=pack.pk).update(
            status=PackStatus.QUEUED, job="generate", progress=0, step="", error="", claim="",
            requested_by=user, title=packs.pack_title(definition, period), is_public=definition.is_public,
            version=F("version") + 1)
        pack.refresh_from_db()
        audit.record(user=user, action=AuditAction.UPDATE, obj=pack,
                     reason="Draft report prepared again" if regenerate else "Failed job retried")
        _enqueue(pack)
        return pack


def retry(pack: Pack, *, user: User | None) -> Pack:
    if pack.status != PackStatus.FAILED:
        raise Refused("Only a failed job can be retried.")
    if pack.job == "issue":
        with transaction.atomic():
            Pack.objects.filter(pk=pack.pk, status=PackStatus.FAILED).update(
                status=PackStatus.QUEUED, progress=0, step="", error="", claim="", version=F("version") + 1)
            pack.refresh_from_db()
            audit.record(user=user, action=AuditAction.UPDATE, obj=pack, reason="Failed issue retried")
            _enqueue(pack)
        return pack
    return request_pack(pack.definition, pack.period, user=user)


def issue(pack: Pack, *, user: User, version: int) -> Pack:
    """Queue the issue of a ready draft: final files (no draft marking) from the draft's own snapshot."""
    with transaction.atomic():
        locked = Pack.objects.select_for_update().get(pk=pack.pk)
        if locked.version != version:
            raise Refused("The draft changed since you opened it (prepared again, or issued by someone else). "
                          "Check it again before issuing.")
        if locked.status != PackStatus.READY:
            raise Refused(f"Only a ready draft can be issued; this one is “{locked.get_status_display()}”.")
        if not _period_has_ended(locked.period):
            raise Refused(f"{locked.period} has not ended: this draft shows the year to date, and is issued once the "
                          "year has ended.")
        Pack.objects.filter(pk=locked.pk).update(status=PackStatus.QUEUED, job="issue", progress=0, step="",
                                                 error="", claim="", requested_by=user, version=F("version") + 1)
        locked.refresh_from_db()
        _enqueue(locked)
        return locked


# -- the job ---------------------------------------------------------------------------------------------------

def _claim(pack_id: int, worker: str) -> str | None:
    """Take the job: queued (or running with a stale heartbeat) -> running, with a new token; None if another
    attempt holds it or it is done."""
    token = uuid.uuid4().hex
    now = timezone.now()
    taken = Pack.objects.filter(pk=pack_id).filter(
        Q(status=PackStatus.QUEUED) | Q(status=PackStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    ).update(status=PackStatus.RUNNING, claim=token, worker=worker[:200], heartbeat_at=now, started_at=now,
             progress=0, step="Starting", error="", attempts=F("attempts") + 1)
    return token if taken else None


def _beat(pack_id: int, token: str, percent: int, step: str) -> None:
    renewed = Pack.objects.filter(pk=pack_id, claim=token, status=PackStatus.RUNNING).update(
        progress=min(max(percent, 0), 99), step=step[:120], heartbeat_at=timezone.now())
    if not renewed:
        raise LostClaim(f"pack {pack_id}: another attempt took over")


def _render(snapshot: dict, definition: ReportDefinition, *, draft: bool, beat) -> list[tuple[str, bytes, float,
                                                                                             int | None]]:
    template = None
    if definition.word_template:
        with definition.word_template.open("rb") as fh:
            template = fh.read()
    out = []
    beat(55, "Writing the PDF")
    started = time.perf_counter()
    document = pdf.render_pdf(snapshot, draft=draft)
    out.append((PackFormat.PDF, document, time.perf_counter() - started, pdf.count_pdf_pages(document)))
    beat(75, "Writing the Word document")
    started = time.perf_counter()
    document = word.render_docx(snapshot, template=template, draft=draft)
    out.append((PackFormat.DOCX, document, time.perf_counter() - started, None))
    beat(90, "Writing the Excel data annex")
    started = time.perf_counter()
    document = excel.render_xlsx(snapshot)
    out.append((PackFormat.XLSX, document, time.perf_counter() - started, None))
    return out


def _store(pack: Pack, files) -> None:
    old = list(pack.files.all())
    for f in old:
        f.file.delete(save=False)
    PackFile.objects.filter(pk__in=[f.pk for f in old]).delete()
    for fmt, content, seconds, pages in files:
        row = PackFile(pack=pack, format=fmt, size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                       pages=pages, seconds=Decimal(f"{seconds:.3f}"))
        row.file.save(f"{fmt}-{pack.version}-{uuid.uuid4().hex[:8]}.{fmt}", ContentFile(content), save=False)
        row.save()


def run_job(pack_id: int, *, worker: str = "in-process") -> str:
    """Run the pack's queued job (prepare or issue). Returns what happened, for the task's result."""
    token = _claim(pack_id, worker)
    if token is None:
        status = Pack.objects.filter(pk=pack_id).values_list("status", flat=True).first()
        return f"skipped: pack {pack_id} is {status or 'gone'}"
    pack = Pack.objects.select_related("definition__council", "period").get(pk=pack_id)

    def beat(percent: int, step: str) -> None:
        _beat(pack_id, token, percent, step)

    try:
        if pack.job == "issue":
            snapshot = pack.snapshot
            files = _render(snapshot, pack.definition, draft=False, beat=beat)
        else:
            as_of = clock.today()
            snapshot = packs.assemble(pack.definition, pack.period, as_of=as_of,
                                      progress=lambda p, s: beat(5 + p * 45 // 50, s))
            files = _render(snapshot, pack.definition, draft=True, beat=beat)
        beat(97, "Saving")
        with transaction.atomic():
            locked = Pack.objects.select_for_update().get(pk=pack_id)
            if locked.claim != token or locked.status != PackStatus.RUNNING:
                raise LostClaim(f"pack {pack_id}: another attempt took over")
            _store(locked, files)
            now = timezone.now()
            if pack.job == "issue":
                number = (Pack.objects.filter(definition_id=locked.definition_id, period_id=locked.period_id)
                          .aggregate(n=Max("issue_number"))["n"] or 0) + 1
                Pack.objects.filter(pk=pack_id).update(
                    status=PackStatus.ISSUED, progress=100, step="Issued", finished_at=now, issued_at=now,
                    issued_by=locked.requested_by, issue_number=number, claim="", version=F("version") + 1)
                locked.refresh_from_db()
                audit.record(user=locked.requested_by, action=AuditAction.APPROVE, obj=locked,
                             reason=f"Issued (issue {number})", changes={"status": ["ready", "issued"]})
            else:
                Pack.objects.filter(pk=pack_id).update(
                    status=PackStatus.READY, snapshot=snapshot, as_of=as_of, progress=100, step="Draft ready",
                    finished_at=now, claim="", version=F("version") + 1)
        return f"done: pack {pack_id}"
    except LostClaim as exc:
        log.warning("%s", exc)
        return f"lost: pack {pack_id}"
    except Exception as exc:  # the reason is shown on the pack's page; the job can be retried
        log.exception("report pack %s failed", pack_id)
        reason = f"{type(exc).__name__}: {exc}"[:2000]
        Pack.objects.filter(pk=pack_id, claim=token).update(
            status=PackStatus.FAILED, error=reason, step="Failed", claim="", finished_at=timezone.now())
        return f"failed: pack {pack_id}: {reason}"


# -- recovery and the schedule ---------------------------------------------------------------------------------

def requeue_for_worker(worker: str) -> list[int]:
    """At a worker's start: the packs a previous worker of the same name was running died with it."""
    ids = list(Pack.objects.filter(status=PackStatus.RUNNING, worker=worker).values_list("pk", flat=True))
    return _requeue(ids, "its worker stopped")


def recover_interrupted() -> list[int]:
    now = timezone.now()
    ids = list(Pack.objects.filter(
        Q(status=PackStatus.QUEUED, step__startswith=RUNNER_UNREACHABLE)  # the broker was away: send it now
        | Q(status=PackStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
        | Q(status=PackStatus.QUEUED, requested_at__lt=now - QUEUED_TOO_LONG, heartbeat_at__isnull=True)
        | Q(status=PackStatus.QUEUED, heartbeat_at__lt=now - QUEUED_TOO_LONG)
    ).values_list("pk", flat=True))
    return _requeue(ids, "it stalled or the job runner was away")


def _requeue(ids: list[int], why: str) -> list[int]:
    done = []
    for pk in ids:
        with transaction.atomic():
            moved = Pack.objects.filter(pk=pk, status__in=[PackStatus.RUNNING, PackStatus.QUEUED]).update(
                status=PackStatus.QUEUED, claim="", step=f"Queued again: {why}", heartbeat_at=timezone.now())
            if moved:
                _enqueue(Pack.objects.get(pk=pk))
                done.append(pk)
    return done


def due_for_drafts(council_id: int, *, today) -> list[Period]:
    """The latest quarter whose directors' sign-off deadline (the timetable's sign-off date for the quarter's last
    month) has passed: its draft packs should be ready before its Cabinet meeting."""
    entry = TimetableEntry.objects.filter(
        council_id=council_id, kind=TimetableKind.SIGN_OFF, date__lt=today, period__frequency="monthly",
        period__number__in=[3, 6, 9, 12],
    ).select_related("period").order_by("-date").first()
    if entry is None:
        return []
    period = Period.objects.filter(financial_year_id=entry.period.financial_year_id, frequency="quarterly",
                                   number=entry.period.number // 3).first()
    return [period] if period is not None else []


def prepare_due_packs(council_id: int) -> list[int]:
    """The schedule's job (E5): after the sign-off deadline, every active quarterly report gets its draft (once:
    a report with a draft or an issue for the quarter is left alone)."""
    today = clock.today()
    made = []
    for period in due_for_drafts(council_id, today=today):
        for definition in ReportDefinition.objects.filter(council_id=council_id, is_active=True):
            if definition.frequency != "quarterly":
                continue
            if Pack.objects.filter(definition=definition, period=period).exists():
                continue
            made.append(request_pack(definition, period, user=None).pk)
    return made
