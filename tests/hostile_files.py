"""Import files built to exhaust a server, at any size: tiny in the tests
(tests/test_hostile_uploads.py), full size in the benchmark (bench/upload_bench.py). Each is
generated, never stored: some are gigabytes once unpacked.

The workbooks are the least an XLSX reader (openpyxl, through tablib) accepts: content types,
one sheet, shared strings.
"""

import io
import random
import string
import zipfile
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{SHEETML}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEETML}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHEETML}.sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{PACKAGE_REL}">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="companies" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{PACKAGE_REL}">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    ),
}
HEADER = ("slug", "name", "kind")


def row_xml(number: int | None, *cells: str) -> str:
    position = f' r="{number}"' if number else ""
    inline = "".join(f'<c t="inlineStr"><is><t>{escape(cell)}</t></is></c>' for cell in cells)
    return f"<row{position}>{inline}</row>"


def shared_row_xml(number: int, index: int, columns: int = 3) -> str:
    return f'<row r="{number}">' + f'<c t="s"><v>{index}</v></c>' * columns + "</row>"


def workbook(rows: list[str], *, dimension: str = "", shared: list[str] = (), shared_chunks=None) -> bytes:
    """An XLSX file whose sheet holds `rows` (XML), declaring `dimension`; its shared strings are
    `shared`, or one string written piece by piece from `shared_chunks` (so that a string of
    gigabytes never sits in memory)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in WORKBOOK_PARTS.items():
            archive.writestr(name, xml)
        declared = f'<dimension ref="{dimension}"/>' if dimension else ""
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{MAIN}">{declared}<sheetData>{"".join(rows)}</sheetData></worksheet>',
        )
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<sst xmlns="{MAIN}">'.encode())
            for text in shared:
                part.write(f"<si><t>{escape(text)}</t></si>".encode())
            if shared_chunks is not None:
                part.write(b"<si><t>")
                for chunk in shared_chunks:
                    part.write(chunk)
                part.write(b"</t></si>")
            part.write(b"</sst>")
    return out.getvalue()


def dimension_bomb_xlsx(rows: int = 3_000_000) -> bytes:
    """About 1.7 KB: declares A1:C<rows> and names its last row, so openpyxl makes every row
    in between."""
    last = row_xml(rows, "last-row", "Last", "tech")
    return workbook([row_xml(1, *HEADER), row_xml(2, "a-company", "A company", "tech"), last], dimension=f"A1:C{rows}")


def undeclared_rows_xlsx(rows: int) -> bytes:
    """Declares three rows and holds `rows`, none numbered: only counting them finds out."""
    body = [row_xml(None, *HEADER)] + [row_xml(None, f"c{i}", "", "") for i in range(rows)]
    return workbook(body, dimension="A1:C3")


def shared_string_bomb_xlsx(megabytes: int) -> bytes:
    """One shared string of `megabytes` MB of one letter: it packs a thousandfold."""
    chunks = (b"x" * (1024 * 1024) for _ in range(megabytes))
    return workbook([row_xml(1, *HEADER), shared_row_xml(2, 0)], shared_chunks=chunks)


def long_shared_string_xlsx(chars: int) -> bytes:
    """One shared string of `chars` random letters (which do not pack well)."""
    text = "".join(random.choices(string.ascii_letters, k=chars))  # noqa: S311 (not for security)
    return workbook([row_xml(1, *HEADER), shared_row_xml(2, 0)], shared=[text])


def repeated_shared_string_xlsx(chars: int, rows: int) -> bytes:
    """One shared string of `chars` characters in every cell of `rows` rows: the file stays small,
    the text it stands for does not."""
    return workbook([row_xml(1, *HEADER)] + [shared_row_xml(n, 0) for n in range(2, rows + 2)], shared=["y" * chars])


def many_parts_xlsx(parts: int) -> bytes:
    """A workbook padded with `parts` empty parts: its zip directory alone is megabytes."""
    out = io.BytesIO(workbook([row_xml(1, *HEADER)]))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_STORED) as archive:
        for number in range(parts):
            archive.writestr(f"xl/padding/{number}.bin", b"")
    return out.getvalue()


def empty_rows_csv(rows: int) -> bytes:
    """3,000,000 rows of nothing take 9 MB: `,,` and a line end each."""
    return ",".join(HEADER).encode() + b"\n" + b",,\n" * rows


def invalid_rows_csv(rows: int) -> bytes:
    """`rows` copies of one invalid row (no name, no kind, the same slug)."""
    return ",".join(HEADER).encode() + b"\n" + b"x,,\n" * rows


def long_cell_csv(chars: int) -> bytes:
    return b"slug,name,kind,summary\nlong-motors,Long Motors,automaker," + b"z" * chars + b"\n"


def object_flood_json(objects: int) -> bytes:
    return b"[" + b"{}," * (objects - 1) + b"{}]"


def deep_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth
