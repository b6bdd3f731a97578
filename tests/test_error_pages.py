"""The site's own error pages (issue #13, point 4): a database that cannot be reached answers
503 with the site's page and Retry-After, on public pages and in the admin; a bug answers the
site's 500 page. Neither page queries the database (it is not there to answer)."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.urls import reverse

from evtracker.unavailable import RETRY_AFTER_SECONDS

pytestmark = pytest.mark.django_db

UNAVAILABLE = "The EV Entry Tracker cannot reach its database just now."


def get_with_cursor_raising(error: Exception, path: str, client: Client | None = None):
    """GET `path` while every query raises `error`, as when the database server is down."""
    client = client or Client(raise_request_exception=False)
    with mock.patch.object(connection, "cursor", side_effect=error):
        return client.get(path)


@pytest.mark.parametrize("error", [OperationalError("connection refused"), InterfaceError("connection already closed")])
@pytest.mark.parametrize("name", ["home", "companies:company_list", "companies:deal_list"])
def test_unreachable_database_answers_503_with_the_sites_page(name, error, caplog):
    response = get_with_cursor_raising(error, reverse(name))
    assert response.status_code == 503
    assert UNAVAILABLE in response.text
    assert "<title>Temporarily unavailable — EV Entry Tracker</title>" in response.text
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response  # the outer middleware still dress the response
    assert "connection" not in response.text  # the reason goes to the log only
    assert any("Database unavailable" in record.message for record in caplog.records)


def test_unreachable_database_in_the_admin_answers_503(superuser_client):
    superuser_client.raise_request_exception = False
    response = get_with_cursor_raising(
        OperationalError("could not connect"), reverse("admin:companies_company_changelist"), superuser_client
    )
    assert response.status_code == 503
    assert UNAVAILABLE in response.text


def test_a_bug_answers_the_sites_500_page():
    response = get_with_cursor_raising(ZeroDivisionError("a bug"), reverse("home"))
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "Retry-After" not in response
    assert "ZeroDivisionError" not in response.text


def test_pages_answer_as_usual_while_the_database_answers(client):
    assert client.get(reverse("home")).status_code == 200


def test_health_still_reports_on_its_own(client):
    response = get_with_cursor_raising(OperationalError("down"), reverse("healthz"), client)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_unreachable_database_answers_503_when_the_page_cache_asks_first(settings, caplog):
    settings.PAGE_CACHE = True  # the cache reads the dataset version before any view runs
    response = get_with_cursor_raising(OperationalError("connection refused"), reverse("companies:company_list"))
    assert response.status_code == 503
    assert UNAVAILABLE in response.text
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_a_bug_outside_any_view_answers_the_sites_500_page(settings):
    settings.PAGE_CACHE = True
    with mock.patch("public.caching.current_version", side_effect=ZeroDivisionError("a bug")):
        response = Client(raise_request_exception=False).get(reverse("home"))
    assert response.status_code == 500
    assert "Something went wrong" in response.text
