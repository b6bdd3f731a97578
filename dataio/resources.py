"""The import/export machinery every curated resource shares, and the one import path.

django-import-export declares the columns, reads and renders cells and draws the preview's
diff; this module makes it strict and clear for editors: related records by slug with an error
for an unknown one (never silently dropped), choices by code with the allowed codes in the
message, partial dates, amounts as plain decimals, and error messages that name the row and the
column. `import_dataset` runs every import (admin, command line, seeds, jobs) with one row loop;
dataio/bulk.py writes what it planned.
"""

import codecs
import csv
import datetime
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from import_export import fields, resources, widgets
from import_export.results import InvalidRow, Result, RowResult

from core.editorial import EditorialState, can_publish, needs_reviewer
from core.partial_dates import DatePrecision, format_partial_date_iso, parse_partial_date
from core.parts import (
    ADD,
    CHANGE,
    PartChange,
    PublishedParentsWatch,
    is_part,
    many_to_many_parent_fields,
    permission_problems,
    reviewed_parents,
)
from core.slugs import current_slugs, renamed_message, unknown_slug_message
from dataio.bulk import BulkWriter, RowWriter, SlugLookup, check_field_value, chunks
from dataio.formats import FORMAT_NAMES, NumberText, UnreadableFile, decode, json_records, unneutralise
from dataio.limits import ERRORS_LISTED

LIST_SEPARATOR = "|"


def stripped_text(value) -> str:
    """A cell as text, without the spaces around it (empty for no value)."""
    return "" if value is None else str(value).strip()


class SlugForeignKeyWidget(widgets.ForeignKeyWidget):
    """A related record named by its slug; an unknown slug is a field error, not a crash."""

    def __init__(self, model: type[models.Model], **kwargs):
        super().__init__(model, field="slug", **kwargs)

    def clean(self, value, row=None, **kwargs):
        slug = stripped_text(value)
        if not slug:
            return None
        try:
            return self.model._default_manager.get(slug=slug)
        except self.model.DoesNotExist:
            raise ValueError(unknown_slug_message(self.model, slug)) from None


class SlugManyToManyWidget(widgets.ManyToManyWidget):
    """Several related records as slugs joined by `|`. Every slug must exist."""

    def __init__(self, model: type[models.Model], **kwargs):
        super().__init__(model, separator=LIST_SEPARATOR, field="slug", **kwargs)

    def clean(self, value, row=None, **kwargs):
        slugs = [slug.strip() for slug in stripped_text(value).split(self.separator) if slug.strip()]
        if not slugs:
            return self.model._default_manager.none()
        found = self.model._default_manager.filter(slug__in=slugs)
        missing = sorted(set(slugs) - {obj.slug for obj in found})
        if missing:
            renamed = current_slugs(self.model, missing)  # told the new slug (core/slugs.py)
            if renamed:
                told = [renamed_message(self.model, old=old, new=new) for old, new in renamed.items()]
                raise ValueError("; ".join(told))
            names = ", ".join(f'"{slug}"' for slug in missing)
            raise ValueError(f"unknown {self.model._meta.verbose_name} slug {names}")
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(sorted(related.slug for related in value.all()))


class ChoiceCodeWidget(widgets.CharWidget):
    """A choice written as its stable code; the message lists the codes allowed."""

    def __init__(self, choices, **kwargs):
        self.codes = [code for code, _label in choices]
        super().__init__(allow_blank=True, **kwargs)

    def clean(self, value, row=None, **kwargs):
        code = stripped_text(value)
        if code and code not in self.codes:
            raise ValueError(f'"{code}" is not allowed; use one of: {", ".join(self.codes)}')
        return code


class PlainDecimalWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        text = stripped_text(value)
        if not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(f'"{text}" is not a plain number: write digits with a dot, e.g. 465800000') from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else NumberText(format(value.normalize(), "f"))


class PlainIntegerWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        text = stripped_text(value)
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or number != number.to_integral_value():
            raise ValueError(f'"{text}" is not a whole number')
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else NumberText(value)


class PartialDateField(fields.Field):
    """One column (`2020`, `2020-12` or `2020-12-15`) that fills a date and its precision."""

    def __init__(self, attribute: str, **kwargs):
        super().__init__(attribute=attribute, column_name=attribute, widget=widgets.Widget(), **kwargs)

    def get_value(self, instance):
        if instance is None:  # the "before" side of a new row's diff
            return ""
        return format_partial_date_iso(getattr(instance, self.attribute), getattr(instance, self.precision_attribute))

    @property
    def precision_attribute(self) -> str:
        return f"{self.attribute}_precision"

    def export(self, instance, **kwargs):
        return self.get_value(instance)

    def save(self, instance, row, is_m2m=False, **kwargs):
        cell = row[self.column_name]
        if isinstance(cell, datetime.date):
            # A spreadsheet turned the text into a date cell: a full date, so day precision.
            value, precision = (cell.date() if isinstance(cell, datetime.datetime) else cell), DatePrecision.DAY
        else:
            text = stripped_text(cell)
            value, precision = parse_partial_date(text) if text else (None, "")
        setattr(instance, self.attribute, value)
        setattr(instance, self.precision_attribute, precision)


