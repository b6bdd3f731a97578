"""Export formats for editors' spreadsheets: formula-safe text, numbers kept as numbers.

A text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return would run as a formula
when the file is opened in a spreadsheet; such cells (and any beginning with an apostrophe, so
the rule can be undone) are written with a leading apostrophe, which spreadsheets treat as “this
is text” and which the import drops again. Numbers are `NumberText`, so they are never escaped
and go into XLSX files as real numbers.
"""

from decimal import Decimal

import tablib
from import_export.formats import base_formats

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


class CSV(SafeExportMixin, base_formats.CSV):
    pass


class JSON(SafeExportMixin, base_formats.JSON):
    pass


class XLSX(SafeExportMixin, base_formats.XLSX):
    def cell(self, value):
        if isinstance(value, NumberText) and value:
            number = Decimal(value)
            return int(number) if number == number.to_integral_value() else number
        return neutralise(value)


FORMATS = [CSV, XLSX, JSON]
