"""One article in, one analysis out: the JSON structure documented in the README ("Article
assistant"). Offsets count characters of the analysed text (for a web page, the extracted text)."""

import datetime

from ingest.dates import stated_publication_date
from ingest.deals import propose_deals
from ingest.matching import match_deals
from ingest.mentions import find_mentions
from ingest.noise import propose_noise
from ingest.stories import SOURCE_INDEX, story_verdict
from ingest.text import article_from_html
from sources.models import Source, text_sha256


def article_date(text: str, published_date: datetime.date | None) -> datetime.date | None:
    """The date relative dates are resolved against: one the text states wins over the one given."""
    return stated_publication_date(text) or published_date


def published_date_of(text: str, published_date: datetime.date | None) -> dict:
    """The article's date and where it comes from: "stated" (the text gives it as its own, and it
    wins), "given" (the editor's or the command's), or none."""
    stated = stated_publication_date(text)
    if stated:
        return {"date": stated.isoformat(), "basis": "stated"}
    if published_date:
        return {"date": published_date.isoformat(), "basis": "given"}
    return {"date": None, "basis": None}


def analyse_article(*, text: str = "", published_date: datetime.date | None = None, html: str | None = None) -> dict:
    """The analysis of an article given as text, or as a saved web page (`html`, whose extracted
    text is then what is analysed). Reads the database; writes nothing."""
    if html:
        text = article_from_html(html).text
    sha256 = text_sha256(text)
    duplicate = Source.objects.filter(sha256=sha256).values_list("slug", flat=True).first()
    empty_story = {"verdict": "new", "story": None, "relation": None, "candidates": []}
    if duplicate:
        return {
            "sha256": sha256,
            "duplicate_of": duplicate,
            "story": empty_story,
            "noise": [],
            "mentions": [],
            "candidates": [],
            "published_date": published_date_of(text, published_date),
        }
    mentions = find_mentions(text)
    base = article_date(text, published_date)
    # Every sentence that would be proposed as a candidate states a fact, and stays out of noise.
    facts = [(c["start"], c["end"]) for c in propose_deals(text=text, mentions=mentions, noise=[], base=base)]
    known = [(m["start"], m["end"]) for m in mentions if m["company"]]
    noise = propose_noise(text=text, fact_spans=facts, known_spans=known)
    noise_spans = [(n["start"], n["end"]) for n in noise]
    mentions = [m for m in mentions if not any(a < m["end"] and m["start"] < b for a, b in noise_spans)]
    candidates = propose_deals(text=text, mentions=mentions, noise=noise_spans, base=base)
    return {
        "sha256": sha256,
        "duplicate_of": None,
        "story": story_verdict(text=text, noise=noise_spans),
        "noise": noise,
        "mentions": [{key: m[key] for key in ("start", "end", "text", "company", "match", "score")} for m in mentions],
        "candidates": match_deals(candidates),
        "published_date": published_date_of(text, published_date),
    }


__all__ = ["SOURCE_INDEX", "analyse_article"]
