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
    stripped_text,
)
from dataio.seeds import plain_file_name
from sources.models import Excerpt, NoiseSpan, Source, Story, text_sha256


class StoryResource(CuratedResource):
    bulk_writes = True

    class Meta(CuratedResource.Meta):
        model = Story
        fields = ("slug", "title", "note")
        export_order = fields


def read_archived_file(directory: Path, file_name: str) -> str:
    """The text of a file beside the seed files, byte for byte (no line ends translated), or
    ValueError saying why it cannot be read."""
    if not plain_file_name(file_name):
        raise ValueError(f'"{file_name}" is not a plain file name')
    path = directory / file_name
    if not path.is_file():
        raise ValueError(f'no file "{file_name}" in {directory}')
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f'the file "{file_name}" is not UTF-8 text') from None


class RawHtmlFileField(fields.Field):
    """The `html_file` column: the file beside the seed files (`<slug>.html`, written by
    export_seeds) holding a source's archived web page. A spreadsheet cell cannot hold a whole
    page, and an editor gains nothing from seeing it there. Only `load_seeds` reads the file: it
    sets the resource's `seed_directory`; an import from the admin or `manage.py import` has no
    folder to read it from and leaves the stored page as it is. A page, once archived, is never
    replaced or removed."""

    help_text = (
        "File beside the CSV files holding the raw web page the text was extracted from "
        "(`<slug>.html`; empty without one). `load_seeds` archives it; the admin's import leaves "
        "the stored page as it is."
    )
    values_help = "file name, without a folder"

    def __init__(self):
        super().__init__(attribute="raw_html", column_name="html_file")
        self.resource: CuratedResource | None = None

    def export(self, instance, **kwargs) -> str:
        # No instance: the preview's diff of a row that creates its record.
        return f"{instance.slug}.html" if getattr(instance, "raw_html_sha256", "") else ""

    def save(self, instance, row, is_m2m=False, **kwargs) -> None:
        file_name = stripped_text(row.get(self.column_name))
        directory = self.resource.seed_directory if self.resource is not None else None
        if not file_name or directory is None:
            return
        page = read_archived_file(directory, file_name)
        stated = stripped_text(row.get("raw_html_sha256"))
        if stated and stated != text_sha256(page):
            raise ValueError(f'the file "{file_name}" does not match the raw_html_sha256 column')
        if instance.raw_html and instance.raw_html != page:
            raise ValueError(f'the file "{file_name}" differs from the archived page, which is never replaced')
        instance.raw_html = page


class SourceResource(CuratedResource):
    verbatim_columns = frozenset({"text"})
    published_date = PartialDateField("published_date")
    published_date_precision = fields.Field(
        attribute="published_date_precision", column_name="published_date_precision", readonly=True
    )
    story = fields.Field(attribute="story", column_name="story", widget=SlugForeignKeyWidget(Story))
    sha256 = fields.Field(attribute="sha256", column_name="sha256", readonly=True)
    html_file = RawHtmlFileField()
    raw_html_sha256 = fields.Field(attribute="raw_html_sha256", column_name="raw_html_sha256", readonly=True)

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
            "html_file",
            "editorial_state",
            "first_published_at",
            "last_published_at",
            "sha256",
            "raw_html_sha256",
            "text",
        )
        export_order = fields

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields["html_file"].resource = self  # the field reads the folder the resource is told

    def seed_file_problems(self, dataset: tablib.Dataset, *, directory: Path, name: str) -> list[str]:
        """Each source loaded from a seed article must hold that file's text byte for byte."""
        problems = []
        for number, row in enumerate(dataset.dict, 1):
            file_name = (row.get("seed_file") or "").strip()
            if not file_name:
                continue
            where = f'{name}, {row_label(number)}, column "seed_file"'
            try:
                archived = read_archived_file(directory, file_name)
            except ValueError as error:
                problems.append(f"{where}: {error}")
                continue
            stored = Source.objects.get(slug=row["slug"].strip())
            if stored.sha256 != text_sha256(archived):
                problems.append(f'{where}: the text column differs from the archived file "{file_name}"')
        return problems

    def seed_file_contents(self) -> list[tuple[str, str]]:
        """Each source's archived text under its `seed_file` name, and its raw web page under the
        `html_file` name its row gives: what `load_seeds` reads beside sources.csv."""
        texts = Source.objects.exclude(seed_file="").order_by("slug").values_list("seed_file", "text")
        pages = Source.objects.exclude(raw_html_sha256="").order_by("slug").values_list("slug", "raw_html")
        return [*texts, *((f"{slug}.html", page) for slug, page in pages)]

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
