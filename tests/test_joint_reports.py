"""Joint committee reports across councils (issue 13, point 2; A5, D2, D7-D9): two councils sharing one officer
team and a joint scrutiny committee (frameworks/004). One pack covers both councils, each council's sections side
by side from its own plans, counts added up only over the measures both councils measure the same way; a joint
committee member reads the joint pack and both councils' measures in the committee's remit, nothing else; every page
says which council a figure belongs to wherever more than one council is in view, and only then."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from indicators.models import Indicator, Specification
from pmf.models import AuditEntry, Council, Period, RoleAssignment, User
from reporting import packs
from reporting.models import Pack, PackStatus, ReportDefinition
from reporting.rendering import excel, web, word
from reporting.rendering import pdf as pdf_format
from tests import factories as f

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 16)


@pytest.fixture
def pair():
    return f.joint_pair()


@pytest.fixture
def q2():
    return Period.objects.get(financial_year_id=2026, frequency="quarterly", number=2)


@pytest.fixture
def snap(pair, q2):
    return packs.assemble(pair.definition, q2, as_of=AS_OF)


def _refs(snapshot: dict) -> set[str]:
    return {m["ref"] for plan in snapshot["plans"] for m in plan["measures"]}


def _prepare_and_issue(client, pair, q2, capture) -> Pack:
    client.force_login(pair.perf_a)
    with capture(execute=True):
        response = client.post(reverse("reporting:definition", args=[pair.definition.pk]), {"period": q2.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    pack = Pack.objects.get(definition=pair.definition, period=q2)
    assert pack.status == PackStatus.READY, pack.error
    with capture(execute=True):
        response = client.post(reverse("reporting:pack_issue", args=[pack.pk]), {"version": pack.version})
    assert response.status_code == 302
    pack.refresh_from_db()
    assert pack.status == PackStatus.ISSUED
    return pack


# -- the pack ------------------------------------------------------------------------------------------------------

def test_a_joint_report_is_one_pack_with_each_councils_sections_from_its_own_plans(pair, snap):
    assert snap["council"] == pair.a.name and pair.definition.council == pair.a  # the definition is untouched
    assert snap["joint"]["councils"] == [pair.a.name, pair.b.name]
    (b_part,) = snap["joint"]["others"]
    assert b_part["council"] == pair.b.name
    # each council's plan sections come from its own plans, its measures in the committee's remit only
    assert [p["title"] for p in snap["plans"]] == [pair.plans[pair.a.pk].title]
    assert [p["title"] for p in b_part["plans"]] == [pair.plans[pair.b.pk].title]
    assert _refs(snap) == {"JS-01", "NV-02"}
    assert _refs(b_part) == {"JS-01", "SM-02"}
    assert {a["ref"] for p in b_part["plans"] for a in p["actions"]} == {"SM-A1"}
    assert sum(snap["overview"]["rag_counts"].values()) == 2 and sum(b_part["overview"]["rag_counts"].values()) == 2
    # each council's own exceptions (Q2: its red KPIs)
    assert {e["row"]["ref"] for e in snap["exceptions"]["measures"]} == set()
    assert {e["row"]["ref"] for e in b_part["exceptions"]["measures"]} == {"JS-01", "SM-02"}


def test_a_report_of_one_council_has_no_joint_part(pair, q2):
    pair.definition.other_councils.clear()
    snapshot = packs.assemble(pair.definition, q2, as_of=AS_OF)
    assert "joint" not in snapshot and _refs(snapshot) == {"JS-01", "NV-02"}


def test_counts_are_combined_only_for_measures_both_councils_measure_the_same_way(pair, q2, snap):
    combined = snap["joint"]["combined"]
    assert "Combined where every council measures the same thing" in combined["rule"]
    assert [c["name"] for c in combined["councils"]] == [pair.a.name, pair.b.name]
    assert [c["rag_counts"]["green"] for c in combined["councils"]] == [2, 0]
    assert [c["rag_counts"]["red"] for c in combined["councils"]] == [0, 2]
    # only JS-01 is shared: the combined counts are its two ratings, not the four measures'
    assert [m["ref"] for m in combined["shared"]] == ["JS-01"]
    assert [(fig["council"], fig["value"], fig["rag_label"]) for fig in combined["shared"][0]["figures"]] == [
        (pair.a.name, "52", "Green"), (pair.b.name, "38", "Red")]
    assert combined["shared_rag_counts"] == {"green": 1, "amber": 0, "red": 1, "not_rated": 0, "missing": 0}

    # a different definition (or unit, or polarity) is not the same thing: nothing is added up
    Specification.objects.filter(indicator=pair.shared[pair.b.pk]).update(definition="Tonnes sent to landfill")
    combined = packs.assemble(pair.definition, q2, as_of=AS_OF)["joint"]["combined"]
    assert combined["shared"] == [] and sum(combined["shared_rag_counts"].values()) == 0
    assert [c["measures"] for c in combined["councils"]] == [2, 2]
    Specification.objects.filter(indicator=pair.shared[pair.b.pk]).update(definition="Test", unit="percent")
    assert packs.assemble(pair.definition, q2, as_of=AS_OF)["joint"]["combined"]["shared"] == []
    Specification.objects.filter(indicator=pair.shared[pair.b.pk]).update(unit="number", polarity="lower")
    assert packs.assemble(pair.definition, q2, as_of=AS_OF)["joint"]["combined"]["shared"] == []


def test_the_shared_table_marks_self_assessed_statuses_and_who_delivers_the_measure(pair, q2):
    """A narrative measure's own status keeps "(self-assessed)" in the joint table, the counts say how many are
    self-assessed, and a contractor's measure says who delivers it, in every format."""
    from pmf.models import Service

    Service.objects.filter(pk=pair.service.pk).update(kind="contract", provider="Greenway Environmental Ltd")
    for c in pair.councils:  # a narrative measure both measure, A's status computed, B's its officer's own
        ind = f.indicator(c, frequency="quarterly", service=pair.service, ref="JS-03", title="Bins returned",
                          is_qualitative=c == pair.b)
        ind.plan_items.add(pair.objective[c.pk])
        f.target(ind, 2026, 50)
        if c == pair.a:
            f.ret(ind, 2026, 2, 60)
        else:
            f.ret(ind, 2026, 2, self_assessed_rag="amber", commentary="Slipped: capacity.")
    snapshot = packs.assemble(pair.definition, q2, as_of=AS_OF)
    combined = snapshot["joint"]["combined"]
    assert [m["ref"] for m in combined["shared"]] == ["JS-01", "JS-03"]
    shared = combined["shared"][1]
    assert shared["delivered_by"] == "SLA KPI – delivered by Greenway Environmental Ltd"
    assert [(fig["rag_label"], fig["self_assessed"]) for fig in shared["figures"]] == [
        ("Green", False), ("Amber (self-assessed)", True)]
    assert [c["self_assessed"] for c in combined["councils"]] == [0, 1] and combined["shared_self_assessed"] == 1

    html = str(web.render_html_body(snapshot))
    table = html[html.index("pack-joint-shared"):]
    table = table[:table.index("</table>")]
    assert "Amber (self-assessed)" in table and "SLA KPI – delivered by Greenway Environmental Ltd" in table
    note = (f"self-assessed by their officers, not worked out from figures: 0 of {pair.a.name}'s and 1 of "
            f"{pair.b.name}'s, and 1 of the combined (shared measures)")
    assert note in unescape(html)
    document = Document(io.BytesIO(word.render_docx(snapshot)))
    docx_text = "\n".join([p.text for p in document.paragraphs]
                          + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert note in docx_text and "Amber (self-assessed)" in docx_text
    assert "JS-03 Bins returned\nSLA KPI – delivered by Greenway Environmental Ltd" in docx_text
    book = load_workbook(io.BytesIO(excel.render_xlsx(snapshot)), read_only=True, data_only=True)
    rows = list(book["Shared measures"].iter_rows(values_only=True))
    assert rows[1][-1] == "Delivered by"
    assert rows[3][-1] == "SLA KPI – delivered by Greenway Environmental Ltd" and "Amber (self-assessed)" in rows[3]


def test_a_report_of_three_councils_says_every_council_and_its_progress_only_goes_forward(pair, q2):
    third = f.council("Eastholme District Council")
    pair.committee.councils.add(third)
    pair.definition.other_councils.add(third)
    steps: list[int] = []
    snapshot = packs.assemble(pair.definition, q2, as_of=AS_OF, progress=lambda percent, step: steps.append(percent))
    assert snapshot["joint"]["councils"] == [pair.a.name, third.name, pair.b.name]
    assert steps == sorted(steps) and steps[-1] <= packs.COUNCIL_PROGRESS and steps[-1] >= 45, steps
    html = str(web.render_html_body(snapshot))
    assert "both councils" not in html
    assert "Measures every council measures the same way" in html
    assert f"{pair.a.name}, {third.name} and {pair.b.name} together" in html
    book = load_workbook(io.BytesIO(excel.render_xlsx(snapshot)), read_only=True, data_only=True)
    caption = next(book["Shared measures"].iter_rows(values_only=True))[0]
    assert "measures every council measures the same way" in caption
    docx_text = "\n".join(p.text for p in Document(io.BytesIO(word.render_docx(snapshot))).paragraphs)
    assert "both councils" not in docx_text and "Measures every council measures the same way" in docx_text


def test_the_web_page_shows_each_council_under_its_name_with_ids_that_never_clash(pair, snap):
    html = str(web.render_html_body(snap))
    for text in (pair.a.name, pair.b.name, "Combined where every council measures the same thing",
                 pair.plans[pair.a.pk].title, pair.plans[pair.b.pk].title, "NV-02", "SM-02"):
        assert text in html, text
    assert re.search(r'<h2 id="pack-council-1-h"[^>]*>' + re.escape(pair.a.name), html)
    assert re.search(r'<h2 id="pack-council-2-h"[^>]*>' + re.escape(pair.b.name), html)
    ids = Counter(re.findall(r'\bid="([^"]+)"', html))
    assert not [i for i, n in ids.items() if n > 1]
    for ref in re.findall(r'href="#([^"]+)"', html):  # every contents link reaches its section
        assert ids[ref] == 1, ref
    for labelled in re.findall(r'aria-labelledby="([^"]+)"', html):
        assert all(ids[i] == 1 for i in labelled.split()), labelled
    b_section = html[html.index('id="pack-council-2"'):]
    assert "SM-02" in b_section and "NV-02" not in b_section


def test_pdf_word_and_excel_hold_both_councils_names_and_figures(pair, snap):
    pdf = PdfReader(io.BytesIO(pdf_format.render_pdf(snap)))
    pdf_text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in pdf.pages))
    document = Document(io.BytesIO(word.render_docx(snap)))
    docx_text = "\n".join([p.text for p in document.paragraphs]
                          + [c.text for t in document.tables for r in t.rows for c in r.cells])
    book = load_workbook(io.BytesIO(excel.render_xlsx(snap)), read_only=True, data_only=True)
    sheets = {ws.title: [row for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    for text in (pair.a.name, pair.b.name, "Combined where every council measures the same thing",
                 pair.plans[pair.a.pk].title, pair.plans[pair.b.pk].title, "NV-02", "SM-02"):
        assert text in pdf_text, text
        assert text in docx_text, text
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert pair.a.name in headings and pair.b.name in headings
    codes = {name: excel.council_code(name) for name in (pair.a.name, pair.b.name)}
    assert f"{codes[pair.a.name]} Measures" in sheets and f"{codes[pair.b.name]} Measures" in sheets
    assert "Together" in sheets and "Shared measures" in sheets

    def figures(sheet):
        return {(row[1], row[10]) for row in sheets[sheet][2:] if row and row[1]}
    assert figures(f"{codes[pair.a.name]} Measures") == {("JS-01", "52"), ("NV-02", "90")}
    assert figures(f"{codes[pair.b.name]} Measures") == {("JS-01", "38"), ("SM-02", "70")}
    shared_rows = sheets["Shared measures"][2:]
    assert shared_rows[0][:4] == ("JS-01", "Household waste recycled", "Number", "52")


def test_the_joint_member_reads_the_joint_pack_in_every_format_and_others_do_not(
        client, pair, q2, django_capture_on_commit_callbacks):
    pack = _prepare_and_issue(client, pair, q2, django_capture_on_commit_callbacks)
    client.force_login(pair.member)
    archive = client.get(reverse("reporting:archive")).content.decode()
    assert pack.title in archive and pair.b.name in archive  # the Council column names both councils
    page = client.get(pack.get_absolute_url())
    body = page.content.decode()
    assert page.status_code == 200 and pair.a.name in body and pair.b.name in body and "SM-02" in body
    for fmt in ("pdf", "docx", "xlsx"):
        assert client.get(reverse("reporting:pack_file", args=[pack.pk, fmt])).status_code == 200, fmt

    # a member of the other council only reads it too (it covers their council); nobody at Harrowdale does
    b_only = f.user(pair.b, "scrutiny_member", committee=pair.committee)
    client.force_login(b_only)
    assert client.get(pack.get_absolute_url()).status_code == 200
    archive = client.get(reverse("reporting:archive")).content.decode()  # no Council column: the row says
    assert '<th scope="col">Council</th>' not in archive
    assert f"Joint report: {pair.a.name} and {pair.b.name}" in archive
    client.force_login(User.objects.get(username="helen.marsh"))
    assert client.get(pack.get_absolute_url()).status_code == 404
    assert client.get(reverse("reporting:pack_file", args=[pack.pk, "pdf"])).status_code == 404


def test_the_other_councils_performance_unit_reads_the_draft_and_only_the_issuer_acts(
        client, pair, q2, django_capture_on_commit_callbacks, monkeypatch):
    client.force_login(pair.perf_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:definition", args=[pair.definition.pk]), {"period": q2.pk})
    pack = Pack.objects.get(definition=pair.definition, period=q2)
    perf_b = f.user(pair.b, "performance_unit")
    client.force_login(perf_b)
    assert client.get(pack.get_absolute_url()).status_code == 200
    assert client.get(reverse("reporting:definition", args=[pair.definition.pk])).status_code == 200
    assert client.post(reverse("reporting:pack_issue", args=[pack.pk]), {"version": pack.version}).status_code == 403
    client.force_login(pair.member)  # a draft is not yet a committee paper
    assert client.get(pack.get_absolute_url()).status_code == 404


def test_issued_joint_packs_are_on_each_councils_public_site_only_when_published(
        client, pair, q2, django_capture_on_commit_callbacks):
    pack = _prepare_and_issue(client, pair, q2, django_capture_on_commit_callbacks)
    client.logout()
    for c in pair.councils:
        assert pack.title not in client.get(reverse("public:reports", args=[c.slug])).content.decode()
        assert client.get(reverse("public:report", args=[c.slug, pack.pk])).status_code == 404
    ReportDefinition.objects.filter(pk=pair.definition.pk).update(is_public=True)
    Pack.objects.filter(pk=pack.pk).update(is_public=True)
    for c in pair.councils:
        assert pack.title in client.get(reverse("public:reports", args=[c.slug])).content.decode()
        assert client.get(reverse("public:report", args=[c.slug, pack.pk])).status_code == 200
    assert client.get(reverse("public:report", args=["harrowdale", pack.pk])).status_code == 404


# -- the joint member's reading ------------------------------------------------------------------------------------

def _dashboard(client, year=2026, quarter=2) -> str:
    response = client.get(reverse("reporting:dashboard"), {"year": year, "quarter": quarter, "measures": "all"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_joint_member_reads_both_councils_measures_in_the_remit_labelled_and_nothing_else(client, pair):
    client.force_login(pair.member)
    body = _dashboard(client)
    table = body[body.index('id="measures-table"'):]
    table = table[:table.index("</table>")]
    assert '<th scope="col">Council</th>' in table
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    found = {(re.search(r">(\S+-\d+) ", r)[1], re.search(r'class="pmf-council">([^<]+)<', r)[1]) for r in rows
             if "pmf-council" in r}
    assert found == {("JS-01", pair.a.name), ("JS-01", pair.b.name), ("NV-02", pair.a.name),
                     ("SM-02", pair.b.name)}
    for c in pair.councils:
        for ind in (pair.shared[c.pk], pair.own[c.pk]):
            assert client.get(ind.get_absolute_url()).status_code == 200
        assert client.get(pair.outside[c.pk].get_absolute_url()).status_code == 404  # outside the remit
    harrowdale = Indicator.objects.filter(council__slug="harrowdale", is_headline=False).first()
    assert client.get(harrowdale.get_absolute_url()).status_code == 404
    assert client.get(reverse("reporting:scorecard", args=[pair.plans[pair.b.pk].pk])).status_code == 200


def test_a_member_of_one_council_sees_no_council_column(client, pair):
    one = f.user(pair.a, "scrutiny_member", committee=pair.committee)
    client.force_login(one)
    body = _dashboard(client)
    assert '<th scope="col">Council</th>' not in body and "pmf-council" not in body
    assert "NV-02" in body and "SM-02" not in body  # and reads only their own council's measures
    home = client.get(reverse("home")).content.decode()
    assert "pmf-council" not in home
    scorecard = client.get(reverse("reporting:scorecard", args=[pair.plans[pair.a.pk].pk])).content.decode()
    assert 'id="scorecard-council"' not in scorecard


def test_pages_label_each_council_when_two_are_in_view(client, pair):
    lead = f.user(pair.a, "service_lead", service=pair.service)
    RoleAssignment.objects.create(user=lead, council=pair.b, role="service_lead", service=pair.service)
    Indicator.objects.filter(pk__in=[pair.shared[pair.a.pk].pk, pair.shared[pair.b.pk].pk]).update(is_headline=True)
    client.force_login(lead)
    home = client.get(reverse("home")).content.decode()
    assert f'<td class="pmf-council">{pair.a.name}</td>' in home
    assert f'<td class="pmf-council">{pair.b.name}</td>' in home
    scorecard = client.get(reverse("reporting:scorecard", args=[pair.plans[pair.b.pk].pk])).content.decode()
    assert 'id="scorecard-council"' in scorecard and pair.b.name in scorecard
    listing = client.get(reverse("indicators:list")).content.decode()
    assert f'<td class="pmf-council">{pair.b.name}</td>' in listing


def test_the_shared_directors_sign_off_queue_and_the_audit_trail_name_each_council(client, pair):
    director = f.user(pair.a, "director", directorate=pair.directorate)
    RoleAssignment.objects.create(user=director, council=pair.b, role="director", directorate=pair.directorate)
    for c in pair.councils:
        f.ret(pair.own[c.pk], 2026, 3, 75, state="submitted")
    client.force_login(director)
    queue = client.get(reverse("indicators:sign_off")).content.decode()
    rows = re.findall(r"<tr>(.*?)</tr>", queue, re.S)
    assert any("NV-02" in r and f'pmf-council">{pair.a.name}<' in r for r in rows)
    assert any("SM-02" in r and f'pmf-council">{pair.b.name}<' in r for r in rows)

    perf_both = f.user(pair.a, "performance_unit")
    RoleAssignment.objects.create(user=perf_both, council=pair.b, role="performance_unit")
    client.force_login(pair.perf_a)
    client.post(reverse("reporting:definition_edit", args=[pair.definition.pk]),
                _form(pair, name=pair.definition.name, version=pair.definition.version))
    client.force_login(perf_both)
    trail = client.get(reverse("audit")).content.decode()
    assert '<th scope="col">Council</th>' in trail and f'<td class="pmf-council">{pair.a.name}</td>' in trail
    client.force_login(pair.perf_a)  # one council: no column
    assert '<th scope="col">Council</th>' not in client.get(reverse("audit")).content.decode()


def test_the_joint_dashboard_reads_a_fixed_number_of_queries(client, pair):
    client.force_login(pair.member)
    _dashboard(client)
    with CaptureQueriesContext(connection) as before:
        _dashboard(client)
    f.copy_measures(Indicator.objects.filter(council__in=pair.councils))
    with CaptureQueriesContext(connection) as after:
        body = _dashboard(client)
    assert "JS-01-c2" in body
    assert len(after.captured_queries) == len(before.captured_queries)


# -- setting the report up ------------------------------------------------------------------------------------------

def _form(pair, **changes) -> dict:
    data = {"name": "Joint report 2", "report_type": "scrutiny", "scope": "committee", "committee": pair.committee.pk,
            "other_councils": [pair.b.pk], "kpis_only": "on", "sections": ["overview", "plans"], "is_active": "on"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_performance_unit_chooses_the_councils_a_report_also_covers(client, pair):
    client.force_login(pair.perf_a)
    url = reverse("reporting:definition_add") + f"?council={pair.a.pk}"
    form = client.get(url).content.decode()
    assert pair.b.name in form and "Harrowdale" not in form.split('name="other_councils"', 1)[-1][:2000]
    response = client.post(url, _form(pair))
    assert response.status_code == 302
    saved = ReportDefinition.objects.get(council=pair.a, name="Joint report 2")
    assert list(saved.other_councils.all()) == [pair.b]
    entry = AuditEntry.objects.get(object_type="reporting.ReportDefinition", object_id=str(saved.pk))
    assert entry.changes["other_councils"] == [None, pair.b.name]
    detail = client.get(reverse("reporting:definition", args=[saved.pk])).content.decode()
    assert "Also covers" in detail and pair.b.name in detail


def test_a_council_that_shares_no_committee_is_refused_naming_the_field(client, pair):
    client.force_login(pair.perf_a)
    url = reverse("reporting:definition_add") + f"?council={pair.a.pk}"
    harrowdale = Council.objects.get(slug="harrowdale")
    response = client.post(url, _form(pair, other_councils=[harrowdale.pk]))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Also covers:" in body and "is not a council that shares a committee with this council" in body
    assert not ReportDefinition.objects.filter(name="Joint report 2").exists()


def _refused(response, council) -> str:
    assert response.status_code == 400
    errors = response.context["form"].errors["other_councils"]
    assert any(f"This report cannot also cover {council.name}" in e for e in errors), errors
    body = response.content.decode()
    assert "Also covers:" in body and f"This report cannot also cover {council.name}" in body
    return body


def test_another_council_is_covered_only_in_a_joint_committees_remit_or_by_its_performance_unit(client, pair):
    """A's performance unit may not make a whole-council (or directorate, or service) report that also covers B:
    B's measures, risks and finance would reach A's draft readers and B's public site. Within the joint
    committee's remit it may; so may someone in both councils' performance units."""
    client.force_login(pair.perf_a)
    url = reverse("reporting:definition_add") + f"?council={pair.a.pk}"
    for scope, named in (("all", {}), ("directorate", {"directorate": pair.directorate.pk}),
                         ("service", {"service": pair.service.pk})):
        _refused(client.post(url, _form(pair, scope=scope, committee=None, kpis_only=None, **named)), pair.b)
        assert not ReportDefinition.objects.filter(name="Joint report 2").exists(), scope
    response = client.post(url, _form(pair))  # the joint committee's remit
    assert response.status_code == 302
    assert list(ReportDefinition.objects.get(name="Joint report 2").other_councils.all()) == [pair.b]

    both = f.user(pair.a, "performance_unit")
    RoleAssignment.objects.create(user=both, council=pair.b, role="performance_unit")
    client.force_login(both)
    response = client.post(url, _form(pair, name="Both councils", scope="all", committee=None))
    assert response.status_code == 302
    assert list(ReportDefinition.objects.get(name="Both councils").other_councils.all()) == [pair.b]


def test_the_rule_is_checked_again_where_the_report_is_saved(client, pair, monkeypatch):
    from reporting.forms import ReportDefinitionForm

    monkeypatch.setattr(ReportDefinitionForm, "_check_other_councils", lambda self, data: None)
    client.force_login(pair.perf_a)
    url = reverse("reporting:definition_add") + f"?council={pair.a.pk}"
    _refused(client.post(url, _form(pair, scope="all", committee=None)), pair.b)
    assert not ReportDefinition.objects.filter(name="Joint report 2").exists()
    _refused(client.post(reverse("reporting:definition_edit", args=[pair.definition.pk]),
                         _form(pair, name=pair.definition.name, scope="all", committee=None,
                               version=pair.definition.version)), pair.b)
    pair.definition.refresh_from_db()
    assert pair.definition.scope == "committee" and pair.definition.version == 1
    assert not AuditEntry.objects.filter(object_type="reporting.ReportDefinition",
                                         object_id=str(pair.definition.pk)).exists()


def test_editing_a_report_keeps_a_council_its_performance_unit_chose_but_adds_none(client, pair):
    """A council added by its own performance unit, sharing no committee with the issuing council, stays on the
    report when the issuing council's performance unit edits it, as long as the edit covers no more of it."""
    third = f.council("Eastholme District Council")
    both = f.user(pair.a, "performance_unit")
    RoleAssignment.objects.create(user=both, council=third, role="performance_unit")
    client.force_login(both)
    url = reverse("reporting:definition_add") + f"?council={pair.a.pk}"
    response = client.post(url, _form(pair, name="With Eastholme", scope="all", committee=None,
                                      other_councils=[third.pk]))
    assert response.status_code == 302
    definition = ReportDefinition.objects.get(name="With Eastholme")

    client.force_login(pair.perf_a)
    edit = reverse("reporting:definition_edit", args=[definition.pk])
    form = client.get(edit).content.decode()
    assert re.search(rf'value="{third.pk}"[^>]*checked', form)  # offered, and ticked
    keep = _form(pair, name="With Eastholme", scope="all", committee=None, other_councils=[third.pk])
    response = client.post(edit, {**keep, "name": "Renamed", "version": 1})
    assert response.status_code == 302
    definition.refresh_from_db()
    assert definition.name == "Renamed" and list(definition.other_councils.all()) == [third]
    # covering more of it (every measure, or on its public site) needs its performance unit; so does adding B
    for more in ({"kpis_only": None}, {"is_public": "on"}, {"sections": ["overview", "plans", "finance"]},
                 {"other_councils": [third.pk, pair.b.pk]}):
        data = {k: v for k, v in {**keep, "name": "Renamed", "version": 2, **more}.items() if v is not None}
        body = _refused(client.post(edit, data),
                        pair.b if "other_councils" in more else third)
        if "other_councils" in more:
            assert f"cannot also cover {third.name}" not in body  # kept, as before
    definition.refresh_from_db()
    assert definition.version == 2 and definition.kpis_only and not definition.is_public
    assert list(definition.other_councils.all()) == [third]


def test_a_committee_of_one_council_or_a_portfolio_cannot_cover_another_council(client, pair):
    from pmf.models import Committee, Portfolio

    client.force_login(pair.perf_a)
    url = reverse("reporting:definition_add") + f"?council={pair.a.pk}"
    own = Committee.objects.create(name="Northvale scrutiny only", kind="scrutiny")
    own.councils.add(pair.a)
    response = client.post(url, _form(pair, committee=own.pk))
    assert response.status_code == 400
    assert f"The committee {own.name} is not {pair.b.name}" in response.content.decode()
    portfolio = Portfolio.objects.create(council=pair.a, name="Environment")
    response = client.post(url, _form(pair, scope="portfolio", committee=None, portfolio=portfolio.pk))
    assert response.status_code == 400 and "covers one council only" in response.content.decode()
    assert not ReportDefinition.objects.filter(name="Joint report 2").exists()


# -- the demo pair, when the demo has it ----------------------------------------------------------------------------

def test_the_demo_pairs_joint_report_covers_both_councils(client, q2):
    """Against the demo's Wyebridge and Vale of Ashcombe (demo/pair.py) where the test database has them."""
    definition = ReportDefinition.objects.filter(name__startswith="Joint scrutiny report", council__slug="wyebridge") \
        .first()
    if definition is None or not definition.other_councils.exists():
        pytest.skip("the demo pair is not loaded in this database")
    names = [definition.council.name, *definition.other_councils.order_by("name").values_list("name", flat=True)]
    # it keeps to the rule: its other council is within the joint committee's remit, so the issuing council's
    # performance unit alone may set it up
    from reporting.access import councils_refused

    issuer_only = f.user(definition.council, "performance_unit")
    data = {"scope": definition.scope, "committee": definition.committee,
            "other_councils": list(definition.other_councils.all())}
    assert councils_refused(issuer_only, definition.council, data) == []
    assert councils_refused(issuer_only, definition.council, {**data, "scope": "all"}) == data["other_councils"]
    snapshot = packs.assemble(definition, q2, as_of=AS_OF)
    assert snapshot["joint"]["councils"] == names
    assert all(part["plans"] for part in web.council_parts(snapshot))  # plan sections for each council
    assert snapshot["joint"]["combined"]["shared"]  # the shared catalogue's measures are combined
    member = User.objects.filter(username="rhys.penrose").first()
    if member is not None:
        client.force_login(member)
        body = _dashboard(client)
        assert all(f'class="pmf-council">{name}<' in body for name in names)
        harrowdale = Indicator.objects.filter(council__slug="harrowdale", is_headline=False).first()
        assert client.get(harrowdale.get_absolute_url()).status_code == 404
