from django.conf import settings
from django.core.management.base import BaseCommand

from dataio.datadictionary import data_dictionary_markdown, refresh_data_dictionary

DOCUMENTS = ("README.md", "seeds/README.md")


class Command(BaseCommand):
    help = "Print the CSV data dictionary, or with --write refresh it in README.md and seeds/README.md."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true")

    def handle(self, *args, write: bool, **options):
        if not write:
            self.stdout.write(data_dictionary_markdown())
            return
        for name in DOCUMENTS:
            changed = refresh_data_dictionary(settings.BASE_DIR / name)
            self.stdout.write(f"{name}: {'updated' if changed else 'already current'}")
