"""Find where a verbatim quote sits in a source's text.

Editors paste quotes; they never count characters. The offsets are computed here, and a quote
that is not in the text, or that is there more than once without a way to tell which, is refused
with a message that says what to do.
"""

import re

from django.core.exceptions import ValidationError

# Typographic characters that look alike on screen but differ as text.
LOOKALIKES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " ", "–": "-", "—": "-"})


def _occurrences(text: str, needle: str) -> list[int]:
    return [match.start() for match in re.finditer(re.escape(needle), text)]


def _loosely(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(LOOKALIKES))


def locate_quote(text: str, quote: str, *, start: int | None = None, context_before: str = "") -> int:
    """Return the offset of `quote` in `text`, or raise ValidationError saying why it cannot."""
    if not quote:
        raise ValidationError({"quote": "The quote is empty."})
    if start is not None:
        if text[start : start + len(quote)] != quote:
            raise ValidationError(
                {
                    "start": f"The quote is not at character {start} of the source text; clear the offset "
                    "to have it found, or correct it."
                }
            )
        return start
    if context_before:
        positions = _occurrences(text, context_before + quote)
        if len(positions) == 1:
            return positions[0] + len(context_before)
        if not positions:
            raise ValidationError(
                {"context_before": "The context before is not immediately followed by the quote in the source text."}
            )
        raise ValidationError(
            {"context_before": "Quote and context together still occur more than once; add more context."}
        )
    positions = _occurrences(text, quote)
    if len(positions) == 1:
        return positions[0]
    if not positions:
        hint = ""
        if _loosely(quote) in _loosely(text):
            hint = " It differs from the source only in quotation marks, dashes or spacing: copy it exactly."
        raise ValidationError({"quote": f"The quote does not occur in the source text.{hint}"})
    where = ", ".join(str(position) for position in positions[:5])
    raise ValidationError(
        {
            "quote": f"The quote occurs {len(positions)} times in the source text (at characters {where}). "
            "Add the words just before it as context, or give the start offset."
        }
    )
