"""E4 in a real browser: a risk owner (the director of Place and Environment) opens "My risks", sees their flagged
risk with the measure that flags it (its RAG and direction in words), follows it to the risk's page, and finds it
flagged in the register's "Flagged" filter. Every page has no axe-core WCAG 2.2 A / AA violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from indicators.models import CorporateRisk, Indicator
from pmf.models import User
from reporting import risk_register
from tests.browser.conftest import axe_violations, describe_violations

pytestmark = pytest.mark.browser

DIRECTOR = "ruth.calloway"  # director, Place and Environment: owns the demo's severe-weather risk (CR09)


def _flagging_measure(risk: CorporateRisk) -> Indicator:
    """A measure of the risk's directorate (the owner's) whose approved figures flag a risk (Red, or worse twice
    running)."""
    directorate = risk.directorate
    ids = set(Indicator.objects.filter(council__slug="harrowdale", current_spec__isnull=False,
                                       service__directorate=directorate).values_list("pk", flat=True))
    flagging = [s for s in risk_register.signals_for(ids).values() if s.flag]
    assert flagging, "the demo has no measure in Place and Environment that flags a risk"
    return sorted(flagging, key=lambda s: s.indicator.ref)[0].indicator


def _check(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_a_risk_owner_sees_their_flagged_risk(browse, demo):
    owner = User.objects.get(username=DIRECTOR)
    risk = CorporateRisk.objects.get(council=demo, ref="CR09")
    assert risk.owner == owner
    measure = _flagging_measure(risk)
    risk.indicators.add(measure)

    visit = browse(DIRECTOR)
    page = visit.page
    visit.goto("/reporting/risks/mine/", "my-risks")
    expect(page.get_by_role("heading", level=1)).to_have_text("My risks")
    card = page.locator("section.card").filter(has=page.get_by_role("heading", name=f"{risk.ref} {risk.title}"))
    expect(card).to_contain_text("Flagged")  # the word, beside the colour
    row = card.locator("tbody tr").filter(has_text=measure.ref)
    expect(row).to_contain_text("Yes:")
    expect(row.locator(".badge.rag")).to_have_count(1)  # its latest RAG, in words
    _check(page)

    visit.click(card.get_by_role("link", name=f"{risk.ref} {risk.title}"), "risk-page")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{risk.ref} {risk.title}")
    expect(page.get_by_role("status")).to_contain_text("This risk is flagged.")
    expect(page.get_by_role("status")).to_contain_text(measure.ref)
    _check(page)

    visit.goto("/reporting/risks/", "register")
    page.get_by_label("Flag").select_option("yes")
    visit.click(page.get_by_role("button", name="Show"), "register-flagged")
    expect(page.locator("tbody")).to_contain_text(f"{risk.ref} {risk.title}")
    assert page.locator("tbody tr").count() == page.locator("tbody tr").filter(has_text="Flagged").count()
    _check(page)
