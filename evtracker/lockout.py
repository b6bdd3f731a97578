"""The page a locked-out login sees (django-axes calls this through AXES_LOCKOUT_CALLABLE)."""

from axes.helpers import get_client_username, get_cool_off
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """An admin-styled 429 page saying which account is locked, for how long, and who can unlock it."""
    context = {
        **admin.site.each_context(request),
        "title": "Login locked",
        "username": get_client_username(request, credentials) or "",
        "cooloff_minutes": round(get_cool_off(request).total_seconds() / 60),
    }
    return render(request, "admin/login_locked_out.html", context, status=429)
