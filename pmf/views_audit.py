"""E3: the audit trail, for internal audit and the performance unit to search and export (never to edit).

Both pages read the same filtered entries: only through ``restrict`` (the councils where the user is
performance unit or internal audit), filters in the URL, newest first. The page runs a fixed number of
queries whatever the size of the trail; the CSV export streams every matching entry in chunks.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from axes.models import AccessFailureLog, AccessLog
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from pmf import access
from pmf.choices import AuditAction
from pmf.models import AuditEntry
from pmf.pagination import paginate

PER_PAGE = 50
SYSTEM_USER = "system"  # the user filter's value for entries made by the system (no signed-in user)
EXPORT_CHUNK = 2000
CSV_HEADER = ["When", "Who", "What", "Object type", "Object id", "Object", "Changes", "Reason", "Batch"]
# The dates the filters accept: the trail holds nothing older, and a day past 9999-12-31 cannot be computed.
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2099, 12, 31)


class FilterForm(forms.Form):
    """Filters read from the URL: a filter that does not validate is left out and named, never a 500."""

    def problems(self) -> list[str]:
        """Each problem as one sentence naming its field: the filter is then left out, never a 500."""
        return [f"{self.fields[name].label if name in self.fields else 'Filters'}: {message}"
                for name, errors in self.errors.items() for message in errors]


class AuditFilterForm(FilterForm):
    q = forms.CharField(label="Search object, person or reason", required=False, max_length=200)
    action = forms.ChoiceField(label="What", required=False)
    object_type = forms.ChoiceField(label="Object type", required=False)
    user = forms.ChoiceField(label="Who", required=False)
    date_from = forms.DateField(label="Date from", required=False,
                                error_messages={"invalid": "Enter a date as YYYY-MM-DD, for example 2025-04-01."})
    date_to = forms.DateField(label="Date to", required=False,
                              error_messages={"invalid": "Enter a date as YYYY-MM-DD, for example 2025-03-31."})

    def __init__(self, data, *, object_types: list[tuple[str, str]], users: list[tuple[str, str]]):
        super().__init__(data)
        self.fields["action"].choices = [("", "Any action"), *AuditAction.choices]
        self.fields["object_type"].choices = [("", "Any type"), *object_types]
        self.fields["user"].choices = [("", "Anyone"), *users]

    def clean(self):
        data = super().clean()
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
                self.add_error(name, f"Enter a date from {EARLIEST_DATE:%Y-%m-%d} to {LATEST_DATE:%Y-%m-%d}.")
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "“Date to” must not be before “Date from”.")
        return data


def type_label(label: str) -> str:
    """``indicators.Target`` -> ``Target``, by the model's own name."""
    try:
        return str(apps.get_model(label)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return label


def _field_label(object_type: str, name: str) -> str:
    try:
        return str(apps.get_model(object_type)._meta.get_field(name).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist, AttributeError):
        return name.replace("_", " ")


def _text(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "–"
    return str(value)


def change_rows(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """The entry's changes as (field, from, to), in words."""
    rows = []
    for name, pair in (entry.changes or {}).items():
        before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        rows.append((_field_label(entry.object_type, name), _text(before), _text(after)))
    return rows


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _scoped(user) -> QuerySet[AuditEntry]:
    if not access.can_read_audit(user):
        raise PermissionDenied("The audit trail is for internal audit and the performance unit.")
    return access.restrict(AuditEntry.objects.all(), user)


def _filter(request: HttpRequest) -> tuple[QuerySet[AuditEntry], AuditFilterForm]:
    """The user's entries narrowed by the filters in the URL. Filters that do not validate are left out and
    reported by the form."""
    entries = _scoped(request.user)
    types = entries.order_by("object_type").values_list("object_type", flat=True).distinct()
    object_types = sorted(((t, type_label(t)) for t in types), key=lambda choice: choice[1])
    people = entries.order_by("user_name", "user_id").values_list("user_id", "user_name").distinct()
    users = [(str(pk) if pk is not None else SYSTEM_USER, name or SYSTEM_USER) for pk, name in people]
    form = AuditFilterForm(request.GET, object_types=object_types, users=list(dict.fromkeys(users)))
    form.is_valid()
    data = form.cleaned_data
    if q := data.get("q", "").strip():
        entries = entries.filter(Q(object_repr__icontains=q) | Q(user_name__icontains=q) | Q(reason__icontains=q))
    if action := data.get("action"):
        entries = entries.filter(action=action)
    if object_type := data.get("object_type"):
        entries = entries.filter(object_type=object_type)
    if who := data.get("user"):
        entries = entries.filter(user__isnull=True) if who == SYSTEM_USER else entries.filter(user_id=int(who))
    if start := data.get("date_from"):
        entries = entries.filter(at__gte=_start_of(start))
    if end := data.get("date_to"):
        entries = entries.filter(at__lt=_start_of(end + timedelta(days=1)))
    return entries.order_by("-at", "-id"), form


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    entries, form = _filter(request)
    page, querystring = paginate(request, entries.select_related("council"), per_page=PER_PAGE)
    rows = [(entry, type_label(entry.object_type), change_rows(entry)) for entry in page]
    return render(request, "pmf/audit_list.html", {
        "nav": "audit", "form": form, "problems": form.problems(), "page_obj": page, "rows": rows,
        "querystring_without_page": querystring, "export_query": querystring.rstrip("&"),
    })


class _Echo:
    """A file-like object for csv.writer that hands each line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """Free text as a spreadsheet shows it, never as a formula (CSV injection)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_lines(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_HEADER)  # the byte-order mark lets Excel read the UTF-8
    for entry in entries.iterator(chunk_size=EXPORT_CHUNK):
        changes = "; ".join(f"{field}: {before} → {after}" for field, before, after in change_rows(entry))
        yield writer.writerow([
            timezone.localtime(entry.at).isoformat(timespec="seconds"), _cell(entry.user_name),
            entry.get_action_display(), type_label(entry.object_type), entry.object_id, _cell(entry.object_repr),
            _cell(changes), _cell(entry.reason), entry.batch or "",
        ])


@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered entries, all pages of them, as CSV. Filters that do not validate send the user back to the
    page, which says what is wrong, rather than exporting more than they asked for."""
    entries, form = _filter(request)
    if form.errors:
        return HttpResponseRedirect(f"{reverse('audit')}?{request.GET.urlencode()}")
    response = StreamingHttpResponse(_csv_lines(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


SIGN_IN_OUTCOMES = [("failed", "Failed sign-ins"), ("signed_in", "Successful sign-ins")]


class SignInFilterForm(FilterForm):
    outcome = forms.ChoiceField(label="Show", choices=SIGN_IN_OUTCOMES, required=False)
    q = forms.CharField(label="Username", required=False, max_length=150)


@login_required
def sign_in_log(request: HttpRequest) -> HttpResponse:
    """Every sign-in, sign-out and failed sign-in on the accounts of the reader's councils, newest first: for the
    performance unit and internal audit (ASVS: security events visible to those who act on them)."""
    if not access.can_read_audit(request.user):
        raise PermissionDenied("The sign-in log is for internal audit and the performance unit.")
    form = SignInFilterForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    failed = data.get("outcome") != "signed_in"
    model = AccessFailureLog if failed else AccessLog
    events = access.restrict(model.objects.all(), request.user)
    if q := (data.get("q") or "").strip():
        events = events.filter(username__icontains=q)
    page, querystring = paginate(request, events.order_by("-attempt_time", "-id"), per_page=PER_PAGE)
    return render(request, "pmf/sign_in_log.html", {
        "nav": "audit", "form": form, "failed": failed, "page_obj": page, "failure_limit": settings.AXES_FAILURE_LIMIT,
        "querystring_without_page": querystring,
        "problems": form.problems(),
    })
