"""The Content Security Policy: the header every page sends (signed-in pages, the public site, the admin), the
endpoint that logs what browsers report, and templates free of what the policy refuses (inline scripts, style
attributes, <style> elements, event handler attributes). The browser tests check every page they open for
violations (tests/browser/conftest.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
#: Rendered on the server and never served as a page, so no policy applies: emails (their clients need inline
#: styles) and the PDF's HTML (WeasyPrint reads its <style>).
NOT_PAGES = {"emails", "reporting/pack/pdf.html"}
EXPECTED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "report-uri": "/csp-report/",
}


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {name: value.strip() for name, _, value in (d.strip().partition(" ") for d in header.split(";"))}


def _assert_strict(response) -> None:
    assert response.status_code == 200
    policy = directives(response)
    assert policy == EXPECTED
    assert "unsafe" not in response["Content-Security-Policy"]


def test_a_signed_in_page_sends_the_policy(client):
    client.force_login(get_user_model().objects.get(username="tom.ashworth"))
    _assert_strict(client.get(reverse("home")))


def test_the_sign_in_page_and_the_public_site_send_the_policy(client):
    _assert_strict(client.get(reverse("login")))
    _assert_strict(client.get(reverse("public:home", args=["harrowdale"])))
    _assert_strict(client.get(reverse("accessibility")))


def test_the_admin_sends_the_policy(client):
    client.force_login(get_user_model().objects.get(username="helen.marsh"))
    _assert_strict(client.get(reverse("admin:index")))
    _assert_strict(client.get(reverse("admin:plans_action_changelist")))


@pytest.mark.parametrize("debug", [True, False])
def test_the_policy_is_the_same_with_debug_on_and_off(client, settings, debug):
    settings.DEBUG = debug
    _assert_strict(client.get(reverse("login")))


# -- the report endpoint -----------------------------------------------------------------------------------------

REPORT = {"csp-report": {"document-uri": "https://pmf.example/indicators/1/", "violated-directive": "style-src-elem",
                         "effective-directive": "style-src-elem", "blocked-uri": "inline",
                         "source-file": "https://pmf.example/static/vendor/plotly/plotly.min.js", "line-number": 18}}


def test_a_report_is_logged_and_answered_204(client, caplog):
    with caplog.at_level("WARNING", logger="pmf.csp"):
        response = client.post(reverse("csp_report"), json.dumps(REPORT), content_type="application/csp-report")
    assert response.status_code == 204
    [record] = [r for r in caplog.records if r.name == "pmf.csp"]
    message = record.getMessage()
    assert "violated-directive='style-src-elem'" in message
    assert "document-uri='https://pmf.example/indicators/1/'" in message
    assert "plotly.min.js" in message


def test_a_reporting_api_report_is_logged_too(client, caplog):
    body = [{"type": "csp-violation", "url": "https://pmf.example/",
             "body": {"documentURL": "https://pmf.example/", "effectiveDirective": "script-src-elem",
                      "blockedURL": "inline", "sample": "alert(1)" * 100}}]
    with caplog.at_level("WARNING", logger="pmf.csp"):
        response = client.post(reverse("csp_report"), json.dumps(body), content_type="application/reports+json")
    assert response.status_code == 204
    [record] = [r for r in caplog.records if r.name == "pmf.csp"]
    assert "violated-directive='script-src-elem'" in record.getMessage()
    assert len(record.getMessage()) < 600  # every field cut short


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b'{"csp-report": "x"}', b"\xff\xfe"])
def test_nonsense_is_answered_204_and_not_logged(client, caplog, body):
    with caplog.at_level("WARNING", logger="pmf.csp"):
        response = client.post(reverse("csp_report"), body, content_type="application/csp-report")
    assert response.status_code == 204
    assert not [r for r in caplog.records if r.name == "pmf.csp"]


def test_a_report_too_large_is_refused_saying_so(client):
    response = client.post(reverse("csp_report"), b"x" * (17 * 1024), content_type="application/csp-report")
    assert response.status_code == 400
    assert b"at most 16 KB" in response.content


def test_reports_are_posted_only(client):
    assert client.get(reverse("csp_report")).status_code == 405


# -- the templates -----------------------------------------------------------------------------------------------

REFUSED = {
    "a style attribute": re.compile(r"""\sstyle\s*=""", re.I),
    "a <style> element": re.compile(r"<style[\s>]", re.I),
    "an inline <script>": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>", re.I),
    "an event handler attribute": re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I),
    "a javascript: address": re.compile(r"javascript:", re.I),
}


def _page_templates() -> list[Path]:
    return [path for path in sorted(TEMPLATES.rglob("*.html"))
            if not any(str(path.relative_to(TEMPLATES)).startswith(skip) for skip in NOT_PAGES)]


def test_no_template_has_what_the_policy_refuses():
    found = []
    for path in _page_templates():
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", "", text, flags=re.S)
        for what, pattern in REFUSED.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert not found, "\n".join(found)
    assert len(_page_templates()) > 50
