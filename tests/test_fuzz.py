"""Issue 11: bad input never gives a 500, and a refused write leaves nothing half-saved.

Every page of the permissions grid (``tests/test_permissions_grid.py``, which has a row for every URL of the
resolver, with real objects of the demo council Harrowdale) is fuzzed with hypothesis:

- GET: each page's parameters, found by reading the page itself (the fields of its ``<form method="get">`` and the
  query strings of its links) plus the ones the views read, get NUL bytes (400), huge and negative numbers, floats,
  odd Unicode (right-to-left marks, combining characters, emoji, digits that are not 0-9), UTF-8 that does not
  decode (a surrogate's bytes), 10 kB strings, repeated and unknown parameters, path-traversal and SQL-ish text;
  and the text segments of addresses (a measure's reference, a file's format) get the same. As the performance
  unit, a service lead, a scrutiny member, and signed out on the public site.
- POST: each of our forms is submitted as a browser would (every field as the page renders it, so the submission
  is valid to start with), with one to three fields replaced by such values. The answer is never a 500; when it is
  not a success the tables the forms write, and the audit trail, are exactly as before (nothing half-saved), and a
  400 says what is wrong, on the form's fields.

The examples are derandomised, so the suite sends the same requests every run; ``PMF_FUZZ_RANDOM=1`` explores
new ones, and ``PMF_FUZZ_SCALE=10`` sends ten times as many. Each 500 found is fixed in the product and pinned by a
plain test at the end of this file, so it stays found whatever hypothesis draws.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from django.apps import apps
from django.contrib import messages
from django.contrib.messages import get_messages
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.forms import BaseForm
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import test_permissions_grid as grid
from tests.test_permissions_grid import DECISION, FORM, GRID, PAGE, PREVIEW, PUBLIC, USERNAMES, Objects, Row, sign_in

pytestmark = pytest.mark.django_db

SCALE = max(1, int(os.environ.get("PMF_FUZZ_SCALE", "1")))
FUZZ = settings(deadline=None, derandomize=os.environ.get("PMF_FUZZ_RANDOM") != "1", database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.filter_too_much],
                print_blob=True)

#: What a fuzzed request may answer: never a 500 (nor anything else unexpected).
FINE = {200, 302, 400, 403, 404, 405, 409}


# -- The values ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Raw:
    """Already percent-escaped: bytes no Python string can carry, such as UTF-8 that does not decode."""

    escaped: str

    def __str__(self) -> str:
        return self.escaped


#: Values every parameter and field gets, whatever hypothesis draws besides.
NASTY: list[str | Raw] = [
    "\x00", "2\x00", str(10**30), str(-10**30), str(2**63), str(2**31), "-1", "0", "00000000000000000000001",
    "1.5", "-0.0", "1e309", "1E+30", "NaN", "inf", "0x1F", "²", "٣", "¹²³", "\u202e1\u202c", "e\u0301\u0302\u0303",
    "\U0001f4a9", "\ufeff", "\u200b", "  ", "", "x" * 10240, "9" * 5000, "../../../../etc/passwd", "..\\..\\win.ini",
    "%2e%2e%2f", "' OR '1'='1' --", "1; DROP TABLE pmf_council; --", "<script>alert(1)</script>", "{{ 7*7 }}",
    "2026-13-45", "0001-01-01", "9999-12-31", "10000-01-01", "-2026-01-01", "true", "on", "[]", "null",
    Raw("%ED%A0%80"), Raw("%ED%BF%BF"), Raw("%FF%FE"), Raw("%C0%AE%C0%AE%2F"), Raw("%F0%9F"), Raw("%25%00"),
]
#: The values every parameter (GET) and every field (POST) gets in turn, before hypothesis draws from all of them;
#: slow pages get the first few. ``PMF_FUZZ_SCALE`` above 1 sweeps every value of ``NASTY``.
GET_SWEEP = ["\x00", str(10**30), "²", "9999-12-31", "9" * 5000, Raw("%ED%A0%80"), "x" * 10240, "' OR '1'='1' --"]
POST_SWEEP = ["\x00", str(10**30), "²", "9999-12-31"]


def sweep(chosen: list, *, slow: bool) -> list:
    if SCALE > 1:
        return NASTY
    return chosen[:2] if slow else chosen


numbers = st.one_of(st.integers(), st.integers(min_value=-10**40, max_value=10**40),
                    st.sampled_from([2**31, 2**32, 2**53 + 1, 2**63, 2**64, 10**18, 10**19])).map(str)
floats = st.floats(allow_nan=True, allow_infinity=True).map(repr)
dates = st.tuples(st.integers(-10, 12000), st.integers(-1, 14), st.integers(-1, 40)).map(
    lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}")
# Text without lone surrogates (no UTF-8 form: a browser cannot send them; Raw values send their bytes instead).
text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
values = st.one_of(st.sampled_from(NASTY), numbers, floats, dates, text)


def escape(value: str | Raw) -> str:
    return value.escaped if isinstance(value, Raw) else quote(value, safe="")


def has_nul(value: str | Raw) -> bool:
    return "\x00" in value if isinstance(value, str) else "%00" in value.escaped.upper().replace("%25", "")


def query_string(pairs: Iterable[tuple[str | Raw, str | Raw]]) -> str:
    return "&".join(f"{escape(name)}={escape(value)}" for name, value in pairs)


# -- Reading a page's parameters and forms ---------------------------------------------------------------------

class _Forms(HTMLParser):
    """The names of a page's GET parameters (its GET forms' fields and its links' query strings), and its POST
    forms' fields with the values a browser would submit."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.get_names: set[str] = set()
        self.posts: list[tuple[str, list[tuple[str, str]]]] = []  # (action, fields)
        self._form: str | None = None  # "get" or "post" while inside a form
        self._select: str | None = None
        self._select_first: str | None = None
        self._selected = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "a" and "?" in a.get("href", ""):
            self.get_names.update(k for k, _ in parse_qsl(urlsplit(a["href"]).query, keep_blank_values=True))
        elif tag == "form":
            self._form = a.get("method", "get").lower()
            if self._form == "post":
                self.posts.append((a.get("action", ""), []))
        elif self._form and name and tag in ("input", "select", "textarea", "button"):
            if self._form == "get":
                self.get_names.add(name)
                return
            fields = self.posts[-1][1]
            kind = a.get("type", "text").lower()
            if tag == "input" and kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.append((name, a.get("value", "on")))
            elif tag == "input" and kind not in ("submit", "button", "image", "file", "reset"):
                fields.append((name, a.get("value", "")))
            elif tag == "select":
                self._select, self._select_first, self._selected = name, None, False
            elif tag == "textarea":
                self._textarea, self._text = name, ""
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a and not self._selected:
                self.posts[-1][1].append((self._select, value))
                self._selected = True

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select:
            if not self._selected and self._select_first is not None:
                self.posts[-1][1].append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.posts[-1][1].append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None