class TimestampWidget(widgets.Widget):
    """A moment as ISO 8601 in UTC (`2026-11-23T08:55:53+00:00`), to the microsecond, so a file
    loads back to the very same time whatever the server's time zone; a time without its offset
    (as a spreadsheet may write it) is read as UTC."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            moment = value
        else:
            text = stripped_text(value)
            if not text:
                return None
            try:
                moment = datetime.datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(f'"{text}" is not a date and time such as 2026-11-23T08:55:53+00:00') from None
        return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.astimezone(datetime.UTC).isoformat()


PUBLICATION_TIMES = ("first_published_at", "last_published_at")


class PublicationTimeField(fields.Field):
    """`first_published_at` / `last_published_at`: written to every file, so a dataset moves to
    another database with the times readers were shown; read only for a record the file creates.
    A stored record keeps its own: the tracker dates its later versions (`publication_stamp`)."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        if instance.pk is None:
            super().save(instance, row, is_m2m, **kwargs)


def tidy_dataset(dataset: tablib.Dataset, *, verbatim: frozenset[str] = frozenset()) -> None:
    """Undo what spreadsheets do to a file, in place: header case and spaces, empty trailing
    columns, spaces around values (except verbatim columns) and the apostrophe marking text.
    A file that needs none of it (such as our own export) is left as it is, which saves
    rebuilding a large dataset."""
    original_headers = list(dataset.headers or [])
    headers = [stripped_text(header).lower() for header in original_headers]
    keep = [index for index, header in enumerate(headers) if header]
    for index, header in enumerate(headers):
        if not header and any(stripped_text(row[index]) for row in dataset):
            raise ValueError(f"column {index + 1} has values but no header")
        if header and header in headers[:index]:
            first = headers.index(header) + 1
            raise ValueError(f'columns {first} and {index + 1} are both "{header}"; keep one of them')
    columns = [(index, headers[index] in verbatim) for index in keep]
    rows = [[tidy_cell(row[index], verbatim=is_verbatim) for index, is_verbatim in columns] for row in dataset]
    if headers == original_headers and len(keep) == len(headers) and all(map(_same_cells, rows, dataset)):
        return
    dataset.wipe()
    dataset.headers = [headers[index] for index in keep]
    for row in rows:
        dataset.append(row)


def _same_cells(tidied: list, row: tuple) -> bool:
    return tuple(tidied) == row


def tidy_cell(value, *, verbatim: bool):
    if value is None:  # an empty XLSX cell
        return ""
    if not isinstance(value, str):
        return value
    return unneutralise(value if verbatim else value.strip())


class PublicationRefused(ValueError):
    """Records the import would publish without what publishing requires; one line each."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("\n".join(lines))


class CountedResult(Result):
    """The library's result of an import, holding at most about `ERRORS_LISTED` problems: once a
    row fails nothing will be written, so later rows are only counted (totals, and the problems
    past the listed ones in `errors_left_off`), never kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.errors_left_off = 0
        self.error_lines_kept = 0

    def row_errors(self):
        # The library numbers crashed rows by their place in `rows`, which no longer holds every row.
        return [(row.number, row.errors) for row in self.error_rows]


def error_lines(row_result: RowResult) -> int:
    """How many problems a row has, one message each (as `describe_errors` lists them)."""
    lines = len(row_result.errors)
    if row_result.validation_error is not None:
        lines += sum(len(messages) for messages in InvalidRow(0, row_result.validation_error, ()).error_dict.values())
    return lines


