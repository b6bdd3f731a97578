import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evtracker.command_line import FORMAT_NAMES, resource_class
from evtracker.imports import import_dataset, read_dataset


class Command(BaseCommand):
    help = (
        "Import a CSV, XLSX or JSON file through a resource, as the admin does: all or nothing, "
        "every problem named by row and column."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "resource", help="Resource class (companies.resources.DealResource) or model label (companies.Deal)."
        )
        parser.add_argument("import_file_name", help='The file to import ("-" for standard input, with --format).')
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="Do not ask for confirmation."
        )
        parser.add_argument("-n", "--dry-run", action="store_true", help="Check the file and roll back.")
        parser.add_argument(
            "--raise-errors", action="store_true", help="Stop at the first error with its traceback (debugging)."
        )
        parser.add_argument(
            "--format", default="", help=f"{', '.join(FORMAT_NAMES)}; by default from the file name's extension."
        )
        parser.add_argument(
            "--encoding", default="", help="Of a CSV or JSON file (default UTF-8, with or without BOM)."
        )

    def handle(self, *args, resource, import_file_name, interactive, dry_run, raise_errors, **options):
        resource = resource_class(resource)()
        if import_file_name == "-":
            if not options["format"]:
                raise CommandError("Reading standard input needs --format (csv, xlsx or json).")
            path, content = Path("standard input"), sys.stdin.buffer.read()
        else:
            path, content = Path(import_file_name), None
            if not path.is_file():
                raise CommandError(f"{import_file_name}: no such file.")
        try:
            dataset = read_dataset(path, file_format=options["format"], encoding=options["encoding"], content=content)
        except ValueError as error:
            raise CommandError(f"{error}\nNothing was imported.") from None
        if interactive and not dry_run and input("Are you sure you want to import the data? [yes/no]: ") != "yes":
            raise CommandError("Import cancelled.")
        report = import_dataset(resource, dataset, name=path.name, dry_run=dry_run, raise_errors=raise_errors)
        if dry_run:
            self.stderr.write(self.style.NOTICE("You have activated the --dry-run option so no data will be modified."))
        if report.errors:
            raise CommandError(
                f"{path.name}: nothing was imported; the database is unchanged.\n" + "\n".join(report.errors)
            )
        plural = resource._meta.model._meta.verbose_name_plural
        self.stderr.write(
            self.style.NOTICE(
                f"Import finished: {report.new} new, {report.updated} updated, {report.deleted} deleted "
                f"and {report.unchanged} skipped {plural}."
            )
        )
