"""The table downloads as text streamed a few hundred rows at a time, and as files kept per dataset
version.

A download is never held whole in memory: rows come from the database in chunks
(`QuerySet.iterator`) and leave as CSV or JSON text in chunks. With DOWNLOAD_CACHE_DIR set (the
default: a folder in the temp dir), the first request after a change writes the file there (to a
temporary name, then renamed, so a reader never sees half a file) and every later request is served
from it; the files of older versions are removed when a new one is written. The file's name holds
the dataset version and when it moved (core/changes.py; a database built again restarts the
number, not the time) and a digest of the site address the rows link to.
"""

import csv
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from dataio.formats import FORMULA_TRIGGERS, neutralise
from dataio.resources import LIST_SEPARATOR
from public.caching import current_version
from public.downloads.tables import Table

ROWS_PER_CHUNK = 500
FORMULA_STARTS = frozenset(FORMULA_TRIGGERS)  # a text cell's first characters that `neutralise` escapes
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def csv_cell(value: object) -> str:
    """A value as a spreadsheet-safe cell: numbers as they are (-5 stays a number), text that a
    spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) behind an apostrophe, as in
    the admin's export (`formats.neutralise`)."""
    if isinstance(value, int | float):
        return str(value)
    return neutralise(cell_text(value))


def cell_text(value: object) -> str:
    """Lists are joined by `|`; a party ({company, role}) is written `company:role`."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return LIST_SEPARATOR.join(item if item.__class__ is str else cell_text(item) for item in value)
    if isinstance(value, dict):
        return ":".join(map(str, value.values()))
    return str(value)


def csv_chunks(table: Table, site: str) -> Iterator[str]:
    """The table as CSV text, a chunk of rows at a time."""
    buffer = io.StringIO()
    # CR LF ends a row, as RFC 4180 says; the csv module then also quotes any cell holding a
    # bare CR, which a spreadsheet would otherwise take as a row break (and start a formula).
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = table.column_names
    writer.writerow(names)
    for number, row in enumerate(table.rows(site), start=1):
        # Most cells are text that starts harmlessly: kept as they are without a call per cell
        # (a third of a large table's time); the others go through `csv_cell`.
        cells = map(row.__getitem__, names)
        writer.writerow([v if v.__class__ is str and v[:1] not in FORMULA_STARTS else csv_cell(v) for v in cells])
        if number % ROWS_PER_CHUNK == 0:
            yield _drained(buffer)
    yield _drained(buffer)


def json_chunks(table: Table, site: str) -> Iterator[str]:
    """The table as a JSON list of objects, the same text `json.dumps(rows, indent=1)` gives."""
    names, parts, rows = table.column_names, [], 0
    for rows, row in enumerate(table.rows(site), start=1):
        element = json.dumps({name: row[name] for name in names}, ensure_ascii=False, indent=1)
        # One level down: strings hold no raw line break (JSON escapes it), so each line is one.
        parts.append(("[\n " if rows == 1 else ",\n ") + element.replace("\n", "\n "))
        if rows % ROWS_PER_CHUNK == 0:
            yield "".join(parts)
            parts.clear()
    yield "".join(parts) + ("\n]" if rows else "[]")


def _drained(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


CHUNKS = {"csv": csv_chunks, "json": json_chunks}


def encoded(chunks: Iterator[str]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.encode()


def cache_dir() -> Path | None:
    folder = settings.DOWNLOAD_CACHE_DIR
    return Path(folder) if folder else None


def kept_file(*, folder: Path, table: Table, fmt: str, site: str) -> Path:
    """The download's file for the current dataset version, written first if it is not there."""
    version = current_version()
    moved = f"{version.changed_at.timestamp():.6f}" if version.changed_at else "0"
    site_digest = hashlib.sha256(site.encode()).hexdigest()[:16]
    stem = f"{table.name}.{fmt}"
    path = folder / f"{stem}.v{version.number}-{moved}.{site_digest}"
    if not path.exists():
        _write(path, encoded(CHUNKS[fmt](table, site)))
        _remove_older(folder, stem=stem, keep=f"{stem}.v{version.number}-{moved}.")
    return path


def _write(path: Path, chunks: Iterator[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
    try:
        with os.fdopen(handle, "wb") as file:
            for chunk in chunks:
                file.write(chunk)
        os.replace(temporary, path)  # atomic: a reader opens the old name or the whole new file
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove_older(folder: Path, *, stem: str, keep: str) -> None:
    """Remove this download's files of other versions (a reader still streaming one keeps it
    open: the file goes when it closes)."""
    for old in folder.glob(f"{stem}.v*"):
        if not old.name.startswith(keep):
            old.unlink(missing_ok=True)