class CuratedResource(resources.ModelResource):
    """Base for every resource: keyed by natural key, strict, skipping unchanged rows.

    The library's resource declares the columns, reads and renders cells and makes the
    preview's diff; `import_dataset` below runs the import itself."""

    class Meta:
        import_id_fields = ("slug",)
        skip_unchanged = True
        report_skipped = True

    # Rows written at the end in bulk (dataio/bulk.py): for models whose rows need no query to be
    # checked (relations by slug, looked up for the whole file) and have no many-to-many.
    bulk_writes = False
    # Columns copied verbatim from an archived text: surrounding whitespace is part of them.
    verbatim_columns: frozenset[str] = frozenset()

    def seed_file_problems(self, dataset: tablib.Dataset, *, directory: Path, name: str) -> list[str]:
        """What is wrong with the files a seed file's rows refer to, once the rows are imported
        (none here; sources check their archived texts)."""
        return []

    # The folder a seed file is read from (load_seeds sets it), for a column that names a file
    # beside it; None for the admin's and the command line's imports, which have only the file.
    seed_directory: Path | None = None

    def import_warnings(self, dataset: tablib.Dataset) -> list["RowWarning"]:
        """Rows that are valid but may be a mistake (a new company named like a stored one,
        companies/resources.py), read before the file's rows are written: shown with the preview and
        by `manage.py import`; they never refuse the file (none here)."""
        return []

    def seed_file_contents(self) -> list[tuple[str, str]]:
        """(file name, text) of the files beside a seed file that its rows name, for export_seeds
        to write (none here; sources name their archived texts and web pages)."""
        return []

    @classmethod
    def get_result_class(cls):
        return CountedResult

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        if field_name in PUBLICATION_TIMES:
            return PublicationTimeField(attribute=field_name, column_name=field_name, widget=TimestampWidget())
        field = super().field_from_django_field(field_name, django_field, readonly)
        if django_field.choices:
            field.widget = ChoiceCodeWidget(django_field.choices)
        elif isinstance(django_field, models.DecimalField):
            field.widget = PlainDecimalWidget()
        elif isinstance(django_field, models.IntegerField):
            field.widget = PlainIntegerWidget()
        return field

    def import_data(self, dataset, *, dry_run=False, raise_errors=False, user=None, file_name="", **options) -> Result:
        """The library's entry point, which its admin views call (the preview and the confirm):
        the one import path. The library's transaction options do not apply: every import is
        all or nothing."""
        report = import_dataset(
            self,
            dataset,
            name=file_name or "",
            user=user,
            dry_run=dry_run,
            raise_errors=raise_errors,
            retain_instances=options.get("retain_instance_in_row_result", False),
        )
        return report.result

    def check_columns(self, dataset: tablib.Dataset) -> None:
        """Tidy the file's columns and cells, and raise ValueError if a needed column is missing."""
        tidy_dataset(dataset, verbatim=self.verbatim_columns)
        headers = dataset.headers or []
        keys = [self.fields[name].column_name for name in self.get_import_id_fields()]
        missing = [name for name in dict.fromkeys([*keys, *self.required_columns()]) if name not in headers]
        if missing:
            raise ValueError(f"missing required column(s): {', '.join(missing)}")

    def required_columns(self) -> list[str]:
        model_fields = {model_field.name: model_field for model_field in self._meta.model._meta.get_fields()}
        required = []
        for column in self.get_import_fields():
            django_field = model_fields.get(column.attribute)
            if column.readonly or django_field is None or django_field.many_to_many:
                continue
            if not getattr(django_field, "blank", True) and not django_field.has_default():
                required.append(column.column_name)
        return required

    def editorial_problem(self, instance, *, user) -> str:
        """Why `user` may not make this row's change to a curated record (None: the command
        line, which acts for the whole team)."""
        if user is None or not hasattr(instance, "stored_editorial_state"):
            return ""
        if needs_reviewer(instance.stored_editorial_state, instance.editorial_state) and not can_publish(
            user, type(instance)
        ):
            return "only reviewers can publish, retract or change a published record"
        return ""

    def checked_fields(self) -> list[tuple]:
        """The model fields a bulk row sets (less keys and relations, checked by lookup), each
        with its allowed values if it has choices."""
        if not hasattr(self, "checked_fields_cache"):
            model = self._meta.model
            imported = {field.attribute for field in self.get_import_fields() if not field.readonly}
            imported |= {f"{name}_precision" for name in imported}  # partial dates set their precision
            self.checked_fields_cache = [
                (f, frozenset(value for value, _label in f.flatchoices) if f.choices else None)
                for f in model._meta.concrete_fields
                if f.name in imported and not f.is_relation and not f.unique and not f.primary_key
            ]
        return self.checked_fields_cache

    def column_for(self, attribute: str) -> str | None:
        for column in self.get_import_fields():
            if attribute in (column.attribute, getattr(column, "precision_attribute", None)):
                return column.column_name
        return None


