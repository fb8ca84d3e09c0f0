"""The core's own page: the health check load balancers and monitoring ask."""

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitoring: 200 when the database and cache answer, else 503 naming what failed.
    Reveals nothing but the state of each dependency."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure is reported as such
        checks["database"] = "failed"
    try:
        cache.set("pmf-health", "1", 5)
        checks["cache"] = "ok" if cache.get("pmf-health") == "1" else "failed"
    except Exception:  # noqa: BLE001
        checks["cache"] = "failed"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "failed", **checks}, status=200 if healthy else 503)
