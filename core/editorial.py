"""What every curated record shares: its editorial state and the one `published()` filter.

Company, Deal and Source inherit `Curated`; every public view, download, feed and sitemap reaches
records through `published()`, and the records that belong to them (aliases, participations,
excerpts, noise spans) through their `DependentQuerySet.visible()`, so visibility is decided in
exactly one place per kind of record.
"""

import datetime
from typing import NamedTuple

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.slugs import former_slug_record


class EditorialState(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


def data_permissions(model_name: str, plural: str, *, publish: bool = False) -> list[tuple[str, str]]:
    """Permissions beyond Django's add/change/delete/view: moving data in and out of files, and
    (for records with an editorial state) publishing."""
    permissions = [
        (f"import_{model_name}", f"Can import {plural} from a file"),
        (f"export_{model_name}", f"Can export {plural} to a file"),
    ]
    if publish:
        permissions.append((f"publish_{model_name}", f"Can publish and retract {plural}"))
    return permissions


def published_q(relation: str = "") -> models.Q:
    """The one rule of visibility, as a condition: on the record itself, or through a relation
    (`published_q("deal")` on participations). `published()` applies it; a query that filters
    rows by a related record's visibility uses it so the database can join rather than run a
    subquery per row."""
    prefix = f"{relation}__" if relation else ""
    return models.Q(**{f"{prefix}editorial_state": EditorialState.PUBLISHED})


class CuratedQuerySet(models.QuerySet):
    def published(self) -> "CuratedQuerySet":
        return self.filter(published_q())


class DependentQuerySet(models.QuerySet):
    """Records with no editorial state of their own (aliases, participations, excerpts, noise
    spans): a reader may see one only when every record it belongs to, named in `parents`, is
    published. `visible()` applies the rule; `visible_q(relation)` gives it as a condition through
    a relation (`ExcerptQuerySet.visible_q("excerpt")` on an excerpt link table), like `published_q`."""

    parents: tuple[str, ...] = ()

    @classmethod
    def visible_q(cls, relation: str = "") -> models.Q:
        prefix = f"{relation}__" if relation else ""
        condition = models.Q()
        for parent in cls.parents:
            condition &= published_q(f"{prefix}{parent}")
        return condition

    def visible(self) -> "DependentQuerySet":
        return self.filter(self.visible_q())


class Curated(models.Model):
    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text="Permanent identifier used in page addresses and in CSV files. Lower case, "
        "words joined by hyphens. Do not change it once the record is published.",
    )
    editorial_state = models.CharField(
        max_length=12,
        choices=EditorialState.choices,
        default=EditorialState.DRAFT,
        db_index=True,
        help_text="Only published records appear on the public site and in downloads.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What readers are told about a record's age: when it was published, never when rows were
    # loaded. The tracker sets both on every save (`publication_stamp`); a file supplies them only
    # for a record it creates already published or retracted (seeds, a restore).
    first_published_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the record was first published; empty until then. Set by the tracker; a file's "
        "value counts only for a record the file creates published or retracted (a restore, the seeds).",
    )
    last_published_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the version now public was published: the latest publication, or the latest "
        "change saved to the record while published. Set by the tracker, like first_published_at.",
    )

    objects = CuratedQuerySet.as_manager()
    # Every change, from any path that saves (form, inline, action, import), with who and when.
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        # Bookkeeping, like `updated_at`: whichever path saves (workflow action, change form,
        # history revert, import), the version it makes public is dated.
        publication_stamp(self, when=timezone.now())
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "first_published_at", "last_published_at"}
        renamed_from = self.stored_slug
        super().save(*args, **kwargs)
        self.stored_publication_times = (self.first_published_at, self.last_published_at)
        if renamed_from and renamed_from != self.slug:
            # Old links keep working: the old slug now leads here (core/slugs.py).
            former_slug_record(record=self, slug=renamed_from)
        self.__dict__["_stored_slug"] = self.slug

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The state as stored, to judge a change of state against (forms and imports edit the
        # instance in place before it is validated).
        instance.stored_editorial_state = instance.__dict__.get("editorial_state", EditorialState.DRAFT)
        if "slug" in instance.__dict__:
            instance.__dict__["_stored_slug"] = instance.slug
        if "first_published_at" in instance.__dict__ and "last_published_at" in instance.__dict__:
            instance.stored_publication_times = (instance.first_published_at, instance.last_published_at)
        return instance

    @property
    def stored_publication_times(self) -> tuple | None:
        """(first_published_at, last_published_at) as stored; None for a record not yet saved."""
        if "_stored_publication_times" not in self.__dict__:
            # Built other than from a query (say, from a historical version): ask the database.
            times = None
            if self.pk is not None:
                stored = type(self)._default_manager.filter(pk=self.pk)
                times = stored.values_list("first_published_at", "last_published_at").first()
            self.stored_publication_times = times
        return self.__dict__["_stored_publication_times"]

    @stored_publication_times.setter
    def stored_publication_times(self, value: tuple | None) -> None:
        self.__dict__["_stored_publication_times"] = value

    @property
    def stored_slug(self) -> str | None:
        """The slug as last saved (None: not saved yet), to tell a rename."""
        if "_stored_slug" not in self.__dict__:
            # Built other than from a query (a historical version being reverted): ask the database.
            stored = type(self)._default_manager.filter(pk=self.pk).values_list("slug", flat=True)
            self.__dict__["_stored_slug"] = stored.first() if self.pk is not None else None
        return self.__dict__["_stored_slug"]

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def is_published(self) -> bool:
        return self.editorial_state == EditorialState.PUBLISHED

    @property
    def stored_editorial_state(self) -> str:
        """The state as last saved; a record not yet saved counts as a draft."""
        if "_stored_editorial_state" not in self.__dict__:
            # Built other than from a query (say, from a historical version): ask the database.
            stored = type(self)._default_manager.filter(pk=self.pk).values_list("editorial_state", flat=True)
            self.stored_editorial_state = (stored.first() if self.pk else None) or EditorialState.DRAFT
        return self.__dict__["_stored_editorial_state"]

    @stored_editorial_state.setter
    def stored_editorial_state(self, value: str) -> None:
        self.__dict__["_stored_editorial_state"] = value

    def publication_problems(self) -> list[str]:
        """What this record lacks to be published (empty: nothing). Models add their rules."""
        return []


# -- Workflow ---------------------------------------------------------------------------------
# draft → in review → published → retracted → draft; in review can also go back to draft.
# Any move into or out of published or retracted needs the model's publish permission (the
# Reviewers group): once a record has been public, it is the reviewers' to change.

REVIEWED_STATES = (EditorialState.PUBLISHED, EditorialState.RETRACTED)


class Transition(NamedTuple):
    label: str
    from_states: tuple[str, ...]
    to_state: str


TRANSITIONS = {
    "send_for_review": Transition("Send for review", (EditorialState.DRAFT,), EditorialState.IN_REVIEW),
    "publish": Transition("Publish", (EditorialState.IN_REVIEW,), EditorialState.PUBLISHED),
    "retract": Transition("Retract", (EditorialState.PUBLISHED,), EditorialState.RETRACTED),
    "back_to_draft": Transition(
        "Back to draft", (EditorialState.IN_REVIEW, EditorialState.RETRACTED), EditorialState.DRAFT
    ),
}


def needs_reviewer(from_state: str, to_state: str) -> bool:
    return from_state in REVIEWED_STATES or to_state in REVIEWED_STATES


class EditorialRefusal(Exception):
    """A state change that is not allowed; `problems` says exactly why, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


def can_publish(user, model: type[models.Model]) -> bool:
    return user.has_perm(f"{model._meta.app_label}.publish_{model._meta.model_name}")


def state_label(state: str) -> str:
    return EditorialState(state).label.lower()


def transition_problems(record: "Curated", to_state: str, user) -> list[str]:
    """Why `user` may not move `record` from its stored state to `to_state` (empty: allowed)."""
    from_state = record.stored_editorial_state
    if from_state == to_state:
        return []
    name = f"{record._meta.verbose_name} “{record}”"
    move = next((t for t in TRANSITIONS.values() if t.to_state == to_state and from_state in t.from_states), None)
    if move is None:
        return [f"The {name} cannot go from {state_label(from_state)} to {state_label(to_state)}."]
    if needs_reviewer(from_state, to_state) and not can_publish(user, type(record)):
        return [f"Only reviewers can {move.label.lower()} the {name}."]
    if to_state == EditorialState.PUBLISHED:
        return [publish_refusal(record, problem) for problem in record.publication_problems()]
    return []


def publish_refusal(record: "Curated", problem: str) -> str:
    """A publishing rule `record` fails, as every refusal and the review queue say it."""
    return f"Cannot publish the {record._meta.verbose_name} “{record}”: {problem}"


def unsupported_problem(waiting: list[tuple[str, str]]) -> str:
    """The rule a company or deal fails with no excerpt of a published source behind it, naming
    the sources (title, state) whose excerpts do support it: what the reviewer must publish first."""
    problem = "no excerpt from a published source supports it"
    if not waiting:
        return f"{problem}."
    reasons = {EditorialState.IN_REVIEW: "is still in review", EditorialState.DRAFT: "is a draft"}
    named = [f"the source “{title}” {reasons.get(state, 'is retracted')}" for title, state in waiting]
    return f"{problem}: {'; '.join(named)}."


def publication_stamp(record: "Curated", *, when: datetime.datetime) -> None:
    """Date the version of `record` about to be saved. A record already stored keeps its first
    publication and, if published, is dated `when` (publishing it, or changing it while published,
    makes this version public). A new record keeps the times it was given only if it is created
    published or retracted, which needs a reviewer or the command line: nobody else can backdate
    a publication. Every save path calls this: `Curated.save()` and the bulk import."""
    stored = record.stored_publication_times
    if stored is not None:
        record.first_published_at, record.last_published_at = stored
    elif record.editorial_state not in REVIEWED_STATES:
        record.first_published_at = record.last_published_at = None
    if record.editorial_state == EditorialState.PUBLISHED:
        if stored is not None or record.last_published_at is None:
            record.last_published_at = when
        record.first_published_at = record.first_published_at or record.last_published_at


def editorial_transition(*, record: "Curated", to_state: str, user) -> None:
    """Move `record` to `to_state` and save it (with history, and dated by `publication_stamp`
    when it is published), or raise EditorialRefusal."""
    problems = transition_problems(record, to_state, user)
    if problems:
        raise EditorialRefusal(problems)
    record.editorial_state = to_state
    record._change_reason = f"{state_label(record.stored_editorial_state)} → {state_label(to_state)}"
    record.save()
    record.stored_editorial_state = to_state
