"""The UTF-8 byte order mark in front of the CSV downloads.

Spreadsheets (LibreOffice's default import, Excel) read a CSV file without a byte order mark in a
local 8-bit encoding, so “Zebra” or 小米 arrive garbled. `/data/<table>.csv` therefore starts with
the three bytes EF BB BF; `/data/plain/<table>.csv` is the same file without them, for programs
(and the Data Package, public/downloads/datapackage.py, points there).

The mark is added to the response, not to the files kept per dataset version
(public/downloads/files.py): both addresses are served from one kept file.
"""

import codecs
import itertools

from django.http.response import HttpResponseBase

BYTE_ORDER_MARK = codecs.BOM_UTF8


def with_byte_order_mark(response: HttpResponseBase) -> HttpResponseBase:
    """The download with the mark in front, whether built whole or streamed from its kept file."""
    if response.status_code != 200:
        return response
    if not response.streaming:
        response.content = BYTE_ORDER_MARK + response.content
        return response
    # Streamed from a file: the file is still closed with the response (its closer stays registered).
    response.streaming_content = itertools.chain([BYTE_ORDER_MARK], response.streaming_content)
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(int(response["Content-Length"]) + len(BYTE_ORDER_MARK))
    return response
