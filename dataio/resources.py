"""The import/export machinery every curated resource shares.

django-import-export does the row loop, the preview and the diff; this module makes it strict
and clear for editors: related records by slug with an error for an unknown one (never silently
dropped), choices by code with the allowed codes in the message, partial dates, amounts as
plain decimals, and error messages that name the row and the column.
"""

import codecs
import csv
import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from import_export import fields, resources, widgets
from import_export.results import RowResult

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
from dataio.formats import FORMAT_NAMES, NumberText, UnreadableFile, decode, json_records, unneutralise

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
            raise ValueError(f'unknown {self.model._meta.verbose_name} slug "{slug}"') from None


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


class CuratedResource(resources.ModelResource):
    """Base for every resource: keyed by natural key, strict, skipping unchanged rows."""

    class Meta:
        import_id_fields = ("slug",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def seed_file_problems(self, dataset: tablib.Dataset, *, directory: Path, name: str) -> list[str]:
        """What is wrong with the files a seed file's rows refer to, once the rows are imported
        (none here; sources check their archived texts)."""
        return []

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

    def import_data(self, dataset, *args, **kwargs):
        # Who is importing decides what the file may do to editorial states; None is the
        # command line (load_seeds, manage.py import), which acts for the whole team.
        self.importing_user = kwargs.get("user")
        self.defer_publication_check = kwargs.get("defer_publication_check", False)
        self.published_rows: list[tuple[int, models.Model]] = []
        # Parts of published records that the rows change (core/parts.py); load_seeds, which
        # defers the publishing check, checks every published record once all files are in.
        self.parent_watch = PublishedParentsWatch()
        self.row_part_change: tuple[models.Model, PartChange, int] | None = None
        # All or nothing on every path (admin, load_seeds, `manage.py import`): any invalid row
        # rolls the whole file back, not only rows that raised.
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, *args, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        problem = self.editorial_problem(instance)
        if problem:
            errors["editorial_state"] = ValidationError(problem)
        # Only a row that changes something gets here: an unchanged row of a published record's
        # part is skipped before, and is fine.
        if self.row_part_change is not None and self.row_part_change[0] is instance:
            _, change, number = self.row_part_change
            problems = self.part_problems(change)
            if problems:
                errors[NON_FIELD_ERRORS] = [ValidationError(problem) for problem in problems]
            elif not self.defer_publication_check:
                self.parent_watch.touch(change, row=row_label(number))
        super().validate_instance(instance, errors, validate_unique)

    def part_problems(self, change: PartChange) -> list[str]:
        """Why the importing user may not make this row's change to a part of a published or
        retracted record (the admin's rule, core/parts.py)."""
        return permission_problems(getattr(self, "importing_user", None), change)

    def editorial_problem(self, instance) -> str:
        """Why the importing user may not make this row's change to a curated record."""
        user = getattr(self, "importing_user", None)
        if user is None or not hasattr(instance, "stored_editorial_state"):
            return ""
        if needs_reviewer(instance.stored_editorial_state, instance.editorial_state) and not can_publish(
            user, type(instance)
        ):
            return "only reviewers can publish, retract or change a published record"
        return ""

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if getattr(instance, "editorial_state", None) == EditorialState.PUBLISHED:
            self.published_rows.append((kwargs.get("row_number", 0), instance))

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if self.defer_publication_check:
            return
        problems = [
            f"{row_label(number)}: Cannot publish the {instance._meta.verbose_name} “{instance}”: {problem}"
            for number, instance in self.published_rows
            for problem in instance.publication_problems()
        ]
        problems += self.parent_watch.problems()
        if problems:
            # Raised here, it fails the whole import, which is then rolled back.
            raise PublicationRefused(problems)

    # Columns copied verbatim from an archived text: surrounding whitespace is part of them.
    verbatim_columns: frozenset[str] = frozenset()

    def before_import(self, dataset, **kwargs):
        tidy_dataset(dataset, verbatim=self.verbatim_columns)
        missing = [name for name in self.required_columns() if name not in (dataset.headers or [])]
        if missing:
            raise ValueError(f"missing required column(s): {', '.join(missing)}")
        super().before_import(dataset, **kwargs)

    def import_row(self, row, instance_loader, **kwargs):
        if not any(stripped_text(value) for value in row.values()):
            # An empty line in a spreadsheet: nothing to import, and not an error.
            return self.get_row_result_class()(import_type=RowResult.IMPORT_TYPE_SKIP)
        return super().import_row(row, instance_loader, **kwargs)

    def required_columns(self) -> list[str]:
        model_fields = {field.name: field for field in self._meta.model._meta.get_fields()}
        required = []
        for field in self.get_import_fields():
            django_field = model_fields.get(field.attribute)
            if field.readonly or django_field is None or django_field.many_to_many:
                continue
            if not getattr(django_field, "blank", True) and not django_field.has_default():
                required.append(field.column_name)
        return required

    def get_instance(self, instance_loader, row):
        # A bad value in a key column (say an unknown company slug) is the editor's error in
        # that column, not a crash of the row.
        errors = {}
        for name in self.get_import_id_fields():
            field = self.fields[name]
            try:
                field.clean(row)
            except ValueError as error:
                errors[field.attribute] = ValidationError(str(error), code="invalid")
        if errors:
            raise ValidationError(errors)
        return super().get_instance(instance_loader, row)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        # A part's parents as stored, before the row changes the instance in place.
        before = reviewed_parents(instance) if is_part(type(instance)) and instance.pk is not None else None
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # The library sets many-to-many fields only after saving; check them now so an
        # unknown slug fails the row before anything is written.
        related = {}
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    related[field.attribute] = field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = ValidationError(str(error), code="invalid")
        if is_part(type(instance)):
            parents = {name: related[name] for name in many_to_many_parent_fields(type(instance)) if name in related}
            change = PartChange(ADD if before is None else CHANGE, instance, before or [], parents)
            self.row_part_change = (instance, change, kwargs.get("row_number", 0))
        if errors:
            raise ValidationError(errors)

    def column_for(self, attribute: str) -> str | None:
        for field in self.get_import_fields():
            if attribute in (field.attribute, getattr(field, "precision_attribute", None)):
                return field.column_name
        return None


@dataclass
class ImportReport:
    name: str
    new: int
    updated: int
    unchanged: int
    errors: list[str]
    deleted: int = 0

    @property
    def changed(self) -> int:
        return self.new + self.updated

    def summary(self) -> str:
        return f"{self.name}: {self.new} new, {self.updated} updated, {self.unchanged} unchanged"


def row_label(number: int, *, lines: bool = True) -> str:
    """Rows are counted as the admin's import preview counts them: row 1 is the first under the
    header, which a spreadsheet shows as line 2 (a JSON file has no such lines)."""
    return f"row {number} (line {number + 1})" if lines else f"row {number}"


def describe_errors(resource: CuratedResource, result, *, name: str, lines: bool = True) -> list[str]:
    """Turn an import result's errors into one plain line per problem, naming row and column."""
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
    return problems


def import_dataset(
    resource: CuratedResource,
    dataset: tablib.Dataset,
    *,
    name: str,
    dry_run: bool = False,
    raise_errors: bool = False,
    lines: bool = True,
    **kwargs,
) -> ImportReport:
    """Import a dataset and report it; `lines=False` leaves spreadsheet line numbers out of the
    messages (for JSON files)."""
    result = resource.import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)
    return ImportReport(
        name=name,
        new=result.totals.get("new", 0),
        updated=result.totals.get("update", 0),
        unchanged=result.totals.get("skip", 0),
        deleted=result.totals.get("delete", 0),
        errors=describe_errors(resource, result, name=name, lines=lines),
    )


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
