from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminTextareaWidget
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header

from core.admin import PartInline, ShownPartsInline, https_formfield, year_filter
from dataio.admin import CuratedAdmin, PartAdmin
from sources.anchoring import normalise_line_ends
from sources.duplicates import near_copies, same_text, same_text_source
from sources.models import Excerpt, NoiseSpan, Source, Story, excerpt_slug
from sources.resources import ExcerptResource, NoiseSpanResource, SourceResource, StoryResource


class ContextBeforeField(forms.CharField):
    """The words before a quote, kept as typed: a trailing space is what separates them from the
    quote. A browser's CR LF line ends count as one character each, as they are stored."""

    def __init__(self, **kwargs):
        super().__init__(**{**kwargs, "strip": False})

    def to_python(self, value) -> str:
        return normalise_line_ends(super().to_python(value))


class ExcerptForm(forms.ModelForm):
    """An excerpt as an editor pastes it; the context before may run over a line break."""

    class Meta:
        model = Excerpt
        fields = ("source", "quote", "context_before", "start", "slug", "stance", "claim", "companies", "deals", "note")
        field_classes = {"context_before": ContextBeforeField}
        widgets = {"context_before": AdminTextareaWidget(attrs={"rows": 2})}


class ExcerptFormSet(forms.BaseInlineFormSet):
    """A source's excerpts, saved together. Each form made its own slug where the editor left it
    empty (Excerpt.clean) without seeing the others; the formset makes them distinct before it
    checks that no two forms share a slug."""

    def clean(self):
        saved = [form for form in self.forms if self._is_saved(form)]
        generated = [form for form in saved if not form.cleaned_data.get("slug")]
        taken = {form.cleaned_data["slug"] for form in saved if form.cleaned_data.get("slug")}
        for form in generated:
            excerpt = form.instance
            if excerpt.slug in taken:
                excerpt.slug = excerpt_slug(source=self.instance, start=excerpt.start, pk=excerpt.pk, taken=taken)
            form.cleaned_data["slug"] = excerpt.slug
            taken.add(excerpt.slug)
        super().clean()

    def _is_saved(self, form: forms.ModelForm) -> bool:
        # An extra form left blank has no slug, and is not saved.
        deleted = self.can_delete and self._should_delete_form(form)
        return form.is_valid() and not deleted and bool(form.instance.slug)


class ExcerptInline(ShownPartsInline, PartInline, admin.StackedInline):
    model = Excerpt
    ordering = ("start", "pk")  # in the text's order; the key keeps the shown rows the same on save
    show_change_link = True
    form = ExcerptForm
    formset = ExcerptFormSet
    extra = 0
    autocomplete_fields = ("companies", "deals")
    fields = (
        ("quote", "context_before"),
        ("stance", "claim"),
        ("companies", "deals"),
        "note",
        ("slug", "start", "end"),
    )
    readonly_fields = ("end",)


class NoiseSpanInline(PartInline, admin.TabularInline):
    model = NoiseSpan
    extra = 0
    fields = ("label", "text", "start", "end")
    readonly_fields = ("start", "end")


@admin.register(Story)
class StoryAdmin(PartAdmin):
    resource_classes = [StoryResource]
    list_display = ("title", "slug")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}


