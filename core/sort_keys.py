"""Names and titles in the order readers expect: case and accents ignored, numbers by value.

"BMW" sorts beside "Baidu", "Škoda" beside "Skoda", "Company 2" before "Company 10". Neither
database does this portably (SQLite has no accent folding; PostgreSQL's ICU collations differ from
any SQLite one), so the key is computed in Python and stored beside the text it orders, in a column
that both databases compare byte by byte: `SortKeyField`.
"""

import re
import unicodedata

from django.db import models

DIGITS = re.compile(r"\d+")


def _number_key(match: re.Match) -> str:
    # A run of digits becomes its length (two digits) and then the digits: shorter numbers are
    # smaller, so plain text comparison orders "2" before "10" whatever the number of digits.
    digits = match.group().lstrip("0") or "0"
    return f"{len(digits):02d}{digits}"


def natural_sort_key(text: str) -> str:
    """The text folded for sorting: accents dropped, case folded, numbers compared by value."""
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return DIGITS.sub(_number_key, " ".join(folded.split()))


class SortKeyField(models.CharField):
    """A column holding `natural_sort_key()` of the field `source`, set whenever Django writes the
    row: `save()` and `bulk_create()` call `pre_save()`; `bulk_update()` does not, so the bulk
    import writer calls `refresh_sort_keys()` first. Never edited by hand."""

    def __init__(self, *args, source: str = "", **kwargs) -> None:
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("editable", False), ("max_length", 300), ("blank", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        key = natural_sort_key(getattr(model_instance, self.source) or "")[: self.max_length]
        setattr(model_instance, self.attname, key)
        return key

    def db_parameters(self, connection) -> dict:
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql" and not self.db_collation:
            # Byte order, as SQLite compares: the database's default collation (en_US and the
            # like) skips spaces and punctuation and would reorder keys that SQLite keeps.
            parameters["collation"] = "C"
        return parameters


def refresh_sort_keys(instance: models.Model) -> None:
    """Set every sort key of `instance` from its text (for write paths that skip `pre_save()`)."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, SortKeyField):
            field.pre_save(instance, add=False)
