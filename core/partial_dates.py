"""Dates known only to a day, a month or a year ("Dec 2020" is not "2020-12-01").

A partial date is stored as a DateField holding the first day of its period plus a precision.
In CSV files and downloads it is written as ISO 8601 at its precision: 2020, 2020-12, 2020-12-15.
Lists sort a partial date by the end of its period (see "order" below), never by its first day.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import Exact


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


PARTIAL_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_partial_date(text: str) -> tuple[datetime.date, str]:
    """Parse `2020`, `2020-12` or `2020-12-15`; raise ValueError naming what is wrong."""
    match = PARTIAL_DATE_RE.match(text.strip())
    if not match:
        raise ValueError(f'"{text}" is not a date: write YYYY, YYYY-MM or YYYY-MM-DD.')
    year, month, day = match.groups()
    try:
        value = datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError as error:
        raise ValueError(f'"{text}" is not a date ({error}).') from None
    precision = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
    return value, precision


def format_partial_date_iso(value: datetime.date | None, precision: str) -> str:
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def format_partial_date_human(value: datetime.date | None, precision: str) -> str:
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return value.strftime("%b %Y")
    return f"{value.day} {value.strftime('%b %Y')}"


def validate_partial_date(value: datetime.date | None, precision: str, *, field: str) -> None:
    """Raise ValidationError on `field` when the date and its precision do not fit together."""
    precision_field = f"{field}_precision"
    if value is None:
        if precision:
            raise ValidationError({precision_field: "A precision needs a date; clear one or fill in both."})
        return
    if not precision:
        raise ValidationError({precision_field: "Say whether the date is known to the day, month or year."})
    if precision == DatePrecision.MONTH and value.day != 1:
        raise ValidationError(
            {field: f"A date known only to the month is stored as the 1st of that month, not {value.isoformat()}."}
        )
    if precision == DatePrecision.YEAR and (value.month, value.day) != (1, 1):
        raise ValidationError(
            {field: f"A date known only to the year is stored as 1 January, not {value.isoformat()}."}
        )


def partial_date_constraint(field: str, *, name: str) -> models.CheckConstraint:
    """Database guard: a date and its precision are both set or both empty."""
    return models.CheckConstraint(
        condition=(
            models.Q(**{f"{field}__isnull": True, f"{field}_precision": ""})
            | (models.Q(**{f"{field}__isnull": False}) & ~models.Q(**{f"{field}_precision": ""}))
        ),
        name=name,
    )


# -- order ------------------------------------------------------------------------------------
# A partial date sorts by the end of its period: "2021" by 31 December 2021, "Mar 2021" by the
# last day of March. So a year-only or month-only event never claims to come before a dated
# event inside its period: oldest first, "2021" comes after every dated 2021 event; newest first,
# before them. Where periods end on the same day (31 Dec 2021, Dec 2021, 2021), the finer date
# counts as earlier, so newest first is exactly oldest first reversed.
#
# The key is one integer, YYYYMMDDP: the period's last day, then the precision's rank P. Day 31
# stands for every month's last day: no date in the month sorts after it, so the order is the
# one the true last day gives, and the database needs no calendar to compute it. The database
# expression and the Python key are both built from this table.
PERIOD_END = {
    # precision: (month, day) of the period's last day; None keeps the date's own.
    DatePrecision.DAY: (None, None),
    DatePrecision.MONTH: (None, 31),
    DatePrecision.YEAR: (12, 31),
}
PRECISION_RANK = {DatePrecision.DAY: 0, DatePrecision.MONTH: 1, DatePrecision.YEAR: 2}


def date_sort_key(value: datetime.date | None, precision: str) -> int | None:
    """The sort key of a partial date, for sorting records in Python (`sorted(deals, key=...)`
    on what a page already holds); None for no date, which callers put last."""
    if value is None:
        return None
    end_month, end_day = PERIOD_END[precision]
    period_end = (value.year * 100 + (end_month or value.month)) * 100 + (end_day or value.day)
    return period_end * 10 + PRECISION_RANK[precision]


class _SQLiteDatePart:
    """On SQLite, read a part of a date from its stored text (`YYYY-MM-DD`) with substr(): Django's
    EXTRACT there calls back into Python for every row, which dominates a sort of 20,000 deals.
    Other databases keep their native EXTRACT."""

    first_character: int
    length: int

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"CAST(substr({sql}, {self.first_character}, {self.length}) AS integer)", params


class DateYear(_SQLiteDatePart, ExtractYear):
    first_character, length = 1, 4


class DateMonth(_SQLiteDatePart, ExtractMonth):
    first_character, length = 6, 2


class DateDay(_SQLiteDatePart, ExtractDay):
    first_character, length = 9, 2


class PartialDateSortKey(models.Case):
    """The same key computed by the database for the date field `field` and its precision
    (`deal__date` reaches a related record's); NULL for no date. Portable SQL: EXTRACT and CASE.
    A class of its own so that a migration names it in one readable call."""

    def __init__(self, field: str) -> None:
        year, month, day = DateYear(field), DateMonth(field), DateDay(field)
        cases = []
        for precision, (end_month, end_day) in PERIOD_END.items():
            period_end = (year * 100 + (month if end_month is None else end_month)) * 100 + (
                day if end_day is None else end_day
            )
            key = period_end * 10 + PRECISION_RANK[precision]
            # A lookup rather than a keyword condition (a Q): Django can then re-root the expression
            # when another model orders by this one (Participation's Meta.ordering is by "deal").
            is_precision = Exact(models.F(f"{field}_precision"), str(precision))
            cases.append(models.When(is_precision, then=key))
        super().__init__(*cases, default=None, output_field=models.IntegerField())


def date_sort_key_expression(field: str) -> PartialDateSortKey:
    """The key of `field` computed in a query (what its stored sort key column holds)."""
    return PartialDateSortKey(field)


def sort_key_field_name(field: str) -> str:
    """The column holding the sort key of the partial date `field` (`deal__date` reaches a related
    record's): `date` → `date_sort_key`."""
    return f"{field}_sort_key"


def partial_date_sort_key_field(field: str) -> models.GeneratedField:
    """A stored, indexed column with the sort key of the partial date `field`, named by
    `sort_key_field_name`. The database computes it on every insert and update (admin, import,
    bulk_create, bulk_update alike), so no write path has to remember it; lists sort and group
    on it without building the CASE above into every query."""
    return models.GeneratedField(
        expression=date_sort_key_expression(field),
        output_field=models.IntegerField(null=True),
        db_persist=True,
        db_index=True,
        verbose_name=f"{field.replace('_', ' ')} sort key",
        help_text="Computed from the date and its precision: the period's last day as YYYYMMDD, then the precision.",
    )


def partial_date_order(field: str, *, newest_first: bool) -> models.OrderBy:
    """The `order_by()` term for the partial date `field` (through its stored sort key), undated
    records last either way; callers add their tie-breakers (title, then slug)."""
    key = models.F(sort_key_field_name(field))
    return key.desc(nulls_last=True) if newest_first else key.asc(nulls_last=True)
