"""CSV/XLSX columns for companies, aliases, deals and participations (see seeds/README.md)."""

from django.urls import reverse
from import_export import fields

from companies.duplicates import KnownNames
from companies.models import Alias, Company, Deal, Participation
from dataio.resources import CuratedResource, PartialDateField, RowWarning, SlugForeignKeyWidget, stripped_text

# New rows × stored names compared letter by letter (about 10 million a second) before an import
# checks only for the same folded names.
FUZZY_COMPARISONS_MAX = 20_000_000


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

    def import_warnings(self, dataset) -> list[RowWarning]:
        """A new company (its slug not stored) named like a stored company or alias: a warning on
        its row naming them (companies/duplicates.py). The file may still be imported."""
        if "name" not in (dataset.headers or []) or "slug" not in dataset.headers:
            return []
        rows = [
            (number, stripped_text(row["slug"]), stripped_text(row["name"]))
            for number, row in enumerate(dataset.dict, 1)
        ]
        stored = set(Company.objects.values_list("slug", flat=True))  # all: a file may hold 100,000 slugs
        new = [(number, name) for number, slug, name in rows if name and slug not in stored]
        if not new:
            return []
        known = KnownNames.load()
        fuzzy = len(new) * len(known.folded) <= FUZZY_COMPARISONS_MAX
        warnings = [
            RowWarning(
                number=number,
                text=f"“{name}” may already be in the tracker: "
                + "; ".join(f"{m.company_name} ({m.company_slug}: {m.how})" for m in matches),
                links=tuple(
                    (m.company_name, reverse("admin:companies_company_change", args=[m.company_pk])) for m in matches
                ),
            )
            for number, name in new
            if (matches := known.matches(name, fuzzy=fuzzy))
        ]
        if not fuzzy:
            warnings.insert(
                0,
                RowWarning(
                    number=0,
                    text="too many new companies to compare spellings: only names the same once folded were checked",
                ),
            )
        return warnings

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
