"""Content-Security-Policy: a strict policy for the public site and a second one for the admin.

Settings name both policies (CONTENT_SECURITY_POLICY and CONTENT_SECURITY_POLICY_ADMIN); this
module only picks one per request. It is imported by settings, so it must not import models.
"""

import base64
import hashlib

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse


def csp_hash(source: str) -> str:
    """The CSP source expression that allows exactly this inline text (a style or handler attribute)."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with CONTENT_SECURITY_POLICY_ADMIN for every page under the admin.

    The admin and django-import-export ship a few inline attributes; only the admin's policy
    allows them (by exact hash), so the public site stays free of any inline exception.
    A view that sets its own policy with django-csp's decorators keeps it.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and request.path.startswith(reverse("admin:index")):
            parts.config = settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]
        return parts
