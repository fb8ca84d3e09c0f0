"""E5: reminder emails. What is due from each person of a council, and one digest email per person per run.

``collect_reminders`` reads, for a whole council at once, what the home page ("My updates") shows each person:
returns due soon and overdue (the rules of ``indicators.selectors.due_returns``: B2 due dates, the D1 entry
window, reopenings, returns sent back), returns and action updates waiting for a director's or delegate's
sign-off (as the sign-off queue shows them), recovery plans asked for (D4) and action updates due (the rules of
``plans.selectors.action_updates_due``). Those selectors answer for one person; reminders answer for everybody
in a fixed number of queries, whatever the number of people, so the same rules are applied here to the whole
council's rows (tests/test_reminders.py checks both give the same items).

``pending_reminders`` keeps what each person asked for (``ReminderPreference``) and has not been reminded of
yet: an item due soon is reminded once; an overdue item or a sign-off still waiting is reminded again every
``repeat_every_days``. ``send_reminders`` sends one email per person (plain text and HTML) and records every
item in ``ReminderLog``, whose unique constraint means a second run on the same day sends nothing twice.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings as django_settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse

from indicators.choices import ReturnState
from indicators.models import Indicator, RecoveryPlan, RecoveryStatus, Return
from indicators.selectors import owed_returns, ready_for_sign_off_q
from plans.models import Action, ActionUpdate
from pmf import audit
from pmf.calendar import due_date
from pmf.choices import AuditAction, Role
from pmf.models import Council, ReminderKind, ReminderLog, ReminderPreference, ReminderSettings, RoleAssignment, User
from pmf.periods import period_bounds, period_for_date, previous_period

logger = logging.getLogger(__name__)

#: How far back a return can still be owed (as ``due_returns``), and how far back the log is read.
LOOKBACK_DAYS = 400
#: The order the digest lists its sections in, with the heading of each.
SECTIONS: list[tuple[str, str]] = [
    (ReminderKind.RETURNS_OVERDUE, "Returns overdue"),
    (ReminderKind.RETURNS_DUE, "Returns due soon"),
    (ReminderKind.SIGN_OFFS, "Waiting for your sign-off"),
    (ReminderKind.RECOVERY_PLANS, "Recovery plans asked of you"),
    (ReminderKind.ACTION_UPDATES, "Action updates due"),
]
#: At most this many items of one section are listed in an email; the rest are counted.
MAX_LISTED = 25


@dataclass(frozen=True)
class Reminder:
    """One item in a person's reminder: what it is, when it is due, and where to act on it."""

    kind: str
    key: str  # what is reminded, stable across runs: the ReminderLog subject
    title: str
    detail: str
    path: str
    due_on: date | None = None
    overdue: bool = False
    repeats: bool = False  # reminded again every repeat_every_days while it is outstanding

    @property
    def sort_key(self) -> tuple:
        return (not self.overdue, self.due_on or date.max, self.title)


@dataclass
class Digest:
    """One person's email: their reminders, by section."""

    user: User
    council: Council
    reminders: list[Reminder]
    sections: list[tuple[str, str, list[Reminder], int]] = field(default_factory=list)  # kind, heading, shown, more

    def __post_init__(self) -> None:
        by_kind: dict[str, list[Reminder]] = defaultdict(list)
        for r in self.reminders:
            by_kind[r.kind].append(r)
        self.sections = []
        for kind, heading in SECTIONS:
            items = sorted(by_kind.get(kind, []), key=lambda r: r.sort_key)
            if items:
                self.sections.append((kind, heading, items[:MAX_LISTED], max(0, len(items) - MAX_LISTED)))


# -- Settings and preferences --------------------------------------------------------------------------------

def settings_for(council: Council) -> ReminderSettings:
    """The council's reminder settings, created with the defaults the first time they are needed."""
    found, _ = ReminderSettings.objects.get_or_create(council=council)
    return found


def preference_for(user: User) -> ReminderPreference:
    """The person's preferences, created with everything on the first time they are needed."""
    found, _ = ReminderPreference.objects.get_or_create(user=user)
    return found