def read_forms(response) -> _Forms:
    parsed = _Forms()
    if not response.streaming and response.get("Content-Type", "").startswith("text/html"):
        parsed.feed(response.content.decode())
    return parsed


#: Parameters the views read that a page does not always show (found by reading the views).
VIEW_PARAMETERS = ["page", "q", "council", "year", "next", "was", "chart_year", "sort", "status", "format"]


# -- The pages -------------------------------------------------------------------------------------------------

#: Who fuzzes: the performance unit, a service lead, a scrutiny member; signed out, the public site.
GET_ROLES = ["perf", "lead", "scrutiny", "anon"]
READS = set("RWBCP")
GET_KINDS = (PAGE, FORM, PUBLIC, DECISION, *[k for k in [getattr(grid, "API", None)] if k])  # the REST API's too
#: Pages that take a second or more (a dry run of the yearly refresh) or build whole exports: fewer examples.
SLOW = {"plans:refresh", "public:open_data_csv", "public:open_data_json", "reporting:scorecard_csv",
        "reporting:scorecard_xlsx", "public:home", "reporting:scorecard", "plans:thread"}
SLOW_SECONDS = 0.25  # and any page that takes longer than this to answer


def _get_pages() -> dict[str, list[tuple[str, Row]]]:
    """Each URL name -> (role, row) for each fuzzing role that may read it (the first such row of the grid)."""
    pages: dict[str, list[tuple[str, Row]]] = {}
    for row in GRID:
        if row.kind not in GET_KINDS or row.name in ("logout",):
            continue
        for role in GET_ROLES:
            if role == "anon" and row.kind != PUBLIC:
                continue
            code = row.code(role)
            if code in READS and not (row.kind == DECISION and code == "R") and \
                    role not in {r for r, _ in pages.get(row.name, [])}:
                pages.setdefault(row.name, []).append((role, row))
    return pages


