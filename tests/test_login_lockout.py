"""Repeated failed admin logins lock that login out for a while, with a clear message."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"
LIMIT = 3


@pytest.fixture(autouse=True)
def failure_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # many logins: keep them fast


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", password=PASSWORD)


def log_in(client, username: str, password: str):
    return client.post(reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"})


def test_failures_below_the_limit_show_the_usual_form(client, boss):
    for _ in range(LIMIT - 1):
        response = log_in(client, "boss", "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.text

    assert log_in(client, "boss", PASSWORD).status_code == 302  # still allowed in


def test_the_limit_locks_the_login_even_with_the_right_password(client, boss):
    for _ in range(LIMIT - 1):
        log_in(client, "boss", "wrong")

    locked = log_in(client, "boss", "wrong")
    assert locked.status_code == 429
    assert "Too many failed login attempts for “boss”" in locked.text
    assert "locked for 15 minutes" in locked.text

    again = log_in(client, "boss", PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_other_accounts_can_still_log_in(client, boss, django_user_model):
    django_user_model.objects.create_superuser("editor", password=PASSWORD)
    for _ in range(LIMIT):
        log_in(client, "boss", "wrong")

    assert log_in(client, "editor", PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, boss):
    for _ in range(LIMIT):
        log_in(client, "boss", "wrong")
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16))

    assert log_in(client, "boss", PASSWORD).status_code == 302


def test_a_success_resets_the_count(client, boss):
    for _ in range(LIMIT - 1):
        log_in(client, "boss", "wrong")
    assert log_in(client, "boss", PASSWORD).status_code == 302
    client.logout()

    for _ in range(LIMIT - 1):
        assert log_in(client, "boss", "wrong").status_code == 200


def test_superusers_see_lockouts_in_the_admin(client, boss, django_user_model):
    for _ in range(LIMIT):
        log_in(client, "boss", "wrong")
    client.force_login(django_user_model.objects.create_superuser("root", password=PASSWORD))

    response = client.get(reverse("admin:axes_accessattempt_changelist"), {"locked_out": "yes"})

    assert response.status_code == 200
    assert "boss" in response.text
    assert f'<td class="field-failures_since_start">{LIMIT}</td>' in response.text


def test_staff_without_permission_cannot_see_lockouts(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True))

    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403