def site_url() -> str:
    """The product's address for links in emails: ``SITE_URL`` (setting or environment), else relative links."""
    return (getattr(django_settings, "SITE_URL", None) or os.environ.get("SITE_URL", "")).rstrip("/")


# -- What is due, council-wide --------------------------------------------------------------------------------

def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _when(due: date, today: date) -> str:
    days = (due - today).days
    if days < 0:
        return f"was due {_day(due)} ({-days} day{'s' if days != -1 else ''} overdue)"
    if days == 0:
        return f"due today, {_day(due)}"
    return f"due {_day(due)} (in {days} day{'s' if days != 1 else ''})"


def _returns_due(council: Council, today: date, window: int, only: set[int] | None) -> dict[int, list[Reminder]]:
    """Returns owed by their performance lead and deputy: ``indicators.selectors.owed_returns`` council-wide."""
    people = Q(current_spec__performance_lead__isnull=False) | Q(current_spec__deputy_performance_lead__isnull=False)
    if only is not None:
        people = Q(current_spec__performance_lead__in=only) | Q(current_spec__deputy_performance_lead__in=only)
    out: dict[int, list[Reminder]] = defaultdict(list)
    for owed in owed_returns(Indicator.objects.filter(people, council=council), today=today,
                             lookback_days=LOOKBACK_DAYS):
        ind, period, due, ret = owed.indicator, owed.period, owed.due_on, owed.ret
        if not owed.overdue and (due - today).days > window:
            continue  # owed, but not yet inside the reminder window
        spec = ind.current_spec
        owners = {u for u in (spec.performance_lead_id, spec.deputy_performance_lead_id) if u is not None}
        if only is not None:
            owners &= only
        sent_back = ret is not None and ret.state == "returned"
        detail = _when(due, today)
        if sent_back:
            detail += f"; sent back to you: {ret.returned_reason[:200]}"
        reminder = Reminder(
            kind=ReminderKind.RETURNS_OVERDUE if owed.overdue else ReminderKind.RETURNS_DUE,
            key=f"return:{ind.pk}:{period.pk}" + (f":r{ret.pk}" if sent_back else ""),
            title=f"{ind.ref} {ind.title}, {period.label}", detail=detail,
            path=reverse("indicators:return", args=[ind.pk, period.pk]), due_on=due, overdue=owed.overdue,
            repeats=owed.overdue)
        for user_id in owners:
            out[user_id].append(reminder)
    return out


def _verifications(council: Council, only: set[int] | None) -> dict[int, list[Reminder]]:
    """Where the council asks for it: returns submitted and waiting for the head of their service to verify them
    (the queue of ``indicators.views_returns.verify``)."""
    if not council.verification_required:
        return {}
    heads = RoleAssignment.objects.filter(council=council, role=Role.HEAD_OF_SERVICE, service__isnull=False)
    if only is not None:
        heads = heads.filter(user__in=only)
    verifiers: dict[int, set[int]] = defaultdict(set)  # service -> heads of service
    for user_id, service_id in heads.values_list("user_id", "service_id"):
        verifiers[service_id].add(user_id)
    out: dict[int, list[Reminder]] = defaultdict(list)
    queue = reverse("indicators:verify")
    returns = (Return.objects.filter(state=ReturnState.SUBMITTED, indicator__council=council,
                                     indicator__service__in=list(verifiers))
               .select_related("indicator", "period").order_by("indicator__ref", "period__start"))
    for ret in returns:
        since = ret.submitted_at.date() if ret.submitted_at else None
        reminder = Reminder(
            kind=ReminderKind.SIGN_OFFS, key=f"verify-return:{ret.pk}:v{ret.version}",
            title=f"Return {ret.indicator.ref} {ret.indicator.title}, {ret.period.label} (to verify)",
            detail=f"submitted {_day(since)}" if since else "submitted", path=queue, due_on=since, repeats=True)
        for user_id in verifiers[ret.indicator.service_id]:
            out[user_id].append(reminder)
    return out