GET_PAGES = _get_pages()
#: Address segments that are free text (``<str:...>``): a measure's reference, a file's format.
TEXT_SEGMENTS = {"public:measure": -1, "reporting:pack_file": -1, "public:report_file": -1}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _client(role: str) -> Client:
    client = Client()
    sign_in(client, role)
    return client


def check_get(client: Client, url: str, pairs: list, what: str):
    response = client.get(f"{url}?{query_string(pairs)}" if pairs else url)
    status = response.status_code
    assert status != 500, f"{what}: 500"
    assert status in FINE, f"{what}: {status}"
    if any(has_nul(n) or has_nul(v) for n, v in pairs):
        assert status == 400, f"{what}: a NUL byte gave {status}, not 400"
    return response


@pytest.mark.parametrize("name", sorted(GET_PAGES))
def test_get_parameters(name):
    """Every parameter of every page, for each role that reads it: fuzzed values never give a 500."""
    objects = Objects()
    targets = []
    slow = name in SLOW
    for role, row in GET_PAGES[name]:
        client, url = _client(role), row.url(objects)
        started = time.perf_counter()
        page = client.get(url)
        slow = slow or time.perf_counter() - started > SLOW_SECONDS  # a page added since, that takes a while
        assert page.status_code == 200, f"{role} GET {url}: {page.status_code}"
        names = sorted(read_forms(page).get_names | set(VIEW_PARAMETERS))
        targets.append((role, client, url, names))

    # Every parameter of the page at once, with each of the sweep's values as the first role that reads it (the
    # performance unit mostly); as the others, a huge number and "²" (digits to str.isdigit, not to int).
    chosen = sweep(GET_SWEEP, slow=slow)
    for i, (role, client, url, names) in enumerate(targets):
        for value in chosen if i == 0 else chosen[1:3]:
            check_get(client, url, [(n, value) for n in names], f"{role} GET {url} all={value!r:.40}")

    @settings(FUZZ, max_examples=(1 if slow else 3) * SCALE)
    @given(data=st.data())
    def fuzz(data):
        role, client, url, names = data.draw(st.sampled_from(targets), label="who")
        pairs = data.draw(st.lists(st.tuples(st.one_of(st.sampled_from(names), st.sampled_from(NASTY), text),
                                             values), min_size=1, max_size=8), label="query")
        if name in TEXT_SEGMENTS:
            segment = data.draw(st.one_of(st.sampled_from(NASTY), text).filter(
                lambda v: str(v).strip(" ./\\") != "" and "/" not in str(v) and "\\" not in str(v)), label="segment")
            parts = url.rstrip("/").split("/")
            parts[TEXT_SEGMENTS[name]] = escape(segment)
            url = "/".join(parts) + "/"
            response = client.get(url)
            assert response.status_code in ({400} if has_nul(segment) else FINE - {500}), f"{role} GET {url}"
        check_get(client, url, pairs, f"{role} GET {url}")

    fuzz()


