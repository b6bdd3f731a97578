"""The tracker's people: staff logins in one of the two editorial groups (core/migrations/0001).

Editors curate drafts; Reviewers may also publish, retract and delete. An editor is always staff
(or the admin refuses the login) and never a superuser: what each may do comes from the group.
"""

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

EDITORS = "Editors"
REVIEWERS = "Reviewers"


class PeopleRefusal(Exception):
    """A change to the people that was not made, with the reason an operator can act on."""


@dataclass(frozen=True, kw_only=True)
class EditorAdded:
    user: AbstractUser
    password: str  # shown once, never stored in the clear


def editorial_group(name: str) -> Group:
    try:
        return Group.objects.get(name=name)
    except Group.DoesNotExist:
        raise PeopleRefusal(f"The group “{name}” is missing: run `manage.py migrate` first.") from None


def existing_user(username: str) -> AbstractUser | None:
    # Case aside: "Alice" and "alice" would be two logins that people take for one.
    return get_user_model().objects.filter(username__iexact=username).first()


def editor_add(*, username: str, email: str, reviewer: bool = False) -> EditorAdded:
    """A new staff login in Editors (or Reviewers) with a generated password, returned once."""
    user_model = get_user_model()
    taken = existing_user(username)
    if taken is not None:
        hint = " Add --reviewer to make them a reviewer." if not reviewer else ""
        raise PeopleRefusal(f"A user named “{taken.username}” already exists; nothing was changed.{hint}")
    try:
        user_model._meta.get_field("username").run_validators(username)
        validate_email(email)
    except ValidationError as error:
        raise PeopleRefusal(" ".join(error.messages)) from None
    user = user_model(username=username, email=email, is_staff=True)
    password = generated_password(user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        user.groups.add(editorial_group(REVIEWERS if reviewer else EDITORS))
    return EditorAdded(user=user, password=password)


def editor_promote(*, username: str) -> AbstractUser:
    """Move an editor into Reviewers (which may do everything Editors may, and more)."""
    user = existing_user(username)
    if user is None:
        raise PeopleRefusal(f"No user named “{username}”: add them with --email.")
    group_names = set(user.groups.values_list("name", flat=True))
    if REVIEWERS in group_names:
        raise PeopleRefusal(f"“{user.username}” is already a reviewer; nothing was changed.")
    if EDITORS not in group_names:
        raise PeopleRefusal(
            f"“{user.username}” is not in the Editors group; only an editor is promoted here "
            "(change other users on their page in the admin)."
        )
    with transaction.atomic():
        user.groups.remove(editorial_group(EDITORS))
        user.groups.add(editorial_group(REVIEWERS))
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    return user


def generated_password(user: AbstractUser) -> str:
    """A random password that the site's own password rules accept."""
    password = secrets.token_urlsafe(15)  # 20 characters
    validate_password(password, user)
    return password
