"""Template filters for the public pages: partial dates, `<time datetime>` values and amounts of money."""

import datetime
import re
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from core.currencies import amount_short_text, amount_text
from core.partial_dates import format_partial_date_human, format_partial_date_iso

register = template.Library()

CODE_SPAN = re.compile(r"`([^`]+)`")


@register.filter
def partial_date(value: datetime.date | None, precision: str) -> str:
    """`{{ date|partial_date:precision }}`: “Dec 2020” for a month, never a made-up day."""
    return format_partial_date_human(value, precision)


@register.filter
def partial_date_iso(value: datetime.date | None, precision: str) -> str:
    return format_partial_date_iso(value, precision)


@register.filter
def datetime_attribute(value: datetime.datetime | None) -> str:
    """`<time datetime="{{ record.first_published_at|datetime_attribute }}">`: to the second, with its
    UTC offset. Django's `date:'c'` writes microseconds, and HTML allows at most three digits."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """`{{ deal.amount|money:deal.currency }}`: “USD 465,800,000”, cents only when there are any."""
    return amount_text(amount, currency)


@register.filter
def money_short(amount: Decimal | None, currency: str) -> str:
    """“USD 10.5 billion”: a headline figure, rounded to what a reader takes in at a glance."""
    return amount_short_text(amount, currency)


@register.filter(needs_autoescape=True)
def inline_code(text: str, autoescape: bool = True) -> str:
    """Show the `code` spans of a column's description as <code>, escaping everything else."""
    escaped = conditional_escape(text) if autoescape else text
    return mark_safe(CODE_SPAN.sub(r"<code>\1</code>", escaped))  # noqa: S308 (input escaped above)


@register.filter
def plain_number(value: Decimal | None) -> str:
    """12.5 for Decimal("12.50"), 50 for Decimal("50.00"): no trailing zeros, no exponent."""
    if value is None:
        return ""
    return format(value.normalize(), "f")