# -- Forms -----------------------------------------------------------------------------------------------------

#: The tables our forms write, and the audit trail: a refused write leaves every one exactly as it was.
WRITTEN = ["indicators.Return", "indicators.Evidence", "indicators.RecoveryPlan", "indicators.Target",
           "indicators.TrajectoryPoint", "indicators.EntryReopening", "indicators.SpotCheck",
           "indicators.SpotCheckItem", "plans.Plan", "plans.PlanApproval", "plans.Action", "plans.ActionUpdate",
           "reporting.ReportDefinition", "reporting.Pack", "reporting.CaseStudy", "pmf.ReminderSettings",
           "pmf.ReminderPreference", "pmf.ScheduledJob", "django_celery_beat.PeriodicTask",
           "django_celery_beat.CrontabSchedule", "pmf.User", "otp_totp.TOTPDevice", "otp_static.StaticDevice",
           "otp_static.StaticToken", "pmf.ApiToken", "pmf.AuditEntry"]


def checksum() -> dict[str, dict]:
    """Per table: its rows, its latest id, and the sum of versions and latest change time where it has them."""
    sums = {}
    for label in WRITTEN:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        fields = {f.name for f in model._meta.concrete_fields}
        aggregates = {"rows": Count("pk"), "last": Max("pk")}
        if "version" in fields:
            aggregates["versions"] = Sum("version")
        for stamp in ("updated_at", "last_update", "changed_at", "password"):
            if stamp in fields:
                aggregates[stamp] = Max(stamp)
        sums[label] = model.objects.aggregate(**aggregates)
    return sums


@dataclass(frozen=True)
class Form:
    id: str
    row_id: str  # the grid's row: its URL and the data its write sends
    role: str  # who submits it (one who may)
    examples: int = 4
    slow: bool = False  # a page that takes a while to answer: the first values of the sweep only
    only: tuple[str, ...] = ()  # the fields fuzzed (all the form's fields if empty)
    send: tuple[tuple[str, str], ...] = ()  # fields changed from the grid's data before fuzzing (or removed: None)


FORMS = [
    Form("return", "return own", "perf", 6),
    Form("return by the lead", "return own", "lead", 2),
    Form("preview", "preview own", "lead"),
    Form("sign-off", "sign-off queue", "director"),
    Form("send back", "send back own", "director"),
    Form("reopen", "reopen own", "perf"),
    Form("query", "query own", "perf"),
    Form("recovery plan", "recovery own", "lead", 6),
    Form("draft target", "target draft", "perf", 6),
    Form("re-approval", "reapprove own", "perf", 6),
    Form("action update", "action own", "lead", 6),
    Form("decide action update", "decide own update", "director"),
    Form("plan approval", "plan approval", "perf"),
    # A dry run (no "confirm"): the refresh itself takes seconds; its year is read as on the page (GET), fuzzed there.
    Form("yearly refresh", "yearly refresh", "perf", 0, slow=True, only=("year",), send=(("confirm", None),)),
    Form("report set-up", "report new", "perf", 3, slow=True, send=(("name", "Fuzzed report"),)),
    Form("report edit", "report edit", "perf", 3, slow=True, send=(("name", "Fuzzed report"),)),
    Form("report pack request", "report", "perf", 2),
    Form("report delete", "report delete", "perf", 2),
    Form("pack issue", "pack issue", "perf", 2),
    Form("pack retry", "pack retry", "perf", 2),
    Form("pack prepare again", "pack again", "perf", 2),
    Form("case study", "case study new", "staff", 6),
    Form("case study review", "case study waiting", "perf"),
    Form("spot check draw", "spot checks", "audit", 2),
    Form("spot check outcome", "spot check", "audit"),
    Form("reminder preferences", "reminder preferences", "scrutiny", 2),
    Form("schedule settings", "schedule", "perf", 2),
    Form("schedule job", "schedule job", "perf", 2),
    Form("send reminders now", "schedule send now", "perf", 2, slow=True),
    Form("password change", "password change", "lead", 2),
    Form("two-factor set-up", "two-factor set-up", "lead", 2),
    Form("recovery codes", "recovery codes", "lead", 2),
    Form("two-factor reset", "two-factor reset", "perf", 2),
    Form("API tokens", "api tokens", "lead", 2),
    Form("workbook upload", "workbook", "perf", 2),
]
ROWS = {row.id: row for row in GRID}
#: The rows that write: forms, decisions, the preview, and actions posted from a button (when the grid has them).
WRITE_KINDS = (FORM, DECISION, PREVIEW, *[k for k in [getattr(grid, "ACT", None)] if k])


