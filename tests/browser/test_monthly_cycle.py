"""The monthly cycle in a real browser (B5, B6, D1, E3): a service lead enters an overdue return, is refused
twice with messages naming the field and the rule, submits; the director sends it back with a reason; the lead
fixes and resubmits; the director approves and the return is locked; internal audit sees every step.

The service lead's clicks and seconds from signing in to the first successful submission are printed and
written to ``test-artifacts/monthly_return_timing.txt``.
"""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
from playwright.sync_api import expect

from indicators.models import Indicator, Return
from pmf.models import Period
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

LEAD, DIRECTOR, AUDITOR = "tom.ashworth", "ruth.calloway", "nadia.holloway"
REF, PERIOD = "STC03", "October 2026"  # percentage = incidents cleared in 2 working days / incidents reported
NUMERATOR, DENOMINATOR = "Incidents cleared within two working days", "Incidents reported"
SEND_BACK_REASON = "Check October against the contractor's log: 80 cleared looks low."
SENT_BACK_MESSAGE = f"{REF} {PERIOD} sent back to its lead."


def _my_return_row(page):
    return page.locator("#my-returns tbody tr").filter(has_text=REF).filter(has_text=PERIOD)


def _sign_off_row(page):
    return page.locator("tbody tr").filter(has_text=REF).filter(has_text=PERIOD)


def _field(page, label: str):
    return page.get_by_label(label, exact=True)


