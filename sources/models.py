import hashlib
from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from companies.models import Company, Deal
from core.editorial import Curated, DependentQuerySet, data_permissions, published_q
from core.partial_dates import (
    DatePrecision,
    format_partial_date_human,
    format_partial_date_iso,
    partial_date_constraint,
    partial_date_order,
    partial_date_sort_key_field,
    validate_partial_date,
)
from core.sort_keys import SortKeyField
from core.web_addresses import WebAddressField
from sources.anchoring import NOISE, QUOTE, Pasted, locate_quote, normalise_line_ends


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def anchor_in_source(instance, *, source: "Source", field: str, pasted: Pasted, context_before: str = "") -> None:
    """Set `start`/`end` of an excerpt or noise span from its verbatim text in `field`, and store
    that text as the source has it (its own line ends, whatever the browser sent).

    A stored offset is kept only while the text it anchors is unchanged: an editor who edits a
    quote gets it found again instead of an error about a stale offset.
    """
    quote = getattr(instance, field)
    loaded = getattr(instance, "_loaded_anchor", None)
    if loaded is not None and loaded[0] == instance.start and not _same_text(loaded[1:], (quote, context_before)):
        instance.start = None
    instance.start, instance.end = locate_quote(
        source.text, quote, start=instance.start, context_before=context_before, pasted=pasted
    )
    setattr(instance, field, source.text[instance.start : instance.end])


def _same_text(stored: tuple[str, ...], pasted: tuple[str, ...]) -> bool:
    # A browser resends an unchanged quote with CR LF line ends: that is no edit.
    return [normalise_line_ends(value or "") for value in stored] == [normalise_line_ends(value) for value in pasted]


def source_being_saved(instance) -> "Source | None":
    """The source of an excerpt or noise span, also while both are saved together from the source's
    add page (where the source has no id yet)."""
    try:
        return instance.source
    except Source.DoesNotExist:
        return None


class StoryQuerySet(models.QuerySet):
    def visible(self) -> "StoryQuerySet":
        """Stories a reader may meet: those with at least one published version (source)."""
        published_versions = Source.objects.published().filter(story=models.OuterRef("pk"))
        return self.filter(models.Exists(published_versions))


class Story(models.Model):
    """One original piece of reporting. Rewrites and syndicated or machine-spun copies of it are
    versions of the same story and count as one independent source."""

    slug = models.SlugField(max_length=120, unique=True, help_text="Permanent identifier used in CSV files.")
    title = models.CharField(max_length=250, help_text="The original story's headline, or a description of it.")
    note = models.TextField(blank=True, help_text="Why these sources are grouped as one story.")
    history = HistoricalRecords()

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "stories"
        permissions = data_permissions("story", "stories")

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


def source_date_order(*, newest_first: bool) -> list:
    """`order_by()` terms putting sources in order of publication, a year or month at the end of
    its period (core/partial_dates.py), undated ones last, ties by title then slug."""
    return [partial_date_order("published_date", newest_first=newest_first), "title", "slug"]