@dataclass(frozen=True)
class RowWarning:
    """A warning about one row (`number` as `row_label` counts; 0: the whole file), with the
    stored records it names as (name, admin page) pairs."""

    number: int
    text: str
    links: tuple[tuple[str, str], ...] = ()

    def line(self, *, name: str, lines: bool = True) -> str:
        where = f"{name}, {row_label(self.number, lines=lines)}" if self.number else name
        return f"{where}: {self.text}"


@dataclass
class ImportReport:
    name: str
    new: int
    updated: int
    unchanged: int
    errors: list[str]
    deleted: int = 0
    result: Result | None = None  # the library's result, which the admin's pages show
    warnings: list[RowWarning] = field(default_factory=list)  # never refuse the file

    @property
    def changed(self) -> int:
        return self.new + self.updated

    def summary(self) -> str:
        return f"{self.name}: {self.new} new, {self.updated} updated, {self.unchanged} unchanged"


def row_label(number: int, *, lines: bool = True) -> str:
    """Rows are counted as the admin's import preview counts them: row 1 is the first under the
    header, which a spreadsheet shows as line 2 (a JSON file has no such lines)."""
    return f"row {number} (line {number + 1})" if lines else f"row {number}"


def describe_errors(resource: CuratedResource, result: Result, *, name: str, lines: bool = True) -> list[str]:
    """Turn an import result's errors into one plain line per problem, naming row and column: the
    first `ERRORS_LISTED`, then one line counting the rest."""
    problems = [
        f"{name}: {line}" for error in result.base_errors for line in getattr(error.error, "lines", [str(error.error)])
    ]
    for number, row_errors in result.row_errors():
        for error in row_errors:
            problems.append(f"{name}, {row_label(number, lines=lines)}: {error.error}")
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            column = resource.column_for(attribute) if attribute != NON_FIELD_ERRORS else None
            where = (
                f'column "{column}"' if column else (f'field "{attribute}"' if attribute != NON_FIELD_ERRORS else "")
            )
            for message in messages:
                prefix = f"{name}, {row_label(invalid.number, lines=lines)}"
                problems.append(f"{prefix}, {where}: {message}" if where else f"{prefix}: {message}")
    left_off = max(len(problems) - ERRORS_LISTED, 0) + getattr(result, "errors_left_off", 0)
    if left_off:
        problems[ERRORS_LISTED:] = [f"{name}: … and {left_off:,} more error{'s' if left_off != 1 else ''}"]
    return problems


# -- the one import path -----------------------------------------------------------------------


@dataclass
class ImportPlan:
    """What every row of one file is checked against: the file's columns, the records its keys
    and relations name (each read once for the whole file), and the keys seen so far."""

    resource: CuratedResource
    user: object
    lookups: dict[str, SlugLookup]
    existing: dict[tuple, models.Model]
    key_fields: list[fields.Field]
    fields: list[fields.Field]  # the other columns the file sets, many-to-many apart
    many_to_many: list[fields.Field]
    tracked: list[str]  # the attributes compared to tell an unchanged row
    snapshots: bool  # keep each stored record's state before the row, for the preview's diff
    seen: dict = field(default_factory=dict)  # key (or its one value) -> row number
    watch: PublishedParentsWatch | None = None  # None: the publishing rules are checked later
    # The file's slugs that a stored record once had, with its slug now: such a row would make a
    # second record under an old address (core/slugs.py), so it is told the new slug instead.
    renamed: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_file(
        cls, resource: CuratedResource, dataset: tablib.Dataset, *, user, dry_run: bool, watch
    ) -> "ImportPlan":
        headers = dataset.headers
        lookups = {}
        for column in resource.get_import_fields():
            if isinstance(column.widget, SlugForeignKeyWidget) and column.column_name in headers:
                slugs = {stripped_text(value) for value in dataset[column.column_name]} - {""}
                lookups[column.column_name] = SlugLookup(column.widget.model, slugs)
        key_fields = [resource.fields[name] for name in resource.get_import_id_fields()]
        written = [f for f in resource.get_import_fields() if f.column_name in headers and not f.readonly]
        many_to_many = [f for f in written if isinstance(f.widget, widgets.ManyToManyWidget)]
        model = resource._meta.model
        return cls(
            resource=resource,
            user=user,
            lookups=lookups,
            existing=stored_records(resource, dataset, key_fields=key_fields, lookups=lookups),
            key_fields=key_fields,
            fields=[f for f in written if f not in many_to_many],
            many_to_many=many_to_many,
            tracked=[f.attname for f in model._meta.concrete_fields if f.attname != "updated_at"],
            snapshots=dry_run and not resource._meta.skip_diff,
            watch=watch,
            renamed=renamed_slugs_in(resource, dataset),
        )

    def clean_value(self, column: fields.Field, row: dict):
        if column.column_name in self.lookups:
            slug = stripped_text(row.get(column.column_name))
            return self.lookups[column.column_name].get(slug) if slug else None
        return column.clean(row)


