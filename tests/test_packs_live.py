"""Issue 5 against the real services: PostgreSQL, Redis, a Celery worker and Celery beat (started by .ci/run).

Run by .ci/run only (marker ``services``; it needs ``PMF_LIVE_CELERY=1``), in a pytest process of its own, on
the database .ci/run migrated and loaded the demo into: the worker must see what the test writes, so the test
uses that database itself instead of a test database, and commits as an application would.

- the Q2 2026/27 Cabinet pack is prepared by a real worker (one the test starts, solo pool, so its peak memory
  can be read) and issued by .ci/run's worker; its PDF, Word and Excel hold the same figures, and its exception
  pages are exactly what the D3 rules select (the in-process tests check the same against the dashboard);
- a worker killed (SIGKILL) in the middle of a pack and started again still yields exactly one pack;
- beat runs a job from the schedule in the database.
The timings, page count and peak memory are written to test-artifacts/pack_timings.txt.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(os.environ.get("PMF_LIVE_CELERY") != "1" or not os.environ.get("REDIS_URL"),
                       reason="needs the real worker and beat .ci/run starts (PMF_LIVE_CELERY=1, REDIS_URL)"),
]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
QUEUE = "live-test"


@pytest.fixture(scope="session")
def django_db_setup():
    """Use the database .ci/run prepared (the demo loaded), not a test database: the worker reads it too."""


@pytest.fixture
def db(django_db_blocker, settings):
    from pmf.celery import app

    settings.PMF_TODAY = date(2026, 11, 16)
    app.conf.task_always_eager = False
    with django_db_blocker.unblock():
        yield


def _wait(what, *, timeout: float, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"gave up waiting after {timeout:.0f} s")


class Worker:
    """A Celery worker process of our own (solo pool: one process, whose peak memory /proc reports)."""

    def __init__(self, name: str):
        self.name = name
        self.log = ARTIFACTS / f"celery-{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Worker:
        ARTIFACTS.mkdir(exist_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "pmf", "worker", "-n", f"{self.name}@%h", "-Q", QUEUE,
             "--pool", "solo", "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--logfile",
             str(self.log)],
            cwd=ROOT, env={**os.environ, "PMF_TODAY": "2026-11-16"})
        _wait(lambda: "ready." in self.log.read_text() if self.log.exists() else False, timeout=60)
        return self

    @property
    def hostname(self) -> str:
        import socket

        return f"{self.name}@{socket.gethostname()}"

    def peak_memory_mib(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
        return kb / 1024

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def worker():
    started: list[Worker] = []

    def start(name: str) -> Worker:
        w = Worker(name).start()
        started.append(w)
        return w

    yield start
    for w in started:
        w.stop()


def _new_pack(report_type: str, year: int, quarter: int):
    from pmf.models import Period
    from reporting import packs
    from reporting.models import Pack, ReportDefinition

    definition = ReportDefinition.objects.get(council__slug="harrowdale", report_type=report_type)
    period = Period.objects.get(financial_year_id=year, frequency="quarterly", number=quarter)
    Pack.objects.filter(definition=definition, period=period).exclude(status="issued").delete()
    return Pack.objects.create(definition=definition, council=definition.council, period=period,
                               title=packs.pack_title(definition, period))


def _status(pack_id: int, *wanted: str):
    from reporting.models import Pack

    pack = Pack.objects.get(pk=pack_id)
    if pack.status == "failed":
        raise AssertionError(f"the job failed: {pack.error}")
    return pack if pack.status in wanted else None


def test_the_q2_cabinet_pack_is_prepared_and_issued_by_real_workers(db, worker):
    import io

    from docx import Document
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from pmf.models import User
    from reporting import services, tasks

    w = worker("live")
    pack = _new_pack("cabinet", 2026, 2)
    started = time.monotonic()
    tasks.generate_pack.apply_async((pack.pk,), queue=QUEUE)
    pack = _wait(lambda: _status(pack.pk, "ready"), timeout=600)
    prepared = time.monotonic() - started
    peak = w.peak_memory_mib()
    assert pack.worker == w.hostname

    started = time.monotonic()
    services.issue(pack, user=User.objects.get(username="helen.marsh"), version=pack.version)  # .ci/run's worker
    pack = _wait(lambda: _status(pack.pk, "issued"), timeout=600)
    issued = time.monotonic() - started
    assert pack.issue_number == 1 and pack.worker != w.hostname

    files = {row.format: row for row in pack.files.all()}
    pdf_bytes = files["pdf"].file.open("rb").read()
    reader = PdfReader(io.BytesIO(pdf_bytes))
    pdf = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    document = Document(io.BytesIO(files["docx"].file.open("rb").read()))
    docx = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    book = load_workbook(io.BytesIO(files["xlsx"].file.open("rb").read()), read_only=True, data_only=True)
    annex = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    rows = [m for plan in pack.snapshot["plans"] for m in plan["measures"]]
    assert rows
    for m in rows:
        for text in (m["value"], m["target"], m["rag_label"]):
            assert " ".join(text.split()) in pdf and text in docx, (m["ref"], text)
        if m["value_raw"] is not None:
            assert any(isinstance(c, int | float) and abs(float(c) - float(m["value_raw"])) < 1e-9 for c in annex)
    for e in pack.snapshot["exceptions"]["measures"]:
        assert e["row"]["ref"] in pdf and e["row"]["ref"] in docx

    ARTIFACTS.mkdir(exist_ok=True)
    lines = [
        "Q2 2026/27 Cabinet pack, demo council, real Celery worker (solo pool) on PostgreSQL + Redis",
        f"prepared (queued to draft ready, assembly + 3 formats): {prepared:.1f} s",
        f"issued (final files by .ci/run's worker): {issued:.1f} s",
        *(f"  {fmt}: {row.seconds} s, {row.size:,} bytes" + (f", {row.pages} pages" if row.pages else "")
          for fmt, row in sorted(files.items())),
        f"PDF pages: {len(reader.pages)}",
        f"measures: {len(rows)} in {len(pack.snapshot['plans'])} plan sections; exception pages: "
        f"{len(pack.snapshot['exceptions']['measures'])} measures, {len(pack.snapshot['exceptions']['actions'])} "
        "actions",
        f"worker peak memory (VmHWM): {peak:.0f} MiB",
    ]
    (ARTIFACTS / "pack_timings.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def test_a_worker_killed_mid_job_and_restarted_still_yields_one_pack(db, worker):
    from reporting import tasks
    from reporting.models import Pack

    w = worker("kill")
    pack = _new_pack("cabinet", 2026, 1)
    tasks.generate_pack.apply_async((pack.pk,), queue=QUEUE)
    running = _wait(lambda: (p := _status(pack.pk, "running", "ready")) and (p.progress >= 30 or p.status == "ready")
                    and p, timeout=300, every=0.05)
    assert running.status == "running", "the job finished before it could be killed"
    w.kill()
    pack.refresh_from_db()
    assert pack.status == "running" and pack.worker == w.hostname  # it died holding the job
    worker("kill")  # the same worker starts again: it requeues what it was running
    pack = _wait(lambda: _status(pack.pk, "ready"), timeout=600)
    assert pack.attempts == 2 and pack.files.count() == 3
    assert Pack.objects.filter(definition=pack.definition, period=pack.period).count() == 1


def test_beat_runs_a_job_from_the_schedule_in_the_database(db):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from pmf.models import Council
    from reporting.models import Pack, PackStatus, ReportDefinition

    council = Council.objects.get(slug="harrowdale")
    exception = ReportDefinition.objects.get(council=council, report_type="exception")
    Pack.objects.filter(definition=exception).exclude(status=PackStatus.ISSUED).delete()
    others = list(ReportDefinition.objects.filter(council=council, is_active=True).exclude(pk=exception.pk)
                  .values_list("pk", flat=True))
    ReportDefinition.objects.filter(pk__in=others).update(is_active=False)  # one draft is enough to prove it
    every, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    task = PeriodicTask.objects.create(name="CI: draft packs every 2 seconds", interval=every,
                                       task="reporting.tasks.prepare_due_packs",
                                       kwargs=f'{{"council_id": {council.pk}}}')
    try:
        made = _wait(lambda: Pack.objects.filter(definition=exception, period__number=2,
                                                 period__financial_year_id=2026).first(), timeout=90)
        _wait(lambda: _status(made.pk, "ready"), timeout=600)
    finally:
        task.delete()
        ReportDefinition.objects.filter(pk__in=others).update(is_active=True)
    assert Pack.objects.filter(definition=exception, period=made.period).count() == 1
