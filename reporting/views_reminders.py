"""E5 pages: each person's reminder preferences with a preview of their next reminder, and the performance
unit's schedule of the council's jobs (times, on/off, last run), reminder settings and "send reminders now"."""

from __future__ import annotations

import logging

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from pmf import clock
from pmf.access import can_configure, council_from_request, scope_for
from pmf.forms import show_refusal
from pmf.models import Council, ReminderLog, ReminderPreference, ReminderSettings, ScheduledJob
from reporting import reminders, schedule, tasks

logger = logging.getLogger(__name__)

# -- Forms ----------------------------------------------------------------------------------------------------


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


class ReminderPreferenceForm(forms.ModelForm):
    class Meta:
        model = ReminderPreference
        fields = ["returns_due", "returns_overdue", "sign_offs", "recovery_plans", "action_updates"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ReminderSettingsForm(forms.ModelForm):
    class Meta:
        model = ReminderSettings
        fields = reminders.SETTINGS_FIELDS
        error_messages = {
            "days_before_due": {"max_value": "Days before the due date must be between 0 and 30.",
                                "min_value": "Days before the due date must be between 0 and 30."},
            "repeat_every_days": {"max_value": "Overdue reminders repeat every 1 to 60 days.",
                                  "min_value": "Overdue reminders repeat every 1 to 60 days."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class JobForm(forms.Form):
    hour = forms.IntegerField(min_value=0, max_value=23, help_text="0 to 23, UK time (Europe/London).",
                              error_messages={"min_value": "The hour must be between 0 and 23.",
                                              "max_value": "The hour must be between 0 and 23.",
                                              "required": "Enter the hour the job runs at (0 to 23).",
                                              "invalid": "The hour must be a whole number from 0 to 23."})
    minute = forms.IntegerField(min_value=0, max_value=59, help_text="0 to 59.",
                                error_messages={"min_value": "The minute must be between 0 and 59.",
                                                "max_value": "The minute must be between 0 and 59.",
                                                "required": "Enter the minute the job runs at (0 to 59).",
                                                "invalid": "The minute must be a whole number from 0 to 59."})
    days = forms.TypedMultipleChoiceField(
        label="Days of the week", choices=[(str(d), name) for d, name in schedule.DAYS], coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one day of the week for the job to run on."})
    enabled = forms.BooleanField(label="On", required=False, help_text="Off: the job does not run until turned on.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


def _job_form(job: ScheduledJob, data=None) -> JobForm:
    when = schedule.when_of(job)
    initial = {"hour": when["hour"], "minute": when["minute"], "days": [str(d) for d in when["days"]],
               "enabled": job.periodic_task.enabled}
    return JobForm(data, initial=initial, prefix=f"job{job.pk}")


# -- Helpers --------------------------------------------------------------------------------------------------

def _council(request: HttpRequest) -> Council:
    """The council whose schedule is shown: ``?council=<slug>``, else the first the user configures. A council
    the user has nothing to do with is not found (404); one they work for but do not configure is refused."""
    return council_from_request(request, refused="Only the performance unit sees and changes the schedule.")


def _job(request: HttpRequest, pk: int) -> ScheduledJob:
    job = (ScheduledJob.objects.select_related("council", "periodic_task__crontab").filter(pk=pk).first())
    if job is None or not (request.user.is_superuser or job.council_id in scope_for(request.user).councils):
        raise Http404("No such scheduled job.")
    if not can_configure(request.user, job.council_id):
        raise PermissionDenied("Only the performance unit changes the schedule.")
    return job


def _schedule_url(council: Council) -> str:
    return f"{reverse('schedule')}?council={council.slug}"


def _jobs(council: Council) -> list[tuple[ScheduledJob, str, str, JobForm]]:
    jobs = (ScheduledJob.objects.filter(council=council).select_related("periodic_task__crontab")
            .order_by("kind"))
    return [(job, schedule.JOBS[job.kind].description, schedule.describe_when(job.periodic_task.crontab),
             _job_form(job)) for job in jobs]


def _schedule_page(request: HttpRequest, council: Council, settings_form, status: int = 200) -> HttpResponse:
    last = (ReminderLog.objects.filter(council=council)
            .aggregate(on=Max("sent_on"), at=Max("sent_at")))
    last_run = None
    if last["on"] is not None:
        last_run = ReminderLog.objects.filter(council=council, sent_on=last["on"]).aggregate(
            people=Count("user", distinct=True), items=Count("pk"))
        last_run["on"], last_run["at"] = last["on"], last["at"]
    scope = scope_for(request.user)
    others = Council.objects.all() if request.user.is_superuser else Council.objects.filter(pk__in=scope.configure)
    return render(request, "reporting/schedule.html", {
        "nav": "schedule", "council": council, "jobs": _jobs(council), "settings_form": settings_form,
        "last_run": last_run, "councils": list(others.order_by("name")),
        "eager": getattr(django_settings, "CELERY_TASK_ALWAYS_EAGER", False),
    }, status=status)


# -- Pages ----------------------------------------------------------------------------------------------------

@login_required
def reminder_preferences(request: HttpRequest) -> HttpResponse:
    """Which reminder emails I get, and what my next one would list."""
    pref = reminders.preference_for(request.user)
    form = ReminderPreferenceForm(request.POST or None, instance=pref)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Your reminder preferences are saved.")
            return redirect("reminder_preferences")
        status = 400
    today = clock.today()
    previews = []
    for council in Council.objects.filter(pk__in=scope_for(request.user).councils).order_by("name"):
        council_settings = reminders.settings_for(council)
        digests = reminders.pending_reminders(council, today=today, users=[request.user], settings=council_settings)
        previews.append({"council": council, "settings": council_settings,
                         "digest": digests[0] if digests else None})
    return render(request, "reporting/reminders.html", {
        "nav": "reminders", "form": form, "previews": previews, "today": today}, status=status)


@login_required
def schedule_page(request: HttpRequest) -> HttpResponse:
    """The performance unit's schedule: the council's jobs, its reminder settings, and "send reminders now"."""
    council = _council(request)
    schedule.ensure_schedule(council)  # creates the council's jobs the first time (idempotent)
    council_settings = reminders.settings_for(council)
    form = ReminderSettingsForm(request.POST or None, instance=council_settings)
    if request.method == "POST":
        if form.is_valid():
            try:
                reminders.update_settings(settings=council_settings, user=request.user, data=form.cleaned_data)
            except ValidationError as refused:
                show_refusal(form, refused)
            else:
                messages.success(request, f"Reminder settings of {council} saved.")
                return redirect(_schedule_url(council))
        return _schedule_page(request, council, form, status=400)
    return _schedule_page(request, council, form)


@login_required
def schedule_job(request: HttpRequest, pk: int) -> HttpResponse:
    """Change when one of the council's jobs runs, and turn it on or off."""
    job = _job(request, pk)
    form = _job_form(job, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            schedule.update_job(job=job, user=request.user, hour=d["hour"], minute=d["minute"], days=d["days"],
                                enabled=d["enabled"])
            state = "on" if d["enabled"] else "off"
            messages.success(request, f"{job.periodic_task.name}: {schedule.describe_when(job.periodic_task.crontab)}"
                                      f", {state}.")
            return redirect(_schedule_url(job.council))
        status = 400
    return render(request, "reporting/schedule_job.html", {
        "nav": "schedule", "job": job, "form": form, "description": schedule.JOBS[job.kind].description,
        "when": schedule.describe_when(job.periodic_task.crontab)}, status=status)


@login_required
def send_now(request: HttpRequest) -> HttpResponse:
    """Send the council's reminders now, after a confirmation that says how many emails will go."""
    council = _council(request)
    council_settings = reminders.settings_for(council)
    status = 200
    if request.method == "POST":
        if request.POST.get("confirm") == "yes":
            try:
                result = tasks.send_council_reminders.delay(council.pk)
            except Exception:  # noqa: BLE001 - the broker (Redis) is unreachable: say so rather than fail
                if tasks.send_council_reminders.app.conf.task_always_eager:
                    raise
                logger.warning("send now: the job runner cannot be reached", exc_info=True)
                messages.error(request, f"The reminders for {council} were not sent: the job runner cannot be "
                                        "reached just now. Try again in a few minutes.")
                return redirect(_schedule_url(council))
            if result.ready():
                n = result.get()
                messages.success(request, f"Reminders sent now for {council}: {n} email{'s' if n != 1 else ''}.")
            else:
                messages.success(request, f"Reminders for {council} are being sent.")
            return redirect(_schedule_url(council))
        messages.error(request, "Confirm that the reminders should be sent now.")
        status = 400
    digests = reminders.pending_reminders(council, today=clock.today(), settings=council_settings)
    return render(request, "reporting/schedule_send_now.html", {
        "nav": "schedule", "council": council, "settings": council_settings, "digests": digests,
        "with_email": sum(1 for d in digests if d.user.email),
        "items": sum(len(d.reminders) for d in digests)}, status=status)