def _all_forms() -> list[Form]:
    """FORMS, and every other address of the grid that writes (a form added since), as the first role that may,
    with a couple of examples: so a new form is fuzzed from the day its row is added to the grid."""
    forms = list(FORMS)
    covered = {ROWS[f.row_id].name for f in FORMS}
    for row in GRID:
        role = next((r for r in USERNAMES if row.code(r) in "WBC"), None)
        if row.kind in WRITE_KINDS and row.name not in covered and role is not None:
            forms.append(Form(row.id, row.id, role, 2))
            covered.add(row.name)
    return forms


ALL_FORMS = _all_forms()
#: Fields no person types (the CSRF token) and buttons the grid's data presses.
NOT_TYPED = {"csrfmiddlewaretoken"}


def _browser_data(client: Client, row: Row, objects: Objects, changes=()) -> list[tuple[str, str]]:
    """What the page's POST forms for this address hold, as a browser submits them, with the grid's data (which
    presses the right button) over it."""
    url = row.url(objects)
    fields: list[tuple[str, str]] = []
    if row.kind != PREVIEW:
        page = client.get(url)
        for action, form_fields in read_forms(page).posts:
            if not action or urlsplit(action).path == url:
                fields += [(k, v) for k, v in form_fields if k not in NOT_TYPED]
    else:  # the preview's fields are the return form's
        fields = [(k, v) for action, form_fields in read_forms(client.get(url.removesuffix("preview/"))).posts
                  for k, v in form_fields if k not in NOT_TYPED]
    given_data = row.post(objects) if row.post else {}
    merged = dict(fields)
    for key, value in [*given_data.items(), *changes]:
        merged[key] = value
    merged = {k: v for k, v in merged.items() if v is not None}
    pairs = []
    for key, value in merged.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((key, str(one)))
    return pairs


def refusals(response) -> list[str]:
    """The warnings and errors of this request: shown on its page, or kept for the page it redirects to (the
    client's messages cookie is cleared before each request, so none is left over from an earlier one)."""
    storage = get_messages(response.wsgi_request)
    return [str(m.message) for m in [*storage._loaded_messages, *storage._queued_messages]
            if m.level >= messages.WARNING]


def _form_errors(response) -> dict[str, list[str]]:
    """The errors of the forms the page shows, by field name as posted (with the form's prefix)."""
    errors: dict[str, list[str]] = {}
    contexts = response.context if isinstance(response.context, list) else [response.context]
    seen = set()
    for context in filter(None, contexts):
        for layer in context.dicts:
            for value in layer.values():
                if isinstance(value, BaseForm) and id(value) not in seen and value.is_bound:
                    seen.add(id(value))
                    for key, found in value.errors.items():
                        name = key if key == "__all__" or not value.prefix else f"{value.prefix}-{key}"
                        errors.setdefault(name, []).extend(found)
    return errors


