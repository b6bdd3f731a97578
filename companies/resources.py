"""CSV/XLSX columns for companies, aliases, deals and participations (see seeds/README.md)."""

from import_export import fields

from companies.models import Alias, Company, Deal, Participation
from dataio.resources import CuratedResource, PartialDateField, SlugForeignKeyWidget


class CompanyResource(CuratedResource):
    bulk_writes = True
    parent = fields.Field(attribute="parent", column_name="parent", widget=SlugForeignKeyWidget(Company))

    class Meta(CuratedResource.Meta):
        model = Company
        fields = (
            "slug",
            "name",
            "kind",
            "entry_mode",
            "headquarters",
            "website",
            "parent",
            "summary",
            "evidence_note",
            "editorial_state",
            "first_published_at",
            "last_published_at",
        )
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().select_related("parent")

    def filter_export(self, queryset, **kwargs):
        # A parent must be imported before its children: write each company after its parent,
        # otherwise in slug order, so the file is the same whatever the database ids are.
        companies = sorted(queryset, key=lambda company: company.slug)
        written: set[int] = set()
        ordered: list[Company] = []
        while companies:
            ready = [c for c in companies if c.parent_id is None or c.parent_id in written or c.parent_id == c.pk]
            ready = ready or companies  # a parent outside the selection: nothing to wait for
            ready_ids = {c.pk for c in ready}
            ordered += ready
            written |= ready_ids
            companies = [c for c in companies if c.pk not in ready_ids]
        return ordered


class AliasResource(CuratedResource):
    bulk_writes = True
    company = fields.Field(attribute="company", column_name="company", widget=SlugForeignKeyWidget(Company))

    class Meta(CuratedResource.Meta):
        model = Alias
        import_id_fields = ("company", "name")
        fields = ("company", "name", "kind")
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().select_related("company").order_by("company__slug", "name")


class DealResource(CuratedResource):
    bulk_writes = True
    date = PartialDateField("date")
    date_precision = fields.Field(attribute="date_precision", column_name="date_precision", readonly=True)
    venture = fields.Field(attribute="venture", column_name="venture", widget=SlugForeignKeyWidget(Company))

    class Meta(CuratedResource.Meta):
        model = Deal
        fields = (
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
            "summary",
            "evidence_note",
            "editorial_state",
            "first_published_at",
            "last_published_at",
        )
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().select_related("venture").order_by("slug")


class ParticipationResource(CuratedResource):
    bulk_writes = True
    deal = fields.Field(attribute="deal", column_name="deal", widget=SlugForeignKeyWidget(Deal))
    company = fields.Field(attribute="company", column_name="company", widget=SlugForeignKeyWidget(Company))

    class Meta(CuratedResource.Meta):
        model = Participation
        import_id_fields = ("deal", "company", "role")
        fields = ("deal", "company", "role", "stake_percent", "note")
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().select_related("deal", "company").order_by("deal__slug", "role", "company__slug")