class SourceForm(forms.ModelForm):
    """Adding a source: upload the archived text file (kept byte for byte) or paste the text."""

    text_file = forms.FileField(
        required=False,
        help_text="A UTF-8 text file of the article. Preferred over pasting: a browser turns pasted "
        "line ends into CR LF, an upload keeps the text exactly as archived.",
    )
    add_anyway = forms.BooleanField(
        required=False,
        label="Add it anyway",
        widget=forms.HiddenInput,  # shown as a checkbox once a near-copy is found
        help_text="Tick only if this version of the story is wanted as a source of its own.",
    )

    class Meta:
        model = Source
        formfield_callback = https_formfield
        fields = (
            "title", "slug", "editorial_state", "publisher", "author", "url", "published_date",
            "date_basis", "date_note", "story", "story_relation", "seed_file", "text",
        )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "text" in self.fields:
            self.fields["text"].required = False

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("text_file")
        if upload:
            try:
                cleaned["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("text_file", "The file is not UTF-8 text; save it as UTF-8 and upload it again.")
            self.instance.text = cleaned.get("text", "")
        elif "text" in self.fields and not cleaned.get("text"):
            self.add_error("text", "Paste the article's text or upload its file.")
        if self.instance.pk is None and cleaned.get("text") and not self.errors:
            self.check_duplicates(cleaned)
        return cleaned

    def check_duplicates(self, cleaned: dict) -> None:
        """The same text twice is refused; a near-copy of a stored source is added only once the
        editor has seen it and ticked "Add it anyway" (sources/duplicates.py)."""
        text = cleaned["text"]
        stored = same_text_source(text)
        copies = near_copies(text) if stored is None else []
        stored = stored or next((c.source for c in copies if same_text(c.source.text, text)), None)
        if stored is not None:
            raise forms.ValidationError(
                format_html(
                    'This text is already archived as the source <a href="{}">{}</a> (SHA-256 {}…): '
                    "the same article is never added twice.",
                    reverse("admin:sources_source_change", args=[stored.pk]),
                    stored.title,
                    stored.sha256[:12],
                ),
                code="same_text",
            )
        story = cleaned.get("story")
        copies = [c for c in copies if story is None or c.source.story_id != story.pk]
        if copies and not cleaned.get("add_anyway"):
            self.fields["add_anyway"].widget = forms.CheckboxInput()
            raise forms.ValidationError(near_copy_warning(copies), code="near_copy")


def near_copy_warning(copies) -> str:
    """The warning naming each stored source the new text is a version of, with the relation."""
    listed = format_html_join(
        "; ",
        'a {} of <a href="{}">{}</a> ({} of its sentences match closely{})',
        (
            (
                copy.relation_label,
                reverse("admin:sources_source_change", args=[copy.source.pk]),
                copy.source.title,
                f"{copy.score:.0%}",
                f", story “{copy.source.story}”" if copy.source.story else "",
            )
            for copy in copies
        ),
    )
    return format_html(
        "This text reads as another version of a stored source: {}. Versions of one story count as "
        "one independent source: group them in a story (pick it under Story, or make one), or tick "
        "“Add it anyway” below.",
        listed,
    )


@admin.register(Source)
class SourceAdmin(CuratedAdmin):
    resource_classes = [SourceResource]
    form = SourceForm
    add_form_template = "admin/sources/source/add_form.html"  # offers the article assistant
    prepopulated_fields = {"slug": ("title",)}
    # The state first; the date's basis rides on the date, the seed file is on the form (and searched).
    list_display = ("state", "title", "publisher", "published_date_display", "story")
    list_display_links = ("title",)
    list_filter = ("editorial_state", "date_basis", "story_relation", year_filter("published_date"), "publisher")
    list_select_related = ("story",)
    search_fields = ("title", "slug", "publisher", "author", "seed_file", "excerpts__quote")
    autocomplete_fields = ("story",)
    inlines = [NoiseSpanInline, ExcerptInline]
    fieldsets = (
        (None, {"fields": ("title", "slug", "editorial_state")}),
        (
            "Publication",
            {
                "fields": (
                    "publisher",
                    "author",
                    "url",
                    "published_date",  # 2021, 2021-05 or 2021-05-18: the precision follows
                    "date_basis",
                    "date_note",
                )
            },
        ),
        ("Story", {"fields": ("story", "story_relation")}),
        ("Archived text", {"fields": ("seed_file", "text_file", "text", "sha256", "raw_html_page")}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    @admin.display(description="published", ordering="published_date_sort_key")  # as the public lists sort
    def published_date_display(self, obj: Source) -> str:
        inferred = obj.published_date and obj.date_basis == Source.DateBasis.INFERRED
        return f"{obj.published_date_display} (inferred)" if inferred else obj.published_date_display or "-"

    @admin.display(description="raw web page")
    def raw_html_page(self, obj: Source | None) -> str:
        # Only its digest and size: the page itself is a download, never rendered in the admin.
        if obj is None or not obj.raw_html_sha256:
            return "None: the text was not extracted from a saved web page."
        url = reverse("admin:sources_source_raw_html", args=[obj.pk])
        size = filesizeformat(len(obj.raw_html.encode("utf-8")))
        return format_html(
            'SHA-256 <code>{}</code>, {} · <a href="{}">Download the raw HTML</a> (as plain text)',
            obj.raw_html_sha256,
            size,
            url,
        )

    def get_urls(self):
        raw_html = path(
            "<path:object_id>/raw-html/", self.admin_site.admin_view(self.raw_html_view), name="sources_source_raw_html"
        )
        return [raw_html, *super().get_urls()]

    def raw_html_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The archived web page as a plain-text download: staff who may view the source get the
        file, and no browser renders it (an attachment, text/plain, no sniffing, sandboxed), so no
        script in a saved page ever runs under the site's origin."""
        source = self.get_object(request, unquote(object_id))
        if source is None or not source.raw_html:
            raise Http404("No raw web page is archived for this source.")
        if not self.has_view_permission(request, source):
            raise PermissionDenied
        response = HttpResponse(source.raw_html, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{source.slug}.html")
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        return response

    def get_readonly_fields(self, request, obj=None):
        # The archived text is entered once and never edited: excerpt offsets point into it.
        readonly = [*super().get_readonly_fields(request, obj), "sha256", "raw_html_page"]
        if obj is not None:
            readonly += ["text", "seed_file"]
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            # Adding: the near-copy warning's checkbox sits under the text (SourceForm).
            return [
                (name, {**opts, "fields": [*opts["fields"], "add_anyway"]}) if name == "Archived text" else (name, opts)
                for name, opts in fieldsets
            ]
        # Once archived, there is nothing to upload.
        return [(name, {**opts, "fields": [f for f in opts["fields"] if f != "text_file"]}) for name, opts in fieldsets]


@admin.register(NoiseSpan)
class NoiseSpanAdmin(PartAdmin):
    resource_classes = [NoiseSpanResource]
    list_display = ("label", "source", "start", "end")
    list_select_related = ("source",)
    search_fields = ("label", "source__title", "text")
    autocomplete_fields = ("source",)
    readonly_fields = ("start", "end")


@admin.register(Excerpt)
class ExcerptAdmin(PartAdmin):
    resource_classes = [ExcerptResource]
    form = ExcerptForm
    list_display = ("source_state", "__str__", "stance", "claim", "source")
    list_display_links = ("__str__",)
    list_filter = ("stance", "source__editorial_state")
    list_select_related = ("source",)
    search_fields = ("quote", "claim", "slug", "source__title", "companies__name", "deals__title")
    autocomplete_fields = ("source", "companies", "deals")
    readonly_fields = ("end",)
    fields = (
        "source",
        "quote",
        "context_before",
        "start",
        "end",
        "slug",
        "stance",
        "claim",
        "companies",
        "deals",
        "note",
    )

    @admin.display(description="source state", ordering="source__editorial_state")
    def source_state(self, obj: Excerpt) -> str:
        return obj.source.get_editorial_state_display()
