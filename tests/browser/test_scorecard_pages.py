"""D5 in a real browser: the performance unit's scorecard of the Council Plan has no axe-core WCAG 2.2 A / AA
violations (sorted and unsorted), and clicking a column heading sorts by it, a second click reversing the order."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from plans.models import Plan
from tests.browser.conftest import axe_violations, describe_violations

pytestmark = pytest.mark.browser

PERFORMANCE_UNIT = "helen.marsh"


def _header(page, heading: str):
    return page.locator("#scorecard thead th").filter(has=page.get_by_role("link", name=heading, exact=True))


def _rag_words(page) -> list[str]:
    return [t.strip() for t in page.locator("#scorecard tbody td .badge.rag").all_inner_texts()]


def test_scorecard_page_is_accessible_and_sorts_by_a_clicked_header(browse, demo):
    plan = Plan.objects.get(council=demo, level__rank=1)
    visit = browse(PERFORMANCE_UNIT)
    page = visit.page
    visit.goto(f"/reporting/scorecard/{plan.pk}/", "scorecard")
    expect(page.get_by_role("heading", level=1)).to_contain_text(plan.title)
    expect(page.locator("#basis")).to_contain_text("Approved figures only")
    expect(_header(page, "Indicator")).to_have_attribute("aria-sort", "ascending")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    # a click on RAG sorts worst first, 'measured, not rated' last
    visit.click(page.get_by_role("link", name="RAG", exact=True), "scorecard-sorted-by-rag")
    expect(_header(page, "RAG")).to_have_attribute("aria-sort", "ascending")
    expect(_header(page, "Indicator")).not_to_have_attribute("aria-sort", "ascending")
    words = _rag_words(page)
    order = {"Red": 0, "Amber": 1, "Green": 2, "Measured (not rated)": 3}
    assert words[0] == "Red" and words == sorted(words, key=order.__getitem__)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    # a second click reverses it; the unrated stay last
    visit.click(page.get_by_role("link", name="RAG", exact=True), "scorecard-sorted-by-rag-descending")
    expect(_header(page, "RAG")).to_have_attribute("aria-sort", "descending")
    words = _rag_words(page)
    assert words[0] == "Green" and words[-1] == "Measured (not rated)"
    assert "sort=-rag" in page.url

    # the downloads keep the sort and the period
    href = page.get_by_role("link", name="Download CSV").get_attribute("href")
    assert "sort=-rag" in href and "quarter=2" in href and "year=2026" in href
