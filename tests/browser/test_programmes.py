"""A6 in a real browser: a member of the Programme Board (the Adults and Health director, who sponsors the Adult
Social Care Transformation Programme) finds the decision due on their home page, opens it, records a stop
decision with the reason, and sees it on the project page; then finds the project stopped on the programme page.
Every page has no axe-core WCAG 2.2 A / AA violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from plans.models import DecisionPoint, Programme
from pmf.models import AuditEntry
from tests.browser.conftest import axe_violations, describe_violations

pytestmark = pytest.mark.browser

REASON = "The discharge model costs more than the budget allows; the board stops it here."


def _check(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_a_board_member_records_a_stop_decision(browse, demo):
    programme = Programme.objects.select_related("sponsor").get(
        council=demo, name="Adult Social Care Transformation Programme")
    point = DecisionPoint.objects.get(project__programme=programme, project__name="Home First discharge model",
                                      title__startswith="Gateway 3")
    assert point.decision == "pending"

    visit = browse(programme.sponsor.username)
    page = visit.page
    table = page.locator("#my-decisions")
    expect(table).to_contain_text(point.title)
    expect(table).to_contain_text("Home First discharge model")
    _check(page)

    visit.click(table.get_by_role("link", name=f"Decide {point.title}, Home First discharge model"), "decision")
    expect(page.get_by_role("heading", level=1)).to_have_text(point.title)
    _check(page)
    visit.click(page.get_by_label("Stop", exact=True))
    visit.type_into(page.get_by_label("Reason"), REASON)
    visit.click(page.get_by_role("button", name="Record the decision"), "project")

    expect(page.get_by_role("heading", level=1)).to_have_text("Home First discharge model")
    expect(page.get_by_role("status").filter(has_text="Decision recorded")).to_have_text("Decision recorded: Stop.")
    row = page.locator("tbody tr").filter(has_text=point.title)
    expect(row).to_contain_text("Stop")
    expect(row).to_contain_text(REASON)
    expect(row).to_contain_text(programme.sponsor.display_name)
    expect(page.locator("dl")).to_contain_text("Stopped")
    _check(page)

    point.refresh_from_db()
    assert (point.decision, point.decided_by_id, point.reason) == ("stop", programme.sponsor_id, REASON)
    assert AuditEntry.objects.filter(object_type="plans.DecisionPoint", object_id=str(point.pk),
                                     user=programme.sponsor).exists()

    visit.click(page.get_by_role("link", name=programme.name).first, "programme")
    section = page.locator("section").filter(has=page.get_by_role("heading", name="Home First discharge model"))
    expect(section).to_contain_text("Status: Stopped")
    _check(page)
    visit.goto("/plans/programmes/", "programmes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes")
    _check(page)
