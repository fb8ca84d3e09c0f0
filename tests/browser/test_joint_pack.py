"""Issue 13 (point 2) in a real browser: a member of a joint scrutiny committee of two councils that share one
officer team signs in, finds the joint committee's Q2 pack in the reports, opens it and reads both councils'
sections, each under its council's name, with the councils' figures side by side; their dashboard lists both
councils' measures with a Council column. axe-core WCAG 2.2 A / AA on every page.

The pack's web page is the real one, from the real figures; its files are small stand-ins (the joint pack's real
PDF, Word and Excel files are tested in tests/test_joint_reports.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from pmf.models import Period, Service
from reporting import services
from reporting.models import Pack, PackStatus
from tests import factories as f
from tests.browser.conftest import assert_no_axe_violations as _accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("stand_in_pack_files")]


def test_the_joint_committee_member_reads_the_joint_pack(browse, demo):
    pair = f.joint_pair()
    Service.objects.filter(pk=pair.service.pk).update(kind="contract", provider="Greenway Environmental Ltd")
    q2 = Period.objects.get(financial_year_id=2026, frequency="quarterly", number=2)
    pack = services.request_pack(pair.definition, q2, user=pair.perf_a)
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY, pack.error
    services.issue(pack, user=pair.perf_a, version=pack.version)
    pack = Pack.objects.get(pk=pack.pk)
    assert pack.status == PackStatus.ISSUED, pack.error

    visit = browse(pair.member.username, log_in=False)
    page = visit.page
    visit.log_in(pair.member.username, "test-password-1")
    visit.goto("/reporting/reports/", "joint-archive")
    row = page.locator("#archive tbody tr").filter(has_text=pack.title)
    expect(row).to_contain_text(f"{pair.a.name} and {pair.b.name}")
    expect(row.get_by_role("rowheader")).to_contain_text(f"Joint report: {pair.a.name} and {pair.b.name}")
    _accessible(page)

    visit.click(row.get_by_role("link", name=pack.title), "joint-pack")
    expect(page.get_by_role("heading", level=1)).to_have_text(pack.title)
    article = page.locator("article.pack")
    expect(article).to_contain_text(f"Joint report of {pair.a.name} and {pair.b.name}")
    expect(article.get_by_role("heading", name=f"{pair.a.name} and {pair.b.name} together")).to_be_visible()
    expect(article).to_contain_text("Combined where every council measures the same thing")
    shared = article.locator("table.pack-joint-shared tbody tr").filter(has_text="JS-01")
    expect(shared).to_contain_text("52")
    expect(shared).to_contain_text("38")
    expect(shared).to_contain_text("SLA KPI – delivered by Greenway Environmental Ltd")
    for c, own in ((pair.a, "NV-02"), (pair.b, "SM-02")):
        section = article.locator("section.pack-council").filter(
            has=page.get_by_role("heading", level=2, name=c.name, exact=True))
        expect(section).to_have_count(1)
        expect(section.get_by_role("heading", name=pair.plans[c.pk].title)).to_be_visible()
        expect(section).to_contain_text(own)
    # the contents reach each council's sections
    visit.click(page.locator(".pack-contents").get_by_role("link", name=pair.b.name, exact=True), "joint-pack-b")
    expect(page.locator("#pack-council-2")).to_be_in_viewport()
    _accessible(page)

    visit.goto("/reporting/dashboard/?year=2026&quarter=2&measures=all", "joint-dashboard")
    table = page.locator("#measures-table")
    expect(table.get_by_role("columnheader", name="Council")).to_be_visible()
    expect(table.locator("tbody tr").filter(has_text="SM-02")).to_contain_text(pair.b.name)
    expect(table.locator("tbody tr").filter(has_text="NV-02")).to_contain_text(pair.a.name)
    _accessible(page)
