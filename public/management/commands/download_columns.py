from django.conf import settings
from django.core.management.base import BaseCommand

from public.downloads.docs import download_columns_markdown, refresh_download_columns


class Command(BaseCommand):
    help = "Print the columns of the public downloads, or with --write refresh them in README.md."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true")

    def handle(self, *args, write: bool, **options):
        if not write:
            self.stdout.write(download_columns_markdown())
            return
        changed = refresh_download_columns(settings.BASE_DIR / "README.md")
        self.stdout.write(f"README.md: {'updated' if changed else 'already current'}")
