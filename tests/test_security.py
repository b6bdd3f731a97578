"""Security headers on public and admin pages: CSP, HSTS over https, and Django's standard set."""

import re

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    ("home", ()),
    ("companies:company_list", ()),
    ("companies:company_detail", ("xiaomi",)),
    ("companies:deal_list", ()),
    ("sources:source_list", ()),
]
INLINE_CODE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


def test_public_page_has_the_strict_policy_and_the_standard_headers(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert csp_directives(response) == {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain http, and HSTS is off by default


def test_public_pages_need_no_inline_script_or_style(client, seeded):
    """The strict policy would block any inline code: there must be none to block."""
    for name, args in PUBLIC_PAGES:
        response = client.get(reverse(name, args=args))

        assert response.status_code == 200, name
        assert "'unsafe" not in response.headers["Content-Security-Policy"], name
        assert INLINE_CODE.findall(response.text) == [], name


def test_admin_policy_allows_only_the_hashed_library_attributes(client, settings):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 200
    policy = csp_directives(response)
    assert policy["script-src"] == ["'self'"]  # no inline <script> element, hashed or not
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]  # the autocomplete widgets' requests
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["script-src-attr"][0] == "'unsafe-hashes'"
    assert len(policy["script-src-attr"]) == 1 + len(settings.ADMIN_INLINE_SCRIPT_ATTRIBUTES)
    assert len(policy["style-src-attr"]) == 1 + len(settings.ADMIN_INLINE_STYLE_ATTRIBUTES)
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_hsts_is_sent_over_https_when_enabled(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000

    over_https = client.get(reverse("home"), secure=True)
    over_http = client.get(reverse("home"))

    assert over_https.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in over_http.headers


def test_behind_a_tls_proxy_the_forwarded_scheme_counts_as_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    via_proxy = client.get(reverse("home"), headers={"x-forwarded-proto": "https"})
    plain = client.get(reverse("home"))

    assert via_proxy.status_code == 200
    assert via_proxy.headers["Strict-Transport-Security"] == "max-age=3600; includeSubDomains"
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://testserver/"


def test_session_and_csrf_cookies_are_secure_with_debug_off(client, superuser):
    client.get(reverse("admin:login"))
    response = client.post(reverse("admin:login"), {"username": superuser.username, "password": PASSWORD})

    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["sessionid"]["httponly"] is True
    assert client.cookies["csrftoken"]["secure"] is True
