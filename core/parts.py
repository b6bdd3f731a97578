"""Parts of curated records: who may add, change or delete them, and what a change may not break.

Aliases, participations, noise spans, excerpts and stories have no editorial state of their own:
each belongs to curated records (its parents). Once a parent has been public (published or
retracted) it is the reviewers' to change, and so are its parts: adding, changing or deleting one
needs the parent's publish permission. And no change to a part, by anyone, may take from a
published parent what publishing requires (a deal's last party, a record's last supporting
excerpt): the reviewer is told to retract the parent first.

Every path that writes a part asks these functions: the admin's forms, inlines, delete view and
action and history revert (core/admin.py), and the import from the admin, the command
line and the seeds (dataio/resources.py, dataio/bulk.py).
"""

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import models, transaction

from core.editorial import REVIEWED_STATES, EditorialState, can_publish, state_label

# The fields through which each part belongs to its parents.
# - A participation belongs to its deal. Its company is a party the deal names, not a parent: a
#   company's page shows a deal only once a reviewer has published the deal.
# - An excerpt belongs to its source and to every company and deal it backs, whatever the
#   source's state: linked to a published record it is that record's evidence (waiting, while
#   the source is a draft, to go live with it without anyone reading the record again), so
#   linking, changing or unlinking it needs the record's publish permission.
# - A story belongs to the sources that are versions of it: it decides which of them count as
#   one independent source.
PART_PARENTS: dict[str, tuple[str, ...]] = {
    "companies.alias": ("company",),
    "companies.participation": ("deal",),
    "sources.noisespan": ("source",),
    "sources.excerpt": ("source", "companies", "deals"),
    "sources.story": ("sources",),
}

ADD, CHANGE, DELETE = "add", "change", "delete"


def is_part(model: type[models.Model]) -> bool:
    return model._meta.label_lower in PART_PARENTS


def many_to_many_parent_fields(model: type[models.Model]) -> list[str]:
    """The parent fields a form or an import row sets as a list (an excerpt's companies, deals)."""
    return [name for name in PART_PARENTS[model._meta.label_lower] if model._meta.get_field(name).many_to_many]


def _key(record: models.Model) -> tuple:
    return (record._meta.label_lower, record.pk)


def named(record: models.Model) -> str:
    """A record as messages name it: its kind and its name in quotation marks (an excerpt's
    name, its quote, brings its own)."""
    text = str(record)
    return f"{record._meta.verbose_name} {text if text.startswith('“') else f'“{text}”'}"


def _related_records(part: models.Model, name: str) -> list[models.Model]:
    relation = part._meta.get_field(name)
    if relation.many_to_one:
        return [] if getattr(part, relation.attname) is None else [getattr(part, name)]
    # Many-to-many and reverse relations exist only for a saved part.
    return list(getattr(part, name).all()) if part.pk else []


def reviewed_parents(part: models.Model, *, related: Mapping[str, Iterable] | None = None) -> list[models.Model]:
    """The published or retracted records `part` belongs to, as it stands in memory; `related`
    gives many-to-many values not saved yet (a form's, an import row's), by field name."""
    related = related or {}
    found: dict[tuple, models.Model] = {}
    for name in PART_PARENTS[part._meta.label_lower]:
        for parent in related[name] if name in related else _related_records(part, name):
            if parent.stored_editorial_state in REVIEWED_STATES:
                found.setdefault(_key(parent), parent)
    return list(found.values())


def stored_version(part: models.Model) -> models.Model | None:
    """The part as the database holds it (None: not saved), whatever the instance carries (a
    form's changes, an old version from the history); remembered on the instance."""
    if "_stored_version" not in part.__dict__:
        stored = type(part)._default_manager.filter(pk=part.pk).first() if part.pk is not None else None
        part.__dict__["_stored_version"] = stored
    return part.__dict__["_stored_version"]


def may_change_part(user, part: models.Model) -> bool:
    """Whether `user` may change or delete `part` as stored (the admin's change and delete
    permission on one part)."""
    stored = stored_version(part)
    return stored is None or all(can_publish(user, type(parent)) for parent in reviewed_parents(stored))


def may_change_parts_of(user, record: models.Model) -> bool:
    """Whether `user` may add, change or delete the parts of `record` (an inline's permission)."""
    return record.stored_editorial_state not in REVIEWED_STATES or can_publish(user, type(record))


@dataclass
class PartChange:
    """One add, change or delete of a part. `part` is the part as it would be saved (for a
    delete: as stored), `before` the published or retracted parents it has as stored (none for a
    new part), `related` its many-to-many values not saved yet."""

    action: str
    part: models.Model
    before: list[models.Model] = field(default_factory=list)
    related: dict[str, Iterable] = field(default_factory=dict)

    @property
    def parents(self) -> list[models.Model]:
        """Its published or retracted parents before and after the change."""
        after = [] if self.action == DELETE else reviewed_parents(self.part, related=self.related)
        return list({_key(parent): parent for parent in [*self.before, *after]}.values())

    def description(self) -> str:
        return f"{self.action} the {named(self.part)}"

    def apply(self) -> None:
        """Write the change (only ever inside a savepoint that is rolled back)."""
        if self.action == DELETE:
            type(self.part)._default_manager.filter(pk=self.part.pk).delete()
            return
        trial = copy.copy(self.part)
        trial.skip_history_when_saving = True
        trial.save()
        for name, values in self.related.items():
            getattr(trial, name).set(values)


