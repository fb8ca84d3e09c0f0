"""The quarterly dashboard in a real browser: it renders for the performance unit and for a scrutiny member with
no axe-core WCAG 2.2 A/AA violations, and filtering through the form changes the list and the URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from pmf.models import Committee
from tests.browser.conftest import axe_violations, describe_violations

pytestmark = pytest.mark.browser

URL = "/reporting/dashboard/"
PERFORMANCE_UNIT, SCRUTINY = "helen.marsh", "gareth.whitlow"


def _assert_accessible(visit) -> None:
    violations = axe_violations(visit.page)
    assert not violations, describe_violations(violations)


def _listed(page) -> list[str]:
    return page.locator("#measures-table tbody tr td:first-child a").all_inner_texts()


def test_performance_unit_dashboard_filters_through_the_form(browse, demo):
    visit = browse(PERFORMANCE_UNIT)
    page = visit.page
    visit.goto(URL, "dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quarterly performance dashboard: Q2 2026/27")
    expect(page.get_by_role("heading", name="By RAG status")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("^Trend over the last 8 periods")).first).to_be_visible()
    _assert_accessible(visit)
    before = _listed(page)
    assert before

    committee = Committee.objects.get(name="Harrowdale Place and Resources Overview and Scrutiny Committee")
    page.get_by_label("Committee remit").select_option(label=committee.name)
    page.get_by_label("Measures to show").select_option(label="All measures")
    visit.click(page.get_by_role("button", name="Show"), "dashboard-filtered")
    query = parse_qs(urlparse(page.url).query)
    assert query["committee"] == [str(committee.pk)] and query["measures"] == ["all"]
    expect(page.get_by_label("Committee remit")).to_have_value(str(committee.pk))
    after = _listed(page)
    assert after and after != before
    _assert_accessible(visit)

    # a count is a link that lists just those measures, keeping the filters
    visit.click(page.locator("#rag-count-red"), "dashboard-reds")
    query = parse_qs(urlparse(page.url).query)
    assert query["rag"] == ["red"] and query["committee"] == [str(committee.pk)]
    badges = page.locator("#measures-table tbody .badge.rag").all_inner_texts()
    assert badges and set(badges) == {"Red"}
    _assert_accessible(visit)


def test_scrutiny_member_dashboard(browse, demo):
    visit = browse(SCRUTINY)
    page = visit.page
    visit.goto(URL + "?measures=all", "dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quarterly performance dashboard: Q2 2026/27")
    assert _listed(page)
    expect(page.get_by_role("heading", name="Statistical process control signals")).to_be_visible()
    _assert_accessible(visit)
