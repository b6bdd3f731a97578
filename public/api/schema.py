"""What the OpenAPI schema says about the pages' filters beyond drf-spectacular's reading of them.

drf-spectacular documents each django-filter field's type and choices; the limits the form fields
enforce (a search of at most 100 characters, a year from 1900 to 2100, an amount of at most two
decimals, an ISO 4217 code) answer 400 when broken, so the schema states them too: a client (and
Schemathesis) then knows exactly which values are accepted.
"""

import pycountry
from django import forms
from drf_spectacular.contrib.django_filters import DjangoFilterExtension

from core.currencies import validate_currency_code

# Django's text fields refuse NUL characters (ProhibitNullCharactersValidator).
NO_NUL = "^[^\\u0000]*$"
# What a DecimalField of `max_digits` with 2 decimal places accepts, written plainly.
PLAIN_AMOUNT = "^(0|[1-9][0-9]{0,%d})(\\.[0-9]{1,2})?$"


def form_field_limits(field: forms.Field) -> dict:
    """The schema keywords for what `field` (a filter's form field) refuses."""
    if validate_currency_code in field.validators:
        return {"enum": sorted(currency.alpha_3 for currency in pycountry.currencies)}
    if isinstance(field, forms.DecimalField):
        return {"type": "string", "pattern": PLAIN_AMOUNT % (field.max_digits - field.decimal_places - 1)}
    if isinstance(field, forms.IntegerField):
        return {"type": "integer", "minimum": field.min_value, "maximum": field.max_value}
    if isinstance(field, forms.CharField) and not isinstance(field, forms.ChoiceField):
        return {"maxLength": field.max_length, "pattern": NO_NUL}
    return {}


class FilterLimitsExtension(DjangoFilterExtension):
    """drf-spectacular's django-filter extension, with each filter's limits (registered on import;
    `priority` puts it before the library's own)."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        limits = {key: value for key, value in form_field_limits(filter_field.field).items() if value is not None}
        for parameter in parameters:
            parameter["schema"].update(limits)
        return parameters