def test_monthly_return_cycle(browse, demo, capsys):
    indicator = Indicator.objects.get(council=demo, ref=REF)
    assert indicator.current_spec.unit == "percent" and indicator.current_spec.calculation == "ratio"
    period = Period.objects.get(frequency=indicator.current_spec.frequency, start=date(2026, 10, 1))
    assert not Return.objects.filter(indicator=indicator, period=period).exists()

    # -- the service lead: from signing in to the first successful submission, timed and clicks counted ----------
    lead = browse(LEAD, log_in=False)
    page = lead.page
    started = time.monotonic()
    lead.log_in(LEAD)
    row = _my_return_row(page)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Overdue")
    expect(row).to_contain_text("Not started")
    lead.click(row.get_by_role("link", name=f"Enter {REF} {PERIOD}"), "return-entry")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{REF} ")
    expect(page.get_by_role("heading", level=1)).to_contain_text(PERIOD)

    # numerator greater than the denominator: the live preview (htmx) warns as he types ...
    lead.type_into(_field(page, NUMERATOR), "120")
    lead.type_into(_field(page, DENOMINATOR), "100")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Must fix:")
    expect(preview).to_contain_text("the numerator (120) cannot exceed the denominator (100)")
    lead.shot("return-entry-preview-warns")
    # ... and submitting is refused with a summary naming the field and the rule; what he typed is kept
    lead.click(page.get_by_role("button", name="Submit for sign-off"), "refused-numerator")
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("The return was not saved")
    rule = r"For a percentage the numerator \(120\) cannot exceed the denominator \(100\)"
    expect(summary.get_by_role("link", name=re.compile(rf"^{NUMERATOR}: {rule}"))).to_be_visible()
    expect(_field(page, NUMERATOR)).to_have_value("120")
    expect(_field(page, DENOMINATOR)).to_have_value("100")
    assert not Return.objects.filter(indicator=indicator, period=period).exists(), "a refused return was saved"

    # corrected to 80%: red against the 92% target, which needs commentary: refused first ...
    lead.type_into(_field(page, NUMERATOR), "80")
    expect(preview).to_contain_text("Red")
    expect(preview).to_contain_text("Before submitting:")
    lead.click(page.get_by_role("button", name="Submit for sign-off"), "refused-commentary")
    expect(summary.get_by_role("link", name=re.compile(r"^Commentary: This figure is red against its target"))) \
        .to_be_visible()
    expect(_field(page, NUMERATOR)).to_have_value("80")
    expect(_field(page, DENOMINATOR)).to_have_value("100")
    assert not Return.objects.filter(indicator=indicator, period=period).exists(), "a refused return was saved"
    # ... then with commentary it goes
    lead.type_into(page.get_by_label("Commentary"),
                   "Two crews were off sick for most of October; agency cover starts in November.")
    lead.click(page.get_by_role("button", name="Submit for sign-off"), "submitted")
    expect(page.get_by_role("status").filter(has_text=f"{REF} {PERIOD} submitted for sign-off.")).to_be_visible()
    seconds = time.monotonic() - started
    clicks = lead.clicks
    expect(_my_return_row(page)).to_have_count(0)
    lead.close()
    ret = Return.objects.get(indicator=indicator, period=period)
    assert (ret.state, ret.numerator, ret.denominator, ret.value) == ("submitted", 80, 100, 80)

    # -- the director sends it back with a reason ---------------------------------------------------------------
    director = browse(DIRECTOR)
    page = director.page
    director.click(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign-off"), "sign-off")
    row = _sign_off_row(page)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Red")
    expect(row).to_contain_text("Two crews were off sick")
    director.click(row.get_by_role("link", name=f"Send back {REF} {PERIOD}"), "send-back")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Send back to the lead: {REF} {PERIOD}")
    director.type_into(page.get_by_label("Reason"), SEND_BACK_REASON)
    director.click(page.get_by_role("button", name="Send back to the lead"), "sent-back")
    expect(page.get_by_role("status").filter(has_text=SENT_BACK_MESSAGE)).to_be_visible()
    expect(_sign_off_row(page)).to_have_count(0)
    director.close()

    # -- the lead sees it back on My updates with the reason, fixes it and resubmits -----------------------------
    lead = browse(LEAD)
    page = lead.page
    row = _my_return_row(page)
    expect(row).to_contain_text(f"Returned: {SEND_BACK_REASON}")
    lead.click(row.get_by_role("link", name=f"Enter {REF} {PERIOD}"), "return-entry-returned")
    expect(page.get_by_role("alert").filter(has_text="Sent back:")).to_contain_text(SEND_BACK_REASON)
    assert float(_field(page, NUMERATOR).input_value()) == 80  # shown as stored: "80.000000"
    lead.type_into(_field(page, NUMERATOR), "90")
    lead.type_into(page.get_by_label("Commentary"),
                   "Checked against the contractor's log: 90 of 100 cleared within two working days.")
    expect(page.locator("#preview")).to_contain_text("Amber")
    lead.click(page.get_by_role("button", name="Submit for sign-off"), "resubmitted")
    expect(page.get_by_role("status").filter(has_text=f"{REF} {PERIOD} submitted for sign-off.")).to_be_visible()
    lead.close()

    # -- the director approves it --------------------------------------------------------------------------------
    director = browse(DIRECTOR)
    page = director.page
    director.click(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign-off"), "sign-off")
    row = _sign_off_row(page)
    expect(row).to_contain_text("Amber")
    director.click(row.get_by_role("button", name=f"Approve {REF} {PERIOD}"), "approved")
    expect(page.get_by_role("status").filter(has_text=f"Approved 1 return: {REF} {PERIOD}")).to_be_visible()
    director.close()
    ret.refresh_from_db()
    assert (ret.state, ret.value) == ("approved", 90)

    # -- locked: the lead's entry page has no form; the indicator page shows the RAG word for October 2026 --------
    lead = browse(LEAD)
    page = lead.page
    lead.goto(f"/indicators/{indicator.pk}/returns/{period.pk}/", "return-locked")
    expect(page.get_by_text("This return is approved and locked.")).to_be_visible()
    expect(page.locator("main form")).to_have_count(0)
    expect(page.locator("main input, main textarea")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit for sign-off")).to_have_count(0)
    lead.click(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=REF), "indicator")
    figures = page.locator("section[aria-labelledby='year-2026']")  # the year's figures, not the chart tables
    october = figures.get_by_role("row").filter(has=page.get_by_role("rowheader", name=PERIOD, exact=True))
    expect(october).to_have_count(1)
    expect(october.locator(".badge.rag")).to_have_text("Amber")
    expect(october).to_contain_text("Approved")
    lead.close()

    # -- internal audit sees every step ------------------------------------------------------------------------
    auditor = browse(AUDITOR)
    page = auditor.page
    auditor.click(page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit trail"), "audit")
    auditor.type_into(page.get_by_label("Search object, person or reason"), f"{REF} {PERIOD}")
    auditor.click(page.get_by_role("button", name="Search"), "audit-search")
    rows = page.locator("tbody tr").filter(has_text=f"{REF} {PERIOD}")
    steps = [(r.locator("td").nth(1).inner_text().strip(), r.locator("td").nth(2).inner_text().strip())
             for r in rows.all()]
    steps.reverse()  # the page is newest first
    assert steps == [
        ("Tom Ashworth", "Created"),
        ("Tom Ashworth", "Submitted"),
        ("Ruth Calloway", "Returned with a reason"),
        ("Tom Ashworth", "Changed"),
        ("Tom Ashworth", "Submitted"),
        ("Ruth Calloway", "Approved"),
    ], steps
    returned = rows.filter(has_text="Returned with a reason")
    expect(returned.locator("td").nth(5)).to_contain_text(SEND_BACK_REASON)
    changed = rows.filter(has_text="Changed")  # from what to what, figures as entered (not 8E+1)
    expect(changed.locator("li").filter(has_text="numerator:")).to_have_text(re.compile(r"^numerator:\s*80\D+90$"))
    expect(rows.filter(has_text="Created").locator("li").filter(has_text="denominator:")).to_contain_text("100")
    expect(page.locator("tbody")).not_to_contain_text(re.compile(r"\dE\+\d"))
    auditor.close()

    line = f"service lead monthly return: {clicks} clicks, {seconds:.1f} s"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "monthly_return_timing.txt").write_text(
        f"{line}\n(from opening the login page to the first successful submission, including two refused "
        f"attempts; clicks include clicking into each field typed in)\n")
    with capsys.disabled():
        print(f"\n{line}")


# -- B6: every refusal names its field, once, in the error summary ------------------------------------------

def test_every_refusal_is_in_the_error_summary_once(browse, demo):
    indicator = Indicator.objects.get(council=demo, ref=REF)
    period = Period.objects.get(frequency=indicator.current_spec.frequency, start=date(2026, 10, 1))
    lead = browse(LEAD)
    page = lead.page
    lead.goto(f"/indicators/{indicator.pk}/returns/{period.pk}/", "return-entry")
    _field(page, NUMERATOR).fill("120")
    _field(page, DENOMINATOR).fill("100")
    lead.click(page.get_by_role("button", name="Submit for sign-off"), "refused")
    message = "above the plausible maximum"
    assert message in page.locator("#error-summary").inner_text(), "not in the error summary"
    # beside a field at most once more (innermost elements holding the message, outside the summary and preview)
    elsewhere = page.locator("main *:not(#error-summary *):not(#preview *)", has_text=message).locator(
        f"xpath=self::*[not(*[contains(., '{message}')])]")
    assert elsewhere.count() <= 1, elsewhere.all_inner_texts()
