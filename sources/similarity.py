"""How close two archived texts are: the same story told again (a rewrite, a syndicated copy, a
machine-spun copy) or another article. Used by the admin's add form (sources/duplicates.py) and by
the article assistant's story matching (ingest/stories.py), which sits above this app.

Two steps, so that the answer stays fast with many thousands of sources: an inverted index of
the rarer words each source uses (names and figures survive rewording, while a spinner replaces
the common words) picks a few candidates; sentence alignment with rapidfuzz and shared figures
then decide. Word shingles alone miss machine-spun copies; the share of sentences with a close
fuzzy match separates versions (about 0.2–0.9) from other articles about the same event (≤ 0.1).
"""

import difflib
import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from sources.models import Source

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


def normalised(text: str) -> str:
    """Lower case, curly quotes made straight, runs of space made one: for comparing wordings."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


WORD = re.compile(r"[a-z0-9][a-z0-9$.]*[a-z0-9]|[a-z0-9]")
FIGURE = re.compile(r"\d[\d,.]*")
SHORTLIST = 8  # sources confirmed by sentence alignment
SENTENCE_MATCH = 60  # rapidfuzz token_set_ratio for "a close fuzzy match"
VERSION_SHARE = 0.25  # share of sentences with a close match that makes a version
SPUN_SWAPS = 0.3  # share of changed words swapped one for one that marks a spinner
MIN_SENTENCE = 40  # shorter lines (labels, headings) say little about wording


def index_words(text: str) -> set[str]:
    return set(WORD.findall(normalised(text)))


class SourceIndex:
    """Words → sources, kept between analyses in this process and brought up to date with the
    stored sources each time (only new or changed texts are read)."""

    def __init__(self) -> None:
        self.digests: dict[int, str] = {}
        self.words: dict[int, set[str]] = {}
        self.postings: dict[str, set[int]] = {}

    def refresh(self) -> None:
        stored = dict(Source.objects.values_list("pk", "sha256"))
        for pk in [pk for pk, digest in self.digests.items() if stored.get(pk) != digest]:
            self._remove(pk)
        missing = [pk for pk in stored if pk not in self.digests]
        for chunk_start in range(0, len(missing), 500):
            chunk = missing[chunk_start : chunk_start + 500]
            for pk, text, digest in Source.objects.filter(pk__in=chunk).values_list("pk", "text", "sha256"):
                self._add(pk, text, digest)

    def _add(self, pk: int, text: str, digest: str) -> None:
        words = index_words(text)
        self.digests[pk], self.words[pk] = digest, words
        for word in words:
            self.postings.setdefault(word, set()).add(pk)

    def _remove(self, pk: int) -> None:
        for word in self.words.pop(pk, ()):
            self.postings[word].discard(pk)
        self.digests.pop(pk, None)

    def duplicate_of(self, digest: str) -> int | None:
        return next((pk for pk, stored in self.digests.items() if stored == digest), None)

    def shortlist(self, text: str, *, limit: int = SHORTLIST) -> list[int]:
        """The sources sharing the most rare words with `text`, each word weighted by its rarity;
        words in more than a few per cent of the sources are common words and carry nothing."""
        total = max(len(self.digests), 1)
        common = max(20, total // 50)
        scores: Counter = Counter()
        for word in index_words(text):
            holders = self.postings.get(word)
            if holders and len(holders) <= common:
                weight = math.log(total / len(holders)) + 1
                for pk in holders:
                    scores[pk] += weight
        return [pk for pk, _ in scores.most_common(limit)]


SOURCE_INDEX = SourceIndex()


@dataclass
class Alignment:
    source: Source
    score: float
    aligned: list[list[int]]
    mean_similarity: float
    shared_figures: int
    identical: float = 0.0  # share of aligned sentences that are the same wording
    swapped: float = 0.0  # share of changed words that were swapped one for one (a spinner's mark)


def long_sentences(text: str, skip: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [
        (s, e) for s, e in sentence_spans(text) if e - s >= MIN_SENTENCE and not any(a < e and s < b for a, b in skip)
    ]


def align(*, text: str, noise: list[tuple[int, int]], source: Source) -> Alignment:
    """Sentence by sentence, the closest wording in `source`; the score is the share of sentences
    of the shorter text that have a close match (so a short rewrite of a long original counts)."""
    ours = long_sentences(text, noise)
    theirs = long_sentences(source.text, [(span.start, span.end) for span in source.noise_spans.all()])
    their_words = [normalised(source.text[s:e]) for s, e in theirs]
    aligned, similarities, matched_theirs, pairs = [], [], set(), []
    for start, end in ours:
        best = process.extractOne(
            normalised(text[start:end]), their_words, scorer=fuzz.token_set_ratio, score_cutoff=SENTENCE_MATCH
        )
        if best is not None:
            _, similarity, index = best
            aligned.append([start, end, *theirs[index]])
            similarities.append(similarity)
            pairs.append((normalised(text[start:end]), their_words[index]))
            matched_theirs.add(index)
    shorter = min(len(ours), len(theirs)) or 1
    share = min(1.0, max(len(aligned), len(matched_theirs)) / shorter)
    figures = set(FIGURE.findall(text)) & set(FIGURE.findall(source.text))
    mean = sum(similarities) / len(similarities) if similarities else 0.0
    identical, swapped = _wording_changes(pairs)
    return Alignment(
        source=source, score=round(share, 3), aligned=aligned, mean_similarity=mean, shared_figures=len(figures),
        identical=identical, swapped=swapped,
    )  # fmt: skip


def _wording_changes(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """How aligned sentences differ: the share that are the same wording (a syndicated copy), and
    the share of changed words replaced one for one, in place (a spinner swaps words for synonyms
    and keeps the sentence; a person rewriting adds, drops and moves words)."""
    if not pairs:
        return 0.0, 0.0
    identical = sum(1 for ours, theirs in pairs if fuzz.ratio(ours, theirs) >= 97)
    swapped = changed = 0
    for ours, theirs in pairs:
        a, b = WORD.findall(ours), WORD.findall(theirs)
        for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
            if op != "equal":
                changed += max(a2 - a1, b2 - b1)
                swapped += a2 - a1 if op == "replace" and a2 - a1 == b2 - b1 and a2 - a1 <= 2 else 0
    return identical / len(pairs), swapped / changed if changed else 0.0


# Marks a synonym spinner leaves and a person writing English does not: a common word swapped for
# a "synonym" that is wrong in its place ("tortured phrases"). Each pattern names what it replaced.
# Counted in the article alone, they tell a spun copy from a rewrite even when the story's original
# is not archived and the version it is compared with is itself a rewrite.
SPINNER_MARKS = [
    re.compile(pattern, re.I)
    for pattern in (
        r"\bas effectively\b(?!\s+as\b)",  # as well
        r"\bjust lately\b",  # just recently
        r"\btraced again\b",  # traced back
        r"\b(labou?red|worked) intently\b",  # worked closely
        r"\bthree way partnership\b",  # joint venture
        r"\bprovide chain\b",  # supply chain
        r"\bunbiased (from|of)\b",  # independent from
        r"\b(to|will|would|can|could) kind (a|an|the)\b",  # to form a
        r"\b(will|would|to|can) personal (a|an|the|its|their)\b",  # to own
        r"\bis because of (attain|arrive|be|start|begin|launch|open|reach|hit)\b",  # is due to
        r"\b(subsequent|final|this|each) yr\b",  # next year
        r"\b(taken|took|takes|take|taking) successful\b",  # taken a hit
        r"\bgive attention to\b",  # focus on
        r"\b(tech|web|internet|search|e-?commerce|retail|telecoms?|expertise) large\b",  # tech giant
        r"\belectrical (automobiles?|autos?|vehicles?|cars?|carmakers?|automotive|trucks?|vans?)\b",  # electric car
        r"\b(counterfeit|man-made|synthetic) (intelligence|consciousness)\b|\bprofound learning\b",  # AI, deep learning
        r"\b(huge|colossal|large) information\b",  # big data
        r"\bsimply (this|last) (week|month|year)\b",  # just this week
        r"\bthe opposite (tech|firms?|compan(y|ies)|carmakers?|automakers?|players?|startups?)\b",  # the other …
        r"\bshopper (enterprise|electronics|enterprise group)\b",  # consumer business, consumer electronics
        r"\bmaking (massive|huge|large) strikes\b",  # making big moves
        r"\bexpertise (resolutions?|options|firms?|corporations?|suppliers?|compan(y|ies))\b",  # technology solutions
        r"\bknow-how (firms?|corporations?|compan(y|ies)|giants?)\b",  # technology company
        r"\b(first|new|latest|next|flagship|entry-level) mannequin\b",  # first model
        r"\bbeforehand (centered|centred|targeted|known|focused|led|served)\b",  # previously focused
        r"\bwithin the (hope|assertion)\b",  # in the hope, in the statement
        r"\bcommerce (curbs|struggle|warfare|battle)\b",  # trade curbs, trade war
        r"\bgroups? up with\b",  # teams up with
        r"\btransfer past\b",  # move beyond
        r"\b(the|two) companions\b",  # the partners
        r"\bin response to (a|an|the) (press release|assertion)\b",  # according to a statement
        r"\bchinese language (?!(speakers?|teaching|schools?|classes|media|newspapers?|press|edition|version|"
        r"services?|skills|learning|courses?|lessons|teachers?|texts?|names?|books?|websites?)\b)\w+",  # Chinese …
    )
]
SPINNER_MARKS_MIN = 3  # distinct marks before an article reads as spun on its own evidence


def spinner_marks(text: str) -> int:
    """How many of the spinner's marks the text shows (each counted once)."""
    return sum(1 for pattern in SPINNER_MARKS if pattern.search(text))


