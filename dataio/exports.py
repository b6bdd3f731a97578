"""An export written to a file row by row: what an export job runs (dataio/jobs.py).

The admin's export in the request builds the whole table in memory (a tablib dataset, then the
file in one piece). A job instead reads the records a chunk at a time (the resource's
`iter_queryset`) and writes each row as it is read, so its memory stays flat whatever the
table's size. Cells go through the admin's formats (dataio/formats.py): text that would run as a
formula is neutralised, numbers stay numbers in XLSX. A CSV or JSON file has the same bytes as
the request's export of the same rows.
"""

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from import_export.formats.base_formats import BINARY_FORMATS
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from tablib.formats._json import serialize_objects_handler

from dataio import formats


def export_rows(resource, queryset, *, fields: list[str] | None, file_format) -> Iterator[list]:
    """The rows of `queryset` as the resource exports them (its order, its columns or `fields`)."""
    native = type(file_format) in BINARY_FORMATS  # as the admin's export decides it
    for record in resource.iter_queryset(resource.filter_export(queryset)):
        yield resource.export_resource(record, selected_fields=fields, force_native_type=native)


def write_export(
    path: Path, *, file_format, headers: list[str], rows: Iterable[list], title: str, progress: Callable[[int], None]
) -> int:
    """Write the file; call `progress(rows written)` after each row; return how many were."""
    writer = {formats.CSV: write_csv, formats.XLSX: write_xlsx, formats.JSON: write_json}[type(file_format)]
    return writer(path, file_format=file_format, headers=headers, rows=rows, title=title, progress=progress)


def write_csv(path: Path, *, file_format, headers, rows, title, progress) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)  # tablib's dialect: excel, CR LF line ends
        writer.writerow(headers)
        for count, row in enumerate(rows, 1):
            writer.writerow([file_format.cell(value) for value in row])
            progress(count)
    return count


def write_json(path: Path, *, file_format, headers, rows, title, progress) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("[")
        for count, row in enumerate(rows, 1):
            record = dict(zip(headers, (file_format.cell(value) for value in row), strict=True))
            handle.write(
                (", " if count > 1 else "") + json.dumps(record, default=serialize_objects_handler, ensure_ascii=False)
            )
            progress(count)
        handle.write("]")
    return count


def write_xlsx(path: Path, *, file_format, headers, rows, title, progress) -> int:
    """A write-only workbook: openpyxl streams its rows to a temporary file instead of keeping
    every cell. The header is bold and stays in view, as in the request's export."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for name in headers:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for count, row in enumerate(rows, 1):
        sheet.append([file_format.cell(value) for value in row])
        progress(count)
    workbook.save(path)
    return count
