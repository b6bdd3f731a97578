"""Repeated failed admin logins lock that login out for a while, with a clear message."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.conftest import PASSWORD, logged_in, make_staff

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def failure_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # many logins: keep them fast


def log_in(client, username: str, password: str):
    return client.post(reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"})


def test_failures_below_the_limit_show_the_usual_form(client, superuser):
    for _ in range(LIMIT - 1):
        response = log_in(client, "boss", "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.text

    assert log_in(client, "boss", PASSWORD).status_code == 302  # still allowed in


def test_the_limit_locks_the_login_even_with_the_right_password(client, superuser):
    for _ in range(LIMIT - 1):
        log_in(client, "boss", "wrong")

    locked = log_in(client, "boss", "wrong")
    assert locked.status_code == 429
    assert "Too many failed login attempts for “boss”" in locked.text
    assert "locked for 15 minutes" in locked.text

    again = log_in(client, "boss", PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_other_accounts_can_still_log_in(client, superuser, editor):
    for _ in range(LIMIT):
        log_in(client, "boss", "wrong")

    assert log_in(client, "editor", PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, superuser):
    for _ in range(LIMIT):
        log_in(client, "boss", "wrong")
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16))

    assert log_in(client, "boss", PASSWORD).status_code == 302


def test_a_success_resets_the_count(client, superuser):
    for _ in range(LIMIT - 1):
        log_in(client, "boss", "wrong")
    assert log_in(client, "boss", PASSWORD).status_code == 302
    client.logout()

    for _ in range(LIMIT - 1):
        assert log_in(client, "boss", "wrong").status_code == 200


def test_superusers_see_lockouts_in_the_admin(client, superuser):
    for _ in range(LIMIT):
        log_in(client, "boss", "wrong")
    another_superuser = logged_in(make_staff(username="root", is_superuser=True))

    response = another_superuser.get(reverse("admin:axes_accessattempt_changelist"), {"locked_out": "yes"})

    assert response.status_code == 200
    assert "boss" in response.text
    assert f'<td class="field-failures_since_start">{LIMIT}</td>' in response.text


def test_staff_without_permission_cannot_see_lockouts():
    staff = logged_in(make_staff(username="staff"))

    assert staff.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403