def renamed_slugs_in(resource, dataset) -> dict[str, str]:
    """The file's record slugs that are former slugs (two queries; none for a model without slugs)."""
    model = resource._meta.model
    if "slug" not in dataset.headers or not hasattr(model, "stored_slug"):
        return {}
    return current_slugs(model, {stripped_text(cell) for cell in dataset["slug"]} - {""})


def stored_records(resource, dataset, *, key_fields: list, lookups: dict) -> dict[tuple, models.Model]:
    """Every record the file's keys name, by key: one query (per batch of keys)."""
    first = key_fields[0]
    if first.column_name in lookups:
        values = {lookups[first.column_name].by_slug.get(stripped_text(cell)) for cell in dataset[first.column_name]}
    else:
        values = {stripped_text(cell) for cell in dataset[first.column_name]}
    records = {}
    for batch in chunks(sorted(values - {None, ""}, key=str)):
        for record in resource.get_queryset().filter(**{f"{first.attribute}__in": batch}):
            records[tuple(getattr(record, f.attribute) for f in key_fields)] = record
    return records


@dataclass
class RowPlan:
    """What one row would do: `instance` is the record as the row leaves it, `stored` the record
    as the database holds it (None: the row creates it)."""

    number: int
    import_type: str
    instance: models.Model | None = None
    stored: models.Model | None = None
    related: dict = field(default_factory=dict)  # many-to-many values, set after saving
    errors: dict[str, ValidationError] = field(default_factory=dict)
    snapshot: models.Model | None = None

    @property
    def writes(self) -> bool:
        return self.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE)


def plan_row(plan: ImportPlan, *, number: int, row: dict) -> RowPlan:
    """Clean and check one row against the file's plan; change nothing in the database."""
    if not any(stripped_text(value) for value in row.values()):
        # An empty line in a spreadsheet: nothing to import, and not an error.
        return RowPlan(number, RowResult.IMPORT_TYPE_SKIP)
    errors: dict[str, ValidationError] = {}
    key = row_key(plan, row=row, number=number, errors=errors)
    stored = plan.existing.get(key) if not errors else None
    instance = stored if stored is not None else plan.resource.init_instance(row)
    before = tuple(getattr(instance, name) for name in plan.tracked) if stored is not None else None
    related_before = {
        column.attribute: related_pks(getattr(stored, column.attribute).all())
        for column in (plan.many_to_many if stored is not None else [])
    }
    # A part's published or retracted parents as stored, before the row changes it in place.
    parents_before = reviewed_parents(stored) if stored is not None and is_part(type(instance)) else []
    snapshot = deepcopy(instance) if plan.snapshots and stored is not None else None
    related = fill_instance(plan, instance, row=row, errors=errors)
    unchanged = (
        before is not None
        and not errors
        and tuple(getattr(instance, name) for name in plan.tracked) == before
        and all(related_pks(values) == related_before.get(name) for name, values in related.items())
    )
    if not errors and not unchanged:
        errors = row_problems(
            plan, instance, new=stored is None, parents_before=parents_before, related=related, number=number
        )
    if errors:
        return RowPlan(number, RowResult.IMPORT_TYPE_INVALID, errors=errors)
    import_type = (
        RowResult.IMPORT_TYPE_SKIP
        if unchanged
        else RowResult.IMPORT_TYPE_UPDATE
        if stored
        else RowResult.IMPORT_TYPE_NEW
    )
    for lookup in plan.lookups.values():
        if lookup.model is type(instance):
            # A later row may name this record as its parent before it is saved.
            lookup.by_slug.setdefault(instance.slug, instance)
    return RowPlan(number, import_type, instance=instance, stored=stored, related=related, snapshot=snapshot)


def row_key(plan: ImportPlan, *, row: dict, number: int, errors: dict) -> tuple:
    """The row's natural key; a bad value or a key already on an earlier row goes to `errors`."""
    key = []
    for column in plan.key_fields:
        try:
            key.append(plan.clean_value(column, row))
        except ValueError as error:
            errors[column.attribute] = ValidationError(str(error))
    key = tuple(key)
    if not errors and all(part in (None, "") for part in key):
        if plan.resource.bulk_writes:
            errors[plan.key_fields[0].attribute] = ValidationError("a key column is empty")
        # Otherwise a new record, whose key the model may make (an excerpt's clean() does).
        return key
    # A one-column key is remembered as its value alone: a tuple per row costs 56 bytes more.
    seen_as = key[0] if len(key) == 1 else key
    if not errors and seen_as in plan.seen:
        errors[plan.key_fields[0].attribute] = ValidationError(
            f"the same record is already on row {plan.seen[seen_as]}"
        )
    plan.seen.setdefault(seen_as, number)
    return key


