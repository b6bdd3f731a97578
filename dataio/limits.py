"""How much one import file may hold, checked before its dataset is built.

A small file can ask for a great deal of work: an XLSX of 2 KB that names row 3,000,000 (openpyxl
then fills in every row before it), a zip part that unpacks a thousandfold, one shared string
repeated in every cell, a CSV of millions of empty rows. Every reader (dataio/formats.py; the
admin's preview and confirm, `manage.py import` and `load_seeds`) first checks the file against
`ImportLimits`, from settings (README, "Configuration"): rows, columns, characters per cell and
text in all; for XLSX the unpacked size and each part's packing ratio from the zip directory,
then the shared strings and sheets by streaming them through expat, stopping at the first
number over a limit. A refusal is an `UnreadableFile` whose message says what is over and by how
much; nothing has been read into a dataset, so nothing has changed.
"""

import csv
import functools
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

from django.conf import settings
from openpyxl.utils.cell import column_index_from_string, range_boundaries


class UnreadableFile(ValueError):
    """A file that cannot be read as a table; the message says why, for the editor."""


NOT_XLSX = "not an XLSX workbook (save it from the spreadsheet as .xlsx)."
# No resource has more than a couple of dozen columns; a file with hundreds is not ours.
MAX_COLUMNS = 100
# A spreadsheet part packs to a tenth or so of its size; a zip bomb to a thousandth. Small parts
# (styles, a sheet of empty cells) are let through whatever their ratio.
MAX_PACKING_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024
MAX_WORKBOOK_PARTS = 1000
# An import lists this many problems and only counts the rest: a file of a million bad rows would
# otherwise keep millions of messages (gigabytes) and print them all (hundreds of megabytes).
ERRORS_LISTED = 100


@dataclass(frozen=True)
class ImportLimits:
    """How much one import file may hold (README, "Configuration"), checked before its dataset
    is built, on every path: admin preview and confirm, `manage.py import`, `load_seeds`."""

    rows: int  # under the header
    cell_chars: int
    text_bytes: int  # an XLSX file unpacked, and the text of a file of any format
    columns: int = MAX_COLUMNS

    @classmethod
    def from_settings(cls) -> "ImportLimits":
        return cls(
            rows=settings.IMPORT_MAX_ROWS,
            cell_chars=settings.IMPORT_MAX_CELL_CHARS,
            text_bytes=settings.IMPORT_MAX_UNPACKED_MB * 1024 * 1024,
        )

    def refuse_rows(self, where: str = "The file has") -> UnreadableFile:
        return UnreadableFile(
            f"{where} more than {self.rows:,} rows; at most {self.rows:,} are imported at once. "
            "Split it into smaller files."
        )

    def refuse_columns(self, count: int) -> UnreadableFile:
        return UnreadableFile(f"The file has {count:,} columns; at most {self.columns} are read.")

    def refuse_cell(self, where: str) -> UnreadableFile:
        return UnreadableFile(
            f"{where} holds more than {self.cell_chars:,} characters; a cell may hold at most {self.cell_chars:,}."
        )

    def refuse_text(self, what: str = "The file holds") -> UnreadableFile:
        megabytes = self.text_bytes // (1024 * 1024)
        return UnreadableFile(
            f"{what} more than {megabytes:,} MB of text; at most {megabytes:,} MB are read. "
            "Split it into smaller files."
        )


# A line and its end (CR LF, CR or LF, as a file opened with newline="" reads them), or the last
# line without one.
CSV_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")


def csv_lines(text: str) -> Iterator[str]:
    """The lines of a CSV text one at a time, as the csv module wants them. Not io.StringIO,
    which copies the text at four bytes a character: a 100 MB file took 400 MB more, twice."""
    return (match.group() for match in CSV_LINE.finditer(text))