def _sign_offs(council: Council, today: date, only: set[int] | None) -> dict[int, list[Reminder]]:
    """Returns and action updates submitted (and verified, where the council asks) and waiting for the
    directorate's director or delegate (the sign-off queue of ``indicators.views_returns.sign_off``,
    ``indicators.access.can_sign_off``)."""
    assignments = RoleAssignment.objects.filter(council=council, role__in=[Role.DIRECTOR, Role.DELEGATE],
                                                directorate__isnull=False)
    if only is not None:
        assignments = assignments.filter(user__in=only)
    signers: dict[int, set[int]] = defaultdict(set)  # directorate -> users who sign it off
    for user_id, directorate_id in assignments.values_list("user_id", "directorate_id"):
        signers[directorate_id].add(user_id)
    if not signers:
        return {}
    out: dict[int, list[Reminder]] = defaultdict(list)
    queue = reverse("indicators:sign_off")
    returns = (Return.objects.filter(ready_for_sign_off_q(), indicator__council=council,
                                     indicator__service__directorate__in=list(signers))
               .select_related("indicator__service", "period").order_by("indicator__ref", "period__start"))
    for ret in returns:
        since = ret.submitted_at.date() if ret.submitted_at else None
        reminder = Reminder(
            kind=ReminderKind.SIGN_OFFS, key=f"signoff-return:{ret.pk}:v{ret.version}",
            title=f"Return {ret.indicator.ref} {ret.indicator.title}, {ret.period.label}",
            detail=f"submitted {_day(since)}" if since else "submitted", path=queue, due_on=since, repeats=True)
        for user_id in signers[ret.indicator.service.directorate_id]:
            out[user_id].append(reminder)
    updates = (ActionUpdate.objects.filter(state="submitted", action__council=council,
                                           action__service__directorate__in=list(signers))
               .select_related("action__service").order_by("action__ref"))
    for update in updates:
        since = update.submitted_at.date() if update.submitted_at else None
        reminder = Reminder(
            kind=ReminderKind.SIGN_OFFS, key=f"signoff-update:{update.pk}:v{update.version}",
            title=f"Action update {update.action.ref} {update.action.title}",
            detail=f"submitted {_day(since)}" if since else "submitted",
            path=reverse("plans:decide_update", args=[update.pk]), due_on=since, repeats=True)
        for user_id in signers[update.action.service.directorate_id]:
            out[user_id].append(reminder)
    return out


def _recovery_plans(council: Council, today: date, window: int, only: set[int] | None) -> dict[int, list[Reminder]]:
    """D4: recovery plans asked of their owner and not provided yet, due soon or overdue."""
    plans = (RecoveryPlan.objects.filter(status=RecoveryStatus.REQUESTED)
             .filter(Q(indicator__council=council) | Q(action__council=council))
             .filter(due_on__lte=today + timedelta(days=window))
             .select_related("indicator", "action").order_by("due_on", "pk"))
    if only is not None:
        plans = plans.filter(owner__in=only)
    out: dict[int, list[Reminder]] = defaultdict(list)
    for plan in plans:
        subject = plan.indicator or plan.action
        overdue = plan.due_on < today
        out[plan.owner_id].append(Reminder(
            kind=ReminderKind.RECOVERY_PLANS, key=f"recovery:{plan.pk}:{'overdue' if overdue else 'due'}",
            title=f"Recovery plan for {subject.ref} {subject.title}",
            detail=f"{plan.trigger}; {_when(plan.due_on, today)}",
            path=reverse("indicators:recovery_plan", args=[plan.pk]), due_on=plan.due_on, overdue=overdue,
            repeats=overdue))
    return out


