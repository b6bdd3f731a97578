"""Dates known only to a day, a month or a year ("Dec 2020" is not "2020-12-01").

A partial date is stored as a DateField holding the first day of its period plus a precision.
In CSV files and downloads it is written as ISO 8601 at its precision: 2020, 2020-12, 2020-12-15.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import models


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
