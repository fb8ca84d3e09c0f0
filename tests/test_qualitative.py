"""Narrative (qualitative) measures with a self-assessed status (B1): the return is a narrative and a status the
officer chooses, green, amber or red, never computed from figures. Entered on the entry form (no figure fields),
checked with messages naming the field, submitted, verified where asked, signed off, sent back and reopened like any
return, locked on approval; shown as "(self-assessed)" wherever a status is shown: entry page, sign-off queue,
indicator page, dashboard, scorecard and its exports, packs in every format, the public site, open data and the API.
A numeric measure refuses a self-assessed status."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from demo import DEMO_LOGINS
from indicators import bulk, selectors, services
from indicators.models import Indicator, Return
from indicators.services import Entry, Refused
from plans.models import Plan
from pmf import api_tokens, imports
from pmf.models import AuditEntry, Council, Period, RoleAssignment, User
from reporting import open_data as od
from reporting import packs
from reporting.models import ReportDefinition
from reporting.rendering import excel, word
from reporting.rendering.web import render_html_body

pytestmark = pytest.mark.django_db

SLUG = "harrowdale"


def _council() -> Council:
    return Council.objects.get(slug=SLUG)


def _narrative(**extra) -> Indicator:
    """A narrative KPI of the demo council (the Council Plan's, so it is on the dashboard, scorecard and packs)."""
    return (Indicator.objects.select_related("current_spec", "council", "service__directorate")
            .filter(council__slug=SLUG, is_qualitative=True, kind="kpi", **extra).order_by("ref").first())


def _numeric() -> Indicator:
    return Indicator.objects.select_related("current_spec", "council", "service").get(ref="STC03")


def _quarter(year: int, number: int) -> Period:
    return Period.objects.get(financial_year_id=year, frequency="quarterly", number=number)


def _holder(ind: Indicator, role: str, **where) -> User:
    return RoleAssignment.objects.filter(council=ind.council, role=role, **where).order_by("pk").first().user


def _director(ind: Indicator) -> User:
    return _holder(ind, "director", directorate=ind.service.directorate)


def _perf() -> User:
    return User.objects.get(username=DEMO_LOGINS["performance_unit"])


def _lead(ind: Indicator) -> User:
    return ind.current_spec.performance_lead


def _open_period(ind: Indicator) -> Period:
    """The quarter under way on the demo's today (16 November 2026): open to entry."""
    return _quarter(2026, 3)


def _signed_off(ind: Indicator, period: Period, *, rag: str = "red", narrative: str = "Two milestones slipped.") \
        -> Return:
    """The narrative return of ``period`` submitted with ``rag`` and approved, whatever the demo left there (the
    performance unit enters it, since the period may be closed to its lead)."""
    ret = Return.objects.filter(indicator=ind, period=period).first()
    if ret is not None and ret.state == "approved":
        ret = services.reopen_return(user=_perf(), ret=ret, version=ret.version, reason="Test: enter it again.")
    ret = services.save_return(user=_perf(), indicator=ind, period=period, version=ret.version if ret else None,
                               submit=True, entry=Entry(commentary=narrative, self_assessed_rag=rag))
    if ind.council.verification_required:
        ret = services.verify_return(user=_holder(ind, "head_of_service", service=ind.service), ret=ret,
                                     version=ret.version)
    return services.approve_return(user=_director(ind), ret=ret, version=ret.version)


# -- entering -----------------------------------------------------------------------------------------------------

def test_the_entry_form_asks_for_the_narrative_and_the_status_and_no_figure(client):
    ind = _narrative()
    client.force_login(_lead(ind))
    page = client.get(reverse("indicators:return", args=[ind.pk, _open_period(ind).pk])).content.decode()
    assert "Narrative" in page and 'name="self_assessed_rag"' in page and 'type="radio"' in page
    for words in ("Green: on track", "Amber: some concern", "Red: off track"):
        assert words in page
    for figure in ('name="value"', 'name="numerator"', 'name="forecast"', 'name="no_data"'):
        assert figure not in page


def test_a_numeric_measures_form_has_no_self_assessed_status(client):
    ind = _numeric()
    client.force_login(_lead(ind))
    period = Period.objects.get(financial_year_id=2026, frequency=ind.current_spec.frequency, number=7)
    page = client.get(reverse("indicators:return", args=[ind.pk, period.pk])).content.decode()
    assert 'name="self_assessed_rag"' not in page and "self-assessed" not in page
    assert 'name="numerator"' in page


def test_submitting_without_narrative_or_status_names_both_fields_and_saves_nothing(client):
    ind = _narrative()
    period = _open_period(ind)
    client.force_login(_lead(ind))
    before = Return.objects.filter(indicator=ind, period=period).count()
    response = client.post(reverse("indicators:return", args=[ind.pk, period.pk]),
                           {"commentary": "", "self_assessed_rag": "", "submit": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Narrative: Write the narrative" in page
    assert "Status (self-assessed): Choose the status" in page
    assert Return.objects.filter(indicator=ind, period=period).count() == before


def test_a_status_not_offered_is_refused_by_the_form(client):
    ind = _narrative()
    period = _open_period(ind)
    client.force_login(_lead(ind))
    response = client.post(reverse("indicators:return", args=[ind.pk, period.pk]),
                           {"commentary": "Fine.", "self_assessed_rag": "purple", "submit": "1"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()


def test_entering_submits_the_narrative_and_status_with_the_audit_trail_recording_the_status(client):
    ind = _narrative()
    period = _open_period(ind)
    client.force_login(_lead(ind))
    response = client.post(reverse("indicators:return", args=[ind.pk, period.pk]),
                           {"commentary": "Milestones met; the board agreed phase two.", "self_assessed_rag": "amber",
                            "submit": "1"})
    assert response.status_code == 302
    ret = Return.objects.get(indicator=ind, period=period)
    assert (ret.state, ret.self_assessed_rag, ret.value) == ("submitted", "amber", None)
    assert ret.commentary == "Milestones met; the board agreed phase two."
    created = AuditEntry.objects.filter(object_type="indicators.Return", object_id=str(ret.pk), action="create").get()
    assert created.changes["self_assessed_rag"][1] == "amber"
    # the entry page shows it back, as self-assessed, with the radio chosen
    page = client.get(reverse("indicators:return", args=[ind.pk, period.pk])).content.decode()
    assert 'value="amber"' in page and "checked" in page


def test_a_draft_may_lack_the_status_and_the_preview_says_what_is_missing(client):
    ind = _narrative()
    period = _open_period(ind)
    ret = services.save_return(user=_lead(ind), indicator=ind, period=period, version=None, submit=False,
                               entry=Entry(commentary="Work in progress."))
    assert (ret.state, ret.self_assessed_rag) == ("draft", "")
    client.force_login(_lead(ind))
    preview = client.post(reverse("indicators:return_preview", args=[ind.pk, period.pk]),
                          {"commentary": "Going well.", "self_assessed_rag": "green"}).content.decode()
    assert "Green" in preview and "(self-assessed)" in preview and "Figure:" not in preview
    preview = client.post(reverse("indicators:return_preview", args=[ind.pk, period.pk]),
                          {"commentary": ""}).content.decode()
    assert "none chosen yet" in preview and "Write the narrative" in preview and "Choose the status" in preview


def test_a_narrative_measure_refuses_a_figure_and_nothing_is_saved():
    ind = _narrative()
    period = _open_period(ind)
    with pytest.raises(Refused) as refused:
        services.save_return(user=_lead(ind), indicator=ind, period=period, version=None, submit=True,
                             entry=Entry(value=Decimal(1), commentary="On track.", self_assessed_rag="green"))
    assert "takes no figure" in refused.value.message_dict["value"][0]
    assert not Return.objects.filter(indicator=ind, period=period).exists()


def test_a_status_not_offered_is_refused_by_the_service_too():
    ind = _narrative()
    with pytest.raises(Refused) as refused:
        services.save_return(user=_lead(ind), indicator=ind, period=_open_period(ind), version=None, submit=False,
                             entry=Entry(commentary="Fine.", self_assessed_rag="purple"))
    assert "Choose green, amber or red" in refused.value.message_dict["self_assessed_rag"][0]


def test_a_numeric_measure_refuses_a_self_assessed_status_naming_the_field():
    ind = _numeric()
    period = Period.objects.get(financial_year_id=2026, frequency=ind.current_spec.frequency, number=7)
    before = Return.objects.filter(indicator=ind, period=period).first()
    with pytest.raises(Refused) as refused:
        services.save_return(user=_lead(ind), indicator=ind, period=period,
                             version=before.version if before else None, submit=False,
                             entry=Entry(numerator=Decimal(90), denominator=Decimal(100), self_assessed_rag="green"))
    assert "Only a narrative measure takes a self-assessed status" in \
        refused.value.message_dict["self_assessed_rag"][0]
    after = Return.objects.filter(indicator=ind, period=period).first()
    assert (after.version if after else None) == (before.version if before else None)


# -- the workflow ---------------------------------------------------------------------------------------------------

def test_sign_off_queue_shows_the_status_as_self_assessed_and_the_director_approves_it(client):
    ind = _narrative()
    period = _open_period(ind)
    ret = services.save_return(user=_lead(ind), indicator=ind, period=period, version=None, submit=True,
                               entry=Entry(commentary="Slipped: capacity.", self_assessed_rag="red"))
    if ind.council.verification_required:
        ret = services.verify_return(user=_holder(ind, "head_of_service", service=ind.service), ret=ret,
                                     version=ret.version)
    director = _director(ind)
    client.force_login(director)
    queue = client.get(reverse("indicators:sign_off")).content.decode()
    row = queue[queue.index(f">{ind.ref} "):]
    row = row[:row.index("</tr>")]
    assert "Red</span>" in row and "(self-assessed)" in row and "Slipped: capacity." in row
    response = client.post(reverse("indicators:sign_off"), {"approve": f"{ret.pk}:{ret.version}"})
    assert response.status_code == 302
    ret.refresh_from_db()
    assert ret.state == "approved" and ret.self_assessed_rag == "red"
    assert ret.approved_by == director


def test_an_approved_status_is_locked_until_reopened_then_it_can_change():
    ind = _narrative()
    ret = _signed_off(ind, _quarter(2026, 2), rag="red")
    with pytest.raises(IntegrityError), transaction.atomic():
        Return.objects.filter(pk=ret.pk).update(self_assessed_rag="green")
    ret.refresh_from_db()
    assert ret.self_assessed_rag == "red"
    with pytest.raises(services.Conflict):  # the entry form's service refuses an approved return
        services.save_return(user=_perf(), indicator=ind, period=ret.period, version=ret.version, submit=False,
                             entry=Entry(commentary="x", self_assessed_rag="green"))
    ret = services.reopen_return(user=_perf(), ret=ret, version=ret.version, reason="Judged too harshly.")
    ret = services.save_return(user=_perf(), indicator=ind, period=ret.period, version=ret.version, submit=True,
                               entry=Entry(commentary="Recovered in the quarter.", self_assessed_rag="amber"))
    assert (ret.state, ret.self_assessed_rag) == ("submitted", "amber")
    changed = AuditEntry.objects.filter(object_type="indicators.Return", object_id=str(ret.pk),
                                        action="update").order_by("-at", "-pk").first()
    assert changed.changes["self_assessed_rag"] == ["red", "amber"]


def test_a_return_sent_back_goes_to_its_lead_with_its_status_kept():
    ind = _narrative()
    period = _open_period(ind)
    ret = services.save_return(user=_lead(ind), indicator=ind, period=period, version=None, submit=True,
                               entry=Entry(commentary="On track.", self_assessed_rag="green"))
    ret = services.send_back_return(user=_director(ind), ret=ret, version=ret.version,
                                    reason="Green looks generous: two milestones slipped.")
    assert (ret.state, ret.self_assessed_rag) == ("returned", "green")


def test_only_the_lead_or_performance_unit_enters_it():
    ind = _narrative()
    with pytest.raises(PermissionDenied):
        services.save_return(user=_director(ind), indicator=ind, period=_open_period(ind), version=None,
                             submit=False, entry=Entry(commentary="x", self_assessed_rag="green"))


# -- assessment -----------------------------------------------------------------------------------------------------

def test_the_assessment_is_the_chosen_status_marked_self_assessed_with_no_direction():
    ind = _narrative()
    _signed_off(ind, _quarter(2026, 2), rag="amber")
    series = selectors.load_series(Indicator.objects.filter(pk=ind.pk))[0]
    a = selectors.assess(series, (2026, 2))
    assert (a.rag, a.self_assessed, a.value, a.rag_reason) == ("amber", True, None, "")
    assert a.direction == "not_measured"
    # a narrative return without a chosen status is not rated, and a numeric measure is never self-assessed
    assert selectors.self_assessed_rag(ind, Return(self_assessed_rag="")) is None
    assert selectors.self_assessed_rag(_numeric(), Return(self_assessed_rag="green")) is None


def test_demo_narrative_measures_carry_self_assessed_statuses_with_narratives():
    rets = Return.objects.filter(indicator__council__slug=SLUG, indicator__is_qualitative=True, state="approved")
    assert rets.exists()
    assert not rets.filter(self_assessed_rag="").exists() and not rets.filter(value__isnull=False).exists()
    assert not rets.filter(commentary="").exists()
    assert {"green", "amber"} <= set(rets.values_list("self_assessed_rag", flat=True))


# -- shown everywhere -----------------------------------------------------------------------------------------------

def test_indicator_page_shows_self_assessed(client):
    ind = _narrative()
    _signed_off(ind, _quarter(2026, 2), rag="red")
    client.force_login(_perf())
    page = client.get(ind.get_absolute_url()).content.decode()
    assert "(self-assessed)" in page and "A narrative measure" in page


def test_dashboard_counts_it_and_says_how_many_are_self_assessed(client):
    ind = _narrative()
    _signed_off(ind, _quarter(2026, 2), rag="red")
    client.force_login(_perf())
    page = client.get(reverse("reporting:dashboard"), {"year": 2026, "quarter": 2, "measures": "kpi"}) \
        .content.decode()
    assert 'id="rag-self-assessed"' in page and "self-assessed by" in page
    row = page[page.index(f"{ind.ref}"):]
    row = row[:row.index("</tr>")]
    assert "Red</span>" in row and "(self-assessed)" in row


def test_scorecard_page_and_exports_show_self_assessed(client):
    ind = _narrative()
    _signed_off(ind, _quarter(2026, 2), rag="amber")
    plan = Plan.objects.get(council__slug=SLUG, level__rank=1)
    client.force_login(_perf())
    params = {"year": 2026, "quarter": 2}
    page = client.get(reverse("reporting:scorecard", args=[plan.pk]), params).content.decode()
    assert ind.ref in page and "(self-assessed)" in page
    text = client.get(reverse("reporting:scorecard_csv", args=[plan.pk]), params).content.decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(text)) if r and r[0].startswith(ind.ref))
    assert "Amber (self-assessed)" in row
    book = load_workbook(io.BytesIO(client.get(reverse("reporting:scorecard_xlsx", args=[plan.pk]), params).content))
    cells = [c.value for r in book.active.iter_rows() for c in r if c.value]
    assert "Amber (self-assessed)" in cells


def test_pack_rows_and_every_format_show_self_assessed():
    ind = _narrative()
    q2 = _quarter(2026, 2)
    _signed_off(ind, q2, rag="green")
    cabinet = ReportDefinition.objects.get(council__slug=SLUG, report_type="cabinet")
    snap = packs.assemble(cabinet, q2, as_of=date(2026, 11, 16))
    rows = [m for p in snap["plans"] for m in p["measures"] if m["ref"] == ind.ref]
    assert rows, "the narrative KPI is in the Cabinet pack's plan sections"
    assert all(m["rag"] == "green" and m["rag_label"] == "Green (self-assessed)" and m["self_assessed"]
               for m in rows)
    assert all(r["ref"] != ind.ref for r in snap["missing"])  # a status is not a missing figure
    assert snap["overview"]["self_assessed"] >= 1  # counted under its status, and the share said
    body = render_html_body(snap)
    assert "Green (self-assessed)" in body and "pack-self-assessed" in body
    doc = Document(io.BytesIO(word.render_docx(snap)))
    assert any("Green (self-assessed)" in cell.text for t in doc.tables for r in t.rows for cell in r.cells)
    book = load_workbook(io.BytesIO(excel.render_xlsx(snap)))
    assert any(c.value == "Green (self-assessed)" for ws in book.worksheets for r in ws.iter_rows() for c in r)


def test_pdf_html_shows_self_assessed():
    from reporting.rendering.pdf import render_pdf_html

    ind = _narrative()
    q2 = _quarter(2026, 2)
    _signed_off(ind, q2, rag="red")
    cabinet = ReportDefinition.objects.get(council__slug=SLUG, report_type="cabinet")
    assert "Red (self-assessed)" in render_pdf_html(packs.assemble(cabinet, q2, as_of=date(2026, 11, 16)))


def test_public_measure_page_priority_and_counts_show_self_assessed(client):
    ind = _narrative(is_restricted=False) or Indicator.objects.filter(
        council__slug=SLUG, is_qualitative=True, is_restricted=False).first()
    page = client.get(reverse("public:measure", args=[SLUG, ind.ref])).content.decode()
    assert "(self-assessed)" in page and "badge rag" in page and "Self-assessed: the officer reports" in page
    assert 'id="public-chart"' not in page  # still no chart: there are no figures
    home = client.get(reverse("public:home", args=[SLUG])).content.decode()
    assert "self-assessed by officers" in home


def test_open_data_marks_the_status_as_self_assessed(client):
    council = _council()
    ind = Indicator.objects.filter(council=council, is_qualitative=True, is_restricted=False).first()
    rows = [r for r in od.open_data_rows(council) if r["ref"] == ind.ref]
    assert rows and all(r["rag"] in ("Green", "Amber", "Red") and r["rag_self_assessed"] == "Yes"
                        and r["direction"] == "" and r["value"] == "" for r in rows)
    others = [r for r in od.open_data_rows(council) if r["ref"] != ind.ref]
    assert {r["rag_self_assessed"] for r in others if r["kind"] != "Contextual statistic"} <= {"", "Yes"}
    text = client.get(reverse("public:open_data_csv", args=[SLUG])).content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert header[header.index("rag") + 1] == "rag_self_assessed"


def test_api_assessment_and_return_carry_the_self_assessed_status(client):
    ind = _narrative()
    _signed_off(ind, _quarter(2026, 2), rag="amber")
    header = {"HTTP_AUTHORIZATION": f"Bearer {_token(DEMO_LOGINS['performance_unit'])}"}
    body = client.get(f"/api/assessments/{ind.pk}/", {"year": 2026, "quarter": 2}, **header).json()
    found = body["assessments"]
    assert found[0]["rag"] == "amber" and found[0]["self_assessed"] is True
    ret = Return.objects.get(indicator=ind, period=_quarter(2026, 2))
    assert client.get(f"/api/returns/{ret.pk}/", **header).json()["self_assessed_rag"] == "amber"
    numeric = Indicator.objects.filter(council__slug=SLUG, is_qualitative=False, kind="kpi").first()
    body = client.get(f"/api/assessments/{numeric.pk}/", {"year": 2026, "quarter": 2}, **header).json()
    found = body["assessments"]
    assert found[0]["self_assessed"] is False


def test_api_refuses_a_status_on_a_numeric_measure_naming_the_field(client):
    ind = _numeric()
    period = Period.objects.get(financial_year_id=2026, frequency=ind.current_spec.frequency, number=8)
    header = {"HTTP_AUTHORIZATION": f"Bearer {_token(_lead(ind).username)}"}
    response = client.post("/api/returns/", json.dumps({
        "indicator": ind.pk, "period": period.pk, "numerator": "90", "denominator": "100",
        "self_assessed_rag": "green"}), content_type="application/json", **header)
    assert response.status_code == 400 and "self_assessed_rag" in json.dumps(response.json())


# -- bulk returns and the workbook ----------------------------------------------------------------------------------

def _bulk_book(rows: list[dict]) -> imports.Book:
    data = imports.write_xlsx([(bulk.SHEET, [{c.name: r.get(c.name) for c in bulk.SHEET.columns} for r in rows])])
    return imports.read_book(SimpleUploadedFile("returns.xlsx", data), default_sheet=bulk.SHEET.name)


def _token(username: str) -> str:
    return api_tokens.create_token(user=User.objects.get(username=username), name="tests").secret


def test_bulk_returns_carry_a_self_assessed_status_column():
    assert "self-assessed status" in [c.name for c in bulk.SHEET.columns]
    ind = _narrative()
    period = _open_period(ind)
    row = {"measure": ind.ref, "year": 2026, "period": period.number, "commentary": "All on track.",
           "self-assessed status": "green"}
    outcome = bulk.save_bulk(user=_perf(), book=_bulk_book([row]), submit=True)
    assert outcome.ok, [p.message for p in outcome.problems]
    ret = Return.objects.get(indicator=ind, period=period)
    assert (ret.state, ret.self_assessed_rag, ret.value) == ("submitted", "green", None)
    sheet = load_workbook(io.BytesIO(bulk.prefilled([selectors.DueReturn(ind, period, date(2027, 1, 15), ret,
                                                                          date(2026, 11, 16))])))
    rows = list(sheet[bulk.SHEET.name].iter_rows(values_only=True))
    header = next(r for r in rows if r and "self-assessed status" in r)
    assert any(r[header.index("self-assessed status")] == "green" for r in rows)


def test_bulk_refuses_a_status_for_a_numeric_measure_by_row_and_column():
    ind = _numeric()
    row = {"measure": ind.ref, "year": 2026, "period": 7, "numerator": 90, "denominator": 100,
           "self-assessed status": "green"}
    outcome = bulk.save_bulk(user=_perf(), book=_bulk_book([row]), submit=False)
    assert not outcome.ok
    assert any(p.column == "self-assessed status" and "narrative measure" in p.message for p in outcome.problems)


def test_workbook_export_has_the_self_assessed_status_column(client):
    ind = _narrative()
    _signed_off(ind, _quarter(2026, 2), rag="amber")
    client.force_login(_perf())
    book = load_workbook(io.BytesIO(client.get(reverse("reporting:workbook_export")).content))
    rows = list(book["Returns"].iter_rows(values_only=True))
    header = next(r for r in rows if r and "self-assessed status" in r)
    col, ref = header.index("self-assessed status"), header.index("measure")
    assert any(r[ref] == ind.ref and r[col] == "amber" for r in rows)


def test_a_contextual_statistic_cannot_be_a_narrative_measure(client):
    """A contextual statistic is never rated, a narrative measure always by its officer: the two exclude each
    other, in the admin's form and in the workbook, whose measure row is refused naming the column."""
    from django.core.exceptions import ValidationError

    from reporting.workbook import export, layout, load

    ind = _narrative()
    ind.kind = "contextual"
    with pytest.raises(ValidationError) as refused:
        ind.full_clean()
    assert "contextual statistic is never rated" in refused.value.message_dict["is_qualitative"][0]

    council = _council()
    measures = [row for sheet, rows in export.tables(council) if sheet.name == "Measures" for row in rows]
    row = next(r for r in measures if r["ref"] == ind.ref)
    data = imports.write_xlsx([(layout.MEASURES, [{**row, "kind": "contextual", "plan items": [], "risks": []}])])
    book = imports.read_book(SimpleUploadedFile("measures.xlsx", data))
    outcome = load.import_workbook(book=book, user=_perf(), council=council)
    assert [(p.column, p.rule) for p in outcome.problems] == [("qualitative", "not allowed")]
    assert Indicator.objects.get(pk=ind.pk).kind != "contextual"


def test_the_narrative_rules_are_pure_and_name_their_fields():
    from indicators import quality

    def fields(**kw):
        base = {"value": None, "numerator": None, "denominator": None, "forecast": None, "no_data_reason": "",
                "commentary": "", "self_assessed_rag": ""}
        return {(p.field, p.rule, p.blocks_draft) for p in quality.check_narrative(**{**base, **kw})}

    assert fields() == {("commentary", "narrative_needs_commentary", False),
                        ("self_assessed_rag", "narrative_needs_status", False)}
    assert fields(commentary="On track.", self_assessed_rag="green") == set()
    assert ("value", "narrative_no_figure", True) in fields(forecast=Decimal(1), commentary="x",
                                                            self_assessed_rag="red")
    assert ("self_assessed_rag", "self_assessed_choice", True) in fields(commentary="x", self_assessed_rag="blue")


def test_roll_ups_count_it_under_its_status_and_say_how_many_are_self_assessed(client):
    from reporting.rollups import rollups

    ind = _narrative()
    item = ind.plan_items.order_by("path").first()
    found = rollups([item], user=_perf(), as_of=date(2026, 11, 16))[item.pk]
    assert found.self_assessed >= 1 and f"({found.self_assessed} self-assessed)" in found.text
    client.force_login(_perf())
    assert "self-assessed)" in client.get(reverse("plans:thread")).content.decode()
