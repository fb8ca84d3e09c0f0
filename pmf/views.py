"""The core's own pages: the health check load balancers and monitoring ask, and the server-error page."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache

from pmf import health as checks

#: Raised while the database is unreachable (stopped, restarting, or the network to it down).
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)


@never_cache
def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitoring: the database (503 when it fails: no page can be served), the cache, the
    job runner's broker, and whether a worker and beat were seen recently (pmf/health.py). States only, no
    addresses or error texts; answers within about two seconds whatever is down."""
    report, status = checks.report()
    return JsonResponse(report, status=status)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler. An error because the database is unreachable (stopped or restarting) is not a fault of the
    page: answer 503 with a page that says so and that nothing saved before is lost. Neither page reads the
    database (no request context: the user, the navigation), so both render while it is down."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNREACHABLE):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)
