"""Issue 10 in a real browser: the performance unit refreshes the demo council's plans into 2027/28 (every plan
ending in 2026/27, none refused), edits next year's draft target of a waste measure on the new Waste and Recycling
service plan, and submits the plan; the director finds it among the plans awaiting her approval and approves it,
confirming the targets it locks; the target is then locked (re-approval only). axe-core on every page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from indicators.models import Target
from plans.models import Plan
from tests.browser.conftest import axe_violations, describe_violations

pytestmark = pytest.mark.browser

PERFORMANCE_UNIT, DIRECTOR = "helen.marsh", "ruth.calloway"
OLD, NEW = "Waste and Recycling Service Plan 2026/27", "Waste and Recycling Service Plan 2027/28"


def _accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_refresh_edit_a_draft_target_submit_and_approve_and_the_target_locks(browse, demo):
    ending = Plan.objects.filter(council=demo, end_year_id=2026, status__in=["approved", "active"]).count()
    perf = browse(PERFORMANCE_UNIT)
    page = perf.page
    page.set_default_timeout(60_000)  # the refresh runs in the request
    perf.goto("/plans/", "plans")
    perf.click(page.get_by_role("link", name="Yearly refresh into the next year"), "refresh-preview")
    expect(page.get_by_role("heading", level=1)).to_have_text("Yearly refresh: 2026/27 into 2027/28")
    expect(page.locator("#summary-h + ul")).to_contain_text(f"{ending} to copy as new drafts")
    expect(page.locator("#summary-h + ul")).to_contain_text("0 refused")
    _accessible(page)
    page.get_by_label("Create").check()
    perf.click(page.get_by_role("button", name="Refresh into the next year"), "refresh-done")
    expect(page.get_by_role("status").first).to_contain_text(f"Refreshed 2026/27 into 2027/28: {ending} new draft")
    _accessible(page)

    new = Plan.objects.get(council=demo, title=NEW)
    assert new.status == "draft" and new.previous_version.title == OLD
    target = (Target.objects.filter(indicator__plan_items__plan=new, financial_year_id=2027, approved_at__isnull=True)
              .select_related("indicator").order_by("indicator__ref").first())
    assert target is not None, "the refresh gives the new plan's measures draft targets for 2027/28"
    perf.click(page.get_by_role("link", name=NEW), "approval-draft")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Approval and targets: {NEW}")
    expect(page.get_by_role("note")).to_contain_text("not approved yet")
    _accessible(page)

    # the performance unit edits next year's draft target, then submits the plan
    perf.click(page.get_by_role("link", name=f"Edit {target.indicator.ref} 2027"), "target-edit")
    _accessible(page)
    field = page.get_by_label("Annual target")
    field.fill("")
    field.type("12345")
    perf.click(page.get_by_role("button", name="Save the target"), "target-saved")
    expect(page.get_by_role("status").first).to_contain_text("is saved")
    target.refresh_from_db()
    assert target.annual_target == Decimal("12345") and not target.is_locked
    perf.click(page.get_by_role("button", name="Submit for approval"), "submitted")
    expect(page.locator("dl")).to_contain_text("Submitted for approval")

    # the director approves it, confirming the targets it locks
    director = browse(DIRECTOR)
    page = director.page
    director.goto("/plans/approvals/", "approvals")
    _accessible(page)
    director.click(page.get_by_role("link", name=NEW), "approval-submitted")
    refused_first = page.get_by_role("button", name="Approve")
    director.click(refused_first, "approve-refused")
    expect(page.get_by_role("region", name="Approve the plan")).to_contain_text(
        "confirm that they have been reviewed")
    _accessible(page)
    page.get_by_label("I have reviewed the targets listed, which this approval locks").check()
    director.click(page.get_by_role("button", name="Approve"), "approved")
    expect(page.get_by_role("status").first).to_contain_text("is approved")
    _accessible(page)
    target.refresh_from_db()
    new.refresh_from_db()
    assert new.status == "approved" and target.is_locked

    # locked: the performance unit is sent to re-approval, not to the edit page
    perf.goto(f"/indicators/targets/{target.pk}/edit/", "target-locked")
    expect(perf.page.get_by_role("heading", level=1)).to_have_text("Re-approve the 2027/28 target")
