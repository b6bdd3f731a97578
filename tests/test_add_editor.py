"""`manage.py add_editor`: a staff login in one editorial group, its password printed once."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from tests.conftest import editorial_group, make_staff

pytestmark = pytest.mark.django_db


def add_editor(*args: str) -> str:
    out = io.StringIO()
    call_command("add_editor", *args, stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str:
    return re.search(r"password: (\S+)", output).group(1)


def groups_of(username: str) -> list[str]:
    return sorted(get_user_model().objects.get(username=username).groups.values_list("name", flat=True))


def test_adds_a_staff_editor_whose_printed_password_logs_in():
    editorial_group("Editors")
    output = add_editor("ada", "--email", "ada@example.org", "--admin-url", "https://tracker.example.org/admin/")

    user = get_user_model().objects.get(username="ada")
    assert (user.email, user.is_staff, user.is_superuser) == ("ada@example.org", True, False)
    assert groups_of("ada") == ["Editors"]
    assert "https://tracker.example.org/admin/password_change/" in output
    password = printed_password(output)
    assert user.check_password(password)
    client = Client()
    login = client.post("/admin/login/?next=/admin/", {"username": "ada", "password": password})
    assert login.status_code == 302 and login["Location"] == "/admin/"
    assert client.get("/admin/companies/company/add/").status_code == 200  # an editor may add
    assert client.get("/admin/auth/user/").status_code == 403  # and never manage people


def test_reviewer_flag_adds_a_reviewer():
    editorial_group("Reviewers")
    add_editor("rita", "--email", "rita@example.org", "--reviewer")
    assert groups_of("rita") == ["Reviewers"]


def test_refuses_a_taken_username_whatever_its_case():
    make_staff(username="ada", group="Editors")
    with pytest.raises(CommandError, match=re.escape("A user named “ada” already exists; nothing was changed.")):
        add_editor("Ada", "--email", "other@example.org")
    assert get_user_model().objects.count() == 1


def test_reviewer_flag_promotes_an_existing_editor():
    make_staff(username="ada", group="Editors")
    editorial_group("Reviewers")
    assert "“ada” is now a reviewer." in add_editor("ada", "--reviewer")
    assert groups_of("ada") == ["Reviewers"]
    with pytest.raises(CommandError, match="already a reviewer"):
        add_editor("ada", "--reviewer")


def test_promotes_only_editors():
    make_staff(username="ops")  # staff in no group
    with pytest.raises(CommandError, match="not in the Editors group"):
        add_editor("ops", "--reviewer")
    assert groups_of("ops") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ada"], "Give the new editor's address with --email."),
        (["ada", "--email", "not-an-address"], "Enter a valid email address."),
        (["ada lovelace", "--email", "ada@example.org"], "Enter a valid username."),
    ],
)
def test_refuses_what_it_cannot_add(args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        add_editor(*args)
    assert not get_user_model().objects.exists()