class Source(Curated):
    class DateBasis(models.TextChoices):
        STATED = "stated", "Stated in the text"
        INFERRED = "inferred", "Inferred from the text"

    class StoryRelation(models.TextChoices):
        ORIGINAL = "original", "Original"
        REWRITE = "rewrite", "Rewrite by another publisher"
        SYNDICATED = "syndicated", "Syndicated copy"
        MACHINE_SPUN = "machine_spun", "Machine-spun copy"

    title = models.CharField(max_length=300, help_text="The headline as published, or a description if it has none.")
    sort_title = SortKeyField(source="title", help_text="Computed from the title, for sorting.")
    publisher = models.CharField(
        max_length=200, blank=True, help_text="Who published it, where the text says or shows."
    )
    author = models.CharField(max_length=200, blank=True, help_text="Byline, only where the text gives one.")
    url = WebAddressField(max_length=500, blank=True, help_text="Where it was published, if known.")
    published_date = models.DateField(null=True, blank=True, help_text="When it was published, at the precision known.")
    published_date_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        help_text="Whether the date is known to the day, month or year.",
    )
    # What source lists sort by (core/partial_dates.py), kept by the database.
    published_date_sort_key = partial_date_sort_key_field("published_date")
    date_basis = models.CharField(
        max_length=8,
        choices=DateBasis.choices,
        blank=True,
        help_text="Whether the text states the date or it was worked out from the text.",
    )
    date_note = models.CharField(max_length=300, blank=True, help_text="For an inferred date: the reasoning.")
    seed_file = models.CharField(
        max_length=120, blank=True, help_text="File name in seeds/ this text was archived from, if any."
    )
    text = models.TextField(help_text="The full text exactly as received. Never edit it: excerpts point into it.")
    sha256 = models.CharField(max_length=64, editable=False, help_text="SHA-256 of the text, in hex.")
    # The web page a text was extracted from, archived once and never edited (like the text); the
    # admin offers it only as a download, never rendered.
    raw_html = models.TextField(
        blank=True,
        editable=False,
        help_text="The saved web page the text was extracted from, exactly as received; empty for a text "
        "file or pasted text. Archived once, never edited.",
    )
    raw_html_sha256 = models.CharField(
        max_length=64, blank=True, editable=False, help_text="SHA-256 of the raw HTML, in hex; empty without one."
    )
    story = models.ForeignKey(
        Story,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
        help_text="The original story this is a version of. Leave empty for a story of its own.",
    )
    story_relation = models.CharField(
        max_length=12,
        choices=StoryRelation.choices,
        default=StoryRelation.ORIGINAL,
        help_text="What this text is to its story: the original, or which kind of copy.",
    )

    class Meta:
        ordering = source_date_order(newest_first=True)
        permissions = data_permissions("source", "sources", publish=True)
        constraints = [partial_date_constraint("published_date", name="source_date_has_precision")]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remember the archived text so clean() can refuse any change to it, and the archived page
        # so that save() keeps it (None: not loaded, see `_archived_page`).
        instance._archived_text = instance.__dict__.get("text")
        instance._archived_raw_html = instance.__dict__.get("raw_html")
        return instance

    def get_absolute_url(self) -> str:
        return reverse("sources:source_detail", kwargs={"slug": self.slug})

    @property
    def published_date_display(self) -> str:
        return format_partial_date_human(self.published_date, self.published_date_precision)

    @property
    def published_date_iso(self) -> str:
        return format_partial_date_iso(self.published_date, self.published_date_precision)

    def published_facts_resting_only_on_this(self) -> list[Curated]:
        """Published deals and companies whose only published support is this source."""
        supporting = Excerpt.objects.filter(stance=Excerpt.Stance.SUPPORTS)
        here = supporting.filter(source=self)
        elsewhere = supporting.filter(source__in=Source.objects.published().exclude(pk=self.pk))
        facts = []
        for model in (Deal, Company):
            facts += model.objects.published().filter(excerpts__in=here).exclude(excerpts__in=elsewhere).distinct()
        return facts

    def clean(self) -> None:
        validate_partial_date(self.published_date, self.published_date_precision, field="published_date")
        if self.published_date and not self.date_basis:
            raise ValidationError({"date_basis": "Say whether the date is stated in the text or inferred."})
        if self.date_basis == self.DateBasis.INFERRED and not self.date_note:
            raise ValidationError({"date_note": "An inferred date needs a note saying how it was inferred."})
        archived = getattr(self, "_archived_text", None)
        if archived is not None and self.text != archived:
            raise ValidationError({"text": "The text of an archived source cannot be changed: excerpts point into it."})

    def save(self, *args, **kwargs) -> None:
        # The digests are derived from the texts, never entered, so they can never disagree with them.
        self.sha256 = text_sha256(self.text)
        if "raw_html" in self.__dict__:  # a deferred page is not written either (Django saves what it loaded)
            self.raw_html = self._archived_page() or self.raw_html
            self.raw_html_sha256 = text_sha256(self.raw_html) if self.raw_html else ""
        super().save(*args, **kwargs)
        if "raw_html" in self.__dict__:
            self._archived_raw_html = self.raw_html

    def _archived_page(self) -> str:
        """The raw HTML stored for this source. Once archived it stays: no edit, import or revert to
        a version saved before it was archived takes it away or replaces it."""
        archived = getattr(self, "_archived_raw_html", None)
        if archived is None and self.pk is not None:
            # Built from a history version (a revert), not read from the database: ask it.
            archived = Source.objects.filter(pk=self.pk).values_list("raw_html", flat=True).first()
        return archived or ""


class NoiseSpanQuerySet(DependentQuerySet):
    """A noise span may be shown (folded away on its source's page) when its source is published."""

    parents = ("source",)


