"""Where browsers report a breach of the Content Security Policy (``CONTENT_SECURITY_POLICY`` in settings): each
report is logged as a warning, so a page that needs an inline script or style, or a script that calls eval, shows in
the logs rather than failing quietly in someone's browser.

Anyone may send a report (the public site has a policy too), so nothing from it is trusted: it is only logged,
field by field, each field cut short.
"""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("pmf.csp")

#: The largest report read: a browser's report is well under 2 KB.
MAX_REPORT_BYTES = 16 * 1024
#: What is logged of each report (the names of the older ``report-uri`` format and of the Reporting API's).
FIELDS = (
    ("document-uri", "documentURL"),
    ("violated-directive", "effectiveDirective"),
    ("blocked-uri", "blockedURL"),
    ("source-file", "sourceFile"),
    ("line-number", "lineNumber"),
    ("script-sample", "sample"),
)
MAX_FIELD_CHARS = 300


def _reports(body: bytes) -> list[dict]:
    """The reports in a request's body: ``{"csp-report": {...}}`` (``report-uri``) or a list of
    ``{"type": "csp-violation", "body": {...}}`` (``report-to``); anything else is none."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return []
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        return [data["csp-report"]]
    if isinstance(data, list):
        return [item["body"] for item in data if isinstance(item, dict) and isinstance(item.get("body"), dict)]
    return []


@csrf_exempt  # browsers send reports without a CSRF token, and a report changes nothing
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Logs each violation the browser reports; answers 204 whatever was sent (400 when it is too large)."""
    length = request.headers.get("Content-Length", "")
    too_large = HttpResponse(f"A report may be at most {MAX_REPORT_BYTES // 1024} KB.", status=400,
                             content_type="text/plain")
    # Digits 0 to 9 only ("²" passes isdigit, not int); a size of more than 9 digits is too large without reading it.
    digits = length.lstrip("0") if length.isascii() and length.isdigit() else ""
    if digits and (len(digits) > 9 or int(digits) > MAX_REPORT_BYTES):
        return too_large
    body = request.read(MAX_REPORT_BYTES + 1)
    if len(body) > MAX_REPORT_BYTES:
        return too_large
    for report in _reports(body):
        parts = []
        for old, new in FIELDS:
            value = report.get(old, report.get(new))
            if value not in (None, ""):
                parts.append(f"{old}={str(value)[:MAX_FIELD_CHARS]!r}")
        logger.warning("Content Security Policy violation: %s", " ".join(parts) or "(an empty report)")
    return HttpResponse(status=204)
