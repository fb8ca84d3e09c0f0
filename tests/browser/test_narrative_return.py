"""A narrative measure's return in a real browser (B1): its lead sees a narrative box and the status to choose, no
figure; submitting with neither is refused with a summary naming both fields; the live preview shows the chosen
status as self-assessed; once submitted, the director's sign-off queue shows it as self-assessed. axe-core's WCAG
2.2 A and AA rules find nothing on the entry page, the radio buttons included."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from indicators.models import Indicator, Return
from pmf.models import Period, RoleAssignment
from tests.browser.conftest import axe_violations, describe_violations

pytestmark = pytest.mark.browser


def test_narrative_return_is_entered_with_a_chosen_status(browse, demo):
    ind = (Indicator.objects.select_related("current_spec", "service")
           .filter(council=demo, is_qualitative=True, kind="kpi").order_by("ref").first())
    period = Period.objects.get(frequency="quarterly", financial_year_id=2026, number=3)
    lead = browse(ind.current_spec.performance_lead.username)
    page = lead.page
    lead.goto(f"/indicators/{ind.pk}/returns/{period.pk}/", "narrative-entry")
    expect(page.get_by_label("Narrative", exact=True)).to_be_visible()
    expect(page.get_by_label("Amber: some concern")).to_be_visible()
    expect(page.get_by_label("Figure", exact=True)).to_have_count(0)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    lead.click(page.get_by_role("button", name="Submit for sign-off"), "narrative-refused")
    summary = page.locator("#error-summary")
    expect(summary.get_by_role("link", name=re.compile(r"^Narrative: Write the narrative"))).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile(r"^Status \(self-assessed\): Choose the status"))) \
        .to_be_visible()
    assert not Return.objects.filter(indicator=ind, period=period).exists()

    lead.type_into(page.get_by_label("Narrative", exact=True), "Two milestones slipped; a revised plan goes to "
                                                               "the board next month.")
    page.get_by_label("Amber: some concern").check()
    expect(page.locator("#preview")).to_contain_text("(self-assessed)")
    lead.shot("narrative-preview")
    lead.click(page.get_by_role("button", name="Submit for sign-off"), "narrative-submitted")
    ret = Return.objects.get(indicator=ind, period=period)
    assert (ret.state, ret.self_assessed_rag) == ("submitted", "amber")

    director = RoleAssignment.objects.filter(council=demo, role="director",
                                             directorate=ind.service.directorate_id).order_by("pk").first().user
    signer = browse(director.username)
    signer.goto("/indicators/sign-off/", "narrative-sign-off")
    row = signer.page.locator("tbody tr").filter(has_text=ind.ref).filter(has_text=period.label)
    expect(row).to_contain_text("Amber")
    expect(row).to_contain_text("(self-assessed)")
