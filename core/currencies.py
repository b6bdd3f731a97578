"""ISO 4217 currency codes, from pycountry's copy of the standard."""

import pycountry
from django.core.exceptions import ValidationError


def validate_currency_code(value: str) -> None:
    if value and pycountry.currencies.get(alpha_3=value) is None:
        raise ValidationError(
            f'"{value}" is not an ISO 4217 currency code (examples: CNY, USD, EUR).',
            code="invalid_currency",
        )
