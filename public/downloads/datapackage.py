"""`/data/datapackage.json`: the downloads described as a Frictionless Data Package (v2).

Written from TABLES (public/downloads/tables.py), so the descriptor names the same columns, in the
same order, with the same meanings as /data/ and README.md; this module adds what a program needs
besides: each column's type and allowed values, the keys that join the tables, the licence, the
dataset version and when it last changed. Resources point at the plain CSV files (no byte order
mark, public/downloads/bom.py). The page cache keeps it per dataset version like any page.
"""

from datetime import UTC

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from companies.models import Company, Deal, Participation
from core.partial_dates import DatePrecision
from public.caching import Version, current_version
from public.downloads.tables import TABLES, Column, Table
from sources.models import Excerpt, Source

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
NAME = "ev-entry-tracker"
TITLE = "EV Entry Tracker: Chinese tech companies entering the electric-vehicle market"
LICENCE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}
LICENCE_SCOPE = (
    "The licence covers the tracker's compilation: its selection and arrangement of records, and its own "
    "texts (summaries, notes, claims). Quoted excerpts and archived source texts remain their publishers'; "
    "they are quoted so that every fact can be checked."
)

PARTIAL_DATE_PATTERN = r"\d{4}(-\d{2}(-\d{2})?)?"


def enum(choices) -> dict:
    return {"constraints": {"enum": [code for code, _ in choices]}}


INTEGER, NUMBER, URL = {"type": "integer"}, {"type": "number"}, {"type": "string", "format": "uri"}
PARTIAL_DATE = {"type": "string", "constraints": {"pattern": PARTIAL_DATE_PATTERN}}
# A column's type and constraints where it is not plain text; a column not named here is a string.
FIELD_DETAILS: dict[tuple[str, str], dict] = {
    ("companies", "kind"): enum(Company.Kind.choices),
    ("companies", "entry_mode"): enum(Company.EntryMode.choices),
    ("companies", "website"): URL,
    ("companies", "deals"): INTEGER,
    ("companies", "excerpts"): INTEGER,
    ("deals", "kind"): enum(Deal.Kind.choices),
    ("deals", "status"): enum(Deal.Status.choices),
    ("deals", "date"): PARTIAL_DATE,
    ("deals", "date_precision"): enum(DatePrecision.choices),
    ("deals", "amount"): NUMBER,
    ("deals", "currency"): {"constraints": {"pattern": "[A-Z]{3}"}},
    ("deals", "excerpts"): INTEGER,
    ("participations", "role"): enum(Participation.Role.choices),
    ("participations", "stake_percent"): NUMBER,
    ("excerpts", "start"): INTEGER,
    ("excerpts", "end"): INTEGER,
    ("excerpts", "stance"): enum(Excerpt.Stance.choices),
    ("sources", "original_url"): URL,
    ("sources", "published_date"): PARTIAL_DATE,
    ("sources", "published_date_precision"): enum(DatePrecision.choices),
    ("sources", "date_basis"): enum(Source.DateBasis.choices),
    ("sources", "story_relation"): enum(Source.StoryRelation.choices),
    ("sources", "sha256"): {"constraints": {"pattern": "[0-9a-f]{64}"}},
    ("sources", "excerpts"): INTEGER,
}
PRIMARY_KEYS = {"companies": "slug", "deals": "slug", "excerpts": "slug", "sources": "slug"}
# (table, column) → (table, column) it names; an empty cell names nothing.
FOREIGN_KEYS = {
    ("companies", "parent"): ("companies", "slug"),
    ("deals", "venture"): ("companies", "slug"),
    ("participations", "deal"): ("deals", "slug"),
    ("participations", "company"): ("companies", "slug"),
    ("excerpts", "source"): ("sources", "slug"),
}


def schema_field(table: Table, column: Column) -> dict:
    details = FIELD_DETAILS.get((table.name, column.name), {})
    if column.name == "page_url":
        details = URL
    return {"name": column.name, "type": "string", **details, "description": column.meaning}


def table_schema(table: Table) -> dict:
    schema: dict = {"fields": [schema_field(table, column) for column in table.columns]}
    if table.name in PRIMARY_KEYS:
        schema["primaryKey"] = [PRIMARY_KEYS[table.name]]
    foreign_keys = [
        {"fields": [column], "reference": {"resource": "" if other == table.name else other, "fields": [field]}}
        for (name, column), (other, field) in FOREIGN_KEYS.items()
        if name == table.name
    ]
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema


def resource(table: Table, *, site: str) -> dict:
    spreadsheet = site + reverse("downloads:table_csv", args=[table.name])
    as_json = site + reverse("downloads:table_json", args=[table.name])
    return {
        "name": table.name,
        "path": site + reverse("downloads:table_csv_plain", args=[table.name]),
        "title": table.name.capitalize(),
        "description": (
            f"{table.description} The same rows with a UTF-8 byte order mark for spreadsheets: {spreadsheet}; "
            f"as JSON: {as_json}. A text cell that a spreadsheet would run as a formula starts with one added "
            "apostrophe; a list cell joins its items with `|`."
        ),
        "type": "table",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"header": True, "delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"'},
        "schema": table_schema(table),
    }


def iso_moment(version: Version) -> str | None:
    """When the dataset last changed, to the second in UTC (`2026-11-23T08:55:53Z`)."""
    if version.changed_at is None:
        return None
    return version.changed_at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def data_package(*, site: str, version: Version) -> dict:
    """The descriptor, for the site at `site` (e.g. "https://tracker.example.org")."""
    descriptor = {
        "$schema": PROFILE,
        "name": NAME,
        "title": TITLE,
        "description": (
            "Companies, deals, participations, verbatim excerpts and archived sources: every published fact "
            f"of the tracker, each backed by an excerpt of an archived source. {LICENCE_SCOPE}"
        ),
        "homepage": site + reverse("downloads:data"),
        "version": str(version.number),
        "licenses": [LICENCE],
        "sources": [
            {"title": "EV Entry Tracker", "path": site + reverse("home")},
            {"title": "The archived sources the excerpts quote", "path": site + reverse("sources:source_list")},
        ],
        "keywords": ["electric vehicles", "China", "technology companies", "investments", "joint ventures"],
        "resources": [resource(table, site=site) for table in TABLES],
    }
    created = iso_moment(version)
    if created:
        descriptor["created"] = created
    return descriptor


def citation(*, site: str, version: Version) -> str:
    """The suggested citation shown on /data/ and in the README."""
    changed = version.changed_at.astimezone(UTC).date().isoformat() if version.changed_at else "not yet changed"
    return f"EV Entry Tracker (dataset version {version.number}, {changed}). {site + reverse('downloads:data')}"


def data_page_context(request: HttpRequest) -> dict:
    """What /data/ shows besides the tables: the version, its date, the licence and the citation."""
    site, version = request.build_absolute_uri("/").removesuffix("/"), current_version()
    return {
        "version": version,
        "licence": LICENCE,
        "citation": citation(site=site, version=version),
    }


@require_GET
def datapackage_json(request: HttpRequest) -> JsonResponse:
    site = request.build_absolute_uri("/").removesuffix("/")
    descriptor = data_package(site=site, version=current_version())
    return JsonResponse(descriptor, json_dumps_params={"ensure_ascii": False, "indent": 1})
