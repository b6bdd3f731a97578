from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.currencies import validate_currency_code
from core.editorial import (
    Curated,
    CuratedQuerySet,
    DependentQuerySet,
    EditorialState,
    data_permissions,
    unsupported_problem,
)
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


def has_published_support(record: Curated) -> bool:
    """Whether an excerpt from a published source supports `record`."""
    # Through the reverse relation only: this app never imports sources (see pyproject.toml); its
    # manager is the excerpts' own, with their `visible()`.
    return record.excerpts.visible().filter(stance="supports").exists()


def supporting_sources(record: Curated) -> list[tuple[str, str]]:
    """(title, editorial state) of each source with an excerpt that supports `record` (one query)."""
    supporting = record.excerpts.filter(stance="supports").order_by("source__title", "source__pk")
    return list(dict.fromkeys(supporting.values_list("source__title", "source__editorial_state")))


def support_problems(sources: list[tuple[str, str]]) -> list[str]:
    """The rule every company and deal meets to be published, judged from `supporting_sources`
    (the review queue passes the same pairs, read for many records at once)."""
    if any(state == EditorialState.PUBLISHED for _, state in sources):
        return []
    return [unsupported_problem(sources)]


def deal_problems(*, has_parties: bool, sources: list[tuple[str, str]]) -> list[str]:
    """What a deal lacks to be published, from whether it has parties and its supporting sources."""
    problems = [] if has_parties else ["it has no parties; add at least one company and its role."]
    return problems + support_problems(sources)


# Merging duplicates (companies/merge.py) deletes one record into another: the Reviewers'.
MERGE_COMPANY = ("merge_company", "Can merge duplicate companies")
MERGE_DEAL = ("merge_deal", "Can merge duplicate deals")


class Company(Curated):
    class Kind(models.TextChoices):
        TECH = "tech", "Tech company"
        AUTOMAKER = "automaker", "Automaker"
        EV_STARTUP = "ev_startup", "EV start-up"
        SUPPLIER = "supplier", "Supplier"
        INVESTOR = "investor", "Investor"
        GOVERNMENT = "government", "Government-backed entity"
        VENTURE = "venture", "Joint venture, unit or brand"
        OTHER = "other", "Other company"

    class EntryMode(models.TextChoices):
        OWN_CARS = "own_cars", "Builds its own cars"
        JOINT_VENTURE = "joint_venture", "Joint venture with an automaker"
        TECH_SUPPLIER = "tech_supplier", "Technology supplier"
        INVESTOR_ONLY = "investor_only", "Investor only"

    name = models.CharField(max_length=200, help_text="The name readers know it by, e.g. “Xiaomi”.")
    # What every list sorts companies by: the name without case or accents, numbers by value.
    sort_name = SortKeyField(source="name", help_text="Computed from the name, for sorting.")
    kind = models.CharField(max_length=12, choices=Kind.choices, db_index=True, help_text="What sort of company it is.")
    headquarters = models.CharField(
        max_length=200, blank=True, help_text="City and country, only where a source states it."
    )
    website = WebAddressField(blank=True, help_text="Official site, only if a source gives it.")
    summary = models.TextField(blank=True, help_text="One paragraph in our own words; no quotes here.")
    entry_mode = models.CharField(
        max_length=16,
        choices=EntryMode.choices,
        blank=True,
        help_text="Tech companies only: how it is entering the EV market.",
    )
    evidence_note = models.TextField(
        blank=True,
        help_text="Where sources disagree about this company: which account the tracker prefers and why.",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The company this one is an arm of (e.g. an investment arm's group).",
    )

    class Meta:
        ordering = ["sort_name", "pk"]
        verbose_name_plural = "companies"
        permissions = [*data_permissions("company", "companies", publish=True), MERGE_COMPANY]
        # The company list reads published companies in name order from this index.
        indexes = [models.Index(fields=["editorial_state", "sort_name"], name="company_published_name_order")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("companies:company_detail", kwargs={"slug": self.slug})

    def publication_problems(self) -> list[str]:
        return support_problems(supporting_sources(self))

    def clean(self) -> None:
        if self.entry_mode and self.kind != self.Kind.TECH:
            raise ValidationError({"entry_mode": "Only a tech company has an EV entry mode; leave it empty."})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": "A company cannot be its own parent."})


class AliasQuerySet(DependentQuerySet):
    """An alias may be shown when its company is published."""

    parents = ("company",)


class Alias(models.Model):
    class Kind(models.TextChoices):
        OTHER_NAME = "other", "Other name or spelling"
        CHINESE = "chinese", "Chinese name"
        FORMER = "former", "Former name"
        MISSPELLING = "misspelling", "Misspelling seen in sources"
        SHORT = "short", "Short form"

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="aliases", help_text="The company this is another name for."
    )
    name = models.CharField(max_length=200, help_text="Spelled exactly as a source or readers write it.")
    kind = models.CharField(
        max_length=12, choices=Kind.choices, default=Kind.OTHER_NAME, help_text="Why readers may meet this name."
    )
    history = HistoricalRecords()

    objects = AliasQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "aliases"
        permissions = data_permissions("alias", "aliases")
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="alias_unique_per_company")]

    def __str__(self) -> str:
        return self.name


