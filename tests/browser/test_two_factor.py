"""Two-factor authentication in a real browser: the performance unit's Head of Performance signs in with her
password, is sent to set up an authenticator app (the QR code and its key as text), confirms with a code computed
from that key (as the app would), keeps her recovery codes, signs out, and signs in again with a code. Every page of
the way is checked with axe-core (WCAG 2.2 A and AA)."""

from __future__ import annotations

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, axe_violations, describe_violations

pytestmark = pytest.mark.browser

PERFORMANCE_UNIT = "helen.marsh"


def _code(secret: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for this key now (or a step later: still accepted, one step either way)."""
    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def _no_axe_violations(visit, page_name: str) -> None:
    violations = axe_violations(visit.page)
    assert not violations, f"axe violations on {page_name} ({visit.page.url}):\n{describe_violations(violations)}"


def _password_step(visit, label: str) -> None:
    visit.goto("/accounts/login/", f"login-{label}")
    visit.type_into(visit.page.get_by_label("Username"), PERFORMANCE_UNIT)
    visit.type_into(visit.page.get_by_label("Password"), DEMO_PASSWORD)
    visit.click(visit.page.get_by_role("button", name="Sign in"), f"after-password-{label}")


def test_set_up_and_sign_in_with_a_code(browse, demo, settings):
    settings.TWO_FACTOR_REQUIRED = True  # the live server runs in this process: it sees the setting
    visit = browse(PERFORMANCE_UNIT, log_in=False)
    page = visit.page

    # the password, then set-up: nothing else can be reached before it is done
    _password_step(visit, "first")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.locator("svg.two-factor-qr")).to_be_visible()
    _no_axe_violations(visit, "set-up")
    visit.goto("/indicators/", "indicators-before-set-up")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")

    # a wrong code is refused, naming the field; the code the app shows for the key on the page is accepted
    secret = page.locator("#secret").inner_text().strip()
    right = _code(secret)
    visit.type_into(page.get_by_label("6-digit code from the app"), "000000" if right != "000000" else "111111")
    visit.click(page.get_by_role("button", name="Confirm"), "set-up-refused")
    expect(page.locator(".invalid-feedback")).to_contain_text("That code is not right")
    _no_axe_violations(visit, "set-up refused")
    time.sleep(2.1)  # the wait the device asks after a wrong code
    visit.type_into(page.get_by_label("6-digit code from the app"), _code(secret))
    visit.click(page.get_by_role("button", name="Confirm"), "recovery-codes")

    # ten recovery codes, shown once, with a download
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator(".two-factor-codes li")).to_have_count(10)
    _no_axe_violations(visit, "recovery codes")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the codes (.txt)").click()
    assert download.value.suggested_filename == "recovery-codes.txt"
    visit.click(page.get_by_role("button", name="I have kept my recovery codes"), "indicators")
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicators")  # the page she asked for before set-up
    visit.click(page.get_by_role("link", name="Account security"), "account-security")
    expect(page.get_by_role("heading", level=1)).to_have_text("Account security")
    _no_axe_violations(visit, "account security")
    visit.goto("/", "home")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")

    # signing out and in again: the password, then the code
    visit.click(page.get_by_role("button", name="Sign out"), "signed-out")
    _password_step(visit, "second")
    expect(page.get_by_role("heading", level=1)).to_have_text("Code from your authenticator app")
    _no_axe_violations(visit, "code step")
    visit.type_into(page.get_by_label("Code"), _code(secret, steps_ahead=1))  # set-up used this step's code
    visit.click(page.get_by_role("button", name="Continue"), "signed-in-with-code")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