def check_csv(text: str, limits: ImportLimits) -> None:
    """Refuse a CSV text over the limits, reading it once with the csv module (as tablib will,
    which keeps every row in memory) and stopping at the first row over a limit."""
    if len(text) > limits.text_bytes:
        raise limits.refuse_text()
    reader = csv.reader(csv_lines(text))
    try:
        header = next(reader, [])
        if len(header) > limits.columns:
            raise limits.refuse_columns(len(header))
        if header and max(map(len, header)) > limits.cell_chars:
            raise limits.refuse_cell("The header")
        count, line = 0, reader.line_num
        for row in reader:
            start, line = line + 1, reader.line_num
            if not row:  # a blank line, which tablib skips
                continue
            count += 1
            if count > limits.rows:
                raise limits.refuse_rows()
            if len(row) > limits.columns:
                raise limits.refuse_columns(len(row))
            if max(map(len, row)) > limits.cell_chars:
                column = max(range(len(row)), key=lambda index: len(row[index]))
                name = header[column] if column < len(header) else f"{column + 1}"
                raise limits.refuse_cell(f'Row {count:,} (line {start:,}), column "{name.strip()}",')
    except csv.Error as error:
        raise UnreadableFile(f"not a readable CSV file ({error}).") from None


def check_xlsx(raw: bytes, limits: ImportLimits) -> None:
    """Refuse a workbook over the limits before openpyxl reads it: from the zip directory (unpacked
    size, packing ratio), then by streaming its shared strings and every sheet (declared and
    actual rows and columns, characters per cell and in all). A sheet's declared range is not
    trusted alone: openpyxl fills every missing row up to the last one the sheet names."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise UnreadableFile(NOT_XLSX) from None
    if len(parts) > MAX_WORKBOOK_PARTS:
        raise UnreadableFile(
            f"The workbook holds {len(parts):,} parts; a saved spreadsheet has a few dozen (at most "
            f"{MAX_WORKBOOK_PARTS:,} are read). Save the file again from the spreadsheet."
        )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.text_bytes:
        megabytes = limits.text_bytes // (1024 * 1024)
        raise UnreadableFile(
            f"The workbook unpacks to {unpacked / 1024 / 1024:,.0f} MB; at most {megabytes:,} MB are read. "
            "Split it into smaller files."
        )
    for part in parts:
        if part.file_size > RATIO_CHECKED_FROM and part.file_size > MAX_PACKING_RATIO * max(part.compress_size, 1):
            ratio = part.file_size / max(part.compress_size, 1)
            raise UnreadableFile(
                f"The workbook's part {part.filename} unpacks to {ratio:,.0f} times its packed size; a saved "
                f"spreadsheet stays under {MAX_PACKING_RATIO} times. Save the file again from the spreadsheet."
            )
    try:
        strings_part = shared_strings_part(archive)
        strings = SharedStringsScan(limits)
        if strings_part in archive.NameToInfo:
            strings.scan(archive, strings_part)
        sheet = SheetScan(limits, strings.lengths)
        for part in parts:
            if part.filename.lower().endswith(".xml") and part.filename not in (strings_part, "[Content_Types].xml"):
                sheet.scan(archive, part.filename)
    except UnreadableFile:
        raise
    except Exception:  # broken XML, a bad cell reference, an encrypted part: openpyxl would fail too
        raise UnreadableFile(NOT_XLSX) from None


SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def shared_strings_part(archive: zipfile.ZipFile) -> str:
    """Where openpyxl will look for the shared strings: the part [Content_Types].xml names."""
    found = ["xl/sharedStrings.xml"]

    def start(name: str, attributes: dict) -> None:
        if local_name(name) == "Override" and attributes.get("ContentType") == SHARED_STRINGS_TYPE:
            found[0] = attributes.get("PartName", "").lstrip("/")

    stream_xml(archive, "[Content_Types].xml", start=start)
    return found[0]


def local_name(name: str) -> str:
    return name.rpartition(":")[2]


def stream_xml(archive: zipfile.ZipFile, part: str, *, start, end=None, text=None) -> None:
    """Feed one part of the archive through expat in chunks: memory stays flat whatever its size."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    with archive.open(part) as stream:
        while chunk := stream.read(1024 * 1024):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


class SharedStringsScan:
    """The length of each shared string, refusing one longer than a cell may be."""

    def __init__(self, limits: ImportLimits):
        self.limits = limits
        self.lengths: list[int] = []
        self.current: int | None = None
        self.in_text = False

    def scan(self, archive: zipfile.ZipFile, part: str) -> None:
        stream_xml(archive, part, start=self.start, end=self.end, text=self.text)

    def start(self, name: str, attributes: dict) -> None:
        local = local_name(name)
        if local == "si":
            self.current = 0
        elif local == "t" and self.current is not None:
            self.in_text = True

    def end(self, name: str) -> None:
        local = local_name(name)
        if local == "t":
            self.in_text = False
        elif local == "si" and self.current is not None:
            self.lengths.append(self.current)
            self.current = None

    def text(self, data: str) -> None:
        if self.in_text:
            self.current += len(data)
            if self.current > self.limits.cell_chars:
                raise self.limits.refuse_cell(f"Shared text number {len(self.lengths) + 1:,} of the workbook")


