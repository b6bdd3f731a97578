"""Reading an article: plain text as it is, a saved web page through trafilatura, and the
sentences and paragraphs every other step of the analysis works on."""

import re
from dataclasses import dataclass, field

from sources.models import text_sha256

# A sentence ends at . ! or ? (maybe inside a closing quote or bracket) before a space and a
# capital, digit or opening quote; "U.S. sanctions" stays one sentence as a lower-case word follows.
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[A-Z0-9“\"‘(])")
ABBREVIATIONS = (
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "Inc.",
    "Co.",
    "Corp.",
    "Ltd.",
    "St.",
    "No.",
    "U.S.",
    "U.K.",
    "Jan.",
    "Feb.",
)


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


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, without its surrounding spaces."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        start, end = match.span()
        stripped = match.group()
        left = len(stripped) - len(stripped.lstrip())
        right = len(stripped) - len(stripped.rstrip())
        if end - right > start + left:
            spans.append((start + left, end - right))
    return spans


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, paragraph by paragraph."""
    spans = []
    for para_start, para_end in paragraph_spans(text):
        start = para_start
        for match in SENTENCE_END.finditer(text, para_start, para_end):
            if text[start : match.start()].endswith(ABBREVIATIONS):
                continue
            spans.append((start, match.start()))
            start = match.end()
        spans.append((start, para_end))
    return [(s, e) for s, e in spans if e > s]


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


def normalised(text: str) -> str:
    """Lower case, curly quotes made straight, runs of space made one: for comparing wordings."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()
