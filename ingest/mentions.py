"""Companies the article names: known ones by name or alias (case-insensitive, whole words only,
so "Ali" never matches inside "Alibaba"), misspelt or spun spellings by fuzzy matching (offered
as new aliases of kind misspelling), and company-like names the tracker does not hold (offered
as new companies with a proposed kind)."""

import re
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from companies.duplicates import edits_allowed
from companies.models import Alias, Company

# Longest names first, so "SAIC Motor" wins over "SAIC" at the same place.
BOUNDED = r"(?<![\w-])({})(?![\w-])"
CAPITALISED = re.compile(
    r"\b[A-Z][A-Za-z0-9]*(?:[-’'][A-Za-z]+)?(?:[ \t]+[A-Z][A-Za-z0-9]*)*"
)  # a name never runs over a line end
COMPANY_SUFFIX = {
    "motor": "automaker",
    "motors": "automaker",
    "auto": "automaker",
    "automotive": "automaker",
    "automobile": "automaker",
    "group": "other",
    "holding": "other",
    "holdings": "other",
    "technology": "tech",
    "technologies": "tech",
    "tech": "tech",
    "ventures": "investor",
    "capital": "investor",
    "partners": "investor",
    "fund": "investor",
    "electronics": "tech",
    "energy": "supplier",
    "battery": "supplier",
    "robotics": "tech",
    "mobility": "ev_startup",
    "inc": "other",
    "corp": "other",
    "ltd": "other",
}
# Words just before or after a name that say it is a company, with the kind they suggest.
CUES_BEFORE = re.compile(
    r"\b(?P<cue>start-?up|carmaker|automaker|maker|firm|company|supplier|investor|manufacturer|giant)\s+$", re.I
)
CUE_KIND = {
    "startup": "ev_startup",
    "start-up": "ev_startup",
    "carmaker": "automaker",
    "automaker": "automaker",
    "manufacturer": "automaker",
    "supplier": "supplier",
    "investor": "investor",
}
# A name right before a deal verb, or right after a deal's object words, in a sentence about a deal.
VERB_AFTER = re.compile(
    r"^,?\s+(announced|formed|invested|led|bought|acquired|confirmed|signed|unveiled|partnered|raised|"
    r"is (also )?(building|investing|considering)|was in talks|had led|clarified)\b"
)
OBJECT_BEFORE = re.compile(
    r"\b(partnership with|joint venture with|invested in|stake in|acquired|bought|round for|talks with)\s+$"
)
CUES_AFTER = re.compile(
    r"^,\s+(another |an? |the )?([\w-]+ ){0,3}(maker|start-?up|carmaker|automaker|supplier|developer|provider|firm|"
    r"company|manufacturer|producer)\b",
    re.I,
)
NOT_NAMES = {
    "The",
    "This",
    "That",
    "These",
    "It",
    "Its",
    "In",
    "On",
    "At",
    "For",
    "But",
    "And",
    "However",
    "Moreover",
    "China",
    "Chinese",
    "U.S",
    "US",
    "EV",
    "EVs",
    "CEO",
    "AI",
    "Photo",
    "According",
    "Last",
    "Since",
    "After",
}


@dataclass(frozen=True)
class KnownName:
    text: str
    company: str
    match: str  # "name" or "alias"


def known_names() -> list[KnownName]:
    names = [KnownName(name, slug, "name") for slug, name in Company.objects.values_list("slug", "name")]
    names += [KnownName(name, slug, "alias") for slug, name in Alias.objects.values_list("company__slug", "name")]
    return [n for n in names if n.text.strip()]


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(a < end and start < b for a, b in taken)


def exact_mentions(text: str, names: list[KnownName]) -> list[dict]:
    by_lower: dict[str, KnownName] = {}
    for name in sorted(names, key=lambda n: n.match != "name"):  # a company's own name wins over an alias
        by_lower.setdefault(name.text.lower(), name)
    if not by_lower:
        return []
    alternatives = "|".join(re.escape(n) for n in sorted(by_lower, key=len, reverse=True))
    pattern = re.compile(BOUNDED.format(alternatives), re.I)
    found = []
    for match in pattern.finditer(text):
        name = by_lower[match.group(1).lower()]
        found.append(_mention(match.start(1), match.end(1), text, name.company, name.match, 1.0))
    return found


def _mention(start: int, end: int, text: str, company: str | None, match: str, score: float, **extra) -> dict:
    return {
        "start": start,
        "end": end,
        "text": text[start:end],
        "company": company,
        "match": match,
        "score": round(score, 3),
        **extra,
    }


