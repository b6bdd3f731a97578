"""`/healthz`: 200 while the database answers, 503 when it does not, and never a detail more."""

import logging

import pytest
from django.db import OperationalError
from django.urls import reverse

from evtracker import health

pytestmark = pytest.mark.django_db

SECRET_DETAIL = 'password authentication failed for user "evtracker" at db.internal:5432'


class UnreachableDatabase:
    def cursor(self):
        raise OperationalError(SECRET_DETAIL)


def test_reports_ok_while_the_database_answers(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


def test_reports_unavailable_without_leaking_why(client, monkeypatch, caplog):
    monkeypatch.setattr(health, "connection", UnreachableDatabase())

    with caplog.at_level(logging.ERROR, logger="evtracker.health"):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    assert "evtracker" not in response.text and "password" not in response.text
    assert SECRET_DETAIL in caplog.text  # the operator finds the reason in the log


def test_is_not_redirected_to_https_for_a_plain_http_probe(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("home")).status_code == 301


def test_answers_only_reads(client):
    assert client.post(reverse("healthz")).status_code == 405
