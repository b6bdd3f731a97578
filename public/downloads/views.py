"""The data page and the table downloads (`/data/deals.csv`, `/data/deals.json`, …)."""

import csv
import io
import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dataio.formats import neutralise
from dataio.resources import LIST_SEPARATOR
from public.downloads.tables import TABLES, TABLES_BY_NAME, Table


def _table(name: str) -> Table:
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        raise Http404(f"No table called “{name}”.") from None


def site_address(request: HttpRequest) -> str:
    """`https://host`, to which the tables add each page's path."""
    return request.build_absolute_uri("/").removesuffix("/")


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
    if isinstance(value, list):
        return LIST_SEPARATOR.join(cell_text(item) for item in value)
    if isinstance(value, dict):
        return ":".join(str(part) for part in value.values())
    return str(value)


@require_GET
def data_page(request: HttpRequest) -> HttpResponse:
    return render(request, "downloads/data.html", {"tables": TABLES})


@require_GET
def table_csv(request: HttpRequest, name: str) -> HttpResponse:
    table = _table(name)
    buffer = io.StringIO()
    # CR LF ends a row, as RFC 4180 says; the csv module then also quotes any cell holding a
    # bare CR, which a spreadsheet would otherwise take as a row break (and start a formula).
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.column_names)
    for row in table.rows(site_address(request)):
        writer.writerow([csv_cell(row[column]) for column in table.column_names])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.name}.csv"'
    return response


@require_GET
def table_json(request: HttpRequest, name: str) -> HttpResponse:
    table = _table(name)
    names = table.column_names
    rows = [{name: row[name] for name in names} for row in table.rows(site_address(request))]
    return HttpResponse(json.dumps(rows, ensure_ascii=False, indent=1), content_type="application/json")
