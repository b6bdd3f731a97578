"""What the read API says about each kind of record.

Every serializer reads only what its view's queryset already fetched (annotations, select_related,
prefetches from public/*_selectors.py), so a page of records costs a fixed number of queries. Links
to records a reader may not see are never in the querysets, so they never reach a response.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from companies.models import Alias, Company, Deal, Participation
from core.partial_dates import format_partial_date_iso
from sources.models import Excerpt, Source, Story

PARTIAL_DATE_HELP = "ISO 8601 at the precision known: 2021, 2021-06 or 2021-06-15; null if unknown."


@extend_schema_field({"type": "string", "nullable": True, "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"})
class PartialDateField(serializers.Field):
    """A date at its precision (the model's `<name>_precision` field), as the downloads write it."""

    def __init__(self, *, precision_field: str, **kwargs) -> None:
        self.precision_field = precision_field
        kwargs.setdefault("help_text", PARTIAL_DATE_HELP)
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record) -> str | None:
        value = getattr(record, self.field_name)
        return format_partial_date_iso(value, getattr(record, self.precision_field)) or None


@extend_schema_field(OpenApiTypes.URI)
class PageLinkField(serializers.Field):
    """The address of the record's page on this site."""

    def __init__(self, **kwargs) -> None:
        super().__init__(source="*", read_only=True, help_text="Address of the record's page on this site.", **kwargs)

    def to_representation(self, record) -> str:
        return self.context["request"].build_absolute_uri(record.get_absolute_url())


class AliasSerializer(serializers.ModelSerializer):
    class Meta:
        model = Alias
        fields = ["name", "kind"]


class CompanySerializer(serializers.ModelSerializer):
    parent = serializers.CharField(
        source="parent_slug", allow_null=True, help_text="Slug of the company this one is an arm of, if published."
    )
    aliases = AliasSerializer(many=True, help_text="Other names, spellings and misspellings.")
    deal_count = serializers.IntegerField(help_text="Published deals it takes part in.")
    excerpt_count = serializers.IntegerField(help_text="Published excerpts that back facts about it.")
    page_url = PageLinkField()

    class Meta:
        model = Company
        fields = [
            "slug",
            "name",
            "kind",
            "entry_mode",
            "headquarters",
            "website",
            "summary",
            "evidence_note",
            "parent",
            "aliases",
            "deal_count",
            "excerpt_count",
            "page_url",
        ]


class PartyCompanySerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["slug", "name", "kind"]


class PartySerializer(serializers.ModelSerializer):
    company = PartyCompanySerializer()

    class Meta:
        model = Participation
        fields = ["company", "role", "stake_percent", "note"]


class DealSerializer(serializers.ModelSerializer):
    date = PartialDateField(precision_field="date_precision")
    venture = serializers.CharField(
        source="venture_slug", allow_null=True, help_text="Slug of the venture, unit or brand it created, if published."
    )
    parties = PartySerializer(
        source="participations", many=True, help_text="Published companies taking part, the weightiest part first."
    )
    excerpt_count = serializers.IntegerField(help_text="Published excerpts that back it.")
    page_url = PageLinkField()

    class Meta:
        model = Deal
        fields = [
            "slug",
            "title",
            "kind",
            "round_name",
            "status",
            "date",
            "date_precision",
            "amount",
            "currency",
            "amount_note",
            "venture",
            "parties",
            "summary",
            "evidence_note",
            "excerpt_count",
            "page_url",
        ]


class SourceSerializer(serializers.ModelSerializer):
    published_date = PartialDateField(precision_field="published_date_precision")
    story = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The story it is a version of, if any."
    )
    excerpt_count = serializers.IntegerField(help_text="Excerpts quoted from it.")
    page_url = PageLinkField()

    class Meta:
        model = Source
        fields = [
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
            "sha256",
            "excerpt_count",
            "page_url",
        ]


class SourceWithTextSerializer(SourceSerializer):
    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "text"]
        extra_kwargs = {"text": {"help_text": "The full text exactly as archived; excerpts' offsets point into it."}}


class ExcerptSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    companies = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text="Published companies whose facts it backs."
    )
    deals = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text="Published deals whose facts it backs."
    )
    page_url = PageLinkField()

    class Meta:
        model = Excerpt
        fields = [
            "slug",
            "source",
            "quote",
            "start",
            "end",
            "stance",
            "claim",
            "note",
            "companies",
            "deals",
            "page_url",
        ]
        extra_kwargs = {
            "start": {"help_text": "Offset of the quote's first character in the source's text."},
            "end": {"help_text": "Offset just past the quote's last character."},
        }


class StorySerializer(serializers.ModelSerializer):
    sources = serializers.SerializerMethodField(
        help_text="Slugs of its published versions (sources), oldest first: together they count as one "
        "independent source."
    )

    class Meta:
        model = Story
        fields = ["slug", "title", "note", "sources"]

    def get_sources(self, story: Story) -> list[str]:
        return [source.slug for source in story.published_versions]