# The sheet elements the scan follows, by local name. Names come without namespace processing
# (faster): "c", or "x:c" where a file uses a prefix.
CELL, VALUE, ROW, DIMENSION, OTHER = range(5)
SHEET_ELEMENTS = {"c": CELL, "v": VALUE, "t": VALUE, "row": ROW, "dimension": DIMENSION, "is": OTHER}


@functools.lru_cache(maxsize=1024)
def column_number(letters: str) -> int:
    """The column of a cell reference's letters ("C" is 3); cached, as a sheet has few columns."""
    return column_index_from_string(letters)


class SheetScan:
    """Rows, columns and text of every sheet, as openpyxl will count them: a row or cell without
    its position comes after the one before; a row numbered 3,000,000 makes 3,000,000 rows.

    Called for every element of sheets of 100,000 rows, so it does as little as it can: a cell
    ends where the next cell or row starts, and any element's end ends a value (`<v>`, `<t>`,
    which hold only text)."""

    def __init__(self, limits: ImportLimits, shared_lengths: list[int]):
        self.limits = limits
        self.shared_lengths = shared_lengths
        self.total = 0
        self.row = self.column = 0
        self.cell: str | None = None  # the reference of the cell being read
        self.shared = self.in_value = False
        self.length = 0
        self.value = ""

    def scan(self, archive: zipfile.ZipFile, part: str) -> None:
        self.row = self.column = 0
        stream_xml(archive, part, start=self.start, end=self.end, text=self.text)
        self.end_cell()

    def start(self, name: str, attributes: dict) -> None:
        kind = SHEET_ELEMENTS.get(name)
        if kind is None:
            kind = SHEET_ELEMENTS.get(name.rpartition(":")[2], OTHER)
        if kind == CELL:
            self.end_cell()
            reference = attributes.get("r")
            self.column = column_number(reference.rstrip("0123456789")) if reference else self.column + 1
            if self.column > self.limits.columns:
                raise self.limits.refuse_columns(self.column)
            self.cell = reference or f"{self.row}:{self.column}"
            self.shared = attributes.get("t") == "s"
        elif kind == VALUE:
            self.in_value = self.cell is not None
        elif kind == ROW:
            self.end_cell()
            number = attributes.get("r", "")
            self.row = int(number) if number.isdigit() else self.row + 1
            self.column = 0
            if self.row - 1 > self.limits.rows:  # the first row is the header
                raise self.limits.refuse_rows(f"The sheet has row {self.row:,}, that is")
        elif kind == DIMENSION:
            self.check_declared(attributes.get("ref", ""))

    def check_declared(self, reference: str) -> None:
        # openpyxl makes every row as wide as the declared range, and reads "C3000000" as a range.
        _min_column, _min_row, columns, rows = range_boundaries(reference) if reference else (0, 0, 0, 0)
        if (rows or 0) - 1 > self.limits.rows:
            raise self.limits.refuse_rows(f"The sheet declares the range {reference}:")
        if (columns or 0) > self.limits.columns:
            raise self.limits.refuse_columns(columns)

    def end_cell(self) -> None:
        if self.cell is None:
            return
        if self.shared:
            index = int(self.value) if self.value.strip().isdigit() else -1
            self.length = self.shared_lengths[index] if 0 <= index < len(self.shared_lengths) else 0
        self.total += self.length
        if self.total > self.limits.text_bytes:
            raise self.limits.refuse_text("The workbook's cells hold")
        self.cell, self.length, self.value = None, 0, ""

    def end(self, name: str) -> None:
        self.in_value = False

    def text(self, data: str) -> None:
        if not self.in_value:
            return
        if self.shared:
            self.value += data
            return
        self.length += len(data)
        if self.length > self.limits.cell_chars:
            raise self.limits.refuse_cell(f"Cell {self.cell}")


def object_counter(limits: ImportLimits):
    """An object hook for json.loads that stops a flood of objects as it is decoded, before the
    whole list is in memory (each row is one object)."""
    count = 0

    def counted(pairs: list) -> dict:
        nonlocal count
        count += 1
        if count > limits.rows:
            raise limits.refuse_rows()
        return dict(pairs)

    return counted
