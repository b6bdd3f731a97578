"""ISO 4217 currency codes, from pycountry's copy of the standard."""

from decimal import Decimal

import pycountry
from django.core.exceptions import ValidationError


def validate_currency_code(value: str) -> None:
    if value and pycountry.currencies.get(alpha_3=value) is None:
        raise ValidationError(
            f'"{value}" is not an ISO 4217 currency code (examples: CNY, USD, EUR).',
            code="invalid_currency",
        )


SCALES = ((Decimal(10**12), "trillion"), (Decimal(10**9), "billion"), (Decimal(10**6), "million"))


def amount_text(amount: Decimal | None, currency: str) -> str:
    """“USD 465,800,000”, cents only when there are any; "" for no amount. The one way an amount is
    written, on the public pages and in the admin."""
    if amount is None:
        return ""
    digits = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{currency} {digits}"


def amount_short_text(amount: Decimal | None, currency: str) -> str:
    """“USD 10.5 billion”: rounded to what a reader takes in at a glance; "" for no amount."""
    if amount is None:
        return ""
    for scale, word in SCALES:
        if amount >= scale:
            return f"{currency} {f'{amount / scale:,.1f}'.removesuffix('.0')} {word}"
    return amount_text(amount, currency)
