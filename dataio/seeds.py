"""Load the curated dataset in seeds/ through the same resources the admin imports with.

The seeds are the dataset a fresh database starts from, not a source of truth: once editors have
worked on the database, loading the files again must not undo their work. So the files go into an
empty database as they are; into one that holds records only if loading changes nothing, or if
the caller asks to overwrite, and then every record replaced is listed. Otherwise nothing is
written and each record that differs from the files is reported.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from core.editorial import Curated
from dataio import command_line, formats
from dataio.resources import (
    CuratedResource,
    ImportReport,
    PublicationTimeField,
    import_dataset,
    read_dataset,
)

# Files in dependency order: each refers only to records loaded by the files above it. Each file
# holds one model (by label), read and written with the resource its admin imports with, so this
# layer names the apps above it without importing them.
SEED_FILE_MODELS = [
    ("stories.csv", "sources.Story"),
    ("companies.csv", "companies.Company"),
    ("aliases.csv", "companies.Alias"),
    ("deals.csv", "companies.Deal"),
    ("participations.csv", "companies.Participation"),
    ("sources.csv", "sources.Source"),
    ("noise.csv", "sources.NoiseSpan"),
    ("excerpts.csv", "sources.Excerpt"),
]


def plain_file_name(name: str) -> bool:
    """Whether `name` names a file in the seed folder itself (no folder part, no way out of it):
    the only files a row may name beside the CSV files, read by load_seeds, written by export_seeds."""
    return bool(name) and name == Path(name).name and name not in (".", "..") and not {"\\", "\0"} & set(name)


def seed_files() -> list[tuple[str, type[CuratedResource]]]:
    """(file name, resource class) of every seed file, in loading order."""
    return [(name, command_line.resource_class(label)) for name, label in SEED_FILE_MODELS]


class SeedError(Exception):
    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("\n".join(lines))


def unpublishable_records() -> list[str]:
    """Published companies and deals that lack what publishing requires, one line each."""
    curated = [
        (name, resource._meta.model) for name, resource in seed_files() if issubclass(resource._meta.model, Curated)
    ]
    return [
        f"{name}, {record.slug}: Cannot publish the {model._meta.verbose_name} “{record}”: {problem}"
        for name, model in curated
        for record in model.objects.published()
        for problem in record.publication_problems()
    ]


def database_is_empty() -> bool:
    """Whether the database has never held curated data: no row in any table the seed files fill
    and no change history of one. A database whose records editors deleted is therefore not
    empty, and loading the seeds into it would bring back what they removed."""
    for _, resource_class in seed_files():
        model = resource_class._meta.model
        history = getattr(model, "history", None)
        if model._default_manager.exists() or (history is not None and history.exists()):
            return False
    return True


def curated_record_counts() -> list[str]:
    """What the database holds, per seed file's table: "24 deals", for those that hold any."""
    counts = []
    for _, resource_class in seed_files():
        model = resource_class._meta.model
        count = model._default_manager.count()
        if count:
            counts.append(f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}")
    return counts


@dataclass(frozen=True)
class SeedDifference:
    """A record that the seed files hold otherwise than the database: the columns that differ with
    the value on each side, or none if the record is missing from the database."""

    file: str
    record: str
    columns: tuple[tuple[str, str, str], ...]  # (column, database value, file value)

    def lines(self) -> list[str]:
        if not self.columns:
            return [f"{self.file}, {self.record}: not in the database (deleted since, or never loaded)"]
        names = ", ".join(column for column, _, _ in self.columns)
        return [f"{self.file}, {self.record}: {names}"] + [
            f"    {column}: {_shortened(stored)} in the database, {_shortened(seeded)} in the file"
            for column, stored, seeded in self.columns
        ]


def _shortened(value: str, length: int = 70) -> str:
    text = " ".join(value.split())
    return f"“{text[: length - 1]}…”" if len(text) > length else f"“{text}”"


def exported_records() -> dict[str, dict[tuple[str, ...], dict[str, str]]]:
    """Every record of each seed file's table as the admin exports it, by file and natural key:
    the form in which the database and the files are compared, so formatting never counts."""
    records = {}
    for name, resource_class in seed_files():
        resource = resource_class()
        keys = [resource.fields[field].column_name for field in resource.get_import_id_fields()]
        rows = resource.export().dict
        records[name] = {tuple(str(row[key]) for key in keys): {k: str(v) for k, v in row.items()} for row in rows}
    return records


def seed_differences(before: dict, after: dict, *, columns: dict[str, list[str]]) -> list[SeedDifference]:
    """The records that loading the files changed or created, from exports taken before and after,
    compared on the columns each file sets (see `compared_columns`): what the tracker sets by
    itself, or a column the file lacks, is not the file's to differ on."""
    differences = []
    for name, _ in seed_files():
        for key, exported in after[name].items():
            seeded = {column: value for column, value in exported.items() if column in columns[name]}
            stored = before[name].get(key)
            if stored is not None and all(stored.get(column) == value for column, value in seeded.items()):
                continue
            changed = () if stored is None else tuple((c, stored[c], v) for c, v in seeded.items() if v != stored[c])
            differences.append(SeedDifference(file=name, record=" / ".join(key), columns=changed))
    return differences


