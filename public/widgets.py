"""Form widgets of the public filter forms."""

import re

from django import forms

# HTML's "valid floating-point number": the only thing an <input type=number> may hold as its value.
HTML_NUMBER = re.compile(r"-?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?")


class NumberInput(forms.NumberInput):
    """A number field that does not write a value that is no number (`?year=soon`) back into the
    page: that would be invalid HTML, and a browser shows such a field empty anyway. The form's
    error message still names the field and what was wrong."""

    def format_value(self, value) -> str | None:
        text = super().format_value(value)
        return text if text is None or HTML_NUMBER.fullmatch(text) else None
