"""CSV/XLSX columns for stories, sources, noise spans and excerpts (see seeds/README.md)."""

from pathlib import Path

import tablib
from import_export import fields

from companies.models import Company, Deal
from dataio.resources import (
    CuratedResource,
    PartialDateField,
    PlainIntegerWidget,
    SlugForeignKeyWidget,
    SlugManyToManyWidget,
    row_label,
)
from sources.models import Excerpt, NoiseSpan, Source, Story, text_sha256


class StoryResource(CuratedResource):
    bulk_writes = True

    class Meta(CuratedResource.Meta):
        model = Story
        fields = ("slug", "title", "note")
        export_order = fields


class SourceResource(CuratedResource):
    verbatim_columns = frozenset({"text"})
    published_date = PartialDateField("published_date")
    published_date_precision = fields.Field(
        attribute="published_date_precision", column_name="published_date_precision", readonly=True
    )
    story = fields.Field(attribute="story", column_name="story", widget=SlugForeignKeyWidget(Story))
    sha256 = fields.Field(attribute="sha256", column_name="sha256", readonly=True)

    class Meta(CuratedResource.Meta):
        model = Source
        fields = (
            "slug",
            "title",
            "publisher",
            "author",
            "url",
            "published_date",
            "published_date_precision",
            "date_basis",
            "date_note",
            "story",
            "story_relation",
            "seed_file",
            "editorial_state",
            "first_published_at",
            "last_published_at",
            "sha256",
            "text",
        )
        export_order = fields

    def seed_file_problems(self, dataset: tablib.Dataset, *, directory: Path, name: str) -> list[str]:
        """Each source loaded from a seed article must hold that file's text byte for byte."""
        problems = []
        for number, row in enumerate(dataset.dict, 1):
            file_name = (row.get("seed_file") or "").strip()
            if not file_name:
                continue
            path = directory / file_name
            where = f'{name}, {row_label(number)}, column "seed_file"'
            if not path.is_file():
                problems.append(f'{where}: no file "{file_name}" in {directory}')
                continue
            stored = Source.objects.get(slug=row["slug"].strip())
            if stored.sha256 != text_sha256(path.read_text(encoding="utf-8")):
                problems.append(f'{where}: the text column differs from the archived file "{file_name}"')
        return problems

    def get_queryset(self):
        return super().get_queryset().select_related("story").order_by("slug")


class NoiseSpanResource(CuratedResource):
    verbatim_columns = frozenset({"text"})
    source = fields.Field(attribute="source", column_name="source", widget=SlugForeignKeyWidget(Source))
    end = fields.Field(attribute="end", column_name="end", readonly=True, widget=PlainIntegerWidget())

    class Meta(CuratedResource.Meta):
        model = NoiseSpan
        import_id_fields = ("source", "start")
        fields = ("source", "start", "end", "label", "text")
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().select_related("source").order_by("source__slug", "start")


class ExcerptResource(CuratedResource):
    verbatim_columns = frozenset({"quote", "context_before"})
    source = fields.Field(attribute="source", column_name="source", widget=SlugForeignKeyWidget(Source))
    end = fields.Field(attribute="end", column_name="end", readonly=True, widget=PlainIntegerWidget())
    companies = fields.Field(attribute="companies", column_name="companies", widget=SlugManyToManyWidget(Company))
    deals = fields.Field(attribute="deals", column_name="deals", widget=SlugManyToManyWidget(Deal))

    class Meta(CuratedResource.Meta):
        model = Excerpt
        fields = (
            "slug",
            "source",
            "start",
            "end",
            "stance",
            "claim",
            "companies",
            "deals",
            "quote",
            "context_before",
            "note",
        )
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().select_related("source").prefetch_related("companies", "deals").order_by("slug")
