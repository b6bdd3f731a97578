from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dataio.seeds import SeedError, SeedLoad, curated_record_counts, database_is_empty, load_seeds


class Command(BaseCommand):
    help = (
        "Load the curated dataset from seeds/ into an empty database (all or nothing). On a database "
        "that holds records it changes nothing and lists the records that differ from the files, "
        "unless --overwrite says to replace them. The archived texts and web pages that sources.csv "
        "names are read from the same folder (export_seeds writes them there)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, default=settings.SEEDS_DIR)
        parser.add_argument("--dry-run", action="store_true", help="Check the files, say what would change, roll back.")
        when = parser.add_mutually_exclusive_group()
        when.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only into an empty database; otherwise say so and leave it alone (make run).",
        )
        when.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace the records that differ from the files with the files' version, listing each.",
        )

    def handle(self, *args, directory: Path, dry_run: bool, if_empty: bool, overwrite: bool, **options):
        if if_empty and not database_is_empty():
            held = ", ".join(curated_record_counts()) or "only the change history of deleted records"
            self.stdout.write(
                f"Seeds not loaded: the database already holds curated data ({held}), and --if-empty "
                "loads them only into an empty one. `manage.py load_seeds` lists how it differs from the files."
            )
            return
        try:
            load = load_seeds(directory=directory, dry_run=dry_run, overwrite=overwrite)
        except SeedError as error:
            raise CommandError("Seeds not loaded; the database is unchanged.\n" + "\n".join(error.lines)) from None
        if load.diverged and not overwrite and not dry_run:
            raise CommandError(self.refusal(load))
        for report in load.reports:
            self.stdout.write(report.summary())
        self.stdout.write(self.outcome(load, dry_run=dry_run))

    @staticmethod
    def listed(load: SeedLoad) -> str:
        return "\n".join(line for difference in load.differences for line in difference.lines())

    def refusal(self, load: SeedLoad) -> str:
        return (
            f"Seeds not loaded: {len(load.differences)} record(s) in the database differ from the seed files, "
            "and loading would undo that work; nothing was changed.\n"
            f"{self.listed(load)}\n"
            "To replace these records with the files' version, run `manage.py load_seeds --overwrite` "
            "(the versions it replaces stay in each record's history)."
        )

    def outcome(self, load: SeedLoad, *, dry_run: bool) -> str:
        if dry_run:
            listed = f"Differs from the seed files:\n{self.listed(load)}\n" if load.diverged else ""
            return f"{listed}Dry run: {load.changed} record(s) would change; nothing was written."
        if not load.changed:
            return self.style.SUCCESS("Seeds already loaded: nothing changed.")
        replaced = ""
        if load.diverged:
            replaced = (
                f"Replaced {len(load.differences)} record(s) with the seed files' version "
                f"(the versions replaced stay in each record's history):\n{self.listed(load)}\n"
            )
        elif load.was_empty:
            replaced = "The database was empty: it now holds the seed dataset.\n"
        return replaced + self.style.SUCCESS(f"Seeds loaded: {load.changed} record(s) created or updated.")
