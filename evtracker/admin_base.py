"""The one base admin for curated records: state everywhere, import/export, sensible defaults."""

from django.contrib import admin
from django.db import models
from django.db.models.functions import ExtractYear
from import_export.admin import ImportExportModelAdmin

from evtracker.editorial import EditorialState


def https_formfield(field: models.Field, **kwargs):
    """Form fields for a ModelForm, taking a link typed without a scheme as https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


def year_filter(date_field: str, title: str = "year") -> type[admin.SimpleListFilter]:
    """A list filter offering each year that occurs in `date_field`."""

    class YearFilter(admin.SimpleListFilter):
        parameter_name = f"{date_field}_year"

        def lookups(self, request, model_admin):
            years = (
                model_admin.get_queryset(request)
                .filter(**{f"{date_field}__isnull": False})
                .annotate(year=ExtractYear(date_field))
                .values_list("year", flat=True)
                .distinct()
                .order_by("-year")
            )
            return [(str(year), str(year)) for year in years]

        def queryset(self, request, queryset):
            if self.value() and self.value().isdigit():
                return queryset.filter(**{f"{date_field}__year": int(self.value())})
            return queryset

    YearFilter.title = title
    return YearFilter


class CuratedAdmin(ImportExportModelAdmin):
    """Shared by Company, Deal and Source admins."""

    list_per_page = 50
    # A link typed without a scheme is taken as https (Django 6's default, asked for explicitly).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ("created_at", "updated_at")
    prepopulated_fields = {"slug": ("name",)}

    @admin.display(description="state", ordering="editorial_state")
    def state(self, obj) -> str:
        return EditorialState(obj.editorial_state).label
