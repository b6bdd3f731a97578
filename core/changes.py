"""The record of changes: one dataset version that every write to curated data moves on.

A cache of public pages keys on `dataset_version()`; whatever must follow every change (a merge,
an invalidation) hooks in here. Writes reach it two ways:
- every save, delete and many-to-many change of a curated record (Company, Deal, Source) or of a
  part (core/parts.py) sends Django's model signals, connected once in `CoreConfig.ready()`: that
  covers the admin's forms, inlines, actions, delete view and history revert, workflow
  transitions, the row-by-row import, seed loads and deletes;
- a write that sends no signals (the bulk import's bulk_create, bulk_update and history
  `INSERT … SELECT`, dataio/bulk.py) calls `dataset_changed()` itself, once per import.

The version moves once per transaction, when it commits: a rolled-back import or dry run leaves it
unchanged, a 10,000-row import costs one UPDATE, and the version row is never locked while a long
transaction runs (on PostgreSQL that lock would hold every other editor's save until the import
ends). A cache that reads the version after the data changed sees the new number.
"""

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from core.editorial import Curated
from core.parts import PART_PARENTS

# The one row of DatasetVersion.
ROW = 1


class DatasetVersion(models.Model):
    """How many committed transactions have changed curated data (one row)."""

    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True, help_text="What the latest change was.")

    class Meta:
        verbose_name = "dataset version"

    def __str__(self) -> str:
        return f"dataset version {self.number}"


def dataset_version(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """The current dataset version, in one query (0 before the first change)."""
    return DatasetVersion.objects.using(using).filter(pk=ROW).values_list("number", flat=True).first() or 0


class PendingChange:
    """The version move a transaction owes, run by `transaction.on_commit` when it commits."""

    def __init__(self, *, using: str, reason: str):
        self.using = using
        self.reason = reason
        self.done = False

    def __call__(self) -> None:
        if self.done:
            return
        self.done = True
        version_bump(using=self.using, reason=self.reason)


def dataset_changed(*, reason: str = "", using: str = DEFAULT_DB_ALIAS) -> None:
    """Record that curated data changed: the version moves on when the current transaction commits
    (at once outside a transaction), however many times this is called in it."""
    connection = transaction.get_connection(using)
    # The pending move is looked up where Django keeps on-commit callbacks (as its TestCase does)
    # rather than in a flag of our own: a savepoint rolled back takes its callbacks with it, and a
    # flag would then claim a move that no longer exists. A callback still there was registered
    # outside any savepoint that could yet roll back without this change, so one is enough.
    if any(isinstance(callback, PendingChange) and not callback.done for _, callback, _ in connection.run_on_commit):
        return
    transaction.on_commit(PendingChange(using=using, reason=reason), using=using)


def version_bump(*, using: str = DEFAULT_DB_ALIAS, reason: str = "") -> None:
    """Move the version on by one now, atomically (UPDATE … SET number = number + 1)."""
    rows = DatasetVersion.objects.using(using)
    values = {"number": F("number") + 1, "changed_at": timezone.now(), "reason": reason[:200]}
    with transaction.atomic(using=using):
        if not rows.filter(pk=ROW).update(**values):
            # The migration creates the row; it is missing only after the table was emptied (flush).
            rows.get_or_create(pk=ROW)
            rows.filter(pk=ROW).update(**values)


# -- the signals of model writes --------------------------------------------------------------


def curated_data_models() -> list[type[models.Model]]:
    """Every model whose rows are curated data: the curated records and their parts."""
    return [model for model in apps.get_models() if issubclass(model, Curated)] + [
        apps.get_model(label) for label in PART_PARENTS
    ]


def record_saved(sender, *, using: str, **kwargs) -> None:
    dataset_changed(reason=f"{sender._meta.verbose_name} saved", using=using)


def record_deleted(sender, *, using: str, **kwargs) -> None:
    dataset_changed(reason=f"{sender._meta.verbose_name} deleted", using=using)


def links_changed(sender, *, action: str, using: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        dataset_changed(reason=f"{sender._meta.verbose_name} changed", using=using)


def connect_change_signals() -> None:
    """Connect every write of curated data to `dataset_changed` (CoreConfig.ready())."""
    for model in curated_data_models():
        label = model._meta.label_lower
        post_save.connect(record_saved, sender=model, dispatch_uid=f"dataset-saved-{label}")
        post_delete.connect(record_deleted, sender=model, dispatch_uid=f"dataset-deleted-{label}")
        for field in model._meta.many_to_many:  # an excerpt's companies and deals, a deal's parties
            through = field.remote_field.through
            m2m_changed.connect(links_changed, sender=through, dispatch_uid=f"dataset-links-{through._meta.label}")
