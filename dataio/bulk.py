"""The fast import path: whole-file lookups, Python-only validation, bulk writes, bulk history.

django-import-export's own loop costs two queries and a savepoint per row. For the models an
editor imports by the thousand (companies, aliases, deals, participations, stories) this path
reads every existing record and every referenced slug in one query each, validates each row in
Python, and writes only when every row is valid (all or nothing), in batches, with one
`INSERT … SELECT` per batch for the change history. Rows, messages and the admin's preview and
diff come out exactly as from the library's path.
"""

from copy import deepcopy

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connections
from django.utils import timezone
from import_export.results import RowResult

from core.editorial import EditorialState, publication_stamp
from core.parts import ADD, CHANGE, PartChange, is_part, reviewed_parents
from dataio.resources import SlugForeignKeyWidget, stripped_text

BATCH = 2000


def chunks(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SlugLookup:
    """All records of a model named by the file's slugs, fetched in one query per batch."""

    def __init__(self, model, slugs: set[str]):
        self.model = model
        self.by_slug = {}
        for batch in chunks(sorted(slugs)):
            self.by_slug.update({obj.slug: obj for obj in model._default_manager.filter(slug__in=batch)})

    def get(self, slug: str):
        try:
            return self.by_slug[slug]
        except KeyError:
            raise ValueError(f'unknown {self.model._meta.verbose_name} slug "{slug}"') from None


def check_field_value(field, choices: frozenset | None, value) -> None:
    """What Model.clean_fields() checks for a value already converted by the import widgets:
    blank and null, choices, and the field's validators (length, digits, currency, URL)."""
    if value in field.empty_values:
        if not field.blank:
            raise ValidationError(field.error_messages["blank"], code="blank")
        return
    if choices is not None and value not in choices:
        raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
    field.run_validators(value)


class BulkImportMixin:
    """Mixed into a CuratedResource whose rows need no queries to validate and no many-to-many."""

    def import_data_inner(self, dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs):
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        try:
            self.before_import(dataset, **kwargs)
            self._check_import_id_fields(dataset.headers)
        except Exception as error:  # the file as a whole is unusable: say why, import nothing
            self.handle_import_error(result, error, raise_errors)
            return result
        result.total_rows = len(dataset)
        plan = self.plan_rows(dataset, result, dry_run=dry_run, **kwargs)
        if not result.has_errors() and not result.has_validation_errors() and not dry_run:
            self.write(plan, user=kwargs.get("user"), file_name=kwargs.get("file_name"))
        try:
            self.after_import(dataset, result, **kwargs)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        return result

    # -- reading and validating --------------------------------------------------------------

    def lookups(self, dataset) -> dict[str, SlugLookup]:
        """One SlugLookup per related-record column present in the file."""

        found = {}
        for field in self.get_import_fields():
            if isinstance(field.widget, SlugForeignKeyWidget) and field.column_name in dataset.headers:
                slugs = {stripped_text(value) for value in dataset[field.column_name]} - {""}
                found[field.column_name] = SlugLookup(field.widget.model, slugs)
        return found

    def existing_records(self, dataset, lookups) -> dict[tuple, object]:
        """Every record the file's keys name, by key: one query (per batch of keys)."""
        key_fields = [self.fields[name] for name in self.get_import_id_fields()]
        first = key_fields[0]
        values = {self.key_part(first, value, lookups) for value in dataset[first.column_name]} - {None, ""}
        records = {}
        for batch in chunks(sorted(values, key=str)):
            for record in self.get_queryset().filter(**{f"{first.attribute}__in": batch}):
                records[tuple(self.stored_key_part(field, record) for field in key_fields)] = record
        return records

    @staticmethod
    def key_part(field, cell, lookups):

        value = stripped_text(cell)
        if field.column_name in lookups:
            return lookups[field.column_name].by_slug.get(value)
        return value

    @staticmethod
    def stored_key_part(field, record):
        return getattr(record, field.attribute)

    def plan_rows(self, dataset, result, *, dry_run: bool, **kwargs) -> dict[str, list]:
        lookups = self.lookups(dataset)
        existing = self.existing_records(dataset, lookups)
        key_fields = [self.fields[name] for name in self.get_import_id_fields()]
        fields = [f for f in self.get_import_fields() if f.column_name in dataset.headers and not f.readonly]
        tracked = self.tracked_attnames()
        seen: dict[tuple, int] = {}
        plan = {"create": [], "update": []}
        retain = kwargs.get("retain_instance_in_row_result", False)
        for number, values in enumerate(dataset, 1):
            row = dict(zip(dataset.headers, values, strict=True))
            row_result, instance = self.plan_row(
                row, number, lookups, existing, key_fields, fields, tracked, seen, plan, dry_run
            )
            if retain and row_result.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE):
                row_result.instance = instance  # the admin logs each imported record
            result.increment_row_result_total(row_result)
            if row_result.validation_error is not None:
                result.append_invalid_row(number, row, row_result.validation_error)
            result.append_row_result(row_result)
        return plan

    def plan_row(self, row, number, lookups, existing, key_fields, fields, tracked, seen, plan, dry_run):
        """Clean and check one row; return its RowResult and the instance it would write."""

        row_result = self.get_row_result_class()()
        if not any(stripped_text(value) for value in row.values()):
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            return row_result, None
        errors: dict[str, ValidationError] = {}
        key = []
        for field in key_fields:
            try:
                key.append(self.clean_value(field, row, lookups))
            except ValueError as error:
                errors[field.attribute] = ValidationError(str(error))
        key = tuple(key)
        if not errors and key in seen:
            errors[key_fields[0].attribute] = ValidationError(f"the same record is already on row {seen[key]}")
        seen.setdefault(key, number)
        original = existing.get(key) if not errors else None
        instance = original if original is not None else self.init_instance(row)
        before = tuple(getattr(instance, name) for name in tracked) if original is not None else None
        # A part's published or retracted parents as stored, before the row changes it in place.
        stored_parents = reviewed_parents(original) if original is not None and self.checks_part_permissions() else []
        snapshot = deepcopy(instance) if dry_run and not self._meta.skip_diff else None
        for field in fields:
            try:
                if field.column_name in lookups:
                    setattr(instance, field.attribute, self.clean_value(field, row, lookups))
                else:
                    field.save(instance, row)
            except ValueError as error:
                errors[field.attribute] = ValidationError(str(error))
        unchanged = before is not None and not errors and tuple(getattr(instance, n) for n in tracked) == before
        if not errors and not unchanged:
            errors = self.row_errors(instance, errors, stored_parents=stored_parents, new=original is None)
        if errors:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = ValidationError(errors)
            return row_result, None
        if unchanged:
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
        else:
            row_result.import_type = RowResult.IMPORT_TYPE_UPDATE if original is not None else RowResult.IMPORT_TYPE_NEW
            plan["update" if original is not None else "create"].append((number, instance))
        for lookup in lookups.values():
            if lookup.model is type(instance):
                # A later row may name this record as its parent before it is saved.
                lookup.by_slug.setdefault(instance.slug, instance)
        row_result.add_instance_info(instance)
        if snapshot is not None:
            diff = self.get_diff_class()(self, snapshot if original is not None else None, original is None)
            diff.compare_with(self, instance)
            row_result.diff = diff.as_html()
        return row_result, instance

    def clean_value(self, field, row, lookups):

        if field.column_name in lookups:
            slug = stripped_text(row.get(field.column_name))
            return lookups[field.column_name].get(slug) if slug else None
        return field.clean(row)

    def row_errors(self, instance, errors: dict, *, stored_parents: list, new: bool) -> dict:
        """Field checks and the model's own clean(), all in Python: keys are checked against
        the file and the database above, relations by lookup; and for a part, its parents'
        permission (core/parts.py)."""
        for field, choices in self.checked_fields():
            try:
                check_field_value(field, choices, getattr(instance, field.attname))
            except ValidationError as error:
                errors[field.name] = error
        if not errors:
            try:
                instance.clean()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        problem = self.editorial_problem(instance)
        if problem:
            errors["editorial_state"] = ValidationError(problem)
        if self.checks_part_permissions():
            problems = self.part_problems(PartChange(ADD if new else CHANGE, instance, stored_parents))
            if problems:
                errors[NON_FIELD_ERRORS] = [ValidationError(problem) for problem in problems]
        return errors

    def checks_part_permissions(self) -> bool:
        # Only a user can lack a permission (the command line acts for the team). The publishing
        # rules need no check on this path: it only adds and updates aliases, participations and
        # stories, and a participation's deal is part of its key, so no row can take a party
        # from a deal (the paths that can, such as excerpts, use PublishedParentsWatch).
        return is_part(self._meta.model) and getattr(self, "importing_user", None) is not None

    def checked_fields(self) -> list[tuple]:
        """The model fields a row sets (less keys and relations, checked by lookup), each with
        its allowed values if it has choices."""
        if not hasattr(self, "_checked_fields"):
            model = self._meta.model
            imported = {field.attribute for field in self.get_import_fields() if not field.readonly}
            imported |= {f"{name}_precision" for name in imported}  # partial dates set their precision
            self._checked_fields = [
                (f, frozenset(value for value, _label in f.flatchoices) if f.choices else None)
                for f in model._meta.concrete_fields
                if f.name in imported and not f.is_relation and not f.unique and not f.primary_key
            ]
        return self._checked_fields

    def tracked_attnames(self) -> list[str]:
        return [f.attname for f in self._meta.model._meta.concrete_fields if f.attname != "updated_at"]

    # -- writing -------------------------------------------------------------------------------

    def write(self, plan, *, user, file_name) -> None:
        model = self._meta.model
        now = timezone.now()
        created = [instance for _, instance in plan["create"]]
        updated = [instance for _, instance in plan["update"]]
        if hasattr(model, "last_published_at"):
            for instance in created + updated:  # bulk writes skip save(), which dates published versions
                publication_stamp(instance, when=now)
        self.create_in_order(created, user=user, file_name=file_name, now=now)
        update_fields = [f.name for f in model._meta.concrete_fields if not f.primary_key and f.name != "created_at"]
        for instance in updated:
            if hasattr(instance, "updated_at"):
                instance.updated_at = now
        for batch in chunks(updated):
            model._default_manager.bulk_update(batch, update_fields)
            self.write_history(batch, "~", user=user, reason=file_name, when=now)
        for number, instance in plan["create"] + plan["update"]:
            if getattr(instance, "editorial_state", None) == EditorialState.PUBLISHED:
                self.published_rows.append((number, instance))

    def create_in_order(self, created: list, *, user, file_name, now) -> None:
        """Insert new records so that one pointing at another new record (a company and its new
        parent, earlier in the file) is inserted after it, once that one has its id."""
        model = self._meta.model
        self_links = [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is model]
        pending = created
        while pending:
            ready = [
                obj
                for obj in pending
                if all((target := getattr(obj, f.name)) is None or target.pk is not None for f in self_links)
            ] or pending
            for batch in chunks(ready):
                model._default_manager.bulk_create(batch)
                self.write_history(batch, "+", user=user, reason=file_name, when=now)
            inserted = {id(obj) for obj in ready}
            pending = [obj for obj in pending if id(obj) not in inserted]

    def write_history(self, batch, history_type: str, *, user, reason, when) -> None:
        """Copy the rows just written into the history table in one statement."""
        model = self._meta.model
        historical = model.history.model
        connection = connections[model._default_manager.db]
        quote = connection.ops.quote_name
        copied = [f for f in historical._meta.concrete_fields if not f.name.startswith("history_")]
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
        user_id = getattr(user, "pk", None)
        change_reason = f"Imported from {reason}"[:100] if reason else "Imported"
        with connection.cursor() as cursor:
            cursor.execute(sql, [when, history_type, user_id, change_reason, *(instance.pk for instance in batch)])
