"""Permanent links: every slug a company, deal or source has had keeps answering.

A record renamed (in the admin, by a history revert) or merged into another (companies/merge.py)
leaves its old slug here, pointing at the record that holds it now. Public pages and API detail
addresses that find no record by a slug look here and answer 301 with the current address (only
to a published record); imports that name an old slug are told the new one. A live slug always
wins over a former one: the lookups here run only once a slug found no record.

Imports key on the slug, so an import never renames a record: a row with another slug is another
record (dataio/bulk.py writes slugs unchanged). A new record may not take a former slug in an
import (the row is told which record it belongs to now).
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models


class FormerSlug(models.Model):
    """A slug a record no longer has, and the record it now leads to."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, help_text="The kind of record.")
    object_id = models.PositiveBigIntegerField(help_text="The record the old slug leads to.")
    slug = models.SlugField(max_length=120, help_text="The slug as it was.")
    retired_at = models.DateTimeField(auto_now_add=True, help_text="When the record stopped using it.")

    class Meta:
        verbose_name = "former slug"
        constraints = [
            models.UniqueConstraint(fields=["content_type", "slug"], name="former_slug_unique_per_kind"),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="former_slug_by_record")]

    def __str__(self) -> str:
        return self.slug


def former_slug_record(*, record: models.Model, slug: str) -> None:
    """Keep `slug` as a former slug of `record` (it was renamed, or a record was merged into it)."""
    kind = ContentType.objects.get_for_model(record)
    if slug and slug != record.slug:
        FormerSlug.objects.update_or_create(content_type=kind, slug=slug, defaults={"object_id": record.pk})
    # Renamed back to a slug it once had: that slug is live again, not a former one.
    FormerSlug.objects.filter(content_type=kind, object_id=record.pk, slug=record.slug).delete()


def former_slugs_move(*, merged: models.Model, into: models.Model) -> None:
    """`merged` is about to be deleted into `into`: its slug and its own former slugs lead there."""
    kind = ContentType.objects.get_for_model(into)
    FormerSlug.objects.filter(content_type=kind, object_id=merged.pk).update(object_id=into.pk)
    former_slug_record(record=into, slug=merged.slug)


def former_slugs_of(record: models.Model) -> list[str]:
    kind = ContentType.objects.get_for_model(record)
    return list(FormerSlug.objects.filter(content_type=kind, object_id=record.pk).values_list("slug", flat=True))


def renamed_record(queryset: models.QuerySet, *, slug: str) -> models.Model | None:
    """The record in `queryset` that once had `slug` (None: none, or not in `queryset`)."""
    kind = ContentType.objects.get_for_model(queryset.model)
    found = FormerSlug.objects.filter(content_type=kind, slug=slug).values_list("object_id", flat=True).first()
    return None if found is None else queryset.filter(pk=found).first()


def current_slugs(model: type[models.Model], slugs: Iterable[str]) -> dict[str, str]:
    """Of `slugs`, those that are former slugs of `model`'s records, each with its slug now
    (two queries, whatever the number of slugs). The model's former slugs are read whole and
    matched here: renames are few, while an import's slugs may be a million, which no `IN (…)`
    can carry (SQLite refuses that many variables)."""
    kind = ContentType.objects.get_for_model(model)
    wanted = set(slugs)
    former = {
        slug: pk
        for slug, pk in FormerSlug.objects.filter(content_type=kind).values_list("slug", "object_id").iterator()
        if slug in wanted
    }
    if not former:
        return {}
    now = dict(model._default_manager.filter(pk__in=former.values()).values_list("pk", "slug"))
    return {old: now[pk] for old, pk in former.items() if pk in now}


def renamed_message(model: type[models.Model], *, old: str, new: str) -> str:
    return f"{model._meta.verbose_name} “{old}” is now “{new}”: use the new slug"


def unknown_slug_message(model: type[models.Model], slug: str) -> str:
    """What an import says of a slug that names no record: the new slug if it names one no more."""
    new = current_slugs(model, [slug]).get(slug)
    if new is None:
        return f'unknown {model._meta.verbose_name} slug "{slug}"'
    return renamed_message(model, old=slug, new=new)
