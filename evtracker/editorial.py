"""What every curated record shares: its editorial state and the one `published()` filter.

Company, Deal and Source inherit `Curated`; every public view, download, feed and sitemap reaches
records through `published()`, so visibility is decided in exactly one place.
"""

from django.db import models


class EditorialState(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


class CuratedQuerySet(models.QuerySet):
    def published(self) -> "CuratedQuerySet":
        return self.filter(editorial_state=EditorialState.PUBLISHED)


class Curated(models.Model):
    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text="Permanent identifier used in page addresses and in CSV files. Lower case, "
        "words joined by hyphens. Do not change it once the record is published.",
    )
    editorial_state = models.CharField(
        max_length=12,
        choices=EditorialState.choices,
        default=EditorialState.DRAFT,
        db_index=True,
        help_text="Only published records appear on the public site and in downloads.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CuratedQuerySet.as_manager()

    class Meta:
        abstract = True

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def is_published(self) -> bool:
        return self.editorial_state == EditorialState.PUBLISHED