def post(client: Client, url: str, pairs: list[tuple[str, str]], what: str):
    """POST the pairs (repeated names kept) form-encoded, as a browser does; the answer, checked for a 500."""
    body = query_string(pairs)
    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code != 500, f"{what}: 500"
    assert response.status_code in FINE, f"{what}: {response.status_code}"
    return response


@pytest.mark.parametrize("form", ALL_FORMS, ids=[f.id for f in ALL_FORMS])
def test_form_fields(form: Form):
    """Each field of each of our forms, fuzzed: never a 500; a refusal saves nothing and says what is wrong."""
    objects = Objects()
    row = ROWS[form.row_id]
    client = _client(form.role)
    url = row.url(objects)
    base = _browser_data(client, row, objects, form.send)
    names = sorted(set(form.only) or {k for k, _ in base}) or ["version"]
    before = checksum()  # every example is rolled back, so each starts from this

    def attempt(pairs, what):
        with transaction.atomic():
            client.cookies.pop("messages", None)
            response = post(client, url, pairs, what)
            if response.status_code >= 400 or refusals(response):
                assert checksum() == before, f"{what}: refused ({response.status_code}) but something was saved"
            if response.status_code == 400 and row.kind != PREVIEW:
                errors = _form_errors(response)
                assert errors or refusals(response), f"{what}: 400 without saying what is wrong"
            transaction.set_rollback(True)  # each example starts from the demo as it was
        return response

    attempt(base, f"{form.role} POST {url} as the page holds it")
    # Each field alone with each value of the sweep, the others as the page holds them: this reaches the services
    # (a form that refuses the whole submission never calls them).
    for name in names:
        for value in sweep(POST_SWEEP, slow=form.slow):
            attempt([(k, value if k == name else v) for k, v in base], f"{form.role} POST {url} {name}={value!r:.40}")

    @settings(FUZZ, max_examples=max(1, form.examples * SCALE))
    @given(data=st.data())
    def fuzz(data):
        chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True), label="fields")
        pairs = []
        for k, v in base:
            if k in chosen:
                v = data.draw(values, label=k)
            pairs.append((k, v))
        pairs += data.draw(st.lists(st.tuples(st.one_of(st.sampled_from(names), text), values), max_size=2),
                           label="extra")  # repeated and unknown fields
        attempt(pairs, f"{form.role} POST {url} {pairs!r:.300}")

    if form.examples:
        fuzz()


def test_every_form_of_the_grid_is_fuzzed():
    """Every address of the grid that writes, as someone who may write there (the tuned FORMS, or derived)."""
    writes = {row.name for row in GRID if row.kind in WRITE_KINDS and any(row.code(r) in "WBC" for r in USERNAMES)}
    assert writes - {ROWS[f.row_id].name for f in ALL_FORMS} == set()
    assert {f.row_id for f in FORMS} <= set(ROWS), "FORMS names a row the grid no longer has"


def test_every_page_of_the_resolver_is_fuzzed():
    """The grid has a row for every URL (its own test says so); every page anyone may read is fuzzed here."""
    readable = {row.name for row in GRID if row.kind in GET_KINDS and row.name != "logout"
                and any(row.code(r) in READS and not (row.kind == DECISION and row.code(r) == "R") for r in GET_ROLES)}
    assert readable - set(GET_PAGES) == set()


# -- The 500s the fuzzing found, pinned --------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["²", "¹²³", "٣", "9" * 5000, "0" * 5000 + "7", str(2**31)])
def test_a_number_in_the_address_is_read_from_the_digits_0_to_9_only(raw):
    """``int_param`` took "²" for a number (``str.isdigit``) and ``int`` then failed (500); thousands of digits
    made ``int`` itself refuse. Both are "not a number" now, so the page shows its default."""
    from pmf.pagination import int_param

    assert int_param(raw) == (7 if raw.endswith("7") else None)
    assert int_param(" 0042 ") == 42 and int_param("2147483647") == 2**31 - 1