def fill_instance(plan: ImportPlan, instance, *, row: dict, errors: dict) -> dict:
    """Set the row's values on `instance` (relations from the file's lookups) and return its
    many-to-many values, which can be set only once it is saved; bad cells go to `errors`."""
    related = {}
    for column in plan.fields + plan.many_to_many:
        try:
            if column in plan.many_to_many:
                related[column.attribute] = column.clean(row)
            elif column.column_name in plan.lookups:
                setattr(instance, column.attribute, plan.clean_value(column, row))
            else:
                column.save(instance, row)
        except ValueError as error:
            errors[column.attribute] = ValidationError(str(error))
    return related


def related_pks(records) -> set:
    return {record.pk for record in records}


def row_problems(
    plan: ImportPlan, instance, *, new: bool, parents_before: list, related: dict, number: int
) -> dict[str, ValidationError]:
    """What stops a row that changes something: the fields and the model's own checks, the
    editorial rule, and for a part its parents' rules (core/parts.py)."""
    errors = field_problems(plan.resource, instance)
    if new and getattr(instance, "slug", None) in plan.renamed:
        model = type(instance)
        errors["slug"] = ValidationError(renamed_message(model, old=instance.slug, new=plan.renamed[instance.slug]))
    problem = plan.resource.editorial_problem(instance, user=plan.user)
    if problem:
        errors["editorial_state"] = ValidationError(problem)
    if is_part(type(instance)):
        parents = {name: related[name] for name in many_to_many_parent_fields(type(instance)) if name in related}
        change = PartChange(ADD if new else CHANGE, instance, parents_before, parents)
        problems = permission_problems(plan.user, change)
        if problems:
            errors[NON_FIELD_ERRORS] = [ValidationError(problem) for problem in problems]
        elif plan.watch is not None and not errors:
            plan.watch.touch(change, row=row_label(number))
    return errors


def field_problems(resource: CuratedResource, instance) -> dict[str, ValidationError]:
    """A bulk row is checked in Python: keys against the file and the database (in plan_row),
    relations by lookup, fields by their validators, then the model's clean(). Any other row
    gets the model's full_clean(), which may query (unique fields, constraints)."""
    if not resource.bulk_writes:
        try:
            instance.full_clean()
        except ValidationError as error:
            return error.update_error_dict({})
        return {}
    errors = {}
    for model_field, choices in resource.checked_fields():
        try:
            check_field_value(model_field, choices, getattr(instance, model_field.attname))
        except ValidationError as error:
            errors[model_field.name] = error
    if not errors:
        try:
            instance.clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    return errors


def row_result_for(resource: CuratedResource, row_plan: RowPlan, *, retain: bool) -> RowResult:
    """The library's record of a row, which the admin's preview and log read."""
    row_result = resource.get_row_result_class()()
    row_result.import_type = row_plan.import_type
    if row_plan.errors:
        row_result.validation_error = ValidationError(row_plan.errors)
    if row_plan.instance is None:
        return row_result
    row_result.add_instance_info(row_plan.instance)
    if retain and row_plan.writes:
        row_result.instance = row_plan.instance  # the admin logs each imported record
    return row_result


def add_diff(resource: CuratedResource, row_result: RowResult, row_plan: RowPlan) -> None:
    """The preview's before/after of a row, taken once the row is written (a new record's
    many-to-many values exist only then)."""
    new = row_plan.stored is None
    diff = resource.get_diff_class()(resource, None if new else row_plan.snapshot, new)
    diff.compare_with(resource, row_plan.instance)
    row_result.diff = diff.as_html()


@dataclass(frozen=True)
class ImportOptions:
    """How one import runs; see `import_dataset`."""

    name: str
    user: object = None
    dry_run: bool = False
    raise_errors: bool = False
    defer_publication_check: bool = False
    retain_instances: bool = False
    progress: Callable[[int, int], None] | None = None
    rows_kept: int | None = None


