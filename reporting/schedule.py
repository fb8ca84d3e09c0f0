"""The council's scheduled jobs (E5, D2): rows of django-celery-beat, which Celery beat reads from the database
(``CELERY_BEAT_SCHEDULER``), so the performance unit changes them in the product without a deployment.

Each council has one periodic task per ``JobKind``, linked to it by a ``ScheduledJob`` row. ``ensure_schedule``
creates what is missing and never resets what the performance unit changed; ``update_job`` changes when a job
runs and whether it is on, on a crontab row of its own values (crontab rows are shared, so one is never
edited in place), and records the change in the audit trail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from celery.schedules import crontab_parser
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from pmf import audit
from pmf.choices import AuditAction
from pmf.models import Council, JobKind, ScheduledJob, User

TIMEZONE = "Europe/London"
#: Celery's day numbers: 0 is Sunday. Listed from Monday.
DAYS = [(1, "Monday"), (2, "Tuesday"), (3, "Wednesday"), (4, "Thursday"), (5, "Friday"), (6, "Saturday"),
        (0, "Sunday")]
_DAY_NAMES = dict(DAYS)


@dataclass(frozen=True)
class JobSpec:
    task: str
    name: str  # with {council}
    description: str
    minute: str
    hour: str
    day_of_week: str


JOBS: dict[str, JobSpec] = {
    JobKind.REMINDERS: JobSpec(
        task="reporting.tasks.send_council_reminders", name="Reminders — {council}",
        description="Emails each person what is due from them: returns due soon and overdue, returns and action "
                    "updates waiting for their sign-off, recovery plans and action updates due (one email a "
                    "person, as their reminder preferences say).",
        minute="0", hour="7", day_of_week="1-5"),
    JobKind.DRAFT_PACKS: JobSpec(
        task="reporting.tasks.prepare_due_packs", name="Draft packs — {council}",
        description="Prepares the draft report packs whose sign-off deadline has passed, from approved figures, "
                    "ready for the performance unit to check and issue.",
        minute="30", hour="6", day_of_week="*"),
}


def crontab(*, minute: str, hour: str, day_of_week: str) -> CrontabSchedule:
    """The crontab row with these values (Europe/London), made if there is none. Rows are shared by every task
    that runs at that time, so they are never changed in place."""
    values = {"minute": minute, "hour": hour, "day_of_week": day_of_week, "day_of_month": "*",
              "month_of_year": "*", "timezone": ZoneInfo(TIMEZONE)}
    found = CrontabSchedule.objects.filter(**values).order_by("pk").first()
    return found or CrontabSchedule.objects.create(**values)


@transaction.atomic
def ensure_schedule(council: Council) -> list[ScheduledJob]:
    """The council's scheduled jobs, created (enabled, at their default times) where missing. Idempotent: a job
    that exists keeps its time and its on/off; only its task name and arguments are put right."""
    existing = {j.kind: j for j in ScheduledJob.objects.filter(council=council).select_related("periodic_task")}
    jobs = []
    for kind, spec in JOBS.items():
        job = existing.get(kind)
        kwargs = json.dumps({"council_id": council.pk})
        if job is not None:
            task = job.periodic_task
            if task.task != spec.task or json.loads(task.kwargs or "{}") != {"council_id": council.pk}:
                task.task, task.kwargs = spec.task, kwargs
                task.save()
            jobs.append(job)
            continue
        name = spec.name.format(council=council.name)
        task = PeriodicTask.objects.filter(name=name).first()  # left by a council of that name, since removed
        if task is None:
            task = PeriodicTask(name=name, enabled=True, crontab=crontab(
                minute=spec.minute, hour=spec.hour, day_of_week=spec.day_of_week))
        task.task, task.kwargs, task.description = spec.task, kwargs, spec.description
        task.save()
        ScheduledJob.objects.filter(periodic_task=task).delete()  # a stale link to another council
        job = ScheduledJob.objects.create(council=council, kind=kind, periodic_task=task)
        jobs.append(job)
    return jobs


def parse_days(day_of_week: str) -> list[int]:
    """Celery day numbers (0 Sunday ... 6 Saturday) of a crontab day-of-week field such as ``1-5`` or ``*``."""
    return sorted(crontab_parser(7).parse(day_of_week or "*"))


def days_field(days: list[int]) -> str:
    """The crontab field for these days: ``*`` for every day, else the numbers (``1,2,3,4,5``)."""
    days = sorted(set(days))
    return "*" if days == list(range(7)) else ",".join(str(d) for d in days)


def describe_days(day_of_week: str) -> str:
    days = parse_days(day_of_week)
    if days == list(range(7)):
        return "every day"
    if days == [1, 2, 3, 4, 5]:
        return "Monday to Friday"
    if days == [0, 6]:
        return "Saturday and Sunday"
    names = [_DAY_NAMES[d] for d, _ in DAYS if d in days]
    return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]


def _single(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def describe_when(cron: CrontabSchedule | None) -> str:
    """In words: "07:00, Monday to Friday (Europe/London)"."""
    if cron is None:
        return "not on a daily schedule"
    hour, minute = _single(cron.hour), _single(cron.minute)
    at = f"{hour:02d}:{minute:02d}" if hour is not None and minute is not None else f"{cron.hour}:{cron.minute}"
    return f"{at}, {describe_days(cron.day_of_week)} ({cron.timezone})"


def when_of(job: ScheduledJob) -> dict:
    """The job's time as the schedule form edits it: hour, minute, days (Celery numbers)."""
    cron = job.periodic_task.crontab
    if cron is None:
        return {"hour": None, "minute": None, "days": []}
    return {"hour": _single(cron.hour), "minute": _single(cron.minute), "days": parse_days(cron.day_of_week)}


@transaction.atomic
def update_job(*, job: ScheduledJob, user: User, hour: int, minute: int, days: list[int],
               enabled: bool) -> ScheduledJob:
    """Change when a council's job runs and whether it is on; recorded in the audit trail."""
    if not 0 <= hour <= 23 or not 0 <= minute <= 59 or not days or any(d not in _DAY_NAMES for d in days):
        raise ValueError("A job runs at an hour 0-23 and a minute 0-59 on at least one day of the week.")
    task = PeriodicTask.objects.select_for_update(of=("self",)).select_related("crontab").get(pk=job.periodic_task_id)
    before = {"when": describe_when(task.crontab), "enabled": task.enabled}
    cron = crontab(minute=str(minute), hour=str(hour), day_of_week=days_field(days))
    task.crontab, task.enabled = cron, enabled
    task.save()  # django-celery-beat marks the schedule changed, so a running beat reloads it
    after = {"when": describe_when(cron), "enabled": enabled}
    changes = audit.diff(before, after)
    if changes:
        audit.record(user=user, action=AuditAction.UPDATE, obj=job, changes=changes, council=job.council)
    job.periodic_task = task
    return job
