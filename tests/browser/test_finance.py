"""C 3.1 in a real browser: the performance unit opens the finance page, checks the finance system's CSV export
(the preview names what each row would do), confirms the import and finds the figures listed with the variance in
words; the dashboard shows finance beside the measures. Every page has no axe-core WCAG 2.2 A / AA violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from indicators.models import ServiceFinance
from tests.browser.conftest import axe_violations, describe_violations

pytestmark = pytest.mark.browser

PERF = "helen.marsh"
EXPORT = ("service,cost centre code,year,quarter,budget,forecast outturn,spent to date,commentary\n"  # as exported
          'Waste and Recycling,CC1042,2026/27,Q3,"£4,250,000","£4,390,000","£2,010,500",Fuel costs\n')


def _check(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_the_performance_unit_imports_the_finance_file(browse, demo, tmp_path):
    export = tmp_path / "finance-q3.csv"
    export.write_text(EXPORT, encoding="utf-8")
    visit = browse(PERF)
    page = visit.page
    visit.goto("/reporting/finance/?year=2026&quarter=2", "finance")
    expect(page.get_by_role("heading", level=1)).to_have_text("Finance: Harrowdale Council, Q2 2026/27")
    expect(page.locator("#finance-table")).to_contain_text("overspend")
    _check(page)

    visit.click(page.get_by_role("link", name="Import the finance system's file"), "import")
    page.get_by_label("Finance file").set_input_files(str(export))
    visit.click(page.get_by_role("button", name="Check the file"), "checked")
    expect(page.locator("#preview")).to_contain_text("£140,000 overspend (3.3%)")
    expect(page.locator("#ignored-columns")).to_have_text("Columns ignored: cost centre code.")
    _check(page)
    assert not ServiceFinance.objects.filter(period__financial_year_id=2026, period__number=3,
                                             period__frequency="quarterly").exists()
    page.get_by_label("I have checked what the import will do", exact=False).check()
    visit.click(page.get_by_role("button", name="Import"), "imported")
    expect(page.get_by_role("status").first).to_contain_text("1 new")
    expect(page.locator("#finance-table")).to_contain_text("Fuel costs")
    _check(page)

    visit.goto("/reporting/dashboard/?year=2026&quarter=2&measures=all", "dashboard")
    expect(page.locator("#finance-beside")).to_contain_text("Finance beside performance, Q2 2026/27")
    _check(page)
