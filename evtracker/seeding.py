"""Load the curated dataset in seeds/ through the same resources the admin imports with."""

from pathlib import Path

from django.db import transaction

from companies.models import Company, Deal
from companies.resources import AliasResource, CompanyResource, DealResource, ParticipationResource
from evtracker import formats
from evtracker.imports import ImportReport, import_dataset, read_dataset, row_label
from sources.models import Source, text_sha256
from sources.resources import ExcerptResource, NoiseSpanResource, SourceResource, StoryResource

# Files in dependency order: each refers only to records loaded by the files above it.
SEED_FILES = [
    ("stories.csv", StoryResource),
    ("companies.csv", CompanyResource),
    ("aliases.csv", AliasResource),
    ("deals.csv", DealResource),
    ("participations.csv", ParticipationResource),
    ("sources.csv", SourceResource),
    ("noise.csv", NoiseSpanResource),
    ("excerpts.csv", ExcerptResource),
]


class SeedError(Exception):
    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("\n".join(lines))


def _archived_text_mismatches(directory: Path, dataset) -> list[str]:
    """Each source loaded from a seed article must hold that file's text byte for byte."""
    problems = []
    for number, row in enumerate(dataset.dict, 1):
        name = (row.get("seed_file") or "").strip()
        if not name:
            continue
        path = directory / name
        where = f'sources.csv, {row_label(number)}, column "seed_file"'
        if not path.is_file():
            problems.append(f'{where}: no file "{name}" in {directory}')
            continue
        stored = Source.objects.get(slug=row["slug"].strip())
        if stored.sha256 != text_sha256(path.read_text(encoding="utf-8")):
            problems.append(f'{where}: the text column differs from the archived file "{name}"')
    return problems


def unpublishable_records() -> list[str]:
    """Published companies and deals that lack what publishing requires, one line each."""
    return [
        f"{model._meta.verbose_name_plural}.csv, {record.slug}: Cannot publish the {model._meta.verbose_name} "
        f"“{record}”: {problem}"
        for model in (Company, Deal)
        for record in model.objects.published()
        for problem in record.publication_problems()
    ]


def seeds_load(*, directory: Path, dry_run: bool = False) -> list[ImportReport]:
    """Import every seed file in one transaction; on any error raise SeedError, changing nothing."""
    reports = []
    with transaction.atomic():
        for name, resource_class in SEED_FILES:
            path = directory / name
            if not path.is_file():
                raise SeedError([f"{name}: file not found in {directory}"])
            try:
                dataset = read_dataset(path)
            except ValueError as error:
                raise SeedError([str(error)]) from None
            # Deals and companies are published before the excerpts backing them are loaded,
            # so their publishing rules are checked once everything is in.
            report = import_dataset(resource_class(), dataset, name=name, defer_publication_check=True)
            if resource_class is SourceResource and not report.errors:
                report.errors.extend(_archived_text_mismatches(directory, dataset))
            if report.errors:
                raise SeedError(report.errors)
            reports.append(report)
        problems = unpublishable_records()
        if problems:
            raise SeedError(problems)
        if dry_run:
            transaction.set_rollback(True)
    return reports


def seeds_export(*, directory: Path) -> list[str]:
    """Write every seed file from the database, in the format the admin exports."""
    written = []
    for name, resource_class in SEED_FILES:
        dataset = resource_class().export()
        # The admin's CSV format (formula-safe); "\n" line ends keep the files diff-friendly in
        # git, and the csv module still quotes any cell holding a newline, a comma or a quote.
        text = formats.CSV().export_data(dataset, lineterminator="\n")
        (directory / name).write_text(text, encoding="utf-8")
        written.append(f"{name}: {len(dataset)} rows")
    return written