def part_change(
    part: models.Model, *, delete: bool = False, related: Mapping[str, Iterable] | None = None
) -> PartChange:
    """The change that saving (or deleting) `part` makes, judged against the part as stored."""
    stored = stored_version(part)
    if delete:
        return part_deletion(stored or part)
    action = ADD if stored is None else CHANGE
    return PartChange(action, part, reviewed_parents(stored) if stored else [], dict(related or {}))


def part_deletion(stored: models.Model) -> PartChange:
    """Deleting `stored`, a part as just read from the database (a delete view's, a selection's)."""
    return PartChange(DELETE, stored, reviewed_parents(stored))


def permission_problems(user, change: PartChange) -> list[str]:
    """Why `user` may not make `change` (empty: allowed): each published or retracted parent
    needs its model's publish permission, as a change to the parent itself does. `user` None is
    the command line (`manage.py import`, `load_seeds`), run by an operator on the server, who
    acts for the whole team."""
    if user is None:
        return []
    return [
        f"Only reviewers can {change.description()} {'to' if change.action == ADD else 'of'} the "
        f"{state_label(parent.stored_editorial_state)} {named(parent)}."
        for parent in change.parents
        if not can_publish(user, type(parent))
    ]


def unpublishable_refusal(what: str, parent: models.Model, problem: str) -> str:
    return (
        f"Cannot {what}: the published {named(parent)} would no longer meet the publishing rules: "
        f"{problem} Retract the {parent._meta.verbose_name} first."
    )


def _what(changes: list[PartChange]) -> str:
    return changes[0].description() if len(changes) == 1 else "make these changes"


def _published_parents(changes: Iterable[PartChange]) -> dict[tuple, tuple[models.Model, list[PartChange]]]:
    touched: dict[tuple, tuple[models.Model, list[PartChange]]] = {}
    for change in changes:
        for parent in change.parents:
            if parent.stored_editorial_state == EditorialState.PUBLISHED:
                touched.setdefault(_key(parent), (parent, []))[1].append(change)
    return touched


def publishing_problems(changes: list[PartChange]) -> list[str]:
    """What `changes`, made together, would take from a published parent that publishing
    requires. The changes are tried in a savepoint that is rolled back, so the models' own
    publishing rules judge the result; a problem the parent already had does not count."""
    if all(change.action == ADD for change in changes):
        # Publishing asks for parts to exist (a party, a supporting excerpt): adding parts can
        # only give a record more of them. (Nor could the trial save an inline's new parts while
        # their record is itself new.)
        return []
    touched = _published_parents(changes)
    if not touched:
        return []
    before = {key: _gists(parent.publication_problems()) for key, (parent, _) in touched.items()}
    with transaction.atomic():
        # Deletions first, as a formset saves them, so a replacement does not collide with them.
        for change in sorted(changes, key=lambda change: change.action != DELETE):
            change.apply()
        after = {key: parent.publication_problems() for key, (parent, _) in touched.items()}
        transaction.set_rollback(True)
    return [
        unpublishable_refusal(_what(involved), parent, problem)
        for key, (parent, involved) in touched.items()
        for problem in after[key]
        if _gist(problem) not in before[key]
    ]


def _gist(problem: str) -> str:
    """A publishing problem without its particulars ("no excerpt from a published source supports
    it: the source “…” is still in review" → "no excerpt … supports it"): a change that only alters
    which unpublished source is to blame takes nothing the record had."""
    return problem.split(": ", 1)[0]


def _gists(problems: list[str]) -> set[str]:
    return {_gist(problem) for problem in problems}


def part_changes_problems(*, user, changes: list[PartChange]) -> list[str]:
    """Everything that stops `user` making `changes` together (empty: allowed)."""
    problems = [problem for change in changes for problem in permission_problems(user, change)]
    return problems or publishing_problems(changes)


class PublishedParentsWatch:
    """The same rule for an import, which writes row by row in one transaction: each published
    parent a changed row touches, what it lacked for publishing when first touched and which
    rows touched it. After the writes, `problems()` says what the rows took from it."""

    def __init__(self) -> None:
        self.touched: dict[tuple, tuple[models.Model, list[PartChange]]] = {}
        self.before: dict[tuple, set[str]] = {}
        self.rows: dict[tuple, list[str]] = {}

    def touch(self, change: PartChange, *, row: str) -> None:
        for key, (parent, _) in _published_parents([change]).items():
            if key not in self.touched:
                self.touched[key] = (parent, [])
                self.before[key] = _gists(parent.publication_problems())
                self.rows[key] = []
            self.touched[key][1].append(change)
            self.rows[key].append(row)

    def problems(self) -> list[str]:
        return [
            f"{', '.join(self.rows[key])}: {unpublishable_refusal(_what(involved), parent, problem)}"
            for key, (parent, involved) in self.touched.items()
            for problem in parent.publication_problems()
            if _gist(problem) not in self.before[key]
        ]
