"""What `manage.py import` and `manage.py export` share: which resource and which format.

The project's commands replace the library's commands of the same names so that the command
line reads and writes files exactly as the admin does (dataio/formats.py, `read_dataset`).
"""

from django.apps import apps
from django.contrib import admin
from django.core.management.base import CommandError
from django.utils.module_loading import import_string

from dataio.formats import FORMAT_NAMES
from dataio.progress import import_progress
from dataio.resources import CuratedResource, ImportReport, import_dataset


def resource_class(name: str) -> type[CuratedResource]:
    """A resource by dotted path (`companies.resources.CompanyResource`), or a model by label
    (`companies.Company`) or dotted path (`companies.models.Company`), meaning the resource its
    admin imports and exports with."""
    try:
        found = import_string(name)
    except ImportError:
        try:
            found = apps.get_model(name)
        except (LookupError, ValueError):
            found = None
    if isinstance(found, type) and issubclass(found, CuratedResource):
        return found
    registered = isinstance(found, type) and admin.site.is_registered(found)
    model_admin = admin.site.get_model_admin(found) if registered else None
    if model_admin is None or not getattr(model_admin, "resource_classes", None):
        raise CommandError(
            f"Unknown resource {name!r}: give the label of a model the admin imports (companies.Company) "
            "or its resource class (companies.resources.CompanyResource)."
        )
    return model_admin.resource_classes[0]


def format_class(name: str):
    try:
        return FORMAT_NAMES[name.lower()]
    except KeyError:
        raise CommandError(f"Unknown format {name!r}: use one of {', '.join(FORMAT_NAMES)}.") from None


def import_with_progress(resource: CuratedResource, dataset, *, name: str, stream, **options) -> ImportReport:
    """`import_dataset` with its progress on `stream`: a bar on a terminal, a line at every
    tenth of the file otherwise (dataio/progress.py). The command prints counts and problems,
    never a diff, so the result keeps no rows (`rows_kept=0`)."""
    with import_progress(name=name, stream=stream) as progress:
        return import_dataset(resource, dataset, name=name, progress=progress, rows_kept=0, **options)


def write_warnings(report: ImportReport, *, stream, lines: bool = True) -> None:
    """An import's warnings, one line each (rows that may repeat a stored record): they never stop it."""
    for warning in report.warnings:
        stream.write(f"Warning: {warning.line(name=report.name, lines=lines)}")
