from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from dataio.seeds import export_seeds


class Command(BaseCommand):
    help = (
        "Write the database back to seeds/*.csv, in the format load_seeds and the admin import read, "
        "with the archived texts and web pages their rows name: all that load_seeds needs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, default=settings.SEEDS_DIR)

    def handle(self, *args, directory: Path, **options):
        directory.mkdir(parents=True, exist_ok=True)
        for line in export_seeds(directory=directory):
            (self.stderr if line.startswith("Not written") else self.stdout).write(line)