@pytest.mark.parametrize("query", ["indicators:list?directorate=²", "plans:list?year=²&level=¹",
                                   "reporting:dashboard?year=²&quarter=²&priority=²", f"plans:list?level={'9' * 5000}",
                                   "reporting:archive?year=²&committee=²&quarter=²"])
def test_pages_with_a_superscript_digit_in_a_filter_answer_200(query):
    from django.urls import reverse

    name, _, params = query.partition("?")
    assert _client("perf").get(f"{reverse(name)}?{params}").status_code == 200


def test_the_indicator_page_with_a_superscript_chart_year_answers_200():
    assert _client("perf").get(f"{Objects().own.get_absolute_url()}?chart_year=²").status_code == 200


def test_an_audit_filter_date_beyond_the_calendar_is_named_not_a_500():
    """``date_to=9999-12-31``: the day after it cannot be computed (OverflowError, 500). The filter now accepts
    2000 to 2099 and names the field otherwise, as with any filter that does not validate."""
    client = _client("perf")
    for query in ("date_to=9999-12-31", "date_from=0001-01-01", "date_to=9999-12-31&date_from=9999-12-30"):
        response = client.get(f"/audit/?{query}")
        assert response.status_code == 200, query
        assert "Enter a date from 2000-01-01 to 2099-12-31." in response.text
    assert client.get("/audit/export.csv?date_to=9999-12-31").status_code == 302  # back to the page, which says why


@pytest.mark.parametrize("url", ["/public/harrowdale/measures/%00/", "/public/harrowdale/measures/ASC%0002/",
                                 "/public/harrowdale/reports/1/pdf%00/"])
def test_a_null_character_in_the_address_itself_is_a_400(url):
    """A NUL in a text segment of the address (a measure's reference, a file's format) reached the database, which
    on PostgreSQL refuses it (500); the guard that answers 400 for one in the parameters reads the address too."""
    response = Client().get(url)
    assert response.status_code == 400
    assert "The address contains a character that is not allowed (a null character)." in response.text


def test_a_version_too_large_for_the_database_is_refused_on_the_form():
    """Reopening stored the posted version before comparing it: 10**30 overflowed the column (500). Every form's
    version is now a whole number the database holds, refused with a message otherwise; nothing is saved."""
    ret = Objects().own_approved
    before = checksum()
    response = _client("perf").post(f"/indicators/returns/{ret.pk}/reopen/",
                                    {"reason": "Fuzzed.", "version": str(10**30)})
    assert response.status_code == 400
    assert "Version: this page sent a version number that is not valid." in response.text
    assert checksum() == before


@pytest.mark.parametrize("approve", ["²:1", "1:²", f"{'9' * 5000}:1", f"1:{10**30}"])
def test_the_sign_off_queue_ignores_a_ticked_box_it_cannot_read(approve):
    """The sign-off queue read "²" as digits (500); now it is not a return, and nothing is approved."""
    before = checksum()
    response = _client("director").post("/indicators/sign-off/", {"approve": approve})
    assert response.status_code == 302
    assert refusals(response) == ["Select at least one return to approve."]
    assert checksum() == before


def test_deciding_an_action_update_with_a_version_it_cannot_read_is_a_conflict_not_a_500():
    update = Objects().own_update
    before = checksum()
    response = _client("director").post(f"/plans/updates/{update.pk}/decide/", {"decision": "approve",
                                                                               "version": "²"})
    assert response.status_code in (302, 409)
    assert checksum() == before


def test_approving_an_action_update_with_a_null_character_in_the_reason_is_refused_on_the_reason():
    """Approving skipped the form, so the reason went to the audit trail as posted: PostgreSQL refuses a NUL in
    text (500). A reason given with an approval now passes the form's checks, and is refused on its field."""
    update = Objects().own_update
    before = checksum()
    response = _client("director").post(f"/plans/updates/{update.pk}/decide/", {
        "decision": "approve", "version": update.version, "reason": "Fine\x00"})
    assert response.status_code == 400
    assert "reason" in _form_errors(response)
    assert checksum() == before
    done = _client("director").post(f"/plans/updates/{update.pk}/decide/", {"decision": "approve",
                                                                           "version": update.version})
    assert done.status_code == 302 and not refusals(done)  # no reason is still fine for an approval