def import_dataset(
    resource: CuratedResource,
    dataset: tablib.Dataset,
    *,
    name: str,
    user=None,
    dry_run: bool = False,
    raise_errors: bool = False,
    lines: bool = True,
    defer_publication_check: bool = False,
    retain_instances: bool = False,
    progress: Callable[[int, int], None] | None = None,
    rows_kept: int | None = None,
) -> ImportReport:
    """Run an import: every entry point (the admin's preview and confirm, `manage.py import`,
    `load_seeds`, a background job) calls this. All or nothing: the file is written only if
    every row is valid and the publishing rules hold, in one transaction; `dry_run` does
    everything, writes included, and rolls back. `user` (None: the command line, acting for the
    whole team) decides what the file may do to editorial states and to the parts of published
    records, and is recorded in the history with the file's `name`. `defer_publication_check`
    leaves the publishing rules to the caller (load_seeds checks them once all files are in).
    `progress(rows done, rows in all)` is called after each row. `lines=False` leaves
    spreadsheet line numbers out of the messages (for JSON files). `rows_kept` keeps (and diffs)
    only that many new or changed rows in the result, counting the rest: a background job shows
    no more, and 100,000 kept diffs would take hundreds of megabytes."""
    options = ImportOptions(
        name=name,
        user=user,
        dry_run=dry_run,
        raise_errors=raise_errors,
        defer_publication_check=defer_publication_check,
        retain_instances=retain_instances,
        progress=progress,
        rows_kept=rows_kept,
    )
    result = resource.get_result_class()()
    result.diff_headers = resource.get_diff_headers()
    warnings: list[RowWarning] = []
    with transaction.atomic():
        try:
            resource.check_columns(dataset)
        except ValueError as error:  # the file as a whole is unusable: say why, import nothing
            resource.handle_import_error(result, error, raise_errors)
        else:
            warnings = resource.import_warnings(dataset)  # against the records as they were before the file
            run_rows(resource, dataset, result=result, options=options)
        if dry_run or result.has_errors() or result.has_validation_errors():
            transaction.set_rollback(True)
    return ImportReport(
        name=name,
        new=result.totals[RowResult.IMPORT_TYPE_NEW],
        updated=result.totals[RowResult.IMPORT_TYPE_UPDATE],
        unchanged=result.totals[RowResult.IMPORT_TYPE_SKIP],
        deleted=result.totals[RowResult.IMPORT_TYPE_DELETE],
        errors=describe_errors(resource, result, name=name, lines=lines),
        result=result,
        warnings=warnings,
    )


def run_rows(resource: CuratedResource, dataset: tablib.Dataset, *, result: Result, options: ImportOptions) -> None:
    """The one row loop: plan each row, hand each valid change to the writer while the file is
    still clean, then write what waits and check the publishing rules."""
    watch = None if options.defer_publication_check else PublishedParentsWatch()
    plan = ImportPlan.for_file(resource, dataset, user=options.user, dry_run=options.dry_run, watch=watch)
    writer = (BulkWriter if resource.bulk_writes else RowWriter)(
        resource._meta.model, user=options.user, name=options.name
    )
    published: list[tuple[int, models.Model]] = []
    total = result.total_rows = len(dataset)
    clean = True  # no row failed so far (kept here: the result's own test walks every row)
    for number, values in enumerate(dataset, 1):
        row = dict(zip(dataset.headers, values, strict=True))
        listed = options.rows_kept is None
        try:
            row_plan = plan_row(plan, number=number, row=row)
            row_result = row_result_for(resource, row_plan, retain=options.retain_instances)
            listed = listed or (row_plan.writes and len(result.rows) < options.rows_kept)
            if row_plan.writes and clean:
                writer.add(row_plan.instance, new=row_plan.stored is None, related=row_plan.related, number=number)
                if plan.snapshots and listed:
                    add_diff(resource, row_result, row_plan)
                if getattr(row_plan.instance, "editorial_state", None) == EditorialState.PUBLISHED:
                    published.append((number, row_plan.instance))
        except Exception as error:  # a crash of one row: reported with its row, as the library does
            if options.raise_errors:
                raise
            row_result = resource.get_row_result_class()()
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(resource.get_error_result_class()(error, row=row, number=number))
        record_row(result, row_result, number=number, row=row, keep=clean and listed)
        clean = clean and not row_result.errors and row_result.validation_error is None
        if options.progress is not None:
            options.progress(number, total)
    if not clean:
        return
    try:
        with transaction.atomic():  # a savepoint: after a refusal the import's transaction goes on
            writer.finish()
    except IntegrityError as error:
        if options.raise_errors:
            raise
        record_conflicts(resource, result, writer=writer, key_fields=plan.key_fields, error=error)
        return
    if watch is not None:
        problems = [
            f"{row_label(number)}: Cannot publish the {instance._meta.verbose_name} “{instance}”: {problem}"
            for number, instance in published
            for problem in instance.publication_problems()
        ]
        problems += watch.problems()
        if problems:
            resource.handle_import_error(result, PublicationRefused(problems), options.raise_errors)


