from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from evtracker.seeding import SeedError, seeds_load


class Command(BaseCommand):
    help = "Load the curated dataset from seeds/ (idempotent; all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, default=settings.SEEDS_DIR)
        parser.add_argument("--dry-run", action="store_true", help="Check the files and roll back.")

    def handle(self, *args, directory: Path, dry_run: bool, **options):
        try:
            reports = seeds_load(directory=directory, dry_run=dry_run)
        except SeedError as error:
            raise CommandError("Seeds not loaded; the database is unchanged.\n" + "\n".join(error.lines)) from None
        for report in reports:
            self.stdout.write(report.summary())
        changed = sum(report.changed for report in reports)
        if dry_run:
            self.stdout.write(f"Dry run: {changed} record(s) would change; nothing was written.")
        elif changed:
            self.stdout.write(self.style.SUCCESS(f"Seeds loaded: {changed} record(s) created or updated."))
        else:
            self.stdout.write(self.style.SUCCESS("Seeds already loaded: nothing changed."))
