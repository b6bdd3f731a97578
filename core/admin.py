"""The base admins: every model gets a readable, revertible history; curated records (Company,
Deal, Source) also get the editorial workflow, and their parts the parts' rules, all enforced on
the server. dataio/admin.py adds import and export to each."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from core.currencies import amount_short_text, amount_text
from core.editorial import (
    REVIEWED_STATES,
    TRANSITIONS,
    EditorialRefusal,
    EditorialState,
    can_publish,
    editorial_transition,
    transition_problems,
)
from core.forms import PartialDateField, PartialDateFormMixin, is_partial_date, partial_date_formfield
from core.partial_dates import DateYear
from core.parts import (
    PartChange,
    many_to_many_parent_fields,
    may_change_part,
    may_change_parts_of,
    part_change,
    part_changes_problems,
    part_deletion,
)


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
                .annotate(year=DateYear(date_field))  # native on SQLite, unlike ExtractYear
                .values_list("year", flat=True)
                .distinct()
                .order_by("-year")
            )
            return [(str(year), str(year)) for year in years]

        def queryset(self, request, queryset):
            if not self.value():
                return queryset
            year = int(self.value()) if self.value().isdigit() else None
            # A year the database's dates cannot hold (0, 99999) would crash the query: ignore it.
            if year is None or not datetime.MINYEAR <= year <= datetime.MAXYEAR:
                messages.warning(
                    request,
                    f"“{self.value()}” is not a year from {datetime.MINYEAR} to {datetime.MAXYEAR}; "
                    f"the {self.title} filter was ignored.",
                )
                return queryset
            return queryset.filter(**{f"{date_field}__year": year})

    YearFilter.title = title
    return YearFilter


def money_display(amount: Decimal | None, currency: str) -> str:
    """“USD 2,000,000,000”: as the public pages write an amount (core/currencies.py)."""
    return amount_text(amount, currency) or "-"


def money_short_display(amount: Decimal | None, currency: str) -> str:
    """“USD 2 billion” for a list column, the exact amount in its tooltip (“USD 2,000,000,000”)."""
    if amount is None:
        return "-"
    short = amount_short_text(amount, currency)
    return format_html('<span title="{}">{}</span>', money_display(amount, currency), short)


def day_display(value: datetime.datetime | datetime.date | None) -> str:
    """“24 Nov 2026”, never “24/11/2026” (whose day and month readers of other countries swap)."""
    if value is None:
        return "-"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return f"{value.day} {value.strftime('%b %Y')}"


class BaseRecordAdmin(SimpleHistoryAdmin):
    """Every admin: change history, and a revert that passes the change form's rules.
    dataio/admin.py adds import and export (RecordAdmin, CuratedAdmin, PartAdmin)."""

    list_per_page = 50
    # A link typed without a scheme is taken as https (Django 6's default, asked for explicitly).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    class Media:
        # Lists and forms that fit a 1,280 px window (static/core/admin.css).
        css = {"all": ["core/admin.css"]}

    # -- Partial dates: one box, "2021", "2021-05" or "2021-05-18" (core/forms.py) ----------------

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if is_partial_date(db_field):
            return partial_date_formfield(db_field)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        if not any(isinstance(field, PartialDateField) for field in form_class.base_fields.values()):
            return form_class
        return type(form_class.__name__, (PartialDateFormMixin, form_class), {})

    def get_fieldsets(self, request, obj=None):
        # Read-only (a published record, to an editor), a partial date is shown as readers see it
        # ("May 2021"), by the admin's `<field>_display` column, not as the 1st of its period.
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        shown = {
            field.name: f"{field.name}_display"
            for field in self.model._meta.fields
            if is_partial_date(field) and hasattr(self, f"{field.name}_display")
        }
        return [(name, {**opts, "fields": swapped_fields(opts["fields"], shown)}) for name, opts in fieldsets]

    # -- History revert: a change like any other ------------------------------------------------

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves a POST to a version's page from anyone who may *view* the
        # record. A revert writes the record, so it needs what the change form needs: the change
        # permission on the record as stored (then the form's own checks, the workflow's or a
        # part's, judge the version it brings back).
        if request.method == "POST" and not self.may_revert(request, self.get_object(request, unquote(object_id))):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def may_revert(self, request, stored) -> bool:
        """Whether the user may save an old version over `stored` (the record as it is now)."""
        if getattr(settings, "SIMPLE_HISTORY_REVERT_DISABLED", False):
            return False
        if stored is None:  # deleted since: reverting adds it again
            return self.has_add_permission(request)
        return self.has_change_permission(request, stored)

    def revert_disabled(self, request, obj=None) -> bool:
        # Hide the Revert button exactly when a revert would be refused; `obj` may be the old
        # version, so the record as stored is looked up.
        stored = self.get_object(request, str(obj.pk)) if obj is not None else None
        return super().revert_disabled(request, obj) or not self.may_revert(request, stored)


def swapped_fields(fields, names: dict[str, str]) -> list:
    """A fieldset's fields (names, or tuples of names on one line) with `names` replaced."""
    return [
        tuple(names.get(name, name) for name in field) if isinstance(field, (list, tuple)) else names.get(field, field)
        for field in fields
    ]