def relation_of(alignment: Alignment, *, text: str) -> str:
    """What the article is to the story. Mostly the same sentences word for word: a syndicated
    copy. Machine-spun: the sentences of a version kept in order and length with words swapped one
    for one in place (how a spinner treats its source), or, whatever it is compared with, the
    spinner's marks in its own wording (the original may not be archived, and a spun copy set
    against a rewrite of that original looks like a rewrite). Set against a copy the tracker holds
    as machine-spun, the unmarked text it was spun from is the original. Anything else is a rewrite."""
    if alignment.score >= 0.6 and alignment.identical >= 0.7:
        return Source.StoryRelation.SYNDICATED
    spun_pairs = alignment.score >= 0.45 and alignment.swapped >= SPUN_SWAPS and _in_order(alignment.aligned)
    marks = spinner_marks(text)
    # Spinning looks the same from either side: set against a known spun copy, the text with no
    # more of the spinner's marks than that copy is the one it was spun from.
    against_spun = alignment.source.story_relation == Source.StoryRelation.MACHINE_SPUN
    if spun_pairs and against_spun and marks <= spinner_marks(alignment.source.text):
        return Source.StoryRelation.ORIGINAL
    if spun_pairs or marks >= SPINNER_MARKS_MIN:
        return Source.StoryRelation.MACHINE_SPUN
    return Source.StoryRelation.REWRITE


def _in_order(aligned: list[list[int]]) -> bool:
    theirs = [pair[2] for pair in aligned]
    rises = sum(1 for a, b in itertools.pairwise(theirs) if b >= a)
    return len(theirs) < 3 or rises / (len(theirs) - 1) >= 0.8


def versions_of(*, text: str, noise: list[tuple[int, int]] = ()) -> list[Alignment]:
    """The stored sources `text` is a version of, closest first: enough of its sentences closely
    matched and at least one figure shared."""
    SOURCE_INDEX.refresh()
    shortlist = SOURCE_INDEX.shortlist(text)
    sources = Source.objects.filter(pk__in=shortlist).select_related("story").prefetch_related("noise_spans")
    alignments = [align(text=text, noise=list(noise), source=source) for source in sources]
    return sorted(
        (a for a in alignments if a.score >= VERSION_SHARE and a.shared_figures > 0),
        key=lambda a: (-a.score, a.source.slug),
    )
