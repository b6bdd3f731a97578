"""A database that cannot be reached answers 503 with the site's own page, not a 500.

While PostgreSQL restarts or fails over, every query raises OperationalError (or InterfaceError
on a connection it dropped). That is an outage, not a bug: the page says to try again, the
response carries Retry-After so crawlers and clients come back, and the server log gets the
traceback. The page is rendered without a request, so no context processor (which might query)
runs. Any other exception is left to Django, which renders templates/500.html the same way.
`/healthz` answers its own 503 (evtracker/health.py).

Two ways in: the middleware's `process_exception` for a view's queries, and `server_error`
(the site's handler500) for a query that fails outside any view, e.g. the page cache reading the
dataset version before the view runs; Django turns such an exception into the 500 handler's answer
before an outer middleware could see it.
"""

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        return unavailable(request, exception)


def unavailable(request: HttpRequest, exception: Exception) -> HttpResponse:
    logger.error("Database unavailable answering %s", request.path, exc_info=exception)
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page when the exception being handled is an unreachable database,
    otherwise the site's 500 page (rendered without a request, as Django's own handler does)."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        return unavailable(request, exception)
    return HttpResponse(render_to_string("500.html"), status=500)