def record_conflicts(resource: CuratedResource, result: CountedResult, *, writer, key_fields: list, error) -> None:
    """Another import committed records this file creates (two editors importing overlapping files
    at once): one line per such row, naming it and its key, instead of the database's traceback."""
    model = resource._meta.model
    noun = model._meta.verbose_name
    found = 0
    for number, instance in writer.created_rows():
        key = {f.attribute: getattr(instance, f.attribute) for f in key_fields}
        if not model._default_manager.filter(**key).exists():
            continue
        found += 1
        named = ", ".join(str(value) for value in key.values())
        message = (
            f'another import created the {noun} "{named}" while this file was being imported; '
            "nothing was written: import the file again to update it"
        )
        row_result = resource.get_row_result_class()()
        row_result.import_type = RowResult.IMPORT_TYPE_INVALID
        row_result.validation_error = ValidationError({key_fields[0].attribute: ValidationError(message)})
        record_row(result, row_result, number=number, row={}, keep=False)
    if not found:  # some other constraint: its first line says which
        refusal = ValueError(f"the database refused the file ({str(error).splitlines()[0]}); nothing was written")
        resource.handle_import_error(result, refusal, False)


def record_row(result: CountedResult, row_result: RowResult, *, number: int, row: dict, keep: bool) -> None:
    """Count the row; keep it while the file is clean (the preview shows it, the admin logs it),
    and a failing row while fewer than `ERRORS_LISTED` problems are kept; only count the rest."""
    result.increment_row_result_total(row_result)
    lines = error_lines(row_result)
    if lines and result.error_lines_kept >= ERRORS_LISTED:
        result.errors_left_off += lines
        return
    result.error_lines_kept += lines
    if row_result.errors:
        result.append_error_row(number, row, row_result.errors)
    elif row_result.validation_error is not None:
        result.append_invalid_row(number, row, row_result.validation_error)
    if keep or lines:
        result.append_row_result(row_result)


def file_format_of(path: Path, given: str = "") -> str:
    """The format of a file to read: the one given (csv, xlsx, json), or its name's extension."""
    file_format = (given or path.suffix.lstrip(".")).lower()
    if file_format not in FORMAT_NAMES:
        if given:
            raise ValueError(f"Unknown format {given!r}: use one of {', '.join(FORMAT_NAMES)}.")
        raise ValueError(
            f"{path.name}: cannot tell the file format from its name; "
            f"name it .csv, .xlsx or .json, or give the format ({', '.join(FORMAT_NAMES)})."
        )
    return file_format


def read_dataset(
    path: Path, *, file_format: str = "", encoding: str = "", content: bytes | None = None
) -> tablib.Dataset:
    """Read a CSV (UTF-8, with or without BOM, unless `encoding` says otherwise), XLSX or JSON
    file with the admin's readers, its format taken from the name unless given; raise ValueError
    saying what is wrong. `content` stands in for the file's bytes (standard input)."""
    file_format = file_format_of(path, file_format)
    try:
        codecs.lookup(encoding or "utf-8-sig")
    except LookupError:
        raise ValueError(f"Unknown encoding {encoding!r}.") from None
    try:
        raw = path.read_bytes() if content is None else content
    except OSError as error:
        raise ValueError(f"{path.name}: cannot be read ({error.strerror}).") from None
    reader = FORMAT_NAMES[file_format](encoding=encoding or "utf-8-sig")
    if file_format == "xlsx":
        try:
            return reader.create_dataset(raw)
        except UnreadableFile as error:  # over an import limit, or not a zip (dataio/limits.py)
            raise ValueError(f"{path.name}: {error}") from None
        except Exception:  # openpyxl fails in many ways on a file that is not a workbook
            raise ValueError(f"{path.name}: not an XLSX workbook (save it from the spreadsheet as .xlsx).") from None
    try:
        if file_format == "json":
            return json_records(decode(raw, encoding), name=path.name)
        return reader.create_dataset(raw)
    except UnreadableFile as error:  # JSON messages name the file already
        raise ValueError(str(error) if file_format == "json" else f"{path.name}: {error}") from None
    except UnicodeDecodeError as error:
        if encoding:
            raise ValueError(f"{path.name}: not {encoding} text (byte {error.start}).") from None
        raise ValueError(f"{path.name}: not UTF-8 text (byte {error.start}); save it as CSV UTF-8.") from None
    except tablib.InvalidDimensions:
        raise ValueError(f"{path.name}: rows have different numbers of columns than the header.") from None
    except csv.Error as error:
        raise ValueError(f"{path.name}: not a readable CSV file ({error}).") from None
