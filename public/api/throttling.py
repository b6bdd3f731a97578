"""The read API's rate limit (DRF's throttling, configured in settings: REST_FRAMEWORK, API_RATE).

Its own module: DRF imports the default throttle while it defines its views, so this must not
import any view.
"""

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class PerClientRateThrottle(SimpleRateThrottle):
    """DJANGO_API_RATE requests per client address (DRF reads X-Forwarded-For only as far as
    DJANGO_API_PROXY_COUNT proxies), counted in the default cache. Read at each request, not once
    at import as DRF's own rate table is. Answers served from the page cache never get here."""

    scope = "api"

    def get_rate(self) -> str | None:
        return settings.API_RATE or None

    def get_cache_key(self, request: Request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