def deal_date_order(*, newest_first: bool, prefix: str = "") -> list:
    """`order_by()` terms putting deals in date order, each partial date at the end of its period
    (core/partial_dates.py), undated deals last, ties by title then slug; `prefix` reaches
    the deal from a related model (`"deal__"` on participations)."""
    return [partial_date_order(f"{prefix}date", newest_first=newest_first), f"{prefix}title", f"{prefix}slug"]


class DealQuerySet(CuratedQuerySet):
    def ordered_newest_first(self) -> "DealQuerySet":
        return self.order_by(*deal_date_order(newest_first=True))

    def ordered_oldest_first(self) -> "DealQuerySet":
        return self.order_by(*deal_date_order(newest_first=False))


class Deal(Curated):
    class Kind(models.TextChoices):
        JOINT_VENTURE = "joint_venture", "Joint venture"
        INVESTMENT = "investment", "Investment"
        FUNDING_ROUND = "funding_round", "Funding round"
        ACQUISITION = "acquisition", "Acquisition"
        PARTNERSHIP = "partnership", "Partnership"
        SUBSIDIARY = "subsidiary", "New subsidiary or unit"
        RESTRUCTURING = "restructuring", "Restructuring"

    class Status(models.TextChoices):
        RUMOURED = "rumoured", "Rumoured"
        IN_TALKS = "in_talks", "In talks"
        ANNOUNCED = "announced", "Announced"
        COMPLETED = "completed", "Completed"
        CALLED_OFF = "called_off", "Stalled or called off"

    title = models.CharField(max_length=250, help_text="Short headline, e.g. “360 leads Hozon Auto series D”.")
    sort_title = SortKeyField(source="title", help_text="Computed from the title, for sorting.")
    kind = models.CharField(max_length=16, choices=Kind.choices, db_index=True, help_text="What sort of move it is.")
    round_name = models.CharField(max_length=40, blank=True, help_text="Funding rounds only, e.g. “Series D”.")
    status = models.CharField(
        max_length=12, choices=Status.choices, db_index=True, help_text="How far it had got, as of the latest source."
    )
    date = models.DateField(
        null=True,
        blank=True,
        help_text="When it happened or was announced. For a month or a year, enter its first day "
        "and set the precision.",
    )
    date_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        help_text="Whether the date is known to the day, month or year.",
    )
    # What every list sorts and groups deals by (core/partial_dates.py), kept by the database.
    date_sort_key = partial_date_sort_key_field("date")
    amount = models.DecimalField(
        max_digits=20, decimal_places=2, null=True, blank=True, help_text="As stated, in whole units."
    )
    currency = models.CharField(
        max_length=3,
        blank=True,
        validators=[validate_currency_code],
        help_text="ISO 4217 code of the amount: CNY, USD, EUR…",
    )
    amount_note = models.CharField(
        max_length=200, blank=True, help_text="What the amount covers, e.g. “over the next decade”."
    )
    venture = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="created_by_deals",
        help_text="The joint venture, subsidiary or brand this deal created, if any.",
    )
    summary = models.TextField(blank=True, help_text="Two or three sentences in our own words.")
    evidence_note = models.TextField(
        blank=True,
        help_text="Where sources disagree: which value the tracker prefers and why.",
    )
    companies = models.ManyToManyField(Company, through="Participation", related_name="deals")

    objects = DealQuerySet.as_manager()

    class Meta:
        ordering = deal_date_order(newest_first=True)
        permissions = [*data_permissions("deal", "deals", publish=True), MERGE_DEAL]
        # The public pages read published deals only: the lists' date order, the home page's money
        # by status and currency and its chart by quarter and kind, each from one index without a
        # sort of every deal (the last two without reading the table at all).
        indexes = [
            models.Index(
                fields=["editorial_state", "date_sort_key", "title", "slug"], name="deal_published_date_order"
            ),
            models.Index(fields=["editorial_state", "status", "currency", "amount"], name="deal_published_money"),
            models.Index(fields=["editorial_state", "date_sort_key", "kind"], name="deal_published_by_period"),
        ]
        constraints = [
            partial_date_constraint("date", name="deal_date_has_precision"),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | ~models.Q(currency=""),
                name="deal_amount_has_currency",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("companies:deal_detail", kwargs={"slug": self.slug})

    @property
    def date_display(self) -> str:
        return format_partial_date_human(self.date, self.date_precision)

    @property
    def date_iso(self) -> str:
        return format_partial_date_iso(self.date, self.date_precision)

    def publication_problems(self) -> list[str]:
        return deal_problems(has_parties=self.participations.exists(), sources=supporting_sources(self))

    def clean(self) -> None:
        validate_partial_date(self.date, self.date_precision, field="date")
        if self.amount is not None and not self.currency:
            raise ValidationError({"currency": "An amount needs its currency (ISO 4217 code)."})
        if self.currency and self.amount is None:
            raise ValidationError({"amount": "A currency without an amount: fill in the amount or clear both."})
        if self.amount is not None and self.amount < 0:
            raise ValidationError({"amount": "An amount cannot be negative."})
        if self.round_name and self.kind != self.Kind.FUNDING_ROUND:
            raise ValidationError({"round_name": "Only a funding round has a round name."})


class ParticipationQuerySet(DependentQuerySet):
    """A company's part in a deal may be shown when both the deal and the company are published."""

    parents = ("deal", "company")


class Participation(models.Model):
    class Role(models.TextChoices):
        LEAD_INVESTOR = "lead_investor", "Lead investor"
        INVESTOR = "investor", "Investor"
        ACQUIRER = "acquirer", "Acquirer"
        TARGET = "target", "Target"
        FUNDED = "funded", "Raised the funds"
        PARTNER = "partner", "Partner"
        CONTROLLING = "controlling_shareholder", "Controlling shareholder"
        MINORITY = "minority_shareholder", "Minority shareholder"
        PARENT = "parent", "Parent"
        SELLER = "seller", "Seller"

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="participations", help_text="The deal.")
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="participations", help_text="A company taking part in it."
    )
    role = models.CharField(max_length=24, choices=Role.choices, help_text="The part that company plays in the deal.")
    stake_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Share of the venture or target held after the deal, in percent, if stated.",
    )
    note = models.CharField(max_length=200, blank=True, help_text="E.g. “second-largest shareholder”.")
    history = HistoricalRecords()

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["deal", "role", "company__name"]
        permissions = data_permissions("participation", "participations")
        constraints = [
            models.UniqueConstraint(fields=["deal", "company", "role"], name="participation_unique_role"),
            models.CheckConstraint(
                condition=models.Q(stake_percent__isnull=True) | models.Q(stake_percent__gte=0, stake_percent__lte=100),
                name="participation_stake_is_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} — {self.get_role_display()} in {self.deal}"

    def clean(self) -> None:
        if self.stake_percent is not None and not 0 <= self.stake_percent <= 100:
            raise ValidationError({"stake_percent": "A stake is a percentage from 0 to 100."})