@pytest.mark.parametrize("url", ["/schedule/", "/schedule/send-now/"])
def test_a_council_that_is_not_a_slug_is_not_found_on_the_schedule(url):
    """The schedule looked the posted council up as given: a NUL reached PostgreSQL (500). Only a slug can name
    a council; anything else is not found, and nothing is saved."""
    before = checksum()
    for council in ("\x00", "harrowdale\x00", "../harrowdale", "harrowdale\n"):
        assert _client("perf").post(url, {"council": council, "confirm": "yes"}).status_code == 404, council
    assert checksum() == before


def test_a_ratio_too_large_to_store_is_refused_on_the_numerator():
    """A numerator over a tiny denominator gave a figure beyond the column's 18 digits: the save failed on it
    (decimal.InvalidOperation, 500) when the specification sets no plausible maximum. It is refused now, on the
    numerator, by the data-quality checks (the preview says so too), and nothing is saved."""
    from indicators.models import Indicator, Return, Specification

    ratio = Indicator.objects.filter(council__slug="harrowdale", current_spec__calculation="ratio").order_by(
        "ref").first()
    Specification.objects.filter(pk=ratio.current_spec_id).update(unit="number", plausible_min=None,
                                                                  plausible_max=None)
    ret = Return.objects.filter(indicator=ratio, state__in=["draft", "submitted", "returned"]).order_by(
        "-period__start").first()
    url = f"/indicators/{ratio.pk}/returns/{ret.period_id}/"
    client = _client("perf")
    before = checksum()
    data = {"numerator": "999999999999.999999", "denominator": "0.000001", "commentary": "Fuzzed.",
            "version": ret.version}
    response = client.post(url, data)
    assert response.status_code == 400
    assert any("too large to store" in e for e in _form_errors(response)["numerator"])
    assert checksum() == before
    preview = client.post(f"{url}preview/", data)
    assert preview.status_code == 200 and "too large to store" in preview.text


# -- The Content Security Policy reports: anybody's browser posts them ------------------------------------------

json_like = st.recursive(st.one_of(st.none(), st.booleans(), numbers, text),
                         lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                 st.dictionaries(st.sampled_from(
                                                     ["csp-report", "body", "type", "document-uri", "blocked-uri",
                                                      "lineNumber", "sample"]), inner, max_size=4)), max_leaves=12)


@settings(FUZZ, max_examples=25 * SCALE)
@given(body=st.one_of(st.binary(max_size=300), json_like.map(lambda v: __import__("json").dumps(v).encode())),
       length=st.one_of(st.none(), st.sampled_from(["²", "9" * 5000, "-1", str(10**30), "abc"])))
def test_csp_reports_of_any_shape_are_never_a_500(body, length):
    from django.urls import reverse

    extra = {"CONTENT_LENGTH": length} if length is not None else {}
    client = Client(raise_request_exception=True)
    response = client.generic("POST", reverse("csp_report"), body, content_type="application/csp-report", **extra)
    assert response.status_code in (204, 400)


@pytest.mark.parametrize(("length", "status"), [("²", 204), ("9" * 5000, 400), (str(10**30), 400), ("16385", 400)])
def test_a_csp_report_with_a_content_length_that_is_not_a_size_is_not_a_500(length, status):
    """The report's Content-Length was read with ``isdigit`` and ``int``: "²" and 5000 digits failed in ``int``."""
    from django.urls import reverse

    response = Client().generic("POST", reverse("csp_report"), b"", content_type="application/csp-report",
                                CONTENT_LENGTH=length)
    assert response.status_code == status
