"""Export formats for editors' spreadsheets: formula-safe text, numbers kept as numbers.

A text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return would run as a formula
when the file is opened in a spreadsheet; such cells (and any beginning with an apostrophe, so
the rule can be undone) are written with a leading apostrophe, which spreadsheets treat as “this
is text” and which the import drops again. Numbers are `NumberText`, so they are never escaped
and go into XLSX files as real numbers.

Every reader first checks the file against the import limits (dataio/limits.py), before
any dataset is built.
"""

import csv
import json
from decimal import Decimal

import tablib
from import_export.formats import base_formats

from dataio.limits import ImportLimits, UnreadableFile, check_csv, check_xlsx, csv_lines, object_counter

# An archived article is one cell of sources.csv; the csv module's default limit of 131,072
# characters per cell would refuse a long one. `ImportLimits.cell_chars` bounds cells instead.
csv.field_size_limit(2**31 - 1)

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")


class NumberText(str):
    """A number rendered as text: exempt from escaping, and numeric in XLSX."""


def neutralise(value):
    if isinstance(value, str) and not isinstance(value, NumberText) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """Undo `neutralise`: a leading apostrophe only marks text."""
    return value[1:] if value.startswith("'") else value


class SafeExportMixin:
    def export_data(self, dataset, **kwargs):
        safe = tablib.Dataset(headers=dataset.headers)
        for row in dataset:
            safe.append([self.cell(value) for value in row])
        return super().export_data(safe, **kwargs)

    def cell(self, value):
        return neutralise(value)


def decode(in_stream, encoding: str | None) -> str:
    """A text file's content as text; a byte order mark is not part of the first header,
    whichever encoding was named."""
    if isinstance(in_stream, bytes):
        in_stream = in_stream.decode(encoding or "utf-8-sig")
    return in_stream.removeprefix("\ufeff")


class CSV(SafeExportMixin, base_formats.CSV):
    def create_dataset(self, in_stream, **kwargs):
        text = decode(in_stream, self.encoding)
        check_csv(text, ImportLimits.from_settings())
        return super().create_dataset(csv_lines(text), **kwargs)  # not a copy of the text


class JSON(SafeExportMixin, base_formats.JSON):
    def create_dataset(self, in_stream, **kwargs):
        return json_records(decode(in_stream, self.encoding))


class XLSX(SafeExportMixin, base_formats.XLSX):
    def cell(self, value):
        if isinstance(value, NumberText) and value:
            number = Decimal(value)
            return int(number) if number == number.to_integral_value() else number
        return neutralise(value)

    def create_dataset(self, in_stream, **kwargs):
        check_xlsx(in_stream, ImportLimits.from_settings())
        return super().create_dataset(in_stream, **kwargs)


FORMATS = [CSV, XLSX, JSON]
FORMAT_NAMES = {format_class.__name__.lower(): format_class for format_class in FORMATS}


def json_records(text: str, *, name: str = "") -> tablib.Dataset:
    where = f"{name}: " if name else ""
    limits = ImportLimits.from_settings()
    try:
        if len(text) > limits.text_bytes:
            raise limits.refuse_text()
        records = json.loads(text, object_pairs_hook=object_counter(limits))
    except json.JSONDecodeError as error:
        raise UnreadableFile(f"{where}not valid JSON (line {error.lineno}, column {error.colno}).") from None
    except RecursionError:
        raise UnreadableFile(f"{where}nested too deeply to be rows of a table.") from None
    except UnreadableFile as error:
        raise UnreadableFile(f"{where}{error}") from None
    return json_dataset(records, name=name, limits=limits)


def json_dataset(records, *, name: str = "", limits: ImportLimits | None = None) -> tablib.Dataset:
    """A list of objects (what the JSON export writes) as a dataset. Every object must have the
    same keys: tablib would take the first object's keys and quietly drop any other."""
    where = f"{name}: " if name else ""
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        raise UnreadableFile(f"{where}expected a list of objects, one per row, as the JSON export writes.")
    limits = limits or ImportLimits.from_settings()
    if len(records) > limits.rows:
        raise UnreadableFile(f"{where}{limits.refuse_rows()}")
    if records and len(records[0]) > limits.columns:
        raise UnreadableFile(f"{where}{limits.refuse_columns(len(records[0]))}")
    dataset = tablib.Dataset()
    if not records:
        return dataset
    dataset.headers = list(records[0])
    for number, record in enumerate(records, start=1):
        if set(record) != set(dataset.headers):
            extra = sorted(set(record) - set(dataset.headers))
            missing = sorted(set(dataset.headers) - set(record))
            problems = [f"unexpected key(s): {', '.join(extra)}"] * bool(extra)
            problems += [f"missing key(s): {', '.join(missing)}"] * bool(missing)
            where = f"{name}, row {number}" if name else f"Row {number}"
            raise UnreadableFile(f"{where}: {'; '.join(problems)} (every row needs the same keys).")
        for key, value in record.items():
            if isinstance(value, str) and len(value) > limits.cell_chars:
                raise limits.refuse_cell(
                    f'{name}, row {number:,}, key "{key}",' if name else f'Row {number:,}, key "{key}",'
                )
        dataset.append([record[key] for key in dataset.headers])
    return dataset
