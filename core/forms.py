"""Form fields the admin shares: a partial date typed as the data files write it.

A partial date is two model fields (`date` and `date_precision`, core/partial_dates.py); on a
form it is one box that takes `2021`, `2021-05` or `2021-05-18`, as imports do, and sets both.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst

from core.partial_dates import PARTIAL_DATE_RE, format_partial_date_iso, parse_partial_date

PARTIAL_DATE_FORMS = "Enter a date as YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2021-05)."
PARTIAL_DATE_HELP = (
    "As precise as the sources are: 2021 for a year, 2021-05 for a month, 2021-05-18 for a day. "
    "The precision follows what you type."
)


def precision_field_name(date_field: str) -> str:
    return f"{date_field}_precision"


def is_partial_date(db_field) -> bool:
    """A model's date field that has a precision beside it (Deal.date, Source.published_date)."""
    if not isinstance(db_field, models.DateField) or isinstance(db_field, models.DateTimeField):
        return False
    names = {field.name for field in db_field.model._meta.fields}
    return precision_field_name(db_field.name) in names


def partial_date_formfield(db_field) -> "PartialDateField":
    return PartialDateField(required=not db_field.blank, label=capfirst(db_field.verbose_name))


class PartialDate(tuple):
    """What the field cleans to: the period's first day and its precision."""

    def __new__(cls, date: datetime.date, precision: str):
        return super().__new__(cls, (date, precision))

    @property
    def date(self) -> datetime.date:
        return self[0]

    @property
    def precision(self) -> str:
        return self[1]


class PartialDateField(forms.CharField):
    """One box for a date known to the year, the month or the day."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", PARTIAL_DATE_HELP)
        attrs = {"placeholder": "YYYY-MM-DD", "size": 12, "class": "partial-date", "inputmode": "numeric"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(max_length=10, **kwargs)

    def to_python(self, value) -> PartialDate | None:
        text = super().to_python(value)
        if not text:
            return None
        if not PARTIAL_DATE_RE.match(text):
            raise ValidationError(PARTIAL_DATE_FORMS, code="invalid")
        try:
            return PartialDate(*parse_partial_date(text))
        except ValueError as error:  # the right shape, not a day of the calendar: say which part
            raise ValidationError(f"{PARTIAL_DATE_FORMS} {error}", code="invalid") from None


class PartialDateFormMixin:
    """Mixed into a ModelForm with PartialDateFields named after the model's date fields: shows
    the stored date at its precision, and on save sets the date and its precision together (the
    precision field itself is left off the form)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.partial_date_field_names():
            stored = self.initial.get(name)
            if isinstance(stored, datetime.date):  # from the instance, not a typed initial value
                precision = getattr(self.instance, precision_field_name(name), "")
                self.initial[name] = format_partial_date_iso(stored, precision)

    def partial_date_field_names(self) -> list[str]:
        return [name for name, field in self.fields.items() if isinstance(field, PartialDateField)]

    def clean(self):
        cleaned = super().clean()
        for name in self.partial_date_field_names():
            if name not in cleaned:  # refused above, with its message
                continue
            value = cleaned[name]
            cleaned[name] = value.date if value else None
            precision = value.precision if value else ""
            # The precision is not on the form, so ModelForm would not copy it to the record.
            setattr(self.instance, precision_field_name(name), precision)
            cleaned[precision_field_name(name)] = precision
        return cleaned
