"""A1 in a real browser: the performance unit picks "Companies and contracts" on the dashboard and sees only the
company's and the contract's measures, each saying who delivers it; the Shareholder Board's chair finds Harrowdale
Homes Ltd on the golden thread and opens a company KPI. Every page has no axe-core WCAG 2.2 A / AA violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from indicators.models import Indicator
from tests.browser.conftest import axe_violations, describe_violations

pytestmark = pytest.mark.browser


def _check(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_the_dashboard_shows_companies_and_contracts_with_their_provider(browse):
    visit = browse("helen.marsh")
    page = visit.page
    visit.goto("/reporting/dashboard/?year=2026&quarter=2&measures=all", "dashboard")
    page.get_by_label("Delivered by").select_option("external")
    visit.click(page.get_by_role("button", name="Show"), "dashboard-external")
    rows = page.locator("#measures-table tbody tr")
    expect(rows).to_have_count(10)
    expect(rows.filter(has_text="SLA KPI – delivered by Everfit Leisure Management Ltd")).to_have_count(5)
    expect(rows.filter(has_text="Company KPI – delivered by Harrowdale Homes Ltd")).to_have_count(5)
    _check(page)


def test_the_shareholder_board_chair_follows_the_thread_to_a_company_kpi(browse):
    visit = browse("frances.oyelaran")
    page = visit.page
    visit.goto("/plans/thread/", "thread")
    company = page.locator(".external-units").filter(has_text="Wholly-owned company").first
    expect(company).to_contain_text("Wholly-owned company Harrowdale Homes Ltd")
    expect(company).not_to_contain_text("Harrowdale Homes Ltd (Harrowdale Homes Ltd)")  # it delivers itself
    _check(page)
    kpi = Indicator.objects.get(council__slug="harrowdale", ref="HHL01")
    visit.goto(kpi.get_absolute_url(), "company-kpi")
    expect(page.locator(".delivered-by")).to_contain_text("Company KPI – delivered by Harrowdale Homes Ltd")
    _check(page)
