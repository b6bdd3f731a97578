"""Reading an article: plain text as it is, a saved web page through trafilatura, and the
sentences and paragraphs every other step of the analysis works on."""

from dataclasses import dataclass, field

from sources.models import text_sha256
from sources.similarity import normalised, paragraph_spans, sentence_spans  # moved down: the add form uses them too


@dataclass
class Article:
    """What the analysis reads: `text` (excerpt offsets point into it) and, for a web page, the
    raw HTML with its digest and the metadata found in it, offered as suggestions only."""

    text: str
    html: str = ""
    html_sha256: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


def article_from_html(html: str) -> Article:
    import trafilatura  # imported here: loading it takes a noticeable moment, and plain text never needs it

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True) or ""
    found = trafilatura.extract_metadata(html)
    metadata = {}
    if found is not None:
        for name in ("title", "author", "sitename", "date", "url"):
            value = getattr(found, name, None)
            if value:
                metadata["site" if name == "sitename" else name] = str(value)
    return Article(text=text, html=html, html_sha256=text_sha256(html), metadata=metadata)


TERMINAL = (".", "!", "?", '"', "”", "’", ")")


def is_prose(line: str) -> bool:
    """A line of running text: a sentence of a dozen words or more that ends as sentences do."""
    return len(line.split()) >= 12 and line.rstrip().endswith(TERMINAL)


def header_spans(text: str) -> list[tuple[int, int]]:
    """The lines above the first prose that do not end as sentences do: the page's headline,
    standfirst and summary bullets, which restate the body."""
    spans = []
    for start, end in paragraph_spans(text):
        line = text[start:end]
        if is_prose(line):
            break
        if not line.rstrip().endswith(TERMINAL):
            spans.append((start, end))
    return spans


__all__ = [
    "Article",
    "article_from_html",
    "header_spans",
    "is_prose",
    "normalised",
    "paragraph_spans",
    "sentence_spans",
]
