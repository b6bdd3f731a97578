"""The data page and the table downloads (`/data/deals.csv`, `/data/deals.json`, …)."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from public.downloads.bom import with_byte_order_mark
from public.downloads.datapackage import data_page_context
from public.downloads.files import CHUNKS, CONTENT_TYPES, cache_dir, encoded, kept_file
from public.downloads.tables import TABLES, TABLES_BY_NAME, Table


def _table(name: str) -> Table:
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        raise Http404(f"No table called “{name}”.") from None


def site_address(request: HttpRequest) -> str:
    """`https://host`, to which the tables add each page's path."""
    return request.build_absolute_uri("/").removesuffix("/")


@require_GET
def data_page(request: HttpRequest) -> HttpResponse:
    return render(request, "downloads/data.html", {"tables": TABLES, **data_page_context(request)})


def table_download(request: HttpRequest, *, table: Table, fmt: str) -> HttpResponseBase:
    """The table streamed from its kept file (public/downloads/files.py), written in bounded memory;
    with no download folder (the tests' setting), built whole on each request from the same chunks."""
    site, folder = site_address(request), cache_dir()
    if folder is None:
        response = HttpResponse(b"".join(encoded(CHUNKS[fmt](table, site))), content_type=CONTENT_TYPES[fmt])
    else:
        path = kept_file(folder=folder, table=table, fmt=fmt, site=site)
        response = FileResponse(path.open("rb"), content_type=CONTENT_TYPES[fmt])
        response.headers.pop("Content-Disposition", None)  # it would name the kept file; named below
    if fmt == "csv":
        response["Content-Disposition"] = f'attachment; filename="{table.name}.csv"'
    return response


@require_GET
def table_csv(request: HttpRequest, name: str) -> HttpResponseBase:
    """With a UTF-8 byte order mark, so a spreadsheet reads it as UTF-8 (public/downloads/bom.py)."""
    return with_byte_order_mark(table_download(request, table=_table(name), fmt="csv"))


@require_GET
def table_csv_plain(request: HttpRequest, name: str) -> HttpResponseBase:
    """The same file without the mark, for programs: the Data Package points here."""
    return table_download(request, table=_table(name), fmt="csv")


@require_GET
def table_json(request: HttpRequest, name: str) -> HttpResponseBase:
    return table_download(request, table=_table(name), fmt="json")
