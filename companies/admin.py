from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from companies.duplicates import company_duplicates
from companies.merge import company_merge, company_merge_plan, deal_merge, deal_merge_plan
from companies.merge_admin import MergeAdminMixin
from companies.models import Alias, Company, Deal, Participation
from companies.resources import AliasResource, CompanyResource, DealResource, ParticipationResource
from core.admin import PartInline, day_display, money_short_display, year_filter
from dataio.admin import CuratedAdmin, PartAdmin


class AliasInline(PartInline, admin.TabularInline):
    model = Alias
    extra = 1


class ParticipationInline(PartInline, admin.TabularInline):
    model = Participation
    extra = 1
    autocomplete_fields = ("company",)


class CompanyForm(forms.ModelForm):
    """A new company whose name is close to a stored company's name or alias (companies/duplicates.py)
    is saved only once the editor has seen those companies and ticked "Create it anyway"."""

    create_anyway = forms.BooleanField(
        required=False,
        label="Create it anyway",
        widget=forms.HiddenInput,  # shown as a checkbox once there is something to confirm
        help_text="Tick only if this is a different company from those named above.",
    )

    class Meta:
        model = Company
        fields = ("name",)  # and the rest of the fieldsets, which the admin adds

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name")
        if self.instance.pk is not None or not name or cleaned.get("create_anyway"):
            return cleaned
        matches = company_duplicates(name)
        if matches:
            self.fields["create_anyway"].widget = forms.CheckboxInput()
            raise ValidationError(duplicate_warning(name, matches), code="possible_duplicate")
        return cleaned


def duplicate_warning(name: str, matches) -> str:
    """The warning naming each company `name` may be, linked to its record."""
    listed = format_html_join(
        "; ",
        '<a href="{}">{}</a> ({})',
        ((reverse("admin:companies_company_change", args=[m.company_pk]), m.company_name, m.how) for m in matches),
    )
    return format_html(
        "“{}” may already be in the tracker: {}. Open it to add an alias instead, or tick "
        "“Create it anyway” below if this is a different company.",
        name,
        listed,
    )


@admin.register(Company)
class CompanyAdmin(MergeAdminMixin, CuratedAdmin):
    resource_classes = [CompanyResource]
    merge_plan, merge = company_merge_plan, company_merge  # the "Merge selected companies…" action
    form = CompanyForm
    # The state first, then what tells records apart; columns fit a 1,280 px window.
    list_display = ("state", "name_display", "kind", "entry_mode", "headquarters", "parent", "updated")
    list_display_links = ("name_display",)
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

    @admin.display(description="updated", ordering="updated_at")
    def updated(self, obj: Company) -> str:
        return day_display(obj.updated_at)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            return fieldsets
        # Adding: the duplicate warning's checkbox sits under the name (CompanyForm).
        (title, options), *rest = fieldsets
        return [(title, {**options, "fields": [*options["fields"], "create_anyway"]}), *rest]


@admin.register(Alias)
class AliasAdmin(PartAdmin):
    resource_classes = [AliasResource]
    list_display = ("name", "kind", "company")
    list_filter = ("kind",)
    list_select_related = ("company",)
    search_fields = ("name", "company__name")
    autocomplete_fields = ("company",)


@admin.register(Deal)
class DealAdmin(MergeAdminMixin, CuratedAdmin):
    resource_classes = [DealResource]
    merge_plan, merge = deal_merge_plan, deal_merge  # the "Merge selected deals…" action
    prepopulated_fields = {"slug": ("title",)}
    list_display = ("state", "title_display", "kind", "status", "date_display", "amount_display", "venture")
    list_display_links = ("title_display",)
    list_filter = ("editorial_state", "kind", "status", year_filter("date"))
    list_select_related = ("venture",)
    search_fields = ("title", "slug", "summary", "companies__name", "companies__aliases__name")
    autocomplete_fields = ("venture",)
    inlines = [ParticipationInline]
    fieldsets = (
        (None, {"fields": ("title", "slug", "kind", "round_name", "status", "editorial_state")}),
        # One date box takes 2021, 2021-05 or 2021-05-18 and sets the precision (core/forms.py).
        ("When and how much", {"fields": ("date", ("amount", "currency"), "amount_note")}),
        ("What it created", {"fields": ("venture", "summary", "evidence_note")}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    @admin.display(description="title", ordering="sort_title")  # as the public lists sort
    def title_display(self, obj: Deal) -> str:
        return obj.title

    @admin.display(description="date", ordering="date_sort_key")  # as the public lists sort
    def date_display(self, obj: Deal) -> str:
        return obj.date_display

    @admin.display(description="amount", ordering="amount")
    def amount_display(self, obj: Deal) -> str:
        return money_short_display(obj.amount, obj.currency)


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