def _action_updates(council: Council, today: date, window: int, only: set[int] | None) -> dict[int, list[Reminder]]:
    """Updates owed on unfinished actions: ``plans.selectors.action_updates_due`` for everybody."""
    year, quarter = period_for_date(frequency="quarterly", on=today)
    last_year, last_quarter = previous_period(frequency="quarterly", year_start=year, period_number=quarter)
    quarter_end = period_bounds(frequency="quarterly", year_start=last_year, period_number=last_quarter)[1]
    due = due_date(quarter_end, 10)
    overdue = due < today
    if not overdue and (due - today).days > window:
        return {}
    owners = Q(owner__isnull=False) if only is None else Q(owner__in=only)
    actions = (Action.objects.filter(owners, council=council, completed_on__isnull=True, no_longer_viable=False)
               .filter(Q(start__isnull=True) | Q(start__lte=quarter_end))
               .annotate(last_update=Max("updates__as_of")).order_by("approved_end", "ref"))
    open_updates = {u.action_id: u for u in ActionUpdate.objects.filter(
        action__council=council, state__in=["draft", "returned", "submitted"]).only("pk", "action_id", "state")}
    out: dict[int, list[Reminder]] = defaultdict(list)
    for action in actions:
        pending = open_updates.get(action.pk)
        if pending is not None and pending.state == "submitted":
            continue
        if pending is None and action.last_update is not None and action.last_update >= quarter_end:
            continue
        detail = _when(due, today)
        if pending is not None and pending.state == "returned":
            detail += "; your update was sent back"
        out[action.owner_id].append(Reminder(
            kind=ReminderKind.ACTION_UPDATES,
            key=f"action:{action.pk}:{due.isoformat()}" + (":overdue" if overdue else ""),
            title=f"{action.ref} {action.title}", detail=detail,
            path=reverse("plans:action", args=[action.pk]), due_on=due, overdue=overdue, repeats=overdue))
    return out


def collect_reminders(council: Council, *, today: date, users: Iterable[User] | None = None,
                      settings: ReminderSettings | None = None) -> dict[User, list[Reminder]]:
    """Everything due from each person of the council that falls inside the reminder window, whatever they
    were reminded of before and whatever they asked for. Only active people. ``users`` limits it to those
    people (the preview on their own page). A fixed number of queries."""
    settings = settings or settings_for(council)
    window = settings.days_before_due
    only = {u.pk for u in users} if users is not None else None
    by_id: dict[int, list[Reminder]] = defaultdict(list)
    for part in (_returns_due(council, today, window, only), _sign_offs(council, today, only),
                 _verifications(council, only),
                 _recovery_plans(council, today, window, only), _action_updates(council, today, window, only)):
        for user_id, items in part.items():
            by_id[user_id].extend(items)
    if not by_id:
        return {}
    people = User.objects.filter(pk__in=list(by_id), is_active=True).order_by("last_name", "first_name", "pk")
    return {person: sorted(by_id[person.pk], key=lambda r: r.sort_key) for person in people}


# -- What each person gets next ------------------------------------------------------------------------------

def pending_reminders(council: Council, *, today: date, users: Iterable[User] | None = None,
                      settings: ReminderSettings | None = None) -> list[Digest]:
    """The digests the next run would send: each person's items of the kinds they want, less those reminded
    already (once for an item due soon; within the last ``repeat_every_days`` for overdue and waiting items).
    Sent only to people with an email address (the preview shows the rest what they would get)."""
    settings = settings or settings_for(council)
    due = collect_reminders(council, today=today, users=users, settings=settings)
    if not due:
        return []
    prefs = {p.user_id: p for p in ReminderPreference.objects.filter(user__in=[u.pk for u in due])}
    default = ReminderPreference()
    repeat_from = today - timedelta(days=settings.repeat_every_days)
    last_sent: dict[tuple[int, str, str], date] = {}
    for user_id, kind, key, sent_on in (
            ReminderLog.objects.filter(council=council, user__in=[u.pk for u in due],
                                       sent_on__gte=today - timedelta(days=LOOKBACK_DAYS))
            .values_list("user_id", "kind", "subject_key", "sent_on")):
        k = (user_id, kind, key)
        if k not in last_sent or sent_on > last_sent[k]:
            last_sent[k] = sent_on
    digests = []
    for person, items in due.items():
        pref = prefs.get(person.pk, default)
        wanted = []
        for r in items:
            if not pref.wants(r.kind):
                continue
            previous = last_sent.get((person.pk, r.kind, r.key))
            if previous is not None and (not r.repeats or previous > repeat_from or previous >= today):
                continue
            wanted.append(r)
        if wanted:
            digests.append(Digest(person, council, wanted))
    return digests


