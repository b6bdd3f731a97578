import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dataio.command_line import FORMAT_NAMES, import_with_progress, resource_class, write_warnings
from dataio.resources import file_format_of, read_dataset


class Command(BaseCommand):
    help = (
        "Import a CSV, XLSX or JSON file through a resource, as the admin does: all or nothing, "
        "every problem named by row and column. Unless --no-input is given it first checks the "
        "file, says what would change and asks before writing. A file over the import limits "
        "(DJANGO_IMPORT_MAX_ROWS, DJANGO_IMPORT_MAX_CELL_CHARS, DJANGO_IMPORT_MAX_UNPACKED_MB) is "
        "refused before it is read."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "resource", help="Model label (companies.Deal) or resource class (companies.resources.DealResource)."
        )
        parser.add_argument("import_file_name", help='The file to import ("-": standard input, with --format).')
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="Do not ask for confirmation."
        )
        parser.add_argument("-n", "--dry-run", action="store_true", help="Check the file and roll back.")
        parser.add_argument(
            "--raise-errors",
            action="store_true",
            help="Let an unexpected error out with its traceback instead of reporting it (debugging).",
        )
        parser.add_argument(
            "--format", default="", help=f"{', '.join(FORMAT_NAMES)}; by default from the file name's extension."
        )
        parser.add_argument(
            "--encoding", default="", help="Of a CSV or JSON file (default UTF-8, with or without BOM)."
        )

    def handle(self, *args, resource, import_file_name, interactive, dry_run, raise_errors, **options):
        resource_type = resource_class(resource)
        plural = resource_type._meta.model._meta.verbose_name_plural
        if import_file_name == "-":
            if not options["format"]:
                raise CommandError("Reading standard input needs --format (csv, xlsx or json).")
            if interactive and not dry_run:
                raise CommandError("Reading standard input needs --no-input: there is nobody to answer the question.")
            path, content = Path("standard input"), sys.stdin.buffer.read()
        else:
            path, content = Path(import_file_name), None
            if not path.is_file():
                raise CommandError(f"{import_file_name}: no such file.")
        try:
            file_format = file_format_of(path, options["format"])
            dataset = read_dataset(path, file_format=file_format, encoding=options["encoding"], content=content)
        except ValueError as error:
            raise CommandError(f"{error}\nNothing was imported.") from None

        def run(*, dry_run: bool):
            return import_with_progress(  # a fresh resource each time: the preview leaves nothing behind
                resource_type(),
                dataset,
                name=path.name,
                stream=self.stderr,
                dry_run=dry_run,
                raise_errors=raise_errors,
                lines=file_format != "json",
            )

        if interactive and not dry_run:
            # As the admin's preview: check the whole file and say what it would do, then ask.
            preview = run(dry_run=True)
            self.refuse_errors(preview, path)
            write_warnings(preview, stream=self.stderr, lines=file_format != "json")
            self.stderr.write(
                f"{path.name}: {preview.new} new, {preview.updated} updated and {preview.unchanged} unchanged {plural}."
            )
            try:
                answer = input("Import it? [yes/no]: ")
            except (EOFError, KeyboardInterrupt):
                answer = ""
            if answer.strip().lower() not in ("yes", "y"):
                raise CommandError("Import cancelled; nothing was written.")
        report = run(dry_run=dry_run)
        if dry_run:
            self.stderr.write(self.style.NOTICE("You have activated the --dry-run option so no data will be modified."))
        self.refuse_errors(report, path)
        if not interactive or dry_run:  # asked with the preview's warnings in sight otherwise
            write_warnings(report, stream=self.stderr, lines=file_format != "json")
        self.stderr.write(
            self.style.NOTICE(
                f"Import finished: {report.new} new, {report.updated} updated, {report.deleted} deleted "
                f"and {report.unchanged} skipped {plural}."
            )
        )

    @staticmethod
    def refuse_errors(report, path: Path) -> None:
        if report.errors:
            raise CommandError(
                f"{path.name}: nothing was imported; the database is unchanged.\n" + "\n".join(report.errors)
            )