class BaseCuratedAdmin(BaseRecordAdmin):
    """Company, Deal and Source: editorial state on every list, workflow actions, and a change
    form that refuses a state change the user may not make."""

    readonly_fields = ("created_at", "updated_at")
    prepopulated_fields = {"slug": ("name",)}
    actions = ["send_for_review", "publish", "retract", "back_to_draft"]

    @admin.display(description="state", ordering="editorial_state")
    def state(self, obj) -> str:
        return EditorialState(obj.editorial_state).label

    def has_publish_permission(self, request) -> bool:
        return can_publish(request.user, self.model)

    def view_on_site(self, obj) -> str:
        # "View on site": the readers' page once published; before that, staff's preview of it
        # (public/preview_views.py), named after the model.
        if obj.is_published:
            return obj.get_absolute_url()
        return reverse(f"preview:{obj._meta.model_name}", kwargs={"slug": obj.slug})

    def has_change_permission(self, request, obj=None) -> bool:
        # Once published (or retracted), a record is the reviewers' to change.
        if obj is not None and obj.stored_editorial_state in REVIEWED_STATES:
            return super().has_change_permission(request, obj) and self.has_publish_permission(request)
        return super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        user = request.user

        class WorkflowForm(form_class):
            def clean(self):
                cleaned = super().clean()
                to_state = cleaned.get("editorial_state")
                if to_state:
                    for problem in transition_problems(self.instance, to_state, user):
                        self.add_error("editorial_state", ValidationError(problem))
                return cleaned

        return WorkflowForm

    def _move(self, request, queryset, action: str) -> None:
        transition = TRANSITIONS[action]
        moved, refused = [], []
        for record in queryset:
            try:
                editorial_transition(record=record, to_state=transition.to_state, user=request.user)
            except EditorialRefusal as refusal:
                refused += refusal.problems
            else:
                moved.append(record)
        if moved:
            names = ", ".join(str(record) for record in moved)
            self.message_user(request, f"{transition.label}: {names}.", messages.SUCCESS)
        for problem in refused:
            self.message_user(request, problem, messages.ERROR)
        if action == "retract":
            self._warn_about_unsupported_facts(request, moved)

    def _warn_about_unsupported_facts(self, request, retracted) -> None:
        for record in retracted:
            if not hasattr(record, "published_facts_resting_only_on_this"):
                continue
            facts = record.published_facts_resting_only_on_this()
            if facts:
                names = "; ".join(f"{fact._meta.verbose_name} “{fact}”" for fact in facts)
                self.message_user(
                    request,
                    f"Retracting “{record}” leaves these published records with no published support: {names}. "
                    "Retract them or add excerpts from another source.",
                    messages.WARNING,
                )

    @admin.action(description="Send for review", permissions=["change"])
    def send_for_review(self, request, queryset):
        self._move(request, queryset, "send_for_review")

    @admin.action(description="Publish", permissions=["publish"])
    def publish(self, request, queryset):
        self._move(request, queryset, "publish")

    @admin.action(description="Retract", permissions=["publish"])
    def retract(self, request, queryset):
        self._move(request, queryset, "retract")

    @admin.action(description="Back to draft", permissions=["change"])
    def back_to_draft(self, request, queryset):
        self._move(request, queryset, "back_to_draft")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        was_published = form.initial.get("editorial_state") == EditorialState.PUBLISHED
        if change and was_published and obj.editorial_state == EditorialState.RETRACTED:
            self._warn_about_unsupported_facts(request, [obj])


