"""How an import writes what its rows planned: in bulk, or record by record.

The one import function (`import_dataset` in dataio/resources.py) reads and checks every row
in one loop and hands each row that changes something to a writer. For the models an editor
imports by the thousand (companies, aliases, deals, participations, stories) the rows need no
query to be checked and no many-to-many, so `BulkWriter` keeps them and writes them at the end,
in batches, with one `INSERT … SELECT` per batch for the change history. The other models (a
source's text, a noise span's and an excerpt's place in it, an excerpt's companies and deals)
are saved one by one by `RowWriter`, each in a savepoint, with their history from `save()`.
Both record the importing user and the file in the history.
"""

from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.utils import timezone

from core.changes import dataset_changed
from core.editorial import publication_stamp
from core.slugs import unknown_slug_message
from core.sort_keys import refresh_sort_keys

BATCH = 2000


def chunks(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SlugLookup:
    """All records of a model named by the file's slugs, fetched in one query per batch."""

    def __init__(self, model: type[models.Model], slugs: set[str]):
        self.model = model
        self.by_slug = {}
        for batch in chunks(sorted(slugs)):
            self.by_slug.update({obj.slug: obj for obj in model._default_manager.filter(slug__in=batch)})

    def get(self, slug: str) -> models.Model:
        try:
            return self.by_slug[slug]
        except KeyError:
            # An error path: the old-slug lookup (core/slugs.py) runs only for a slug no record has.
            raise ValueError(unknown_slug_message(self.model, slug)) from None


def check_field_value(field: models.Field, choices: frozenset | None, value) -> None:
    """What Model.clean_fields() checks for a value already converted by the import widgets:
    blank and null, choices, and the field's validators (length, digits, currency, URL)."""
    if value in field.empty_values:
        if not field.blank:
            raise ValidationError(field.error_messages["blank"], code="blank")
        return
    if choices is not None and value not in choices:
        raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
    field.run_validators(value)


def history_reason(name: str) -> str:
    return f"Imported from {name}"[:100] if name else "Imported"


class RowWriter:
    """Saves each row as it comes, in a savepoint (a database error fails the row, not the
    run), through the model's own `save()`: publication bookkeeping and history included."""

    def __init__(self, model: type[models.Model], *, user, name: str):
        self.user, self.reason = user, history_reason(name)

    def add(self, instance: models.Model, *, new: bool, related: dict, number: int = 0) -> None:
        instance._history_user = self.user  # django-simple-history's per-instance user and reason
        instance._change_reason = self.reason
        with transaction.atomic():
            instance.save()
            for name, values in related.items():
                getattr(instance, name).set(values)

    def finish(self) -> None:
        """Nothing waits: every row was written as it came."""

    def created_rows(self) -> list:
        return []  # a row's refusal was reported with the row


class BulkWriter:
    """Keeps the rows and writes them at the end: new records in dependency order, changed
    ones with `bulk_update`, each batch copied into the history in one statement."""

    def __init__(self, model: type[models.Model], *, user, name: str):
        self.model, self.user, self.reason = model, user, history_reason(name)
        self.created: list[models.Model] = []
        self.updated: list[models.Model] = []
        self.created_numbers: list[int] = []  # the file's row of each new record
        self.generated = [f.attname for f in model._meta.concrete_fields if f.generated]

    def add(self, instance: models.Model, *, new: bool, related: dict, number: int = 0) -> None:
        (self.created if new else self.updated).append(instance)
        if new:
            self.created_numbers.append(number)
            # bulk_create() sets a new record's generated columns (a date's sort key) from the
            # database. Given that late, once publication_stamp() has read the record's __dict__,
            # the attribute costs every record a dict of its own (CPython stops sharing the keys):
            # 1.3 kB each, 130 MB of a 100,000-row import. Made now, it is one shared key more.
            for attname in self.generated:
                setattr(instance, attname, None)

    def created_rows(self) -> list[tuple[int, models.Model]]:
        """The new records, each with its row: where to look when another import made one first."""
        return list(zip(self.created_numbers, self.created, strict=True))

    def finish(self) -> None:
        now = timezone.now()
        if hasattr(self.model, "last_published_at"):
            for instance in self.created + self.updated:  # bulk writes skip save(), which dates published versions
                publication_stamp(instance, when=now)
        self.create_in_order(now=now)
        concrete = self.model._meta.concrete_fields
        # A generated column (a partial date's sort key) is the database's to write.
        update_fields = [f.name for f in concrete if not f.primary_key and not f.generated and f.name != "created_at"]
        for instance in self.updated:
            if hasattr(instance, "updated_at"):
                instance.updated_at = now
            refresh_sort_keys(instance)  # bulk_update skips pre_save(), which sets them on insert and save()
        for batch in chunks(self.updated):
            self.model._default_manager.bulk_update(batch, update_fields)
            write_history(self.model, batch, "~", user=self.user, reason=self.reason, when=now)
        if self.created or self.updated:  # bulk writes send no signals: record the change (core/changes.py)
            dataset_changed(reason=self.reason)

    def create_in_order(self, *, now) -> None:
        """Insert new records so that one pointing at another new record (a company and its new
        parent, earlier in the file) is inserted after it, once that one has its id."""
        model = self.model
        self_links = [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is model]
        pending = self.created
        while pending:
            ready = [
                obj
                for obj in pending
                if all((target := getattr(obj, f.name)) is None or target.pk is not None for f in self_links)
            ] or pending
            for batch in chunks(ready):
                model._default_manager.bulk_create(batch)
                write_history(model, batch, "+", user=self.user, reason=self.reason, when=now)
            inserted = {id(obj) for obj in ready}
            pending = [obj for obj in pending if id(obj) not in inserted]


def write_history(model: type[models.Model], batch: list, history_type: str, *, user, reason: str, when) -> None:
    """Copy the rows just written into the history table in one statement."""
    historical = model.history.model
    connection = connections[model._default_manager.db]
    quote = connection.ops.quote_name
    # Generated columns (sort keys) are computed by the history table itself.
    copied = [f for f in historical._meta.concrete_fields if not f.name.startswith("history_") and not f.generated]
    source_columns = [model._meta.get_field(f.name).column for f in copied]
    target_columns = [f.column for f in copied] + [
        "history_date",
        "history_type",
        "history_user_id",
        "history_change_reason",
    ]
    # Identifiers come from the models' own metadata, quoted; every value is a parameter.
    target = f"{quote(historical._meta.db_table)} ({', '.join(map(quote, target_columns))})"
    columns = ", ".join(map(quote, source_columns))
    where = f"{quote(model._meta.pk.column)} IN ({', '.join(['%s'] * len(batch))})"
    sql = f"INSERT INTO {target} SELECT {columns}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} WHERE {where}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [when, history_type, getattr(user, "pk", None), reason, *(obj.pk for obj in batch)])
