"""The public site (D9) and the reporting timetable (D1): no login; only published measures and approved figures,
ever; open data in CSV and JSON under the open licence; the accessibility statement.

THE PROOF (test_nothing_unapproved_or_restricted_is_published): a restricted measure with approved figures, and a
published one with draft, submitted and returned figures carrying distinctive values and commentary, appear
nowhere on any public page or download, while the approved published figure does.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.models import Indicator, Return
from plans.models import Plan, PlanItem
from pmf.models import Committee, Council, User
from reporting import open_data as od
from reporting.models import TimetableEntry
from tests import factories as f

pytestmark = pytest.mark.django_db

SLUG = "harrowdale"
OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def _council() -> Council:
    return Council.objects.get(slug=SLUG)


def _priority(council: Council, ref: str = "P5") -> PlanItem:
    return PlanItem.objects.get(plan__council=council, plan__level__rank=1, parent__isnull=True, ref=ref)


def _outcome(priority: PlanItem) -> PlanItem:
    return priority.children.order_by("ref").first()


def _urls(council: Council, priority: PlanItem, measure_ref: str) -> dict[str, str]:
    s = council.slug
    return {
        "home": reverse("public:home", args=[s]),
        "priority": reverse("public:priority", args=[s, priority.pk]),
        "measure": reverse("public:measure", args=[s, measure_ref]),
        "timetable": reverse("public:timetable", args=[s]),
        "open_data": reverse("public:open_data", args=[s]),
        "csv": reverse("public:open_data_csv", args=[s]),
        "json": reverse("public:open_data_json", args=[s]),
    }


def _published_ref(council: Council, priority: PlanItem) -> str:
    return (Indicator.objects.filter(council=council, is_restricted=False, kind="kpi", is_qualitative=False,
                                     plan_items__path__startswith=priority.path).order_by("ref").first().ref)


# -- every page answers anyone ---------------------------------------------------------------------------------

def test_every_public_page_answers_without_login(client):
    council = _council()
    priority = _priority(council)
    for name, url in [*_urls(council, priority, _published_ref(council, priority)).items(),
                      ("accessibility", reverse("accessibility"))]:
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)


def test_pages_show_priorities_measures_and_charts(client):
    council = _council()
    priority = _priority(council)
    home = client.get(reverse("public:home", args=[SLUG])).content.decode()
    assert "How Harrowdale Council is doing" in home
    for top in PlanItem.objects.filter(plan__council=council, plan__level__rank=1, parent__isnull=True):
        assert top.title in home
    assert _outcome(priority).title in home
    assert "at Q2 2026/27" in home
    assert "Green" in home and "Amber" in home and "Red" in home
    assert "Sign out" not in home and "Golden thread" not in home  # no signed-in navigation

    page = client.get(reverse("public:priority", args=[SLUG, priority.pk])).content.decode()
    ref = _published_ref(council, priority)
    assert ref in page
    assert 'id="public-charts"' in page and "vendor/plotly/plotly.min.js" in page and "js/public.js" in page
    assert f'id="chart-{ref}"' in page and f'id="table-{ref}"' in page  # each chart with its table
    assert "<caption" in page

    measure = client.get(reverse("public:measure", args=[SLUG, ref])).content.decode()
    assert 'id="public-chart"' in measure and "About this measure" in measure


def test_contextual_measures_are_never_rated_and_narrative_ones_are_self_assessed(client):
    council = _council()
    contextual = Indicator.objects.filter(council=council, is_restricted=False, kind="contextual").first()
    page = client.get(reverse("public:measure", args=[SLUG, contextual.ref])).content.decode()
    assert "Not rated: contextual statistic" in page
    assert "badge rag" not in page
    qualitative = Indicator.objects.filter(council=council, is_restricted=False, is_qualitative=True).first()
    page = client.get(reverse("public:measure", args=[SLUG, qualitative.ref])).content.decode()
    assert "Not rated: qualitative measure" not in page  # its officer's status, marked as such (B1)
    assert "badge rag" in page and "(self-assessed)" in page
    assert 'id="public-chart"' not in page  # a narrative measure has no chart
    rows = od.open_data_rows(council)
    assert {r["rag"] for r in rows if r["ref"] == contextual.ref} == {""}
    assert all(r["rag"] in ("Green", "Amber", "Red") and r["rag_self_assessed"] == "Yes" and r["direction"] == ""
               for r in rows if r["ref"] == qualitative.ref)


# -- THE PROOF -------------------------------------------------------------------------------------------------

FORBIDDEN = [
    # the restricted measure: its reference, title and its approved figure and commentary
    "RSECRET01", "Restricted measure quokka", "424242", "424,242", "RESTRICTED-APPROVED-777",
    # the published measure's unapproved figures, commentary and reasons
    "987654", "987,654", "SECRET-SUBMITTED-123",
    "876543", "876,543", "SECRET-DRAFT-123",
    "765432", "765,432", "SECRET-RETURNED-123", "SECRET-REASON-456",
    # an unapproved target
    "55555", "55,555",
]


def _proof_data(council: Council, priority: PlanItem) -> tuple[Indicator, Indicator]:
    outcome = _outcome(priority)
    approver = User.objects.get(username="ruth.calloway")
    now = timezone.now()

    restricted = f.indicator(council, frequency="monthly", is_restricted=True)
    restricted.ref, restricted.title = "RSECRET01", "Restricted measure quokka"
    restricted.save(update_fields=["ref", "title"])
    restricted.plan_items.add(outcome)
    f.target(restricted, 2026, 1000, approved_at=now, approved_by=approver)
    f.ret(restricted, 2026, 1, 424242, commentary="RESTRICTED-APPROVED-777")

    published = f.indicator(council, frequency="monthly")
    published.ref, published.title = "PUB01", "Published measure wombat"
    published.save(update_fields=["ref", "title"])
    published.plan_items.add(outcome)
    f.target(published, 2026, 10000, approved_at=now, approved_by=approver)
    f.ret(published, 2026, 1, 13579, commentary="PUBLISHED-APPROVED-OK")
    f.ret(published, 2026, 2, 987654, state="submitted", commentary="SECRET-SUBMITTED-123")
    f.ret(published, 2026, 3, 876543, state="draft", commentary="SECRET-DRAFT-123")
    f.ret(published, 2026, 4, 765432, state="returned", commentary="SECRET-RETURNED-123",
          returned_reason="SECRET-REASON-456")

    unapproved_target = f.indicator(council, frequency="monthly")
    unapproved_target.ref = "PUB02"
    unapproved_target.save(update_fields=["ref"])
    unapproved_target.plan_items.add(outcome)
    f.target(unapproved_target, 2026, 55555)
    f.ret(unapproved_target, 2026, 1, 2468, commentary="PUB02-APPROVED")
    return restricted, published


def test_nothing_unapproved_or_restricted_is_published(client):
    council = _council()
    priority = _priority(council)
    restricted, published = _proof_data(council, priority)
    urls = _urls(council, priority, published.ref)
    bodies = {name: client.get(url) for name, url in urls.items()}
    for name, response in bodies.items():
        assert response.status_code == 200, name
    text = {name: r.content.decode() for name, r in bodies.items()}

    for name, body in text.items():
        for secret in FORBIDDEN:
            assert secret not in body, f"{secret!r} is published on the {name} page"

    # the restricted measure has no page of its own
    assert client.get(reverse("public:measure", args=[SLUG, restricted.ref])).status_code == 404

    # ... while the approved published figure is there, with its commentary and rating
    for name in ("priority", "measure"):
        assert "13,579" in text[name] and "PUBLISHED-APPROVED-OK" in text[name], name
        assert "Published measure wombat" in text[name]
    assert "13579" in text["csv"] and "PUBLISHED-APPROVED-OK" in text["csv"]
    rows = [r for r in json.loads(text["json"])["data"] if r["ref"] == published.ref]
    assert [(r["period"], r["value"], r["target"], r["rag"], r["commentary"]) for r in rows] == [
        ("April 2026", "13579", "10000", "Green", "PUBLISHED-APPROVED-OK")]
    # rated against approved targets only: the unapproved one makes no rating
    pub2 = [r for r in json.loads(text["json"])["data"] if r["ref"] == "PUB02"]
    assert [(r["value"], r["target"], r["rag"]) for r in pub2] == [("2468", "", "Measured (not rated)")]


def test_open_data_selection_refuses_what_is_not_approved(monkeypatch):
    """Defence in depth: even if the loading were changed to let a submitted figure through, nothing goes out."""
    council = _council()
    published = f.indicator(council, frequency="monthly")
    f.ret(published, 2026, 2, 987654, state="submitted")
    from indicators import selectors

    real = selectors.load_series
    monkeypatch.setattr(od, "load_series", lambda qs, states: real(qs, states=selectors.ALL_STATES))
    with pytest.raises(AssertionError, match="unapproved"):
        od.load_measures(od.published_indicators(council).filter(pk=published.pk))


# -- the downloads ---------------------------------------------------------------------------------------------

def test_csv_download(client):
    response = client.get(reverse("public:open_data_csv", args=[SLUG]))
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="harrowdale-performance-open-data.csv"' == response["Content-Disposition"]
    reader = csv.reader(io.StringIO(response.content.decode()))
    header = next(reader)
    assert header == ["council", "ref", "title", "kind", "unit", "polarity", "frequency", "measure_type", "period",
                      "period_start", "period_end", "value", "year_to_date", "target", "target_band_low",
                      "target_band_high", "rag", "rag_self_assessed", "direction", "commentary"]
    rows = list(reader)
    approved = Return.objects.filter(indicator__council__slug=SLUG, indicator__is_restricted=False,
                                     state="approved").count()
    assert len(rows) == approved
    restricted = set(Indicator.objects.filter(council__slug=SLUG, is_restricted=True).values_list("ref", flat=True))
    assert restricted and not restricted & {r[1] for r in rows}
    assert {r[0] for r in rows} == {"Harrowdale Council"}
    assert all(date.fromisoformat(r[9]) <= date.fromisoformat(r[10]) for r in rows)
    assert {r[16] for r in rows} <= {"Green", "Amber", "Red", "Measured (not rated)", ""}
    assert {r[17] for r in rows} == {"Yes", ""}  # narrative measures' statuses are marked self-assessed


def test_csv_guards_against_spreadsheet_formulas():
    assert od.open_data_csv([{**dict.fromkeys(od.FIELD_NAMES, ""), "commentary": "=HYPERLINK(1)", "value": "-3"}]) \
        .splitlines()[1].endswith(",'=HYPERLINK(1)")


def test_json_download(client):
    response = client.get(reverse("public:open_data_json", args=[SLUG]))
    assert response["Content-Type"] == "application/json"
    doc = response.json()
    meta = doc["metadata"]
    assert meta["licence"] == {"name": "Open Government Licence v3.0", "url": OGL}
    assert meta["source_url"] == "http://testserver/public/harrowdale/open-data/"
    assert abs(timezone.datetime.fromisoformat(meta["generated_at"]) - timezone.now()) < timedelta(minutes=5)
    assert [fd["name"] for fd in meta["fields"]] == list(od.FIELD_NAMES)
    assert meta["record_count"] == len(doc["data"]) > 1000
    assert all(set(row) == set(od.FIELD_NAMES) for row in doc["data"])
    assert all(isinstance(row["value"], str) for row in doc["data"])
    Decimal(doc["data"][0]["value"] or "0")  # exact decimal strings


def test_open_data_page_explains_the_licence(client):
    page = client.get(reverse("public:open_data", args=[SLUG])).content.decode()
    assert "Open Government Licence v3.0" in page and OGL in page
    assert reverse("public:open_data_csv", args=[SLUG]) in page
    assert reverse("public:open_data_json", args=[SLUG]) in page


# -- the timetable ---------------------------------------------------------------------------------------------

def test_demo_timetable_for_the_year():
    council = _council()
    entries = TimetableEntry.objects.filter(council=council, financial_year_id=2026)
    by_kind = {k: entries.filter(kind=k).count() for k in ("data_deadline", "sign_off", "management_team",
                                                             "cabinet", "scrutiny", "publication")}
    assert by_kind == {"data_deadline": 12, "sign_off": 12, "management_team": 12, "cabinet": 4, "scrutiny": 8,
                       "publication": 4}
    october = entries.get(kind="data_deadline", period__frequency="monthly", period__number=7)
    assert october.date == date(2026, 11, 13)  # 10 working days after 31 October (B2)
    assert not entries.filter(kind="management_team", is_public=True).exists()
    for e in entries.filter(kind__in=["cabinet", "scrutiny"]):
        e.full_clean()
    # idempotent
    from demo.timetable import make_timetable

    assert make_timetable(council, year_start=2026) == 0


def test_timetable_shows_public_entries_only_upcoming_first(client):
    council = _council()
    cabinet = Committee.objects.get(name="Harrowdale Cabinet")
    TimetableEntry.objects.create(council=council, kind="cabinet", title="PUBLIC-MEETING-1", committee=cabinet,
                                  date=date(2026, 11, 25), financial_year_id=2026)
    TimetableEntry.objects.create(council=council, kind="management_team", title="PRIVATE-MEETING-2",
                                  date=date(2026, 11, 19), financial_year_id=2026, is_public=False)
    other = f.council()
    TimetableEntry.objects.create(council=other, kind="publication", title="OTHER-COUNCIL-3",
                                  date=date(2026, 11, 21), financial_year_id=2026)
    page = client.get(reverse("public:timetable", args=[SLUG])).content.decode()
    assert "PUBLIC-MEETING-1" in page
    assert "PRIVATE-MEETING-2" not in page and "OTHER-COUNCIL-3" not in page
    assert "Management team" not in page
    upcoming, past = page.split('id="past-h"')
    assert "PUBLIC-MEETING-1" in upcoming
    assert "September 2026 data due" in past and "November 2026 data due" in upcoming
    assert upcoming.index("October 2026 figures signed off") < upcoming.index("PUBLIC-MEETING-1") \
        < upcoming.index("November 2026 data due")


def test_timetable_entry_rules():
    from django.core.exceptions import ValidationError

    council = _council()
    scrutiny = Committee.objects.filter(kind="scrutiny").first()
    with pytest.raises(ValidationError) as err:
        TimetableEntry(council=council, kind="cabinet", title="x", date=date(2026, 5, 1), financial_year_id=2026,
                       committee=scrutiny).full_clean()
    assert "committee" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        TimetableEntry(council=council, kind="scrutiny", title="x", date=date(2026, 5, 1),
                       financial_year_id=2026).full_clean()
    assert "committee" in err.value.message_dict


# -- what is not there -----------------------------------------------------------------------------------------

def test_unknown_council_and_objects_are_404(client):
    council = _council()
    priority = _priority(council)
    for url in _urls(Council(slug="nowhere"), priority, "KPI01").values():
        assert client.get(url).status_code == 404, url
    other = f.council()
    assert client.get(reverse("public:priority", args=[other.slug, priority.pk])).status_code == 404
    assert client.get(reverse("public:priority", args=[SLUG, _outcome(priority).pk])).status_code == 404
    assert client.get(reverse("public:measure", args=[SLUG, "NO-SUCH-REF"])).status_code == 404
    assert client.get("/public/harrowdale/priorities/not-a-number/").status_code == 404
    assert client.get("/public/harrowdale/priorities/99999999999999999999/").status_code == 404
    draft = Plan.objects.filter(council=council, status="draft").first()
    item = PlanItem.objects.create(plan=draft, level=draft.level, ref="DRAFT1", title="Draft item")
    assert client.get(reverse("public:priority", args=[SLUG, item.pk])).status_code == 404


def test_public_pages_answer_get_only(client):
    assert client.post(reverse("public:home", args=[SLUG])).status_code == 405
    assert client.post(reverse("accessibility")).status_code == 405


# -- accessibility statement -----------------------------------------------------------------------------------

def test_accessibility_statement(client):
    page = client.get(reverse("accessibility")).content.decode()
    for words in ("Web Content Accessibility Guidelines version 2.2", "partially compliant", "axe-core",
                  "keyboard", "Equality and Human Rights Commission", "Equality Advisory and Support Service",
                  "Reporting accessibility problems", "22 November 2026"):
        assert words in page, words
    assert reverse("accessibility") in client.get(reverse("public:home", args=[SLUG])).content.decode()
    client.force_login(User.objects.get(username="helen.marsh"))
    assert reverse("accessibility") in client.get(reverse("home")).content.decode()


# -- query counts ----------------------------------------------------------------------------------------------

def _triple_the_data(council: Council) -> None:
    """Two more copies of every measure (approval of targets kept) and of every timetable entry: three times as
    much to show."""
    f.copy_measures(Indicator.objects.filter(council=council))
    entries = list(TimetableEntry.objects.filter(council=council))
    for copy in ("X", "Y"):
        TimetableEntry.objects.bulk_create(
            TimetableEntry(**{fd.attname: getattr(e, fd.attname) for fd in TimetableEntry._meta.concrete_fields
                              if fd.attname not in ("id", "title")}, title=f"{e.title} {copy}") for e in entries)


#: Each page's queries, whatever the amount of data.
EXPECTED_QUERIES = {
    "home": 10,  # council, plan, plan items, 5 for the measures (load_series), their plan links, timetable
    "priority": 9,  # council, priority, outcomes, 5 for the measures, their plan links
    "measure": 9,  # council, 5 for the measure, its plan links, plan, plan items
    "timetable": 2,  # council, entries
    "open_data": 2,  # council, count of measures
    "csv": 6,  # council, 5 for the measures
    "json": 6,
    "accessibility": 1,  # councils
}


def test_query_counts_are_pinned_and_flat_as_the_data_triples(client, django_assert_num_queries):
    council = _council()
    priority = _priority(council)
    ref = _published_ref(council, priority)
    urls = {**_urls(council, priority, ref), "accessibility": reverse("accessibility")}
    before = {}
    for name, url in urls.items():
        with django_assert_num_queries(EXPECTED_QUERIES[name]):
            before[name] = client.get(url).content
    published = Indicator.objects.filter(council=council, is_restricted=False).count()
    _triple_the_data(council)
    assert Indicator.objects.filter(council=council, is_restricted=False).count() == 3 * published
    for name, url in urls.items():
        with django_assert_num_queries(EXPECTED_QUERIES[name]):
            after = client.get(url).content
        if name in ("priority", "csv", "timetable"):
            assert len(after) > 2 * len(before[name]), name  # the extra data is really shown


# -- the admin -------------------------------------------------------------------------------------------------

def test_timetable_admin_is_scoped_to_the_users_councils(client):
    council = _council()
    entry = TimetableEntry.objects.filter(council=council).first()
    client.force_login(User.objects.get(username="helen.marsh"))
    listing = client.get("/admin/reporting/timetableentry/", {"q": "data due"})
    assert listing.status_code == 200 and "October 2026 data due" in listing.content.decode()
    assert client.get(f"/admin/reporting/timetableentry/{entry.pk}/change/").status_code == 200

    other = f.council()
    outsider = f.user(other, "performance_unit")
    outsider.is_staff = True
    outsider.save()
    from pmf.services import performance_unit_group

    outsider.groups.add(performance_unit_group())
    client.force_login(outsider)
    listing = client.get("/admin/reporting/timetableentry/")
    assert listing.status_code == 200 and "October 2026 data due" not in listing.content.decode()
    assert client.get(f"/admin/reporting/timetableentry/{entry.pk}/change/").status_code in (302, 404)


def test_a_council_with_nothing_published_yet(client):
    empty = f.council()
    for name in ("home", "timetable", "open_data"):
        assert client.get(reverse(f"public:{name}", args=[empty.slug])).status_code == 200, name
    assert "No Council Plan has been published yet" in client.get(
        reverse("public:home", args=[empty.slug])).content.decode()
    assert client.get(reverse("public:open_data_csv", args=[empty.slug])).content.decode().count("\n") == 1
    doc = client.get(reverse("public:open_data_json", args=[empty.slug])).json()
    assert doc["data"] == [] and doc["metadata"]["record_count"] == 0
