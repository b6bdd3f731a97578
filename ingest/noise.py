"""Spans of a page that are not the article: promos, "Most Read" lists, teasers of other stories,
photo credits, tickers, navigation, leftover tags. Each comes with a label a reader understands.

A span is proposed only from the shape of the page (a known promo line, a line repeated as a
link, the tail of the page after the article ends), and a sentence that names a company, a
figure or a deal word is never put into noise: editors can add noise, but a fact wrongly hidden
would be lost.
"""

import re

from ingest.text import is_prose, paragraph_spans

# Lines that are page furniture wherever they stand, with the label shown to the editor.
FURNITURE = [
    (
        re.compile(
            r"^(get more with|sign up for|subscribe to|subscribe\b|newsletter\b|a personali[sz]ed news feed|learn more$)",  # noqa: E501 (a pattern or table row reads best on one line)
            re.I,
        ),
        "Newsletter or subscription promotion",
    ),
    (re.compile(r"^(advertisement|sponsored( content)?|ad)$", re.I), "Advertising"),
    (re.compile(r"^(photo|image|picture|credit|source)s?\s*:", re.I), "Photo credit"),
    (
        re.compile(r"^(share( this)?( article| story)?|follow @?\w*:?|follow us.*|tweet|email|print|copy link)$", re.I),
        "Social links",
    ),
    (re.compile(r"^have a (news )?tip", re.I), "Tip line"),
    (
        re.compile(
            r"^(home|news|world|business|tech(nology)?|markets|opinion|sport|video|menu|search|log ?in|sign in)(\s*[|/·»>]\s*\w+)+$",  # noqa: E501 (a pattern or table row reads best on one line)
            re.I,
        ),
        "Site navigation",
    ),
    (re.compile(r"^</?[a-z][^>]*>$|^&[a-z]+;$", re.I), "Leftover HTML"),
    (re.compile(r"^([A-Z]{1,5}\s+[\d,.]+\s*[▲▼+−-]?\s*[\d.,]+%?\s*){2,}$"), "Market ticker"),
]
# Where the article has ended: everything from here to the end of the page is other material.
PAGE_TAIL = re.compile(
    r"^(most (read|popular|viewed)|keep reading|read more|latest stories|related (stories|articles|news)?|"
    r"more from\b|recommended( for you)?|you may also like|trending( now)?|top stories|more stories)",
    re.I,
)
TAIL_LABEL = "Other stories on the page"
LINK_LABEL = "Link to a related story"
TEASER_LINES = 8  # how far before a marker the teasers of other stories may begin
# What a fact sentence contains: never hidden as noise unless inside a tail list.
FACT_WORD = re.compile(
    r"\b(invest(s|ed|ing|ment|ments|or|ors)?|acqui\w*|deal|joint venture|partner\w*|funding|round|subsidiar\w*|stake|announc\w*|"  # noqa: E501 (a pattern or table row reads best on one line)
    r"billion|million|shareholder|electric|EVs?|car\w*|automaker|vehicle\w*)\b",
    re.I,
)


def _furniture_label(line: str) -> str | None:
    for pattern, label in FURNITURE:
        if pattern.search(line):
            return label
    return None


def _is_headline(line: str) -> bool:
    words = line.split()
    return 4 <= len(words) <= 18 and not line.rstrip().endswith((".", ":", ",", ";", "”", '"'))


def _is_marker(line: str) -> bool:
    """A heading that opens the page's other material: "Most Read", "Keep Reading" and the like,
    standing as a short line of its own (a sentence of prose starting "Related…" is not one)."""
    return bool(PAGE_TAIL.match(line)) and len(line.split()) <= 6 and not line.rstrip().endswith((".", ",", ";"))


def _teaser_start(text: str, lines: list[tuple[int, int]], marker: int, stops: list[bool]) -> int:
    """Where the other material before a marker begins: back over the teasers just before it, to
    the furthest teaser headline (and a section label over it, "Fintech") within a few lines,
    never over a line tied to the article, and never to the page's first prose: the article's own
    text stays. Without a teaser headline, the marker itself."""
    first_prose = next((i for i, (s, e) in enumerate(lines) if not _is_headline(text[s:e]) and e - s > 80), 0)
    start = marker
    for index in range(marker - 1, max(first_prose, marker - TEASER_LINES - 1), -1):
        if stops[index]:
            break
        line = text[lines[index][0] : lines[index][1]]
        if _is_headline(line) and _furniture_label(line) is None:
            start = index
    while start < marker and start - 1 > first_prose and not stops[start - 1]:
        if len(text[lines[start - 1][0] : lines[start - 1][1]].split()) > 3:
            break
        start -= 1
    return start


def _tail_blocks(text: str, lines: list[tuple[int, int]], stops: list[bool]) -> list[tuple[int, int]]:
    """(first, last + 1) line indexes of each run of other material: from a marker (moved back over
    the teasers before it) to the next line tied to the article, or to the end of the page."""
    blocks: list[tuple[int, int]] = []
    index = 1
    while index < len(lines):
        if stops[index] or not _is_marker(text[lines[index][0] : lines[index][1]]):
            index += 1
            continue
        first = _teaser_start(text, lines, index, stops)
        last = index + 1
        while last < len(lines) and not stops[last]:
            last += 1
        blocks.append((max(first, blocks[-1][1] if blocks else 0), last))
        index = last
    return blocks


