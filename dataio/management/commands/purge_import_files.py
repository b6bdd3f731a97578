from django.core.management.base import BaseCommand

from dataio.jobs import purge_export_files
from dataio.storage import purge_import_files


class Command(BaseCommand):
    help = (
        "Remove uploaded import files whose preview was abandoned (folder storage only), and the files "
        "of exports finished longer ago (or whose job was deleted)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than-hours", type=float, default=24)

    def handle(self, *args, older_than_hours: float, **options):
        removed = purge_import_files(older_than_hours=older_than_hours)
        self.stdout.write(f"Removed {len(removed)} abandoned import file(s).")
        exports = purge_export_files(older_than_hours=older_than_hours)
        self.stdout.write(f"Removed {exports} export file(s).")