# -- Parts of curated records -------------------------------------------------------------------


def form_part_change(form) -> PartChange:
    """The change that saving a valid part form makes, with the parents it sets as a list."""
    names = [name for name in many_to_many_parent_fields(form._meta.model) if name in form.cleaned_data]
    return part_change(form.instance, related={name: form.cleaned_data[name] for name in names})


def formset_part_changes(formset) -> list[PartChange]:
    """The changes that saving a valid inline formset makes, together."""
    changes = []
    for form in formset.forms:
        if formset.can_delete and formset._should_delete_form(form):
            if form.instance.pk is not None:
                changes.append(part_change(form.instance, delete=True))
        elif form.has_changed() and form.is_valid():
            changes.append(form_part_change(form))
    return changes


class BasePartAdmin(BaseRecordAdmin):
    """Aliases, participations, noise spans, excerpts and stories: parts of curated records,
    written on every admin path (form, delete view and action, history revert) only as
    core/parts.py allows. The inlines on the parents' forms (PartInline) and the import ask
    the same functions."""

    actions = ["delete_selected"]

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or self.may_change_stored(request, obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or self.may_change_stored(request, obj))

    def may_change_stored(self, request, part) -> bool:
        """may_change_part, asked once per part while a page is read: Django asks again for each
        button and field of the change page, and each answer reads the part and its parents."""
        if request.method not in ("GET", "HEAD"):
            return may_change_part(request.user, part)
        answers = request.__dict__.setdefault("_may_change_part", {})
        key = (part._meta.label, part.pk)
        if key not in answers:
            answers[key] = may_change_part(request.user, part)
        return answers[key]

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        user = request.user

        class PartForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                if not self._errors:  # judge only a part that is otherwise valid
                    for problem in part_changes_problems(user=user, changes=[form_part_change(self)]):
                        self.add_error(None, problem)

        return PartForm

    def refuse_part_changes(self, request, changes: list[PartChange]) -> bool:
        """Tell the user why `changes` may not be made and return True; False if they may."""
        problems = part_changes_problems(user=request.user, changes=changes)
        for problem in problems:
            self.message_user(request, problem, messages.ERROR)
        return bool(problems)

    def delete_view(self, request, object_id, extra_context=None):
        # Refused with the reason, before Django's confirmation page (or its bare 403).
        part = self.get_object(request, unquote(object_id))
        deleting = part is not None and self.has_delete_permission(request)
        if deleting and self.refuse_part_changes(request, [part_deletion(part)]):
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[part.pk]))
        return super().delete_view(request, object_id, extra_context)

    @admin.action(description="Delete selected %(verbose_name_plural)s", permissions=["delete"])
    def delete_selected(self, request, queryset):
        # The selection is judged as one change: deleting two of a deal's three parties is fine.
        if self.refuse_part_changes(request, [part_deletion(part) for part in queryset]):
            return None
        return django_delete_selected(self, request, queryset)