def propose_noise(*, text: str, fact_spans: list[tuple[int, int]], known_spans: list[tuple[int, int]]) -> list[dict]:
    """Noise spans as {"start", "end", "label"}. `fact_spans` are the sentences that state a fact
    (the candidate deals): a line holding one is never noise, whatever else it looks like.
    `known_spans` are mentions of tracked companies: prose naming one ends a run of other material
    (a teaser headline naming one is still a link to another story)."""
    lines = paragraph_spans(text)
    facts = [any(a < e and s < b for a, b in fact_spans) for s, e in lines]
    stops = [
        fact or (not _is_headline(text[s:e]) and any(a < e and s < b for a, b in known_spans))
        for fact, (s, e) in zip(facts, lines, strict=True)
    ]
    blocks = _tail_blocks(text, lines, stops)
    in_tail = {i for first, last in blocks for i in range(first, last)}
    spans: list[dict] = []
    seen_headlines: dict[str, int] = {}
    for index, (start, end) in enumerate(lines):
        line = text[start:end]
        if index in in_tail or facts[index]:
            continue
        label = _furniture_label(line)
        if label is None and _is_headline(line):
            # A headline repeated on the page, or right after another line of the same words, is a link.
            if line in seen_headlines and index > 5:  # the page's own headline often shows twice at the top
                spans.append(
                    {
                        "start": seen_headlines[line],
                        "end": _end_with_newline(text, end),
                        "label": LINK_LABEL,
                    }
                )
                continue
            seen_headlines[line] = start
        # A long line of a furniture shape with a deal word may be a fact the detector missed.
        if label is not None and not (end - start > 80 and FACT_WORD.search(line) and label != "Photo credit"):
            spans.append({"start": start, "end": _end_with_newline(text, end), "label": label})
    spans += _inline_links(text, lines, facts, in_tail, linked=any(s["label"] == LINK_LABEL for s in spans))
    for first, last in blocks:
        end = _end_with_newline(text, lines[last - 1][1]) if last < len(lines) else len(text)
        spans.append({"start": lines[first][0], "end": end, "label": TAIL_LABEL})
    return _without_facts(text, _merged(spans), [lines[i] for i, fact in enumerate(facts) if fact])


def _inline_links(
    text: str, lines: list[tuple[int, int]], facts: list[bool], in_tail: set[int], *, linked: bool
) -> list[dict]:
    """Headlines of other stories set between the article's paragraphs: a headline-shaped line
    standing alone between two lines of prose, below the page's header, that states no fact. It is
    a link where the page already shows one (a page that interleaves links does so throughout), or
    where most of its words occur nowhere else in the article (a subheading repeats the article's
    words; another story's headline brings its own)."""
    first_prose = next((i for i, (s, e) in enumerate(lines) if is_prose(text[s:e])), len(lines))
    spans = []
    for index in range(first_prose + 1, len(lines) - 1):
        start, end = lines[index]
        line = text[start:end]
        if index in in_tail or facts[index] or not _is_headline(line) or _furniture_label(line) is not None:
            continue
        if not (is_prose(text[slice(*lines[index - 1])]) and is_prose(text[slice(*lines[index + 1])])):
            continue
        if linked or _foreign_share(line, text[:start] + text[end:]) > 0.5:
            spans.append({"start": start, "end": _end_with_newline(text, end), "label": LINK_LABEL})
    return spans


def _foreign_share(line: str, rest: str) -> float:
    """The share of a line's content words (four letters or more) found nowhere else in the text."""
    words = set(re.findall(r"[a-z]{4,}", line.lower()))
    elsewhere = set(re.findall(r"[a-z]{4,}", rest.lower()))
    return len(words - elsewhere) / len(words) if words else 0.0


def _without_facts(text: str, spans: list[dict], fact_lines: list[tuple[int, int]]) -> list[dict]:
    """Spans with every fact line cut out of them: the promise that a fact is never hidden holds
    whichever rule proposed the span (a repeated headline's link may run over article lines)."""
    result = []
    for span in spans:
        pieces = [(span["start"], span["end"])]
        for a, b in fact_lines:
            pieces = [p for s, e in pieces for p in ((s, min(e, a)), (max(s, b), e)) if p[1] > p[0]]
        result += [{**span, "start": s, "end": e} for s, e in pieces if text[s:e].strip()]
    return result


def _end_with_newline(text: str, end: int) -> int:
    return end + 1 if text[end : end + 1] == "\n" else end


def _merged(spans: list[dict]) -> list[dict]:
    """Adjacent spans of one label become one; spans never overlap."""
    merged: list[dict] = []
    for span in sorted(spans, key=lambda s: s["start"]):
        if merged and span["start"] <= merged[-1]["end"]:
            if span["label"] == merged[-1]["label"] or span["end"] <= merged[-1]["end"]:
                merged[-1]["end"] = max(merged[-1]["end"], span["end"])
                continue
            span = {**span, "start": merged[-1]["end"]}
        merged.append(dict(span))
    return [s for s in merged if s["end"] > s["start"]]
