"""The public site (D9) and the accessibility statement in a real browser, signed out: every page renders, the
priority page draws its charts with the figures in a table beside each, and axe-core's WCAG 2.2 A and AA rules
find nothing. One demo load and one visit for all the pages, to keep the suite quick."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from plans.models import PlanItem
from tests.browser.conftest import axe_violations, describe_violations

pytestmark = pytest.mark.browser


def test_public_pages_signed_out_have_no_axe_violations(browse, demo, capsys):
    visitor = browse(None)
    page = visitor.page
    priority = PlanItem.objects.get(plan__council=demo, plan__level__rank=1, parent__isnull=True, ref="P5")
    failures = {}

    def check(name: str) -> None:
        violations = axe_violations(page)
        with capsys.disabled():
            print(f"\naxe public {name}: {', '.join(v['id'] for v in violations) or 'none'}", end="")
        if violations:
            failures[name] = (page.url, violations)

    # the public home: priorities with their counts by RAG, signed out (no signed-in navigation)
    response = visitor.goto("/public/harrowdale/", "public-home")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("How Harrowdale Council is doing")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    check("home")

    # a priority, reached by its link: the measures table, and each chart drawn beside its table
    visitor.click(page.get_by_role("link", name=f"{priority.ref} {priority.title}"), "public-priority")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{priority.ref} {priority.title}")
    expect(page.get_by_role("table").first).to_be_visible()
    first_chart = page.locator(".public-chart").first
    first_chart.scroll_into_view_if_needed()
    expect(first_chart.locator("svg.main-svg").first).to_be_attached()  # plotly drew it
    chart_id = first_chart.get_attribute("id")
    beside = page.locator(f".row:has(#{chart_id})").locator(f"caption#table-{chart_id.removeprefix('chart-')}")
    expect(beside).to_be_attached()  # the same figures in a table in the column beside the chart
    charts = page.locator(".public-chart")
    for i in range(charts.count()):  # drawn as each scrolls into view: draw them all before axe looks
        charts.nth(i).scroll_into_view_if_needed()
        expect(charts.nth(i).locator("svg.main-svg").first).to_be_attached()
    visitor.shot("public-priority-chart")
    check("priority")

    # a measure's own page, from the table
    ref = chart_id.removeprefix("chart-")
    visitor.click(page.get_by_role("link", name=ref).first, "public-measure")
    expect(page.locator(".public-chart svg.main-svg").first).to_be_attached()
    check("measure")

    # the reporting timetable and the open data, from the navigation
    nav = page.get_by_role("navigation", name="Public site")
    visitor.click(nav.get_by_role("link", name="Reporting timetable"), "public-timetable")
    expect(page.get_by_role("heading", name="Upcoming dates")).to_be_visible()
    check("timetable")
    visitor.click(nav.get_by_role("link", name="Open data"), "public-open-data")
    expect(page.get_by_role("link", name="Open Government Licence v3.0").first).to_be_visible()
    check("open data")

    # the accessibility statement, from the footer
    visitor.click(page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement"),
                  "accessibility-statement")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement for the performance framework")
    check("accessibility statement")

    report = "\n".join(f"{name} ({url}):\n{describe_violations(vs)}" for name, (url, vs) in failures.items())
    assert not failures, f"axe violations:\n{report}"