class PartInline:
    """Mixed into an inline of parts on a curated record's change form. The inline is read-only
    where the record is the reviewers' (as the record's own fields are), and its formset is saved
    only if core/parts.py allows all its changes together (an excerpt's other parents, the
    publishing rules)."""

    def has_add_permission(self, request, obj) -> bool:
        return super().has_add_permission(request, obj) and (obj is None or may_change_parts_of(request.user, obj))

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or may_change_parts_of(request.user, obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or may_change_parts_of(request.user, obj))

    def get_formset(self, request, obj=None, **kwargs):
        formset_class = super().get_formset(request, obj, **kwargs)
        user = request.user

        class PartFormSet(formset_class):
            def clean(self):
                super().clean()
                problems = part_changes_problems(user=user, changes=formset_part_changes(self))
                if problems:
                    raise ValidationError(problems)

        return PartFormSet


# -- Inlines of many parts ----------------------------------------------------------------------


class KnownChoicesMixin:
    """An autocomplete widget that labels the records already chosen from objects the form holds
    (fetched with the inline's rows, ShownPartsInline) instead of one query per form. A value
    it does not know (a POST re-shown with errors) falls back to Django's query."""

    known: dict[str, str] = {}

    def optgroups(self, name, value, attr=None):
        chosen = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if not chosen or not set(chosen) <= self.known.keys():
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        for key, label in self.known.items():
            if key in chosen:
                options.append(self.create_option(name, key, label, True, len(options)))
        return [(None, options, 0)]


class KnownChoicesSelect(KnownChoicesMixin, AutocompleteSelect):
    pass


class KnownChoicesSelectMultiple(KnownChoicesMixin, AutocompleteSelectMultiple):
    pass


class ShownPartsInline:
    """Mixed into an inline whose record may have hundreds of parts (a source's excerpts): the
    form shows the first `shown_parts` (in the inline's `ordering`, which must end on the primary
    key so the same rows come back on save) and links to the paged list of all of them; the
    autocomplete fields' records come with the rows (select_related / prefetch_related), so the
    page runs the same few queries whatever the number of parts."""

    shown_parts = 10
    template = "admin/edit_inline/stacked_shown_parts.html"

    def get_queryset(self, request):
        fields = [self.model._meta.get_field(name) for name in self.get_autocomplete_fields(request)]
        queryset = super().get_queryset(request)
        queryset = queryset.select_related(*[field.name for field in fields if not field.many_to_many])
        return queryset.prefetch_related(*[field.name for field in fields if field.many_to_many])

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault("widget", KnownChoicesSelect(db_field, self.admin_site, using=kwargs.get("using")))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            widget = KnownChoicesSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
            kwargs.setdefault("widget", widget)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset_class = super().get_formset(request, obj, **kwargs)
        limit, names = self.shown_parts, list(self.get_autocomplete_fields(request))

        class ShownPartsFormSet(formset_class):
            def get_queryset(self):
                if not hasattr(self, "_shown_parts"):
                    self._shown_parts = super().get_queryset()[:limit]
                return self._shown_parts

            def _construct_form(self, i, **kwargs):
                form = super()._construct_form(i, **kwargs)
                if form.instance.pk is not None:
                    for name in names:
                        label_known_choices(form, name)
                return form

            def parts_not_shown(self) -> int:
                shown = len(self.get_queryset())
                return self.queryset.count() - shown if shown == limit else 0

        return ShownPartsFormSet


def label_known_choices(form, name: str) -> None:
    """Tell field `name`'s autocomplete widget the records the form's instance already holds."""
    if name not in form.fields:
        return
    widget = form.fields[name].widget
    widget = getattr(widget, "widget", widget)  # inside Django's add/change links wrapper
    if not isinstance(widget, KnownChoicesMixin):
        return
    value = getattr(form.instance, name)
    records = value.all() if hasattr(value, "all") else [value] if value is not None else []
    widget.known = {str(record.pk): str(record) for record in records}
