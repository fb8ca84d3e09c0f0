"""Issue 5 in a real browser: the performance unit prepares a quarterly pack from its report's page (keyboard
only), reads it, issues it after the confirmation, finds it in the archive, and a resident reads it on the public
site; a running job's progress updates on the page without a reload and the page shows the pack when the job
ends. axe-core WCAG 2.2 A / AA on every page.

These are about the pages, so the pack is a small one (the Adult Social Care portfolio holder's, published for the
test: 5 plans, 10 measures, an exception) and its files are written by small stand-ins for the PDF, Word and Excel
renderers. The whole Q2 Cabinet pack, its real files and their figures are tested in tests/test_packs.py,
tests/test_rendering.py and by a real worker in tests/test_packs_live.py. The web page of the pack is the real one,
from the real figures."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from pmf.models import Period
from reporting import services
from reporting.models import Pack, PackStatus, ReportDefinition
from tests.browser.conftest import assert_no_axe_violations as _accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("stand_in_pack_files")]

PERFORMANCE_UNIT = "helen.marsh"


def test_a_q2_pack_is_prepared_read_issued_and_published(browse, demo):
    report = ReportDefinition.objects.get(council=demo, name="Portfolio holder report: Adult Social Care")
    ReportDefinition.objects.filter(pk=report.pk).update(is_public=True)
    q2 = Period.objects.get(financial_year_id=2026, frequency="quarterly", number=2)
    visit = browse(PERFORMANCE_UNIT)
    page = visit.page
    page.set_default_timeout(60_000)  # the job runs in-process here: the request waits for it

    visit.goto("/reporting/reports/set-up/", "report-set-up")
    _accessible(page)
    visit.click(page.get_by_role("link", name=report.name, exact=True), "report")
    expect(page.get_by_role("heading", level=1)).to_have_text(report.name)
    _accessible(page)

    # keyboard only: choose the period and prepare the draft
    page.get_by_label("Period").focus()
    page.keyboard.press("Home")
    page.get_by_label("Period").select_option(str(q2.pk))
    page.get_by_role("button", name="Prepare the draft").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/reporting/reports/*/")
    expect(page.locator("#pack-progress")).to_contain_text("Draft ready")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{report.name}: Q2 2026/27")
    visit.shot("pack-draft")
    pack = Pack.objects.get(definition=report, period=q2)
    first = pack.snapshot["plans"][0]["measures"][0]
    expect(page.locator("article.pack")).to_contain_text(first["value"])
    expect(page.get_by_role("link", name="PDF (committee papers)")).to_be_visible()
    _accessible(page)

    visit.click(page.get_by_role("link", name="Issue this pack…"), "pack-issue-confirm")
    expect(page.get_by_text("Issuing cannot be undone.")).to_be_visible()
    _accessible(page)
    visit.click(page.get_by_role("button", name="Issue the pack"), "pack-issued")
    expect(page.locator("#pack-progress")).to_contain_text("Issued by")
    pack.refresh_from_db()
    assert pack.status == PackStatus.ISSUED

    visit.goto("/reporting/reports/?quarter=2", "archive")
    expect(page.locator("#archive tbody")).to_contain_text(pack.title)
    _accessible(page)

    public = browse(None, log_in=False)
    public.goto("/public/harrowdale/reports/", "public-reports")
    _accessible(public.page)
    public.click(public.page.get_by_role("link", name=pack.title), "public-report")
    expect(public.page.get_by_role("heading", level=1)).to_have_text(pack.title)
    expect(public.page.locator("article")).to_contain_text(first["value"])
    _accessible(public.page)


def test_progress_updates_without_a_reload_and_the_pack_appears_when_the_job_ends(browse, demo):
    exception = ReportDefinition.objects.get(council=demo, report_type="exception")
    q2 = Period.objects.get(financial_year_id=2026, frequency="quarterly", number=2)
    pack = Pack.objects.create(definition=exception, council=demo, period=q2, title="Quarterly exception report: "
                               "Q2 2026/27", status=PackStatus.RUNNING, progress=30, step="Assessing actions",
                               claim="browser-test")
    visit = browse(PERFORMANCE_UNIT)
    page = visit.page
    page.set_default_timeout(60_000)
    visit.goto(f"/reporting/reports/{pack.pk}/", "pack-running")
    expect(page.get_by_role("status")).to_contain_text("Running: 30% done.")
    _accessible(page)
    page.evaluate("window.__same_page = true")  # gone if the page were reloaded

    Pack.objects.filter(pk=pack.pk).update(progress=70, step="Writing the Word document")
    expect(page.get_by_role("status")).to_contain_text("Running: 70% done. Writing the Word document")
    expect(page.get_by_role("progressbar", name="Progress of the job")).to_have_attribute("value", "70")
    assert page.evaluate("window.__same_page") is True
    visit.shot("pack-running-70")

    # the job is given up and run again to the end: the page shows the pack when it is ready
    Pack.objects.filter(pk=pack.pk).update(status=PackStatus.QUEUED, claim="")
    assert services.run_job(pack.pk) == f"done: pack {pack.pk}"
    expect(page.locator("#pack-progress")).to_contain_text("Draft ready")
    expect(page.get_by_role("link", name="Excel data annex")).to_be_visible()
    visit.shot("pack-ready")
    # each exception's chart: an SVG image (a data: URI, which the Content Security Policy allows), drawn
    charts = page.locator("img.pack-chart-img")
    expect(charts.first).to_be_visible()
    assert page.evaluate("() => [...document.querySelectorAll('img.pack-chart-img')].every(i => i.naturalWidth > 0)")
    _accessible(page)