# -- Sending ------------------------------------------------------------------------------------------------

def _subject(digest: Digest) -> str:
    council = digest.council.short_name or digest.council.name
    parts = []
    for _kind, heading, shown, more in digest.sections:
        n = len(shown) + more
        parts.append(f"{heading.lower()} ({n})")
    return f"{council} performance: {'; '.join(parts)}"[:250]


def build_email(digest: Digest, *, connection=None) -> EmailMultiAlternatives:
    """The digest as an email, plain text with an HTML alternative."""
    base = site_url()
    context = {"digest": digest, "user": digest.user, "council": digest.council, "base": base,
               "sections": digest.sections, "preferences_url": base + reverse("reminder_preferences"),
               "home_url": base + reverse("home")}
    text = render_to_string("emails/reminders.txt", context)
    html = render_to_string("emails/reminders.html", context)
    message = EmailMultiAlternatives(subject=_subject(digest), body=text, to=[digest.user.email],
                                     connection=connection)
    message.attach_alternative(html, "text/html")
    return message


@dataclass
class SendResult:
    sent: int = 0
    failed: list[str] = field(default_factory=list)
    no_email: list[str] = field(default_factory=list)


def send_reminders(council: Council, *, today: date) -> int:
    """Send each person of the council one email listing what is due from them, and record it. Returns the
    number of emails sent. Nothing is sent when the council has reminders turned off."""
    return run_reminders(council, today=today).sent


def run_reminders(council: Council, *, today: date) -> SendResult:
    """``send_reminders`` with the detail: who had no email address, whose email failed (retried next run)."""
    result = SendResult()
    with transaction.atomic():
        # One run per council at a time: a second run waits here, then finds today's log and sends nothing twice.
        settings, _ = ReminderSettings.objects.select_for_update().get_or_create(council=council)
        if not settings.enabled:
            return result
        digests = pending_reminders(council, today=today, settings=settings)
        logs = []
        with get_connection() as connection:  # one connection to the mail server for the whole run
            for digest in digests:
                if not digest.user.email:
                    result.no_email.append(digest.user.username)
                    continue
                try:
                    build_email(digest, connection=connection).send()
                except Exception:  # noqa: BLE001 - one bad address or mail server hiccup must not stop the run
                    logger.exception("Reminder email to %s (%s) failed", digest.user.username, council)
                    result.failed.append(digest.user.username)
                    continue
                result.sent += 1
                logs.extend(ReminderLog(council=council, user=digest.user, kind=r.kind, subject_key=r.key[:100],
                                        sent_on=today) for r in digest.reminders)
        ReminderLog.objects.bulk_create(logs)  # one insert (a few on SQLite, which takes 999 values a statement)
    if result.no_email:
        logger.warning("%s: %d people with reminders have no email address: %s", council, len(result.no_email),
                       ", ".join(result.no_email[:20]))
    logger.info("%s: sent %d reminder emails", council, result.sent)
    return result


# -- Changes made on the pages ------------------------------------------------------------------------------

SETTINGS_FIELDS = ["enabled", "days_before_due", "repeat_every_days"]


@transaction.atomic
def update_settings(*, settings: ReminderSettings, user: User, data: dict) -> ReminderSettings:
    """The performance unit changes the council's reminder rules; recorded in the audit trail (E3)."""
    locked = ReminderSettings.objects.select_for_update().get(pk=settings.pk)
    before = audit.snapshot(locked, SETTINGS_FIELDS)
    for name in SETTINGS_FIELDS:
        setattr(locked, name, data[name])
    locked.full_clean()
    locked.save()
    changes = audit.diff(before, audit.snapshot(locked, SETTINGS_FIELDS))
    if changes:
        audit.record(user=user, action=AuditAction.UPDATE, obj=locked, changes=changes, council=locked.council)
    return locked
