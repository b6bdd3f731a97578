from django.core.management.base import BaseCommand, CommandError

from dataio.command_line import FORMAT_NAMES, format_class, resource_class


class Command(BaseCommand):
    help = (
        "Write every record of a resource to standard output as CSV, XLSX or JSON: the admin's "
        "columns, formula-safe, numbers as numbers."
    )

    def add_arguments(self, parser):
        parser.add_argument("format", help=", ".join(FORMAT_NAMES))
        parser.add_argument(
            "resource", help="Resource class (companies.resources.DealResource) or model label (companies.Deal)."
        )
        parser.add_argument("--encoding", default="utf-8", help="Of a CSV or JSON file (default UTF-8).")

    def handle(self, *args, format, resource, encoding, **options):
        file_format = format_class(format)(encoding=encoding)
        data = file_format.export_data(resource_class(resource)().export())
        if file_format.is_binary():
            if self.stdout.isatty():
                raise CommandError(f"{format} is a binary format: redirect the output to a file.")
        else:
            try:
                data = data.encode(encoding)
            except LookupError:
                raise CommandError(f"Unknown encoding {encoding!r}.") from None
            except UnicodeEncodeError as error:
                raise CommandError(
                    f"The data has characters {encoding} cannot write ({error.object[error.start : error.end]!r}); "
                    "use UTF-8."
                ) from None
        self.stdout.flush()
        self.stdout.buffer.write(data)
        self.stdout.buffer.flush()
