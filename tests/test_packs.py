"""Issue 5: report packs, in process (no REDIS_URL: Celery runs the tasks eagerly when the transaction commits).

The Q2 2026/27 Cabinet pack of the demo council: prepared from a page, issued, frozen; its PDF, Word and Excel
hold the same figures, and the same figures as the dashboard wherever the dashboard's figure is approved (the
pack lists the others as awaiting sign-off); its exception pages are exactly what the D3 rules select; a job
run twice makes one pack; a failed job says why and can be retried; an issued pack never changes.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from indicators import services as return_services
from indicators.choices import IndicatorKind, Rag, ReturnState
from indicators.models import Indicator, Return
from indicators.selectors import APPROVED_ONLY, load_series
from plans.assessment import ActionStatus, action_status
from plans.models import Action
from pmf.models import Council, Period, User
from reporting import packs, services
from reporting.models import Pack, PackFile, PackStatus, ReportDefinition
from reporting.rendering import excel, word
from reporting.rendering import pdf as pdf_format
from reporting.selectors import quarter_assessment
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return Council.objects.get(slug="harrowdale")


@pytest.fixture
def cabinet(council):
    return ReportDefinition.objects.get(council=council, report_type="cabinet")


def _quarter(year: int, number: int) -> Period:
    return Period.objects.get(financial_year_id=year, frequency="quarterly", number=number)


@pytest.fixture
def q2():
    return _quarter(2026, 2)


@pytest.fixture
def perf(client):
    client.force_login(User.objects.get(username="helen.marsh"))
    return client


def _stand_in_formats(monkeypatch) -> None:
    def fake(kind):
        def render(snapshot, *, draft=False, **kwargs):
            return f"{kind} {snapshot['title']} {'draft' if draft else 'final'}".encode()
        return render

    monkeypatch.setattr(pdf_format, "render_pdf", fake("%PDF"))
    monkeypatch.setattr(word, "render_docx", fake("docx"))
    monkeypatch.setattr(excel, "render_xlsx", fake("xlsx"))
    monkeypatch.setattr(pdf_format, "count_pdf_pages", lambda pdf: 1)


@pytest.fixture
def fast_formats(monkeypatch):
    """Small stand-ins for the three renderers, for tests about the job, the archive or the rules rather than
    the files (the files are tested by the Q2 Cabinet test below and tests/test_rendering.py); each output still
    differs by pack and by draft or final, so a test can tell which was written."""
    _stand_in_formats(monkeypatch)


def _prepare(perf, definition, period, capture) -> Pack:
    with capture(execute=True):
        response = perf.post(reverse("reporting:definition", args=[definition.pk]), {"period": period.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Pack.objects.get(definition=definition, period=period, status__in=["ready", "failed"])


def _issue(perf, pack, capture) -> Pack:
    with capture(execute=True):
        response = perf.post(reverse("reporting:pack_issue", args=[pack.pk]), {"version": pack.version})
    assert response.status_code == 302
    pack.refresh_from_db()
    return pack


def _pdf_text(pack: Pack) -> str:
    with pack.files.get(format="pdf").file.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def _docx_text(pack: Pack) -> str:
    with pack.files.get(format="docx").file.open("rb") as fh:
        document = Document(io.BytesIO(fh.read()))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _xlsx_cells(pack: Pack) -> dict[str, list[tuple]]:
    with pack.files.get(format="xlsx").file.open("rb") as fh:
        book = load_workbook(io.BytesIO(fh.read()), read_only=True, data_only=True)
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# -- the Q2 Cabinet pack, end to end ----------------------------------------------------------------------------

def test_q2_cabinet_pack_is_prepared_issued_and_every_format_holds_the_same_figures(
        perf, cabinet, q2, monkeypatch, django_capture_on_commit_callbacks):
    # The draft's files are stand-ins: the issued files below are the real ones, from the same snapshot (drafts in
    # every real format are tested in tests/test_rendering.py and, for this pack, by tests/test_packs_live.py).
    with monkeypatch.context() as draft_formats:
        _stand_in_formats(draft_formats)
        pack = _prepare(perf, cabinet, q2, django_capture_on_commit_callbacks)
    assert pack.status == PackStatus.READY, pack.error
    assert pack.title == "Cabinet quarterly performance report: Q2 2026/27"
    snap = pack.snapshot
    assert {row.format for row in pack.files.all()} == {"pdf", "docx", "xlsx"}
    page = perf.get(pack.get_absolute_url())
    assert page.status_code == 200 and "Draft: not issued" in page.content.decode()

    pack = _issue(perf, pack, django_capture_on_commit_callbacks)
    assert pack.status == PackStatus.ISSUED and pack.issue_number == 1 and pack.issued_by.username == "helen.marsh"
    assert pack.snapshot == snap  # issuing freezes the draft's figures, it does not read them again

    rows = [m for plan in snap["plans"] for m in plan["measures"]]
    assert rows and all(m["is_kpi"] for m in rows)
    pdf, docx, sheets = _squash(_pdf_text(pack)), _docx_text(pack), _xlsx_cells(pack)
    assert pack.files.get(format="pdf").pages == len(PdfReader(pack.files.get(format="pdf").file.open("rb")).pages)
    assert pack.files.get(format="pdf").pages > 5
    annex = [cell for sheet in sheets.values() for row in sheet for cell in row if cell is not None]
    annex_text = {str(c) for c in annex}
    for m in rows:
        for text in (m["value"], m["target"], m["rag_label"]):
            assert _squash(text) in pdf, (m["ref"], text)
            assert text in docx, (m["ref"], text)
        assert m["ref"] in pdf and m["ref"] in docx and any(m["ref"] in t for t in annex_text)
        if m["value_raw"] is not None:
            assert any(isinstance(c, int | float) and abs(float(c) - float(m["value_raw"])) < 1e-9 for c in annex), m
    for key, count in snap["overview"]["rag_counts"].items():
        assert isinstance(count, int) and key in ("green", "amber", "red", "not_rated", "missing")

    # the web page shows the same figures
    body = perf.get(pack.get_absolute_url()).content.decode()
    assert "Issued" in body
    for m in rows[:10]:
        assert m["value"] in body and m["rag_label"] in body


def test_pack_figures_equal_the_dashboards_where_approved_and_name_the_rest(perf, council, cabinet, q2):
    """The dashboard shows the current position (submitted and approved figures); a committee pack uses approved
    figures only (D2): every measure agrees with the dashboard, or is listed as awaiting sign-off."""
    snap = packs.assemble(cabinet, q2, as_of=date(2026, 11, 16))
    response = perf.get(reverse("reporting:dashboard"), {"year": 2026, "quarter": 2, "measures": "kpi"})
    dashboard = {}
    for number in range(1, response.context["page_obj"].paginator.num_pages + 1):
        page = perf.get(reverse("reporting:dashboard"),
                        {"year": 2026, "quarter": 2, "measures": "kpi", "page": number})
        for row in page.context["page_obj"]:
            dashboard[row.indicator.ref] = row
    pack_rows = {m["ref"]: m for plan in snap["plans"] for m in plan["measures"]}
    kpis = Indicator.objects.filter(council=council, kind=IndicatorKind.KPI, current_spec__isnull=False)
    restricted = set(kpis.filter(is_restricted=True).values_list("ref", flat=True))
    assert set(dashboard) == set(kpis.values_list("ref", flat=True))
    assert cabinet.is_public and restricted  # a published report leaves restricted measures out
    for ref in restricted:
        dashboard.pop(ref)
    kpis = set(dashboard)
    overview = snap["overview"]["rag_counts"]
    assert sum(overview.values()) == len(kpis)
    missing = {m["ref"]: m["reason"] for m in snap["missing"]}
    agreed = awaiting = 0
    for ref, row in dashboard.items():
        mine = pack_rows[ref]
        if row.assessment.self_assessed and row.assessment.ret.state == ReturnState.APPROVED:
            # a narrative measure: no figure, the status its officer chose, marked so (B1)
            assert mine["value_raw"] is None and mine["rag"] == str(row.assessment.rag), ref
            assert mine["rag_label"].endswith("(self-assessed)") and mine["self_assessed"], ref
            agreed += 1
        elif row.assessment.ret is not None and row.assessment.ret.state == ReturnState.APPROVED:
            assert mine["value_raw"] is not None and float(mine["value_raw"]) == float(row.assessment.value), ref
            assert mine["rag"] == ("not_rated" if row.assessment.rag == Rag.MEASURED else str(row.assessment.rag))
            agreed += 1
        elif row.assessment.value is not None:
            assert mine["value"] == "M" and missing[ref].startswith("Awaiting sign-off"), ref
            awaiting += 1
    assert agreed > 40 and awaiting >= 1  # the demo has Q2 figures still awaiting sign-off


# -- D3: the exception rules -------------------------------------------------------------------------------------

def _approved_series(council, definition):
    """Every measure of the council with its approved figures; a published report leaves restricted ones out."""
    qs = Indicator.objects.filter(council=council, current_spec__isnull=False)
    if definition.is_public:
        qs = qs.filter(is_restricted=False)
    return load_series(qs, states=APPROVED_ONLY)


def _slipped_gt3(council, period_end: date, year: int) -> set[str]:
    out = set()
    for a in Action.objects.filter(council=council):
        if a.completed_on is not None and a.completed_on < date(year, 4, 1):
            continue
        status = action_status(as_of=period_end, start=a.start, approved_end=a.approved_end,
                               forecast_end=a.forecast_end, completed_on=a.completed_on,
                               no_longer_viable=a.no_longer_viable)
        if status == ActionStatus.SLIPPED_GT3:
            out.add(a.ref)
    return out


@pytest.mark.parametrize(("year", "quarter"), [(2026, 2), (2025, 4)])
def test_q2_and_q4_exceptions_are_exactly_the_red_kpis_and_actions_slipped_over_3_months(council, cabinet,
                                                                                         year, quarter):
    period = _quarter(year, quarter)
    snap = packs.assemble(cabinet, period, as_of=date(2026, 11, 16))
    expected = {s.indicator.ref for s in _approved_series(council, cabinet) if s.indicator.kind == IndicatorKind.KPI
                and (a := quarter_assessment(s, year_start=year, quarter=quarter)).value is not None
                and a.rag == Rag.RED}
    chosen = {e["row"]["ref"] for e in snap["exceptions"]["measures"]}
    assert chosen == expected and expected
    assert {e["action"]["ref"] for e in snap["exceptions"]["actions"]} == _slipped_gt3(council, period.end, year)
    for e in snap["exceptions"]["measures"]:
        assert e["row"]["rag_label"] == "Red" and e["chart"]["labels"] and e["sign_off"]
        assert e["sign_off"].startswith("Approved by ")
    assert f"Q{quarter}: every KPI that is Red" in snap["exception_rule"]


@pytest.mark.parametrize(("year", "quarter", "before"), [(2026, 1, (2025, 4)), (2025, 3, (2025, 2))])
def test_q1_and_q3_exceptions_are_every_measure_red_at_the_previous_quarter(council, cabinet, year, quarter, before):
    period = _quarter(year, quarter)
    snap = packs.assemble(cabinet, period, as_of=date(2026, 11, 16))
    expected = {s.indicator.ref for s in _approved_series(council, cabinet)
                if (a := quarter_assessment(s, year_start=before[0], quarter=before[1])).value is not None
                and a.rag == Rag.RED}
    chosen = {e["row"]["ref"] for e in snap["exceptions"]["measures"]}
    assert chosen == expected
    assert any(not e["row"]["is_kpi"] for e in snap["exceptions"]["measures"])  # KPI or not
    assert all(e["previous_rag_label"] == "Red" and e["progress"].startswith(f"Red at Q{before[1]}")
               for e in snap["exceptions"]["measures"])


def test_q2_pack_carries_last_years_benchmarking_and_other_quarters_do_not(cabinet):
    q2 = packs.assemble(cabinet, _quarter(2026, 2), as_of=date(2026, 11, 16))
    q1 = packs.assemble(cabinet, _quarter(2026, 1), as_of=date(2026, 11, 16))
    assert q2["benchmarking"] and not q1["benchmarking"]
    assert {b["year_label"] for b in q2["benchmarking"]} == {"2025/26"}
    assert all(re.fullmatch(r"\d+(st|nd|rd|th) of \d+|Not ranked", b["rank"]) for b in q2["benchmarking"])


def test_scopes_restrict_the_measures(council, q2):
    portfolio = ReportDefinition.objects.filter(council=council, report_type="portfolio").first()
    scrutiny = ReportDefinition.objects.filter(council=council, report_type="scrutiny").first()
    directorate = ReportDefinition.objects.filter(council=council, report_type="directorate").first()
    cabinet = ReportDefinition.objects.get(council=council, report_type="cabinet")
    as_of = date(2026, 11, 16)
    whole = {m["ref"] for p in packs.assemble(cabinet, q2, as_of=as_of)["plans"] for m in p["measures"]}
    for definition in (portfolio, scrutiny, directorate):
        snap = packs.assemble(definition, q2, as_of=as_of)
        refs = {m["ref"] for p in snap["plans"] for m in p["measures"]}
        in_scope = set(packs.scope_indicators(definition, packs._scope_paths(definition)).values_list("ref",
                                                                                                    flat=True))
        assert refs and refs <= in_scope, definition
    assert sum(1 for _ in whole) > len({m["ref"] for p in packs.assemble(portfolio, q2, as_of=as_of)["plans"]
                                         for m in p["measures"]})


def test_a_public_report_leaves_restricted_measures_out(council, cabinet, q2):
    restricted = Indicator.objects.filter(council=council, kind=IndicatorKind.KPI).first()
    Indicator.objects.filter(pk=restricted.pk).update(is_restricted=True)
    cabinet.is_public = True
    snap = packs.assemble(cabinet, q2, as_of=date(2026, 11, 16))
    assert restricted.ref not in {m["ref"] for p in snap["plans"] for m in p["measures"]}
    cabinet.is_public = False
    snap = packs.assemble(cabinet, q2, as_of=date(2026, 11, 16))
    assert restricted.ref in {m["ref"] for p in snap["plans"] for m in p["measures"]}


def test_assembly_reads_a_fixed_number_of_queries_whatever_the_number_of_measures(
        council, cabinet, q2, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    packs.assemble(cabinet, q2, as_of=date(2026, 11, 16))  # the definition's council, cached from now on
    with CaptureQueriesContext(connection) as before:
        first = packs.assemble(cabinet, q2, as_of=date(2026, 11, 16))
    f.copy_measures(Indicator.objects.filter(council=council), actions=Action.objects.filter(council=council))
    with django_assert_num_queries(len(before.captured_queries)):
        snap = packs.assemble(cabinet, q2, as_of=date(2026, 11, 16))
    assert sum(snap["overview"]["rag_counts"].values()) == 3 * sum(first["overview"]["rag_counts"].values())
    assert len(snap["exceptions"]["measures"]) == 3 * len(first["exceptions"]["measures"])


# -- one pack, never two; failures; recovery ---------------------------------------------------------------------

def test_asking_twice_and_running_twice_make_one_pack(fast_formats, cabinet, q2,
                                                       django_capture_on_commit_callbacks):
    helen = User.objects.get(username="helen.marsh")
    with django_capture_on_commit_callbacks(execute=True):
        first = services.request_pack(cabinet, q2, user=helen)
        second = services.request_pack(cabinet, q2, user=helen)
    assert first.pk == second.pk
    assert Pack.objects.filter(definition=cabinet, period=q2).count() == 1
    first.refresh_from_db()
    files = {row.format: row.sha256 for row in first.files.all()}
    assert first.status == PackStatus.READY and len(files) == 3
    assert services.run_job(first.pk).startswith("skipped")  # a second delivery of the same task
    assert {row.format: row.sha256 for row in first.files.all()} == files
    assert PackFile.objects.filter(pack=first).count() == 3


def test_a_job_that_lost_its_claim_writes_nothing(fast_formats, cabinet, q2, monkeypatch):
    pack = Pack.objects.create(definition=cabinet, council=cabinet.council, period=q2, title="t")
    real = pdf_format.render_pdf

    def taken_over(snapshot, **kwargs):  # meanwhile, the job was given up for dead and claimed again
        Pack.objects.filter(pk=pack.pk).update(claim="another-attempt")
        return real(snapshot, **kwargs)

    monkeypatch.setattr(pdf_format, "render_pdf", taken_over)
    assert services.run_job(pack.pk).startswith("lost")
    pack.refresh_from_db()
    assert pack.snapshot is None and not pack.files.exists() and pack.claim == "another-attempt"


def test_a_stale_running_job_is_claimed_again_and_a_live_one_is_not(fast_formats, cabinet, q2):
    pack = Pack.objects.create(definition=cabinet, council=cabinet.council, period=q2, title="t",
                               status=PackStatus.RUNNING, claim="old", heartbeat_at=timezone.now())
    assert services.run_job(pack.pk).startswith("skipped")
    Pack.objects.filter(pk=pack.pk).update(heartbeat_at=timezone.now() - services.STALE_AFTER - timedelta(seconds=1))
    assert services.run_job(pack.pk) == f"done: pack {pack.pk}"
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY and pack.attempts == 1


def test_a_restarted_worker_requeues_what_it_was_running(fast_formats, cabinet, q2,
                                                        django_capture_on_commit_callbacks):
    pack = Pack.objects.create(definition=cabinet, council=cabinet.council, period=q2, title="t",
                               status=PackStatus.RUNNING, claim="dead", worker="celery@box",
                               heartbeat_at=timezone.now(), progress=40)
    other = Pack.objects.create(definition=ReportDefinition.objects.get(council=cabinet.council,
                                                                        report_type="exception"),
                                council=cabinet.council, period=q2, title="u", status=PackStatus.RUNNING,
                                claim="alive", worker="celery@elsewhere", heartbeat_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_for_worker("celery@box") == [pack.pk]
    pack.refresh_from_db()
    other.refresh_from_db()
    assert pack.status == PackStatus.READY and pack.files.count() == 3
    assert other.status == PackStatus.RUNNING  # another worker's job is left alone


def test_a_failed_job_shows_why_and_can_be_retried(fast_formats, perf, cabinet, q2, monkeypatch,
                                                    django_capture_on_commit_callbacks):
    working = word.render_docx

    def broken(*args, **kwargs):
        raise ValueError("the council's Word template is damaged")

    monkeypatch.setattr(word, "render_docx", broken)
    pack = _prepare(perf, cabinet, q2, django_capture_on_commit_callbacks)
    assert pack.status == PackStatus.FAILED
    page = perf.get(pack.get_absolute_url()).content.decode()
    assert "Failed." in page and "the council&#x27;s Word template is damaged" in page and ">Retry</button>" in page
    monkeypatch.setattr(word, "render_docx", working)  # the template is put right
    with django_capture_on_commit_callbacks(execute=True):
        response = perf.post(reverse("reporting:pack_retry", args=[pack.pk]))
    assert response.status_code == 302
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY and pack.attempts == 2 and not pack.error


def test_progress_is_polled_while_the_job_runs_and_stops_when_it_ends(perf, cabinet, q2):
    pack = Pack.objects.create(definition=cabinet, council=cabinet.council, period=q2, title="t",
                               status=PackStatus.RUNNING, progress=55, step="Writing the PDF")
    response = perf.get(reverse("reporting:pack_progress", args=[pack.pk]), {"was": "running"})
    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body and "55% done" in body and "Writing the PDF" in body
    assert 'value="55"' in body and "HX-Refresh" not in response
    Pack.objects.filter(pk=pack.pk).update(status=PackStatus.FAILED, error="ValueError: broken")
    response = perf.get(reverse("reporting:pack_progress", args=[pack.pk]), {"was": "running"})
    assert response["HX-Refresh"] == "true" and "every 1s" not in response.content.decode()
    assert "ValueError: broken" in response.content.decode()


# -- issue and archive (D7) -------------------------------------------------------------------------------------

def test_an_issued_pack_never_changes(fast_formats, perf, cabinet, q2, django_capture_on_commit_callbacks):
    pack = _issue(perf, _prepare(perf, cabinet, q2, django_capture_on_commit_callbacks),
                  django_capture_on_commit_callbacks)
    snap = pack.snapshot
    files = {row.format: row.sha256 for row in pack.files.all()}
    # a figure in the pack changes afterwards (reopened and corrected): the issued pack does not
    ret = Return.objects.filter(indicator__council=cabinet.council, state=ReturnState.APPROVED,
                                period__financial_year_id=2026, period__number=6,
                                indicator__kind=IndicatorKind.KPI).first()
    helen = User.objects.get(username="helen.marsh")
    ret = return_services.reopen_return(user=helen, ret=ret, version=ret.version, reason="Corrected by the supplier")
    Return.objects.filter(pk=ret.pk).update(value=(ret.value or 0) + 1000, state=ReturnState.APPROVED,
                                            approved_by=helen, approved_at=timezone.now())
    pack.refresh_from_db()
    assert pack.snapshot == snap and {r.format: r.sha256 for r in pack.files.all()} == files
    # and the database refuses any change to it, whatever writes
    for change in ({"snapshot": {}}, {"title": "Edited"}, {"status": "ready"}):
        with pytest.raises(DatabaseError), transaction.atomic():
            Pack.objects.filter(pk=pack.pk).update(**change)
    with pytest.raises(DatabaseError), transaction.atomic():
        PackFile.objects.filter(pack=pack).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Pack.objects.filter(pk=pack.pk).delete()
    # a new draft for the same quarter can be prepared and issued as issue 2
    second = _issue(perf, _prepare(perf, cabinet, q2, django_capture_on_commit_callbacks),
                    django_capture_on_commit_callbacks)
    assert second.pk != pack.pk and second.issue_number == 2


def test_issuing_asks_first_and_refuses_a_stale_or_unready_draft(fast_formats, perf, cabinet, q2,
                                                                  django_capture_on_commit_callbacks):
    pack = _prepare(perf, cabinet, q2, django_capture_on_commit_callbacks)
    confirm = perf.get(reverse("reporting:pack_issue", args=[pack.pk]))
    assert confirm.status_code == 200 and "Issuing cannot be undone" in confirm.content.decode()
    response = perf.post(reverse("reporting:pack_issue", args=[pack.pk]), {"version": pack.version - 1},
                         follow=True)
    assert "changed since you opened it" in response.content.decode()
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY


def test_the_archive_lists_packs_by_year_quarter_and_committee_and_searches(fast_formats, perf, council, q2,
                                                                             django_capture_on_commit_callbacks):
    scrutiny = ReportDefinition.objects.filter(council=council, report_type="scrutiny").first()
    cabinet = ReportDefinition.objects.get(council=council, report_type="cabinet")
    _issue(perf, _prepare(perf, cabinet, q2, django_capture_on_commit_callbacks), django_capture_on_commit_callbacks)
    _prepare(perf, scrutiny, _quarter(2026, 1), django_capture_on_commit_callbacks)
    url = reverse("reporting:archive")
    assert {p.title for p in perf.get(url).context["page_obj"]} >= {
        "Cabinet quarterly performance report: Q2 2026/27", f"{scrutiny.name}: Q1 2026/27"}
    assert [p.title for p in perf.get(url, {"quarter": 1}).context["page_obj"]] == [f"{scrutiny.name}: Q1 2026/27"]
    assert [p.title for p in perf.get(url, {"committee": scrutiny.committee_id}).context["page_obj"]] == [
        f"{scrutiny.name}: Q1 2026/27"]
    assert [p.title for p in perf.get(url, {"q": "cabinet"}).context["page_obj"]] == [
        "Cabinet quarterly performance report: Q2 2026/27"]
    assert perf.get(url, {"year": "nonsense", "quarter": "9"}).status_code == 200
    # a scrutiny member sees the issued pack, not the draft
    perf.force_login(User.objects.get(username="gareth.whitlow"))
    titles = [p.title for p in perf.get(url).context["page_obj"]]
    assert titles == ["Cabinet quarterly performance report: Q2 2026/27"]
    draft = Pack.objects.get(definition=scrutiny)
    assert perf.get(draft.get_absolute_url()).status_code == 404


def test_public_site_lists_issued_packs_of_published_reports_only(fast_formats, perf, council, q2, client,
                                                                   django_capture_on_commit_callbacks):
    cabinet = ReportDefinition.objects.get(council=council, report_type="cabinet")  # published
    exception = ReportDefinition.objects.get(council=council, report_type="exception")  # not published
    issued = _issue(perf, _prepare(perf, cabinet, q2, django_capture_on_commit_callbacks),
                    django_capture_on_commit_callbacks)
    _issue(perf, _prepare(perf, exception, q2, django_capture_on_commit_callbacks),
           django_capture_on_commit_callbacks)
    draft = _prepare(perf, cabinet, _quarter(2026, 1), django_capture_on_commit_callbacks)
    client.logout()
    listing = client.get(reverse("public:reports", args=["harrowdale"])).content.decode()
    assert issued.title in listing and "Quarterly exception report" not in listing and "Q1 2026/27" not in listing
    page = client.get(reverse("public:report", args=["harrowdale", issued.pk]))
    assert page.status_code == 200
    pdf = client.get(reverse("public:report_file", args=["harrowdale", issued.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert client.get(reverse("public:report", args=["harrowdale", draft.pk])).status_code == 404


# -- report definitions -----------------------------------------------------------------------------------------

def test_the_performance_unit_sets_up_a_report_and_bad_input_names_the_field(perf, council):
    url = reverse("reporting:definition_add")
    response = perf.post(url, {"name": "Adults portfolio", "report_type": "portfolio", "scope": "portfolio",
                               "sections": ["overview", "plans"], "kpis_only": "on"})
    assert response.status_code == 400
    assert "A report for a portfolio names the portfolio." in response.content.decode()
    assert not ReportDefinition.objects.filter(name="Adults portfolio").exists()
    from django.core.files.uploadedfile import SimpleUploadedFile

    portfolio = council.portfolios.first()
    bad = SimpleUploadedFile("template.docx", b"not a zip", content_type="application/octet-stream")
    response = perf.post(url, {"name": "Adults portfolio", "report_type": "portfolio", "scope": "portfolio",
                               "portfolio": portfolio.pk, "sections": ["overview"], "word_template": bad})
    assert response.status_code == 400 and "cannot be opened as .docx" in response.content.decode()
    response = perf.post(url, {"name": "Adults portfolio", "report_type": "portfolio", "scope": "portfolio",
                               "portfolio": portfolio.pk, "sections": ["overview", "plans"]})
    assert response.status_code == 302
    made = ReportDefinition.objects.get(name="Adults portfolio")
    assert made.portfolio == portfolio and made.sections == ["overview", "plans"] and made.council == council


def test_a_report_with_packs_cannot_be_deleted(fast_formats, perf, cabinet, q2,
                                               django_capture_on_commit_callbacks):
    _prepare(perf, cabinet, q2, django_capture_on_commit_callbacks)
    response = perf.post(reverse("reporting:definition_delete", args=[cabinet.pk]), follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert ReportDefinition.objects.filter(pk=cabinet.pk).exists()


def test_a_period_that_has_not_ended_cannot_be_reported(perf, cabinet):
    q3 = _quarter(2026, 3)
    response = perf.post(reverse("reporting:definition", args=[cabinet.pk]), {"period": q3.pk})
    assert response.status_code == 400 and not Pack.objects.filter(period=q3).exists()


# -- the schedule's job --------------------------------------------------------------------------------------------

def test_drafts_are_prepared_after_the_sign_off_deadline_once(fast_formats, council,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = services.prepare_due_packs(council.pk)
    quarterly = [d for d in ReportDefinition.objects.filter(council=council, is_active=True)
                 if d.frequency == "quarterly"]
    assert made and len(made) == len(quarterly)
    assert {p.period.key for p in Pack.objects.filter(pk__in=made)} == {(2026, 2)}
    assert all(p.status == PackStatus.READY for p in Pack.objects.filter(pk__in=made))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.prepare_due_packs(council.pk) == []