class NoiseSpan(models.Model):
    """A part of a source's page that is not the article: other stories, bios, 'Most Read' lists."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="noise_spans", help_text="The source whose page this is part of."
    )
    label = models.CharField(max_length=120, help_text="What it is, e.g. “Most Read list”.")
    text = models.TextField(help_text="The noise, pasted exactly from the source text.")
    start = models.PositiveIntegerField(blank=True, help_text="Computed from the text.")
    end = models.PositiveIntegerField(blank=True, editable=False, help_text="Where the noise ends (computed).")
    history = HistoricalRecords()

    objects = NoiseSpanQuerySet.as_manager()

    class Meta:
        ordering = ["source", "start"]
        permissions = data_permissions("noisespan", "noise spans")
        constraints = [models.UniqueConstraint(fields=["source", "start"], name="noise_span_unique_start")]

    def __str__(self) -> str:
        return f"{self.label} ({self.start}–{self.end})"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        fields = instance.__dict__
        instance._loaded_anchor = (fields.get("start"), fields.get("text"), "")
        return instance

    def clean(self) -> None:
        source = source_being_saved(self)
        if source is None or not self.text:
            return
        try:
            anchor_in_source(self, source=source, field="text", pasted=NOISE)
        except ValidationError as error:
            # Every message is about the pasted text: the form has no offset or context field.
            raise ValidationError({"text": error.messages}) from None


class ExcerptQuerySet(DependentQuerySet):
    """An excerpt may be shown when its source is published, whatever it backs; its links to
    companies and deals are shown only to published ones (`visible_excerpt_links`)."""

    parents = ("source",)


class Excerpt(models.Model):
    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        CONTRADICTS = "contradicts", "Contradicts"
        CORRECTS = "corrects", "Corrects"

    slug = models.SlugField(
        max_length=160,
        unique=True,
        blank=True,
        help_text="Permanent identifier. Left empty, it becomes the source's slug and the quote's offset.",
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="excerpts", help_text="The archived source it is quoted from."
    )
    quote = models.TextField(help_text="Paste the words exactly as they appear in the source text.")
    context_before = models.CharField(
        max_length=200,
        blank=True,
        help_text="Only when the quote occurs more than once: the words just before the one you mean.",
    )
    start = models.PositiveIntegerField(
        null=True, blank=True, help_text="Character offset in the source text. Leave empty: it is computed."
    )
    end = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="Where the quote ends (computed)."
    )
    stance = models.CharField(
        max_length=12,
        choices=Stance.choices,
        default=Stance.SUPPORTS,
        help_text="Whether it supports the records it is linked to, contradicts them, or corrects an earlier version.",
    )
    claim = models.CharField(
        max_length=200, blank=True, help_text="The fact it backs, in a few words, e.g. “amount of the round”."
    )
    note = models.TextField(blank=True, help_text="For a contradiction or correction: what differs and why.")
    companies = models.ManyToManyField(
        Company, blank=True, related_name="excerpts", help_text="The companies whose facts this quote backs."
    )
    deals = models.ManyToManyField(
        Deal, blank=True, related_name="excerpts", help_text="The deals whose facts this quote backs."
    )
    history = HistoricalRecords(m2m_fields=[companies, deals])

    objects = ExcerptQuerySet.as_manager()

    class Meta:
        ordering = ["source", "start"]
        permissions = data_permissions("excerpt", "excerpts")

    def __str__(self) -> str:
        return f"“{self.quote[:60]}…”" if len(self.quote) > 60 else f"“{self.quote}”"

    def get_absolute_url(self) -> str:
        return f"{self.source.get_absolute_url()}#excerpt-{self.pk}"

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        fields = instance.__dict__
        instance._loaded_anchor = (fields.get("start"), fields.get("quote"), fields.get("context_before"))
        return instance

    def clean(self) -> None:
        self.context_before = normalise_line_ends(self.context_before)
        source = source_being_saved(self)
        if source is None or not self.quote:
            return
        anchor_in_source(self, source=source, field="quote", pasted=QUOTE, context_before=self.context_before)
        if not self.slug:
            self.slug = excerpt_slug(source=source, start=self.start, pk=self.pk)
        if source.pk is None:  # added together with its source: no noise spans stored yet
            return
        for span in source.noise_spans.all():
            if self.start < span.end and span.start < self.end:
                raise ValidationError({"quote": f"The quote lies in page noise (“{span.label}”), not in the article."})


def excerpt_slug(*, source: Source, start: int, pk: int | None = None, taken: Collection[str] = ()) -> str:
    """The slug of an excerpt saved without one: the source's slug and the quote's offset, with
    -2, -3… when a stored excerpt (other than `pk`) or one saved alongside it (`taken`) has it."""
    base = f"{source.slug}-{start}"
    stored = set(Excerpt.objects.exclude(pk=pk).filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in stored or slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def visible_excerpt_links(record: str) -> models.QuerySet:
    """Links from excerpts a reader may see to the published `record`s ("company" or "deal") they
    back: the only ones shown. An excerpt's link to a draft company or deal stays hidden."""
    links = Excerpt.companies.through if record == "company" else Excerpt.deals.through
    return links.objects.filter(ExcerptQuerySet.visible_q("excerpt"), published_q(record))
