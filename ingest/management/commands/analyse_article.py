import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ingest.analysis import analyse_article
from ingest.report import analysis_lines


class Command(BaseCommand):
    help = "Analyse a news article (.txt or a saved .html page) against the tracker; writes nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--published-date", type=datetime.date.fromisoformat, default=None)
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, path: Path, published_date: datetime.date | None, format: str, **options) -> None:
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        is_html = path.suffix.lower() in (".html", ".htm")
        analysis = analyse_article(
            text="" if is_html else raw, html=raw if is_html else None, published_date=published_date
        )
        if format == "json":
            self.stdout.write(json.dumps(analysis, ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\n".join(analysis_lines(analysis)))
