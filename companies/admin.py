from django.contrib import admin

from companies.models import Alias, Company, Deal, Participation
from companies.resources import AliasResource, CompanyResource, DealResource, ParticipationResource
from core.admin import PartInline, year_filter
from dataio.admin import CuratedAdmin, PartAdmin


class AliasInline(PartInline, admin.TabularInline):
    model = Alias
    extra = 1


class ParticipationInline(PartInline, admin.TabularInline):
    model = Participation
    extra = 1
    autocomplete_fields = ("company",)


@admin.register(Company)
class CompanyAdmin(CuratedAdmin):
    resource_classes = [CompanyResource]
    list_display = ("name_display", "kind", "entry_mode", "headquarters", "parent", "state", "updated_at")
    ordering = ("sort_name", "pk")  # as the public lists sort: case, accents and number length aside
    list_filter = ("editorial_state", "kind", "entry_mode")
    list_select_related = ("parent",)
    search_fields = ("name", "slug", "aliases__name", "headquarters")
    autocomplete_fields = ("parent",)
    inlines = [AliasInline]
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "entry_mode", "parent", "editorial_state")}),
        ("Details", {"fields": ("headquarters", "website", "summary", "evidence_note")}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    @admin.display(description="name", ordering="sort_name")  # as the public lists sort
    def name_display(self, obj: Company) -> str:
        return obj.name


@admin.register(Alias)
class AliasAdmin(PartAdmin):
    resource_classes = [AliasResource]
    list_display = ("name", "kind", "company")
    list_filter = ("kind",)
    list_select_related = ("company",)
    search_fields = ("name", "company__name")
    autocomplete_fields = ("company",)


@admin.register(Deal)
class DealAdmin(CuratedAdmin):
    resource_classes = [DealResource]
    prepopulated_fields = {"slug": ("title",)}
    list_display = ("title_display", "kind", "status", "date_display", "amount", "currency", "venture", "state")
    list_filter = ("editorial_state", "kind", "status", year_filter("date"))
    list_select_related = ("venture",)
    search_fields = ("title", "slug", "summary", "companies__name", "companies__aliases__name")
    autocomplete_fields = ("venture",)
    inlines = [ParticipationInline]
    fieldsets = (
        (None, {"fields": ("title", "slug", "kind", "round_name", "status", "editorial_state")}),
        ("When and how much", {"fields": (("date", "date_precision"), ("amount", "currency"), "amount_note")}),
        ("What it created", {"fields": ("venture", "summary", "evidence_note")}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    @admin.display(description="title", ordering="sort_title")  # as the public lists sort
    def title_display(self, obj: Deal) -> str:
        return obj.title

    @admin.display(description="date", ordering="date_sort_key")  # as the public lists sort
    def date_display(self, obj: Deal) -> str:
        return obj.date_display


@admin.register(Participation)
class ParticipationAdmin(PartAdmin):
    resource_classes = [ParticipationResource]
    list_display = ("deal", "company", "role", "stake_percent")
    # The newest deals' parts first, read in the order of the index on deal: the model's order
    # (by each deal's date) would sort every participation for each page.
    ordering = ("-deal_id", "-pk")
    list_filter = ("role",)
    list_select_related = ("deal", "company")
    search_fields = ("deal__title", "company__name")
    autocomplete_fields = ("deal", "company")
