"""E5: reminder emails and the schedule Celery beat reads from the database (reporting/reminders.py,
reporting/schedule.py, reporting/tasks.py, the reminders and schedule pages). The demo council Harrowdale on its
"today", 16 November 2026:
tom.ashworth owes STC03 for October (due 13 November, overdue) and updates on his actions; ruth.calloway and her
delegate sanjay.mistry have returns of Place and Environment waiting for their sign-off."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from demo import DEMO_AS_OF
from indicators import selectors as ind_selectors
from indicators.models import Indicator, RecoveryPlan, Specification
from plans.selectors import action_updates_due
from pmf.choices import Role
from pmf.models import (
    AuditEntry,
    Council,
    JobKind,
    ReminderKind,
    ReminderLog,
    ReminderPreference,
    ReminderSettings,
    RoleAssignment,
    ScheduledJob,
    User,
)
from reporting import reminders, schedule, tasks
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = DEMO_AS_OF  # Monday 16 November 2026


@pytest.fixture
def council() -> Council:
    return Council.objects.get(slug="harrowdale")


def person(username: str) -> User:
    return User.objects.get(username=username)


def mail_to(outbox, username: str):
    """The one email a person got, or None."""
    email = person(username).email
    found = [m for m in outbox if m.to == [email]]
    assert len(found) <= 1, f"{username} got {len(found)} emails in one run"
    return found[0] if found else None


def html_of(message) -> str:
    return next(body for body, mime in message.alternatives if mime == "text/html")


def indicator(ref: str) -> Indicator:
    return Indicator.objects.select_related("current_spec").get(council__slug="harrowdale", ref=ref)


def recovery_plan(ref: str, owner: User, due_on: date) -> RecoveryPlan:
    return RecoveryPlan.objects.create(indicator=indicator(ref), trigger="Red at Q2 2026/27", owner=owner,
                                       due_on=due_on)


# -- Who gets what ---------------------------------------------------------------------------------------------

def test_a_lead_is_reminded_of_an_overdue_return_and_the_actions_they_owe(council, mailoutbox):
    sent = reminders.send_reminders(council, today=TODAY)
    assert sent == len(mailoutbox) > 0
    message = mail_to(mailoutbox, "tom.ashworth")
    assert message is not None
    assert "returns overdue (1)" in message.subject
    stc03 = indicator("STC03")
    assert "STC03 Percentage of fly-tipping incidents cleared within two working days, October 2026" in message.body
    assert "was due 13 November 2026 (3 days overdue)" in message.body
    assert "WAS-A04 Introduce a booking system" in message.body  # an action update he owes
    html = html_of(message)
    assert f'href="/indicators/{stc03.pk}/returns/' in html
    assert "/account/reminders/" in message.body  # where to change what he gets
    # He signs nothing off: no sign-off section.
    assert "WAITING FOR YOUR SIGN-OFF" not in message.body


def test_a_return_due_in_the_next_days_is_reminded_once_before_it_is_due(council, mailoutbox):
    # STC03 due 15 working days after October ends: Friday 20 November, 4 days away (the window is 5).
    Specification.objects.filter(pk=indicator("STC03").current_spec_id).update(due_working_days=15)
    reminders.send_reminders(council, today=TODAY)
    message = mail_to(mailoutbox, "tom.ashworth")
    assert "RETURNS DUE SOON" in message.body
    assert "due 20 November 2026 (in 4 days)" in message.body
    assert "RETURNS OVERDUE" not in message.body
    # The next day it is still due soon, but was reminded already: nothing about it again.
    mailoutbox.clear()
    reminders.send_reminders(council, today=TODAY + timedelta(days=1))
    again = mail_to(mailoutbox, "tom.ashworth")
    assert again is None or "STC03" not in again.body


def test_a_return_due_beyond_the_window_is_not_reminded_yet(council, mailoutbox):
    Specification.objects.filter(pk=indicator("STC03").current_spec_id).update(due_working_days=20)  # 27 Nov
    reminders.send_reminders(council, today=TODAY)
    message = mail_to(mailoutbox, "tom.ashworth")
    assert message is None or "STC03" not in message.body


def test_directors_and_delegates_are_reminded_of_returns_waiting_for_their_sign_off(council, mailoutbox):
    reminders.send_reminders(council, today=TODAY)
    for username in ("ruth.calloway", "sanjay.mistry"):
        message = mail_to(mailoutbox, username)
        assert message is not None, username
        assert "WAITING FOR YOUR SIGN-OFF" in message.body
        assert "Return WAS02 Residual household waste per household (kg), Q2 2026/27: submitted 9 October 2026" \
            in message.body
        assert "/indicators/sign-off/" in message.body
        assert "ASC01" not in message.body  # Adults and Health: another director's
    # The Adults and Health director gets Adults and Health returns, not Place and Environment's.
    asc = RoleAssignment.objects.get(council=council, role=Role.DIRECTOR, directorate__code="HAR-AH",
                                     committee__isnull=True).user
    other = mail_to(mailoutbox, asc.username)
    if other is not None:
        assert "WAS02" not in other.body


def test_a_recovery_plan_due_is_reminded_to_its_owner(council, mailoutbox):
    tom = person("tom.ashworth")
    recovery_plan("WAS02", tom, TODAY + timedelta(days=3))
    recovery_plan("WAS03", tom, TODAY + timedelta(days=20))  # not yet inside the window
    reminders.send_reminders(council, today=TODAY)
    body = mail_to(mailoutbox, "tom.ashworth").body
    assert "RECOVERY PLANS ASKED OF YOU" in body
    assert "Recovery plan for WAS02" in body
    assert "due 19 November 2026 (in 3 days)" in body
    assert "WAS03" not in body


def test_an_overdue_recovery_plan_is_reminded_again_after_the_repeat_interval(council, mailoutbox):
    tom = person("tom.ashworth")
    recovery_plan("WAS02", tom, TODAY - timedelta(days=2))
    ReminderPreference.objects.create(user=tom, returns_overdue=False, action_updates=False)
    repeat = reminders.settings_for(council).repeat_every_days  # 7
    assert reminders.send_reminders(council, today=TODAY) > 0
    assert "Recovery plan for WAS02" in mail_to(mailoutbox, "tom.ashworth").body
    for days, expected in ((1, False), (repeat - 1, False), (repeat, True)):
        mailoutbox.clear()
        reminders.send_reminders(council, today=TODAY + timedelta(days=days))
        message = mail_to(mailoutbox, "tom.ashworth")
        assert (message is not None and "WAS02" in message.body) is expected, days


def test_the_service_finds_what_the_home_page_shows_each_person(council):
    """The council-wide collection applies the rules of indicators.selectors.due_returns and
    plans.selectors.action_updates_due: for every lead and action owner, the same items."""
    window = reminders.settings_for(council).days_before_due
    collected = reminders.collect_reminders(council, today=TODAY)
    people = User.objects.filter(role_assignments__council=council).distinct()
    checked = 0
    for user in people:
        mine = collected.get(user, [])
        returns = {r.path for r in mine if r.kind in (ReminderKind.RETURNS_DUE, ReminderKind.RETURNS_OVERDUE)}
        expected = {reverse("indicators:return", args=[d.indicator.pk, d.period.pk])
                    for d in ind_selectors.due_returns(user, today=TODAY)
                    if d.overdue or (d.due_on - TODAY).days <= window}
        assert returns == expected, user.username
        actions = {r.path for r in mine if r.kind == ReminderKind.ACTION_UPDATES}
        assert actions == {reverse("plans:action", args=[row[0].pk]) for row in action_updates_due(user, today=TODAY)
                           if row[3] or (row[2] - TODAY).days <= window}, user.username
        checked += bool(returns or actions)
    assert checked > 20


# -- Preferences, repeats, the council's switch ------------------------------------------------------------------

def test_preferences_switch_kinds_off(council, mailoutbox):
    tom = person("tom.ashworth")
    ReminderPreference.objects.create(user=tom, action_updates=False)
    reminders.send_reminders(council, today=TODAY)
    body = mail_to(mailoutbox, "tom.ashworth").body
    assert "STC03" in body
    assert "WAS-A04" not in body and "ACTION UPDATES DUE" not in body

    ReminderPreference.objects.filter(user=tom).update(returns_overdue=False)
    ReminderLog.objects.all().delete()
    mailoutbox.clear()
    reminders.send_reminders(council, today=TODAY)
    assert mail_to(mailoutbox, "tom.ashworth") is None  # nothing else due from him
    ruth = person("ruth.calloway")
    ReminderPreference.objects.create(user=ruth, sign_offs=False)
    ReminderLog.objects.all().delete()
    mailoutbox.clear()
    reminders.send_reminders(council, today=TODAY)
    assert mail_to(mailoutbox, "ruth.calloway") is None
    assert mail_to(mailoutbox, "sanjay.mistry") is not None  # her delegate still gets them


def test_running_twice_on_one_day_sends_nothing_twice(council, mailoutbox):
    first = reminders.send_reminders(council, today=TODAY)
    logged = ReminderLog.objects.filter(council=council, sent_on=TODAY).count()
    assert first > 10 and logged >= first
    assert reminders.send_reminders(council, today=TODAY) == 0
    assert len(mailoutbox) == first
    assert ReminderLog.objects.filter(council=council, sent_on=TODAY).count() == logged


def test_a_council_with_reminders_off_sends_nothing(council, mailoutbox):
    ReminderSettings.objects.update_or_create(council=council, defaults={"enabled": False})
    assert reminders.send_reminders(council, today=TODAY) == 0
    assert mailoutbox == []
    assert not ReminderLog.objects.filter(council=council).exists()


def test_people_without_an_email_address_are_skipped_and_get_it_later(council, mailoutbox):
    User.objects.filter(username="tom.ashworth").update(email="")
    reminders.send_reminders(council, today=TODAY)
    assert not ReminderLog.objects.filter(user__username="tom.ashworth").exists()
    User.objects.filter(username="tom.ashworth").update(email="tom@harrowdale.example")
    mailoutbox.clear()
    assert reminders.send_reminders(council, today=TODAY) == 1
    assert mailoutbox[0].to == ["tom@harrowdale.example"]


def test_links_use_site_url_when_set(council, mailoutbox, settings):
    settings.SITE_URL = "https://performance.harrowdale.example/"
    reminders.send_reminders(council, today=TODAY)
    message = mail_to(mailoutbox, "tom.ashworth")
    assert "https://performance.harrowdale.example/account/reminders/" in message.body
    assert 'href="https://performance.harrowdale.example/indicators/' in html_of(message)


def _reads(captured) -> list[str]:
    """The statements of a run other than the inserts of its log (bulk_create: one statement, or one per 166 rows
    on SQLite, which takes at most 999 values a statement)."""
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith('INSERT INTO "pmf_reminderlog"')]


def test_query_count_does_not_grow_with_the_number_of_people(council, mailoutbox):
    """One run for the whole council in a fixed number of queries: more people with more due does not add any."""
    reminders.settings_for(council)
    with CaptureQueriesContext(connection) as before:
        sent_before = reminders.send_reminders(council, today=TODAY)
    # Thirty more people, each owing a recovery plan due in two days.
    free = Indicator.objects.filter(council=council).exclude(recovery_plans__status__in=["requested", "in_place"])
    for n, ind in enumerate(free.order_by("ref")[:30]):
        owner = f.user(council, Role.SERVICE_LEAD)
        User.objects.filter(pk=owner.pk).update(email=f"extra{n}@harrowdale.example")
        RecoveryPlan.objects.create(indicator=ind, trigger="Red", owner=owner, due_on=TODAY + timedelta(days=2))
    ReminderLog.objects.all().delete()
    mailoutbox.clear()
    with CaptureQueriesContext(connection) as after:
        sent_after = reminders.send_reminders(council, today=TODAY)
    assert sent_after == sent_before + 30
    assert len(_reads(after)) == len(_reads(before)) <= 17, _reads(after)
    logged = ReminderLog.objects.count()
    assert len(after) - len(_reads(after)) <= -(-logged // 166)  # the log's inserts: one per 166 rows at most


def test_the_preview_of_one_council_has_a_query_budget(council, django_assert_max_num_queries):
    reminders.settings_for(council)
    with django_assert_max_num_queries(14):
        assert len(reminders.pending_reminders(council, today=TODAY)) > 100


# -- The task and the schedule ------------------------------------------------------------------------------------

def test_the_task_runs_in_process_and_sends(council, mailoutbox):
    result = tasks.send_council_reminders.delay(council.pk)
    assert result.get() == len(mailoutbox) > 0
    assert tasks.send_council_reminders.delay(10**9).get() == 0  # a council since removed: nothing, no error


def test_the_demo_has_its_schedule(council):
    jobs = {j.kind: j.periodic_task for j in ScheduledJob.objects.filter(council=council)
            .select_related("periodic_task__crontab")}
    reminders_task, packs = jobs[JobKind.REMINDERS], jobs[JobKind.DRAFT_PACKS]
    assert reminders_task.name == "Reminders — Harrowdale Council"
    assert reminders_task.task == "reporting.tasks.send_council_reminders"
    assert json.loads(reminders_task.kwargs) == {"council_id": council.pk}
    cron = reminders_task.crontab
    assert (cron.minute, cron.hour, cron.day_of_week, cron.day_of_month, cron.month_of_year) == (
        "0", "7", "1-5", "*", "*")
    assert str(cron.timezone) == "Europe/London"
    assert packs.name == "Draft packs — Harrowdale Council"
    assert packs.task == "reporting.tasks.prepare_due_packs"
    assert json.loads(packs.kwargs) == {"council_id": council.pk}
    assert (packs.crontab.hour, packs.crontab.minute, packs.crontab.day_of_week) == ("6", "30", "*")
    assert reminders_task.enabled and packs.enabled


def test_ensure_schedule_is_idempotent_and_keeps_changes(council):
    other = f.council("Idempotshire Council")
    first = schedule.ensure_schedule(other)
    tasks_before = PeriodicTask.objects.count()
    crons_before = CrontabSchedule.objects.count()
    assert {j.periodic_task.name for j in first} == {"Reminders — Idempotshire Council",
                                                    "Draft packs — Idempotshire Council"}
    again = schedule.ensure_schedule(other)
    assert [j.pk for j in again] == [j.pk for j in first]
    assert (PeriodicTask.objects.count(), CrontabSchedule.objects.count()) == (tasks_before, crons_before)
    job = next(j for j in first if j.kind == JobKind.REMINDERS)
    schedule.update_job(job=job, user=person("helen.marsh"), hour=8, minute=15, days=[1, 3], enabled=False)
    schedule.ensure_schedule(other)
    task = PeriodicTask.objects.get(pk=job.periodic_task_id)
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_week, task.enabled) == ("8", "15", "1,3",
                                                                                               False)


def test_a_reloaded_council_takes_over_its_old_rows(council):
    other = f.council("Reloadshire Council")
    schedule.ensure_schedule(other)
    names = set(PeriodicTask.objects.filter(name__endswith="Reloadshire Council").values_list("pk", flat=True))
    other.delete()  # the jobs' links go with it; the beat rows stay
    again = f.council("Reloadshire Council")
    jobs = schedule.ensure_schedule(again)
    assert {j.periodic_task_id for j in jobs} == names
    assert all(json.loads(j.periodic_task.kwargs) == {"council_id": again.pk} for j in jobs)


def test_celery_beat_reads_the_councils_jobs_from_the_database(council, monkeypatch):
    from django_celery_beat import schedulers
    from django_celery_beat.schedulers import DatabaseScheduler

    from pmf.celery import app

    # Beat fetches only the crontab jobs due within two hours of now: look at 07:00 on a weekday.
    monkeypatch.setattr(schedulers, "aware_now", lambda: datetime(2026, 11, 16, 7, 0, tzinfo=ZoneInfo("Europe/London")))
    scheduler = DatabaseScheduler(app=app, lazy=True)
    entries = scheduler.all_as_schedule()
    entry = entries["Reminders — Harrowdale Council"]
    assert entry.task == "reporting.tasks.send_council_reminders"
    assert entry.kwargs == {"council_id": council.pk}
    assert entry.schedule.hour == {7} and entry.schedule.minute == {0}
    assert entry.schedule.day_of_week == {1, 2, 3, 4, 5}
    assert entries["Draft packs — Harrowdale Council"].task == "reporting.tasks.prepare_due_packs"


def test_describing_a_job_in_words():
    assert schedule.describe_days("1-5") == "Monday to Friday"
    assert schedule.describe_days("*") == "every day"
    assert schedule.describe_days("1,3") == "Monday and Wednesday"
    assert schedule.describe_days("0") == "Sunday"
    assert schedule.days_field([0, 1, 2, 3, 4, 5, 6]) == "*"
    assert schedule.parse_days(schedule.days_field([5, 1])) == [1, 5]


# -- The pages -----------------------------------------------------------------------------------------------------

def test_everyone_sees_and_saves_their_preferences_with_a_preview(client, council):
    client.force_login(person("tom.ashworth"))
    page = client.get(reverse("reminder_preferences"))
    assert page.status_code == 200
    text = page.text
    assert "Which reminders I get" in text
    assert "My next reminder" in text
    assert "STC03" in text  # the preview lists what the next email would
    assert "Returns you enter that fall due within" in text  # help text
    response = client.post(reverse("reminder_preferences"), {"returns_due": "on", "sign_offs": "on"})
    assert response.status_code == 302
    pref = ReminderPreference.objects.get(user__username="tom.ashworth")
    assert (pref.returns_due, pref.returns_overdue, pref.sign_offs, pref.recovery_plans, pref.action_updates) == (
        True, False, True, False, False)
    assert "STC03" not in client.get(reverse("reminder_preferences")).text


def test_the_performance_unit_sees_the_schedule(client, council):
    client.force_login(person("helen.marsh"))
    page = client.get(reverse("schedule"))
    assert page.status_code == 200
    text = page.text
    assert "Reminders — Harrowdale Council" in text and "Draft packs — Harrowdale Council" in text
    assert "07:00, Monday to Friday (Europe/London)" in text
    assert "06:30, every day (Europe/London)" in text
    assert "Not run yet" in text
    assert "Send reminders now" in text


@pytest.mark.parametrize("username", ["tom.ashworth", "ruth.calloway", "nadia.holloway", "liam.fenwick"])
def test_other_roles_are_refused_the_schedule(client, council, username):
    client.force_login(person(username))
    job = ScheduledJob.objects.filter(council=council).first()
    assert client.get(reverse("schedule")).status_code == 403
    assert client.post(reverse("schedule"), {"enabled": "on", "days_before_due": 1,
                                             "repeat_every_days": 1}).status_code == 403
    assert client.post(reverse("schedule_job", args=[job.pk]), {}).status_code == 403
    assert client.post(reverse("schedule_send_now"), {"confirm": "yes"}).status_code == 403
    assert not ReminderSettings.objects.filter(council=council).exclude(days_before_due=5).exists()


def test_another_councils_jobs_are_not_found(client, council):
    other = f.council("Elsewhere Council")
    job = schedule.ensure_schedule(other)[0]
    client.force_login(person("helen.marsh"))
    assert client.get(reverse("schedule_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("schedule_job", args=[job.pk]), {}).status_code == 404
    assert client.get(reverse("schedule"), {"council": other.slug}).status_code == 404


def test_editing_a_job_makes_a_crontab_of_its_own_and_is_audited(client, council):
    job = ScheduledJob.objects.select_related("periodic_task__crontab").get(council=council, kind=JobKind.REMINDERS)
    shared = job.periodic_task.crontab
    shared_values = (shared.minute, shared.hour, shared.day_of_week)
    other = f.council("Sharedshire Council")
    other_job = next(j for j in schedule.ensure_schedule(other) if j.kind == JobKind.REMINDERS)
    assert other_job.periodic_task.crontab_id == shared.pk  # the same time: one crontab row

    client.force_login(person("helen.marsh"))
    p = f"job{job.pk}-"
    response = client.post(reverse("schedule_job", args=[job.pk]), {
        p + "hour": "8", p + "minute": "45", p + "days": ["1", "2", "3", "4"], p + "enabled": "on"})
    assert response.status_code == 302
    task = PeriodicTask.objects.select_related("crontab").get(pk=job.periodic_task_id)
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_week) == ("8", "45", "1,2,3,4")
    assert task.crontab_id != shared.pk
    shared.refresh_from_db()
    assert (shared.minute, shared.hour, shared.day_of_week) == shared_values  # not changed in place
    assert PeriodicTask.objects.get(pk=other_job.periodic_task_id).crontab_id == shared.pk
    entry = AuditEntry.objects.filter(object_type="pmf.ScheduledJob", object_id=str(job.pk)).latest("at")
    assert entry.council_id == council.pk and entry.user.username == "helen.marsh"
    assert entry.changes["when"] == ["07:00, Monday to Friday (Europe/London)",
                                     "08:45, Monday, Tuesday, Wednesday and Thursday (Europe/London)"]
    assert "08:45, Monday, Tuesday, Wednesday and Thursday" in client.get(reverse("schedule")).text

    off = client.post(reverse("schedule_job", args=[job.pk]), {
        p + "hour": "8", p + "minute": "45", p + "days": ["1", "2", "3", "4"]})
    assert off.status_code == 302
    assert not PeriodicTask.objects.get(pk=job.periodic_task_id).enabled


def test_a_bad_time_is_refused_naming_the_field(client, council):
    job = ScheduledJob.objects.get(council=council, kind=JobKind.REMINDERS)
    client.force_login(person("helen.marsh"))
    p = f"job{job.pk}-"
    response = client.post(reverse("schedule_job", args=[job.pk]), {p + "hour": "24", p + "minute": "x"})
    assert response.status_code == 400
    text = response.text
    assert "The hour must be between 0 and 23." in text
    assert "The minute must be a whole number from 0 to 59." in text
    assert "Choose at least one day of the week" in text
    task = PeriodicTask.objects.select_related("crontab").get(pk=job.periodic_task_id)
    assert task.crontab.hour == "7"


def test_the_performance_unit_changes_the_reminder_settings(client, council):
    client.force_login(person("helen.marsh"))
    bad = client.post(reverse("schedule"), {"council": "harrowdale", "enabled": "on", "days_before_due": "45",
                                            "repeat_every_days": "0"})
    assert bad.status_code == 400
    assert "Days before the due date must be between 0 and 30." in bad.text
    assert "Overdue reminders repeat every 1 to 60 days." in bad.text
    ok = client.post(reverse("schedule"), {"council": "harrowdale", "days_before_due": "3",
                                           "repeat_every_days": "2"})
    assert ok.status_code == 302
    saved = ReminderSettings.objects.get(council=council)
    assert (saved.enabled, saved.days_before_due, saved.repeat_every_days) == (False, 3, 2)
    entry = AuditEntry.objects.filter(object_type="pmf.ReminderSettings").latest("at")
    assert entry.changes == {"enabled": [True, False], "days_before_due": [5, 3], "repeat_every_days": [7, 2]}


def test_send_now_asks_first_then_sends(client, council, mailoutbox):
    client.force_login(person("helen.marsh"))
    confirm = client.get(reverse("schedule_send_now"))
    assert confirm.status_code == 200
    assert "Yes, send the reminders now" in confirm.text
    assert mailoutbox == []  # asking sends nothing
    n = len(reminders.pending_reminders(council, today=TODAY))
    assert f"This emails {n} people now" in confirm.text
    unconfirmed = client.post(reverse("schedule_send_now"), {"council": "harrowdale"})
    assert unconfirmed.status_code == 400 and mailoutbox == []
    done = client.post(reverse("schedule_send_now"), {"council": "harrowdale", "confirm": "yes"}, follow=True)
    assert done.status_code == 200
    assert len(mailoutbox) == n
    assert f"Reminders sent now for Harrowdale Council: {n} emails." in done.text
