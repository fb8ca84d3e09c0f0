"""The API's pages in a real browser (issue 12): the API tokens page (make a token, shown once; revoke it) and the
API docs (Swagger UI from our own static files) under the strict Content Security Policy: no violation (checked for
every page the browser tests open), and the operations are listed. Both checked with axe-core (WCAG 2.2 A and AA)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, describe_violations

pytestmark = pytest.mark.browser


def test_make_a_token_and_read_the_docs(browse, demo):
    visit = browse("tom.ashworth")
    page = visit.page
    visit.goto("/accounts/api-tokens/", "api-tokens")
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    visit.type_into(page.get_by_label("What the token is for"), "Power BI refresh")
    visit.click(page.get_by_role("button", name="Make the token"), "api-token-made")
    secret = page.locator(".api-token-secret").inner_text().strip()
    assert secret.startswith("pmf_")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    visit.goto("/accounts/api-tokens/", "api-tokens-again")
    expect(page.get_by_text(secret)).to_have_count(0)  # shown once only
    expect(page.get_by_role("cell", name="Power BI refresh", exact=True)).to_be_visible()

    visit.goto("/api/docs/", "api-docs")
    expect(page.get_by_text("/api/returns/{id}/submit/").first).to_be_visible(timeout=15_000)
    expect(page.get_by_text("/public/{council_slug}/open-data/{year}.json").first).to_be_visible()

    visit.goto("/accounts/api-tokens/", "api-tokens-revoke")
    visit.click(page.get_by_role("button", name="Revoke Power BI refresh"), "api-token-revoked")
    expect(page.get_by_role("cell", name="Power BI refresh", exact=True)).to_be_visible()
    expect(page.get_by_text("revoked", exact=False).first).to_be_visible()