def fuzzy_mentions(text: str, names: list[KnownName], taken: list[tuple[int, int]]) -> list[dict]:
    """Capitalised words within a letter or two of a known name: "SIAC" for SAIC, "Huawai"."""
    targets = [n for n in names if len(n.text) >= 4]
    found = []
    lowered_words = set(re.findall(r"\b[a-z]+\b", text))
    for match in CAPITALISED.finditer(text):
        words = [(w.start() + match.start(), w.end() + match.start()) for w in re.finditer(r"\S+", match.group())]
        for size in (3, 2, 1):
            for first in range(len(words) - size + 1):
                start, end = words[first][0], words[first + size - 1][1]
                phrase = " ".join(text[s:e] for s, e in words[first : first + size])
                if _overlaps(start, end, taken) or len(phrase) < 4 or phrase.lower() in lowered_words:
                    continue
                best = _closest(phrase, targets)
                if best is not None:
                    name, distance = best
                    score = 1 - distance / max(len(phrase), len(name.text))
                    found.append(_mention(start, end, text, name.company, "fuzzy", score, alias_of=name.text))
                    taken.append((start, end))
    return found


def _closest(phrase: str, targets: list[KnownName]) -> tuple[KnownName, int] | None:
    best = None
    for name in targets:
        if len(name.text.split()) != len(phrase.split()) or name.text.lower() == phrase.lower():
            continue
        limit = edits_allowed(len(name.text))  # as the duplicate warnings count (targets have 4+ letters)
        distance = OSA.distance(phrase.lower(), name.text.lower(), score_cutoff=limit)
        if distance <= limit and phrase[0].lower() == name.text[0].lower() and (best is None or distance < best[1]):
            best = (name, distance)
    return best


def new_company_mentions(text: str, taken: list[tuple[int, int]]) -> list[dict]:
    """Capitalised names the tracker does not hold that look like companies: ending in a company
    word (Motor, Group, Ventures…), or right after or before a word such as "startup", "firm"."""
    found = []
    for match in CAPITALISED.finditer(text):
        words = match.group().split()
        while words and words[0] in NOT_NAMES:
            words = words[1:]
        if words and words[-1].endswith(("'s", "’s")) and words[-1][:-2] in NOT_NAMES:
            words = words[:-1]
        if not words:
            continue
        phrase = " ".join(words)
        start = match.end() - len(phrase)
        end = match.end()
        if _overlaps(start, end, taken) or re.search(r"[A-Z]\w* (of|and|for|&) $", text[max(0, start - 30) : start]):
            continue
        kind = _proposed_kind(text, start, end, words)
        if kind is not None:
            found.append(_mention(start, end, text, None, "new", 0.5, kind=kind))
            taken.append((start, end))
    return found


def _proposed_kind(text: str, start: int, end: int, words: list[str]) -> str | None:
    suffix = words[-1].lower().rstrip(".")
    before = CUES_BEFORE.search(text[max(0, start - 40) : start])
    if len(words) >= 2 and suffix in COMPANY_SUFFIX:
        cue = before.group("cue").lower() if before else ""
        return CUE_KIND.get(cue, COMPANY_SUFFIX[suffix])
    if len(words) <= 3 and CUES_AFTER.match(text[end : end + 60]):
        return "other"  # "Tidewater Cells, a battery supplier": the appositive says so, even at a sentence's start
    if len(words) > 3 or (text[start - 2 : start] in (". ", "\n") and not before):
        return None
    if before:
        return CUE_KIND.get(before.group("cue").lower(), "other")
    if CUES_AFTER.match(text[end : end + 40]) or VERB_AFTER.match(text[end : end + 40]):
        return "other"
    if OBJECT_BEFORE.search(text[max(0, start - 40) : start]):
        return "other"
    return None


def find_mentions(text: str) -> list[dict]:
    names = known_names()
    mentions = exact_mentions(text, names)
    taken = [(m["start"], m["end"]) for m in mentions]
    mentions += fuzzy_mentions(text, names, taken)
    mentions += new_company_mentions(text, taken)
    return sorted(mentions, key=lambda m: m["start"])


def proposed_company_kind(*, text: str, start: int, end: int) -> str:
    """The kind proposed for a new company mentioned at `start`–`end` (a `Company.Kind` value):
    kept out of the analysis's JSON, whose mention entries are fixed by the README."""
    return _proposed_kind(text, start, end, text[start:end].split()) or "other"
