"""Find where a verbatim quote (or a noise span's text) sits in a source's text.

Editors paste quotes; they never count characters. The offsets are computed here, and a quote
that is not in the text, or that is there more than once without a way to tell which, is refused
with a message that says what to do.

What an editor pastes is compared as text, not as bytes of a file: a browser's textarea sends
line ends as CR LF whatever the archived text has, so a line end in a quote matches any line end
in the text (the caller then stores the text's own characters). The context before a quote only
picks one occurrence, so its spacing does not matter at all.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

# Typographic characters that look alike on screen but differ as text.
LOOKALIKES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " ", "–": "-", "—": "-"})
LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Pasted:
    """What is being anchored, for the messages: its name and how to tell occurrences apart."""

    name: str
    choose_one: str


QUOTE = Pasted("the quote", "Add the words just before it as context, or give the start offset.")
NOISE = Pasted("the noise text", "Paste more of the noise around it, so that it occurs only once.")


def normalise_line_ends(value: str) -> str:
    """CR LF and lone CR as LF, the line end of every archived seed text."""
    return LINE_END.sub("\n", value)


def _verbatim(needle: str) -> str:
    """A pattern for `needle` exactly, except that any line end stands for any line end."""
    return f"(?:{LINE_END.pattern})".join(re.escape(line) for line in LINE_END.split(needle))


def _after_context(context_before: str, needle: str) -> re.Pattern:
    # The context's words in order, with any spacing between them and before the quote: editors
    # copy the space before a quote or leave it out, and a browser sends a line break as CR LF.
    words = r"\s+".join(re.escape(word) for word in context_before.split())
    return re.compile(rf"{words}\s*(?P<needle>{_verbatim(needle)})")


def _loosely(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(LOOKALIKES))


def locate_quote(
    text: str, quote: str, *, start: int | None = None, context_before: str = "", pasted: Pasted = QUOTE
) -> tuple[int, int]:
    """Return where `quote` starts and ends in `text`, or raise ValidationError saying why it cannot."""
    name = pasted.name.capitalize()
    if not quote:
        raise ValidationError({"quote": f"{name} is empty."})
    if start is not None:
        found = re.compile(_verbatim(quote)).match(text, start)
        if found is None:
            raise ValidationError(
                {
                    "start": f"{name} is not at character {start} of the source text; clear the offset "
                    "to have it found, or correct it."
                }
            )
        return found.span()
    if context_before.strip():
        return _locate_after_context(text, quote, context_before, pasted)
    spans = [found.span() for found in re.finditer(_verbatim(quote), text)]
    if len(spans) == 1:
        return spans[0]
    if not spans:
        hint = ""
        if _loosely(quote) in _loosely(text):
            hint = " It differs from the source only in quotation marks, dashes or spacing: copy it exactly."
        raise ValidationError({"quote": f"{name} does not occur in the source text.{hint}"})
    where = ", ".join(str(span[0]) for span in spans[:5])
    raise ValidationError(
        {"quote": f"{name} occurs {len(spans)} times in the source text (at characters {where}). {pasted.choose_one}"}
    )


def _locate_after_context(text: str, quote: str, context_before: str, pasted: Pasted) -> tuple[int, int]:
    spans = [found.span("needle") for found in _after_context(context_before, quote).finditer(text)]
    if len(spans) == 1:
        return spans[0]
    if not spans:
        raise ValidationError(
            {"context_before": f"The context before is not immediately followed by {pasted.name} in the source text."}
        )
    together = f"{pasted.name.capitalize()} and context together still occur more than once; add more context."
    raise ValidationError({"context_before": together})
