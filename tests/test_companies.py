"""A1 (issue 13, point 3): wholly-owned companies, partnerships and commissioned contracts.

A company or contract is a service of the directorate that oversees it, of kind company / partnership / contract,
with the provider who delivers it named. Its measures are ordinary indicators of that service (shown as "Company
KPI" or "SLA KPI – delivered by <provider>"), its plan a service-level plan on the golden thread. The demo has
Harrowdale Homes Ltd (a housing company, business plan under P6.O2, KPIs HHL01-05), the leisure centres
management contract (Everfit Leisure Management Ltd, contract plan under P4.O3, SLA KPIs LMC01-05) and the
Harrowdale Shareholder Board, whose remit is the company's business plan; its chair is frances.oyelaran."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from indicators.models import Indicator
from plans.models import Plan, PlanItem
from pmf import api_tokens
from pmf.choices import CommitteeKind, ServiceKind
from pmf.models import Committee, Council, Directorate, Period, Service, User
from reporting import packs
from reporting.models import ReportDefinition, ScopeKind
from reporting.rendering import excel, pdf, web, word
from reporting.workbook import export, layout, load
from tests import factories as f
from tests.test_workbook import book_of

pytestmark = pytest.mark.django_db

COMPANY_KPIS = {"HHL01", "HHL02", "HHL03", "HHL04", "HHL05"}
CONTRACT_KPIS = {"LMC01", "LMC02", "LMC03", "LMC04", "LMC05"}
COMPANY_LABEL = "Company KPI – delivered by Harrowdale Homes Ltd"
CONTRACT_LABEL = "SLA KPI – delivered by Everfit Leisure Management Ltd"


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _indicator(ref: str) -> Indicator:
    return Indicator.objects.get(council__slug="harrowdale", ref=ref)


@pytest.fixture
def helen(client):
    client.force_login(_user("helen.marsh"))
    return client


@pytest.fixture
def board_member(client):
    client.force_login(_user("frances.oyelaran"))
    return client


@pytest.fixture
def shareholder_report():
    return ReportDefinition.objects.select_related("committee").get(
        council__slug="harrowdale", committee__kind=CommitteeKind.SHAREHOLDER)


# -- the organisation unit -------------------------------------------------------------------------------------

def test_the_demo_has_a_company_and_a_contract_with_their_measures_and_plans():
    company = Service.objects.get(directorate__councils__slug="harrowdale", name="Harrowdale Homes Ltd")
    contract = Service.objects.get(directorate__councils__slug="harrowdale", kind=ServiceKind.CONTRACT)
    assert (company.kind, company.provider, company.is_external) == ("company", "Harrowdale Homes Ltd", True)
    assert contract.provider == "Everfit Leisure Management Ltd" and contract.directorate.code == "HAR-CH"
    assert set(company.indicators.values_list("ref", flat=True)) == COMPANY_KPIS
    assert set(contract.indicators.values_list("ref", flat=True)) == CONTRACT_KPIS
    for ref in COMPANY_KPIS | CONTRACT_KPIS:  # KPIs with targets and approved returns
        ind = _indicator(ref)
        assert ind.kind == "kpi" and ind.targets.filter(financial_year_id=2026).exists()
        assert ind.returns.filter(state="approved", period__financial_year_id=2026).exists(), ref
    business_plan = Plan.objects.get(service=company, start_year_id=2026)
    assert business_plan.title == "Harrowdale Homes Ltd Business Plan 2026/27" and business_plan.status == "active"
    # on the golden thread: each item under the Council Plan outcome "More affordable homes are built" (P6.O2)
    assert {i.parent.ref for i in business_plan.items.select_related("parent")} == {"P6.O2"}
    board = Committee.objects.get(councils__slug="harrowdale", kind=CommitteeKind.SHAREHOLDER)
    assert board.get_kind_display() == "Shareholder board"
    assert set(board.remit.all()) == set(business_plan.items.all())


def test_a_company_without_its_provider_is_refused_by_the_database_and_by_validation():
    d = Directorate.objects.get(code="HAR-CH")
    with pytest.raises(ValidationError) as error:
        Service(directorate=d, name="Harrowdale Energy Ltd", kind=ServiceKind.COMPANY).full_clean()
    assert error.value.message_dict["provider"] == [
        "A wholly-owned company names who delivers it: the company, the lead partner or the contractor."]
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.create(directorate=d, name="Harrowdale Energy Ltd", kind=ServiceKind.CONTRACT)
    assert not Service.objects.filter(name="Harrowdale Energy Ltd").exists()
    # a council service needs no provider
    Service(directorate=d, name="Harrowdale Energy Team").full_clean()


def _admin_form(d: Directorate, **fields) -> dict:
    return {"directorate": d.pk, "name": "Street Lighting PFI Contract", "kind": "contract", "provider": "",
            "head": "", "teams-TOTAL_FORMS": "0", "teams-INITIAL_FORMS": "0", "teams-MIN_NUM_FORMS": "0",
            "teams-MAX_NUM_FORMS": "1000", **fields}


def test_the_admin_names_the_provider_field_when_it_is_missing_then_saves_the_contract(helen):
    d = Directorate.objects.get(code="HAR-PE")
    url = reverse("admin:pmf_service_add")
    response = helen.post(url, _admin_form(d))
    assert response.status_code == 200
    assert "A commissioned contract names who delivers it" in response.text
    assert not Service.objects.filter(name="Street Lighting PFI Contract").exists()
    response = helen.post(url, _admin_form(d, provider="Brightway Lighting Ltd"))
    assert response.status_code == 302
    saved = Service.objects.get(name="Street Lighting PFI Contract")
    assert (saved.kind, saved.provider) == ("contract", "Brightway Lighting Ltd")
    listing = helen.get(reverse("admin:pmf_service_changelist") + "?kind__exact=contract").text
    assert "Brightway Lighting Ltd" in listing and "Everfit Leisure Management Ltd" in listing
    assert "Waste and Recycling" not in listing


# -- shown on the golden thread and on the measure's page -----------------------------------------------------

def test_the_golden_thread_marks_companies_and_contracts_with_their_kind_and_provider(helen):
    text = helen.get(reverse("plans:thread")).text
    # a company delivers itself: its name once, not "Harrowdale Homes Ltd (Harrowdale Homes Ltd)"
    assert "Wholly-owned company</span> Harrowdale Homes Ltd" in text
    assert "Harrowdale Homes Ltd (Harrowdale Homes Ltd)" not in text
    assert "Commissioned contract</span> Leisure Centres Management Contract (Everfit Leisure Management Ltd)" \
        in text
    # and beneath the outcome, the business plan's items with the company named
    outcome = PlanItem.objects.get(plan__council__slug="harrowdale", ref="P6.O2", plan__level__rank=1)
    page = helen.get(outcome.get_absolute_url()).text
    assert re.search(r"HHL\.1 Build 300 new homes.*?Wholly-owned company</span> <span class=\"small\">delivered by "
                     r"Harrowdale Homes Ltd", page, re.S)
    item = PlanItem.objects.get(plan__council__slug="harrowdale", ref="HHL.3")
    page = helen.get(item.get_absolute_url()).text
    assert "Wholly-owned company</span> Harrowdale Homes Ltd, delivered by Harrowdale Homes Ltd" in page
    assert COMPANY_LABEL in page  # its measures, each with who delivers it


def test_the_indicator_page_says_sla_kpi_with_the_provider(helen):
    page = helen.get(_indicator("LMC01").get_absolute_url()).text
    assert CONTRACT_LABEL in page and "Commissioned contract" in page
    assert "overseen by Communities and Housing" in page
    assert COMPANY_LABEL in helen.get(_indicator("HHL03").get_absolute_url()).text
    assert "delivered by" not in helen.get(_indicator("WAS03").get_absolute_url()).text


# -- the shareholder board ------------------------------------------------------------------------------------

def test_a_shareholder_board_member_reads_the_company_measures_and_nothing_else_of_the_services(board_member):
    for ref in COMPANY_KPIS:
        response = board_member.get(_indicator(ref).get_absolute_url())
        assert response.status_code == 200 and COMPANY_LABEL in response.text
    # the contract's measures and other services' (not headline) measures are not theirs
    for ref in ("LMC01", "WAS03", "HOM02"):
        ind = _indicator(ref)
        assert not ind.is_headline
        assert board_member.get(ind.get_absolute_url()).status_code == 404
    # and the business plan's items, with the company's measures, are on their golden thread
    item = PlanItem.objects.get(plan__council__slug="harrowdale", ref="HHL.1")
    assert board_member.get(item.get_absolute_url()).status_code == 200


def test_the_shareholder_pack_holds_the_company_kpis_with_who_delivers_them_in_every_format(shareholder_report):
    definition = shareholder_report
    assert definition.scope == ScopeKind.COMMITTEE and definition.committee.name == "Harrowdale Shareholder Board"
    q2 = Period.objects.get(financial_year_id=2026, frequency="quarterly", number=2)
    snap = packs.assemble(definition, q2, as_of=date(2026, 11, 16))
    assert snap["title"] == "Shareholder report: Harrowdale Shareholder Board: Q2 2026/27"
    assert snap["scope_label"] == "Committee: Harrowdale Shareholder Board"
    measures = [m for p in snap["plans"] for m in p["measures"]]
    assert {m["ref"] for m in measures} == COMPANY_KPIS
    assert {m["delivered_by"] for m in measures} == {COMPANY_LABEL}
    assert sum(m["value"] != "M" for m in measures) >= 3  # Q2 figures approved (a late one shows M)
    json.dumps(snap)  # a snapshot is plain data

    assert COMPANY_LABEL in str(web.render_html_body(snap))
    assert COMPANY_LABEL in pdf.render_pdf_html(snap)
    document = Document(io.BytesIO(word.render_docx(snap)))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert any("HHL01" in c and COMPANY_LABEL in c for c in cells)
    sheet = load_workbook(io.BytesIO(excel.render_xlsx(snap)))["Measures"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and "Delivered by" in r)
    column = header.index("Delivered by")
    assert {r[column] for r in rows[rows.index(header) + 1:] if r[1] in COMPANY_KPIS} == {COMPANY_LABEL}


def test_the_performance_unit_sets_up_a_report_for_the_shareholder_board(helen):
    board = Committee.objects.get(councils__slug="harrowdale", kind=CommitteeKind.SHAREHOLDER)
    response = helen.post(reverse("reporting:definition_add"), {
        "name": "Harrowdale Homes Ltd quarterly report", "report_type": "scrutiny", "scope": "committee",
        "committee": board.pk, "sections": ["overview", "plans", "exceptions"]})
    assert response.status_code == 302
    made = ReportDefinition.objects.get(name="Harrowdale Homes Ltd quarterly report")
    assert made.committee == board and made.scope_label == "Committee: Harrowdale Shareholder Board"
    q2 = Period.objects.get(financial_year_id=2026, frequency="quarterly", number=2)
    refs = {m["ref"] for p in packs.assemble(made, q2, as_of=date(2026, 11, 16))["plans"] for m in p["measures"]}
    assert refs == COMPANY_KPIS  # every company measure is a KPI


def test_a_council_service_measure_carries_no_delivery_label_in_a_pack():
    cabinet = ReportDefinition.objects.get(council__slug="harrowdale", report_type="cabinet")
    q2 = Period.objects.get(financial_year_id=2026, frequency="quarterly", number=2)
    measures = {m["ref"]: m for p in packs.assemble(cabinet, q2, as_of=date(2026, 11, 16))["plans"]
                for m in p["measures"]}
    assert measures["WAS01"]["delivered_by"] == ""
    assert measures["LMC01"]["delivered_by"] == CONTRACT_LABEL


# -- dashboard and scorecard: companies and contracts ---------------------------------------------------------

def test_the_dashboard_filters_to_companies_and_contracts(helen):
    response = helen.get(reverse("reporting:dashboard"),
                         {"year": 2026, "quarter": 2, "measures": "all", "delivery": "external"})
    text = response.text
    listed = set(re.findall(r'href="/indicators/\d+/">([A-Z]{3}\d\d) ', text))
    assert listed == COMPANY_KPIS | CONTRACT_KPIS
    assert "10 measures (companies and contracts)" in text
    assert '<option value="external" selected>Companies and contracts</option>' in text
    text = helen.get(reverse("reporting:dashboard"), {"year": 2026, "quarter": 2, "delivery": "contract"}).text
    assert set(re.findall(r'href="/indicators/\d+/">([A-Z]{3}\d\d) ', text)) == CONTRACT_KPIS
    # an unknown value is ignored, never an error
    assert helen.get(reverse("reporting:dashboard"), {"delivery": "<script>"}).status_code == 200


def test_the_scorecard_filters_by_who_delivers_and_names_the_provider(helen):
    council_plan = Plan.objects.get(council__slug="harrowdale", level__rank=1)
    url = reverse("reporting:scorecard", args=[council_plan.pk])
    text = helen.get(url, {"year": 2026, "quarter": 2, "delivery": "company"}).text
    assert set(re.findall(r'href="/indicators/\d+/">([A-Z]{3}\d\d) ', text)) == COMPANY_KPIS
    assert COMPANY_LABEL in text
    council_only = helen.get(url, {"year": 2026, "quarter": 2, "delivery": "council"}).text
    assert "HHL01" not in council_only and "WAS01" in council_only and "delivered by" not in council_only
    csv = helen.get(reverse("reporting:scorecard_csv", args=[council_plan.pk]),
                    {"year": 2026, "quarter": 2, "delivery": "contract"}).content.decode()
    assert "LMC01" in csv and "WAS01" not in csv
    assert "SLA KPI – delivered by Everfit Leisure Management Ltd" in csv  # the file's cell reads as the page's


# -- workbook and API ------------------------------------------------------------------------------------------

def test_the_workbook_exports_kind_and_provider_and_imports_them_naming_a_missing_provider():
    harrowdale = Council.objects.get(slug="harrowdale")
    services = dict(export.tables(harrowdale))[layout.SERVICES]
    company = next(r for r in services if r["name"] == "Harrowdale Homes Ltd")
    assert (company["kind"], company["provider"]) == ("company", "Harrowdale Homes Ltd")
    waste = next(r for r in services if r["name"] == "Waste and Recycling")
    assert (waste["kind"], waste["provider"]) == ("service", "")

    c = f.council()
    rows = [{"directorate": "TW-1", "name": "Testwick Homes Ltd", "kind": "company", "provider": ""},
            {"directorate": "TW-1", "name": "Housing Options"}]
    tables = [(layout.DIRECTORATES, [{"code": "TW-1", "name": "Housing"}]), (layout.SERVICES, rows)]
    outcome = load.import_workbook(book=book_of(tables), user=None, council=c)
    assert [(p.sheet, p.row, p.column, p.rule) for p in outcome.problems] == [("Services", 2, "provider", "required")]
    assert "A wholly-owned company names who delivers it (the provider)" in str(outcome.problems[0])
    assert not Service.objects.filter(directorate__code="TW-1").exists()  # nothing half-saved

    rows[0]["provider"] = "Testwick Homes Ltd"
    outcome = load.import_workbook(book=book_of(tables), user=None, council=c)
    assert outcome.stored, outcome.problems
    stored = {s.name: (s.kind, s.provider) for s in Service.objects.filter(directorate__code="TW-1")}
    assert stored == {"Testwick Homes Ltd": ("company", "Testwick Homes Ltd"), "Housing Options": ("service", "")}
    # the round trip: exported again, the same values
    again = {r["name"]: (r["kind"], r["provider"]) for r in dict(export.tables(c))[layout.SERVICES]}
    assert again == stored


def test_the_api_shows_who_delivers_a_measure_and_filters_by_it(client):
    secret = api_tokens.create_token(user=_user("helen.marsh"), name="tests").secret
    header = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = client.get("/api/indicators/", {"service_kind": "contract", "page_size": 50}, **header).json()
    assert {row["ref"] for row in body["results"]} == CONTRACT_KPIS
    assert {(row["service_kind"], row["provider"]) for row in body["results"]} == {
        ("contract", "Everfit Leisure Management Ltd")}
    row = client.get(f"/api/indicators/{_indicator('WAS01').pk}/", **header).json()
    assert (row["service_kind"], row["provider"]) == ("service", "")
    assert client.get("/api/indicators/", {"service_kind": "castle"}, **header).status_code == 400