@dataclass
class SeedLoad:
    """What `load_seeds` found and did."""

    reports: list[ImportReport]
    was_empty: bool
    differences: list[SeedDifference]  # what the files would change or add; none on an empty database

    @property
    def changed(self) -> int:
        return sum(report.changed for report in self.reports)

    @property
    def diverged(self) -> bool:
        """The database holds records the files would change, or lacks records they hold."""
        return not self.was_empty and bool(self.differences)


def compared_columns(resource, headers: list[str]) -> list[str]:
    """The file's columns (as the import tidied them) that it sets on a stored record: not the
    publication times, which a file supplies only for a record it creates."""
    creation_only = {field.column_name for field in resource.fields.values() if isinstance(field, PublicationTimeField)}
    return [column for column in headers if column not in creation_only]


def _import_seed_files(directory: Path) -> tuple[list[ImportReport], dict[str, list[str]]]:
    """Import every seed file, in order, and return the reports and each file's columns; on any
    error raise SeedError (the caller rolls back)."""
    reports, columns = [], {}
    for name, resource_class in seed_files():
        path = directory / name
        if not path.is_file():
            raise SeedError([f"{name}: file not found in {directory}"])
        try:
            dataset = read_dataset(path)
        except ValueError as error:
            raise SeedError([str(error)]) from None
        # Deals and companies are published before the excerpts backing them are loaded,
        # so their publishing rules are checked once everything is in.
        resource = resource_class()
        resource.seed_directory = directory  # a column may name a file beside this one (a source's web page)
        report = import_dataset(resource, dataset, name=name, defer_publication_check=True)
        if not report.errors:
            report.errors.extend(resource.seed_file_problems(dataset, directory=directory, name=name))
        if report.errors:
            raise SeedError(report.errors)
        reports.append(report)
        columns[name] = compared_columns(resource, dataset.headers)
    problems = unpublishable_records()
    if problems:
        raise SeedError(problems)
    return reports, columns


def load_seeds(*, directory: Path, dry_run: bool = False, overwrite: bool = False) -> SeedLoad:
    """Import every seed file in one transaction; on any error raise SeedError, changing nothing.

    An empty database (see `database_is_empty`) takes the files as they are. A database that holds
    records keeps them: the load is written only if it changes no record, or if `overwrite` says
    to replace the records that differ; otherwise it is rolled back and `differences` says what
    differs. `dry_run` always rolls back."""
    was_empty = database_is_empty()
    with transaction.atomic():
        before = None if was_empty else exported_records()
        reports, columns = _import_seed_files(directory)
        differences = [] if before is None else seed_differences(before, exported_records(), columns=columns)
        if dry_run or not (was_empty or overwrite or not differences):
            transaction.set_rollback(True)
    return SeedLoad(reports=reports, was_empty=was_empty, differences=differences)


def export_seeds(*, directory: Path) -> list[str]:
    """Write every seed file from the database, in the format the admin exports, and beside them
    every file their rows name (the sources' archived texts and web pages): all that load_seeds
    needs to rebuild the database in an empty one. Returns a line per file written, and a line
    starting "Not written" for a file a row names that cannot be written (see `_write_named_files`)."""
    written, named = [], []
    for name, resource_class in seed_files():
        resource = resource_class()
        dataset = resource.export()
        # The admin's CSV format (formula-safe); "\n" line ends keep the files diff-friendly in
        # git, and the csv module still quotes any cell holding a newline, a comma or a quote.
        # The csv module quotes a cell holding a character of the line end, so a bare CR (not
        # part of "\n") would be written unquoted and split the row: such a file is quoted whole.
        has_bare_cr = any("\r" in str(cell) for row in dataset for cell in row)
        quoting = csv.QUOTE_ALL if has_bare_cr else csv.QUOTE_MINIMAL
        text = formats.CSV().export_data(dataset, lineterminator="\n", quoting=quoting)
        (directory / name).write_text(text, encoding="utf-8")
        written.append(f"{name}: {len(dataset)} rows")
        named += [(name, file_name, content) for file_name, content in resource.seed_file_contents()]
    return written + _write_named_files(directory, named)


def _write_named_files(directory: Path, named: list[tuple[str, str, str]]) -> list[str]:
    """Write each (seed file, file name, text) byte for byte (no line end translated), unless the
    name would leave the folder or overwrite a seed file, or two rows give one name different
    texts: such a file is reported, not written, and load_seeds will name the row that needs it."""
    lines, texts = [], {}
    reserved = {name for name, _ in SEED_FILE_MODELS}
    for seed_file, file_name, text in named:
        problem = ""
        if not plain_file_name(file_name) or file_name in reserved:
            problem = "is not a plain file name beside the seed files"
        elif texts.get(file_name, text) != text:
            problem = "is named by another row with a different text"
        if problem:
            lines.append(f'Not written: "{file_name}" (named in {seed_file}) {problem}.')
            continue
        texts[file_name] = text
    count = 0
    for file_name, text in texts.items():
        try:
            (directory / file_name).write_text(text, encoding="utf-8", newline="")
        except OSError as error:  # a name too long for the file system, say
            lines.append(f'Not written: "{file_name}": {error.strerror}.')
        else:
            count += 1
    return [f"{count} archived files named by their rows (texts and web pages)", *lines]
