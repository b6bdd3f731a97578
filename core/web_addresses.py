"""Web addresses: the links readers follow from a page (a company's site, a source's original)."""

from django.core.validators import URLValidator
from django.db import models

WEB_SCHEMES = ("http", "https")


class WebAddressField(models.URLField):
    """A URLField that takes http and https only: Django's default also takes ftp and ftps,
    which no reader's browser opens and the data dictionary does not allow."""

    default_validators = [
        URLValidator(
            schemes=list(WEB_SCHEMES),
            message="Enter a web address starting with https:// or http://.",
            # Not Django's "invalid": a model form would put its own "Enter a valid URL." in place
            # of a message with that code.
            code="web_address",
        )
    ]
