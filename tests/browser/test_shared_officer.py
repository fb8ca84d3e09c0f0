"""A5 in a real browser: an officer of the team the two district councils share (Wyebridge and Vale of Ashcombe,
demo/pair.py) signs in once, finds on My updates a return owed to each council, labelled with its council, and enters
and submits each: the same measure's figure for October 2026, one per council, each stored on its own council's
measure. Every page has no axe-core WCAG 2.2 A / AA violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from demo.pair import SENT_BACK, SENT_BACK_REASON, pair_councils
from indicators.models import Indicator, Return
from pmf.models import Period
from tests.browser.conftest import axe_violations, describe_violations

pytestmark = pytest.mark.browser

LEAD = "chloe.marwood"  # shared service lead, Waste and Street Scene, in both councils
REF, PERIOD = SENT_BACK, "October 2026"  # sent back to her in each council: the figure disagreed with the contractor's
NUMERATOR, DENOMINATOR = "Incidents cleared within two working days", "Fly-tipping incidents reported"
FIGURES = {"wyebridge": ("95", "100"), "vale-of-ashcombe": ("47", "50")}  # 95% and 94%: green against 92%


def _check(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def _row(page, council):
    return (page.locator("#my-returns tbody tr").filter(has_text=f"{REF} ").filter(has_text=PERIOD)
            .filter(has_text=council.name))


def test_a_shared_officer_enters_a_return_for_each_council(browse, demo):
    councils = pair_councils()
    assert len(councils) == 2
    period = Period.objects.get(financial_year_id=2026, frequency="monthly", number=7)
    measures = {c.slug: Indicator.objects.get(council=c, ref=REF) for c in councils}
    for indicator in measures.values():
        assert Return.objects.get(indicator=indicator, period=period).state == "returned"

    visit = browse(LEAD)
    page = visit.page
    for council in councils:
        expect(_row(page, council)).to_have_count(1)
        expect(_row(page, council)).to_contain_text(SENT_BACK_REASON[:40])
    _check(page)

    for council in councils:
        numerator, denominator = FIGURES[council.slug]
        row = _row(page, council)
        visit.click(row.get_by_role("link", name=f"Enter {REF} {PERIOD}"), f"entry-{council.slug}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"{REF} ")
        expect(page.get_by_role("alert").filter(has_text="Sent back:")).to_contain_text(SENT_BACK_REASON[:40])
        _check(page)
        visit.type_into(page.get_by_label(NUMERATOR, exact=True), numerator)
        visit.type_into(page.get_by_label(DENOMINATOR, exact=True), denominator)
        visit.type_into(page.get_by_label("Commentary"),
                        f"Checked against the contractor's October report for {council.short_name}.")
        expect(page.locator("#preview")).to_contain_text("Green")
        visit.click(page.get_by_role("button", name="Submit for sign-off"), f"submitted-{council.slug}")
        expect(page.get_by_role("status").filter(has_text=f"{REF} {PERIOD} submitted for sign-off.")).to_be_visible()
        expect(_row(page, council)).to_have_count(0)
        _check(page)

    for council in councils:
        numerator, denominator = FIGURES[council.slug]
        ret = Return.objects.get(indicator=measures[council.slug], period=period)
        assert (ret.state, ret.numerator, ret.denominator) == ("submitted", int(numerator), int(denominator))
        assert ret.submitted_by.username == LEAD
        assert council.short_name in ret.commentary
