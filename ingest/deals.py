"""Sentences that state a move into EVs, each parsed into a proposed deal: kind, status, parties
with roles, amount and date. The quote is the sentence exactly as the text has it."""

import datetime
import re

from ingest.amounts import amount_of_sentence, decimal_string
from ingest.dates import find_dates
from ingest.text import header_spans, sentence_spans

# Checked in this order: the first kind whose words occur wins.
KINDS = [
    (
        "funding_round",
        re.compile(
            r"\b(funding round|series [a-h]\d?\b|pre-series|seed round|round of funding|angel round|\w+ round)", re.I
        ),
    ),
    (
        "acquisition",
        re.compile(
            r"\b(acquir\w*|acquisition|bought|buys?|buying|takeover|take control|taking control|purchas\w*|sell part of|stake sale)\b",  # noqa: E501 (a pattern or table row reads best on one line)
            re.I,
        ),
    ),
    ("joint_venture", re.compile(r"\bjoint[- ]venture\b", re.I)),
    (
        "restructuring",
        re.compile(
            r"\b(restructur\w*|fold\w* (its|the)? ?[\w ]{0,30}into|merg\w*|spin[- ]?off|spun off|reorganis\w*|reorganiz\w*)\b",  # noqa: E501 (a pattern or table row reads best on one line)
            re.I,
        ),
    ),
    ("investment", re.compile(r"\b(invest(s|ed|ing|ment|ments|or|ors)?|backer|backed by|stake|funding)\b", re.I)),
    (
        "subsidiary",
        re.compile(
            r"\b(subsidiar\w*|(ev|car|vehicle|electric[- ]vehicle|new) (unit|arm|division|brand)|set up|launch\w*|unveil\w*|team)\b",  # noqa: E501 (a pattern or table row reads best on one line)
            re.I,
        ),
    ),
    (
        "partnership",
        re.compile(
            r"\b(partner\w*|collaborat\w*|cooperat\w*|alliance|team(ed|s)? up|work(ed|s|ing)? with|agreement|talks?|visit)\b",  # noqa: E501 (a pattern or table row reads best on one line)
            re.I,
        ),
    ),
]
STATUSES = [
    ("in_talks", re.compile(r"\b(in talks|talks|talk with|negotiat\w*|discuss\w*|paid a visit)\b", re.I)),
    (
        "rumoured",
        re.compile(
            r"\b(reportedly|rumou?r\w*|according to (the )?(\w+ ){0,5}(report|publication|sources?)|reported|media reports|is said to|considering|sources said|people familiar)\b|LatePost",  # noqa: E501 (a pattern or table row reads best on one line)
            re.I,
        ),
    ),
    (
        "completed",
        re.compile(
            r"\b((had|has|have) (led|raised|acquired|bought|invested|completed|closed|formed|set up)|completed|closed|bought|acquired|raised|formed|invested in|led a|sold)\b",  # noqa: E501 (a pattern or table row reads best on one line)
            re.I,
        ),
    ),
    ("announced", re.compile(r".", re.S)),
]
EV_CONTEXT = re.compile(
    r"\b(EVs?|electric|cars?|carmak\w*|car-?making|auto|autos|automak\w*|automotive|automobiles?|autonomous|vehicles?|"
    r"driving|driverless|mobility|batter(y|ies)|lidar|robotaxis?)\b",
    re.I,
)
ROUND_NAME = re.compile(r"\b(series [a-h]\d?\+?|pre-series [a-h]|seed|angel)\b", re.I)
# Words about a party's weight in the deal that the tracker records as a role.
STAKE_ROLES = [
    (re.compile(r"\bminority (stake|shareholder|holding)s?\b", re.I), "minority_shareholder"),
    (
        re.compile(
            r"\b(controlling (stake|shareholder)|majority (stake|shareholder)|major (players?|shareholders?))\b", re.I
        ),
        "controlling_shareholder",
    ),
]
ANAPHOR = re.compile(r"^(In it|It|Its|The venture|The company|This|That|They|The partners)\b")
# A sentence whose subject refers back to a company named before ("The company has pledged…").
# An opening phrase ("This week, the … manufacturer announced") may stand before it.
SUBJECT_ANAPHOR = re.compile(
    r"^([A-Z][\w ]{1,25}, )?(It|Its|it|its|This move|The partners|[Tt]he ([\w-]+ ){0,5}(company|maker|giant|firm|group|"
    r"carmaker|automaker|manufacturer|startup|start-up))\b"
)


# EV words in the sentence itself: what lets a sentence without a deal word, or without a named
# party, still state a move into EVs ("It is investing in the EV business").
EV_SENTENCE = re.compile(
    r"\b(EVs?|NEVs?|electric|new[- ]energy|cars?|carmakers?|automakers?|automotive|automobiles?|auto (industry|market|"
    r"business|sector|unit|arm)|vehicles?|self-driving|autonomous|robotaxis?|smart[- ]car|mobility)\b",
    re.I,
)
# A move stated without a deal word: a plan, a pledge, a launch, an entry into the market, a visit
# for talks. Counted only with an EV word in the same sentence, and given the kind named here.
MOVES = [
    ("partnership", re.compile(r"\b(visit\w*|held talks|met with|meeting with|supplier|provider)\b", re.I)),
    ("investment", re.compile(r"\b(pledg\w*|committ?\w*|backed by|backing|put \w+ into)\b", re.I)),
    (
        "subsidiary",
        re.compile(
            r"\b(plans? to|planning to|set(s|ting)? up|establish\w*|found(ed|s|ing)|enter(s|ed|ing)?|entry|foray|"
            r"newcomer|entrant|ambitions?|working on (its|their) own|build(s|ing)? (its|their) own|unveil\w*|"
            r"launch\w*)\b",
            re.I,
        ),
    ),
]
# A note on where the text was published is about the page, not a move ("This article appeared in…").
PUBLISHING_NOTE = re.compile(
    r"^(this (article|story) (first |originally )?(appeared|was (first |originally )?published|is republished)|"
    r"(originally|first) (published|appeared))\b",
    re.I,
)
# Capitalised words that name places, times, governments and the trade itself, not a party.
NOT_A_PARTY = frozenset((
    "china", "chinese", "beijing", "shanghai", "shenzhen", "hong", "kong", "taiwan", "us", "u.s.", "america",
    "american", "europe", "european", "eu", "japan", "japanese", "korea", "korean", "germany", "german", "india",
    "asia", "asian", "state", "council", "ministry", "government", "communist", "party", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "ev", "evs", "nev", "nevs", "ai", "ceo",
    "ipo"
))  # fmt: skip
# Words that open sentences without naming anyone.
SENTENCE_OPENERS = frozenset((
    "the", "a", "an", "in", "on", "at", "for", "from", "to", "of", "by", "with", "as", "after", "before", "while",
    "when", "since", "until", "during", "this", "that", "these", "those", "there", "here", "it", "its", "we",
    "they", "he", "she", "his", "her", "their", "our", "some", "many", "most", "several", "other", "others",
    "such", "each", "every", "all", "both", "few", "recent", "last", "next", "new", "but", "and", "or", "so",
    "yet", "also", "however", "meanwhile", "moreover", "still", "even", "according", "analysts", "investors",
    "executives", "officials", "sources", "reports", "people", "shares"
))  # fmt: skip
NAME_LIKE = re.compile(r"(?<![\w-])(?:[A-Z][\w&.-]*|\d+[A-Za-z]\w*)")


def names_someone(sentence: str) -> bool:
    """Whether a sentence with no company found in it still names someone: a subject referring
    back to one ("The company confirmed…"), or a name other than a place, a date or "EV" after its
    first word (an untracked firm, a publication: "36Kr had reported…")."""
    if SUBJECT_ANAPHOR.match(sentence):
        return True
    words = [w.rstrip(".").removesuffix("’s").removesuffix("'s") for w in NAME_LIKE.findall(sentence)]
    if words and sentence.startswith(words[0]) and _is_opener(words[0]):
        words = words[1:]  # capitalised only because it opens the sentence
    return any(w.lower() not in NOT_A_PARTY for w in words if w)


def _is_opener(word: str) -> bool:
    lower = word.lower()
    return lower in SENTENCE_OPENERS or lower.endswith(("ly", "ing", "ed")) or "’" in lower or "'" in lower


# A sentence that adds to the move just stated ("This would make X the second largest
# shareholder", "X confirmed the report"): a fact only right after a deal sentence, whose kind it takes.
FOLLOW_UP = re.compile(
    r"\b(confirm\w*|denied|denies|deny|declined to comment|would make|shareholders?|stakes?|holdings?|"
    r"(\d+(\.\d+)?|a) ?(%|per ?cent))",
    re.I,
)


# Negation: a move stated as not made ("X is not among the investors", "has no plans to…",
# "ruled out a merger", "declined to invest") is no deal. "Not only", "not yet" (a status) and "did
# not say/disclose…" (about the telling, not the move) negate nothing.
NEGATION = re.compile(
    r"\b(not|never|no longer|neither|nor|no (plans?|intention|interest|deal|agreement|stake|talks|investment)|"
    r"(has|have|had) no|ruled out|rules out|rule out|ruling out|declined to|refused to|refuses to|"
    r"denied|denies|deny|denying|dismissed|rejected)\b"
    r"(?! (only|just|yet|least|the only|the first|the sole|the exclusive|exclusive|unique|alone|comment\w*|"
    r"(say|said|disclose\w*|reveal\w*|offer|give|specify|elaborate|provide|detail|name|confirm)\b))",
    re.I,
)
NEGATION_TOKEN = re.compile(r"n[’']t\b(?! (only|just|yet|the only|the first|the exclusive|exclusive))", re.I)
# A denial of what others reported: the rumour stays a fact the editor may want, with the denial
# as its contradicting excerpt, so the sentence is kept (status rumoured).
RUMOUR_DENIAL = re.compile(
    r"\b(denied|denies|deny|denying|dismissed|rejected|refuted)\b[\w\s,]{0,40}\b(reports?|rumou?rs?|speculation|claims?|"
    r"media|it|this|that|the (report|story|claim))\b",
    re.I,
)
# Background between commas ("Xiaomi, which set up its EV unit in 2021, is not…") is not the
# sentence's statement; the main clause decides whether the sentence denies a move.
RELATIVE_CLAUSE = re.compile(r",\s*(which|who|whose)\b[^,]*,")
CLAUSE_BREAK = re.compile(
    r"[;:—]|,?\s+\b(?:but|however|while|whereas|although|though|because|yet|instead)\b|,\s+as\b|\brather than\b",
    re.I,
)


def _negation_before_move(clause: str) -> bool:
    """The clause has a negation standing before its deal word (or anywhere, if it has none)."""
    cue = NEGATION.search(clause) or NEGATION_TOKEN.search(clause)
    if cue is None:
        return False
    move = next((m for pattern in [p for _, p in KINDS] + [p for _, p in MOVES] if (m := pattern.search(clause))), None)
    return move is None or cue.start() < move.end()


def negated(sentence: str) -> bool:
    """Whether the sentence states that a move was not made: every clause naming one is negated
    (a "but" clause with a real move keeps the sentence), and it is no denial of reports."""
    if RUMOUR_DENIAL.search(sentence):
        return False
    main = RELATIVE_CLAUSE.sub(",", sentence)
    clauses = [c for c in CLAUSE_BREAK.split(main) if c and len(c) > 3]
    stated = [c for c in clauses if _kinds_of(c) or FOLLOW_UP.search(c)]
    if not stated:  # the move is named only in the background clause: the main clause decides
        stated = clauses
    return any(_negation_before_move(c) for c in stated) and all(_negation_before_move(c) for c in stated)


def _kinds_of(sentence: str) -> str | None:
    """The kind a sentence's own words give: a deal word, or a move with an EV word beside it."""
    kind = next((kind for kind, pattern in KINDS if pattern.search(sentence)), None)
    if kind is None and EV_SENTENCE.search(sentence):
        kind = next((kind for kind, pattern in MOVES if pattern.search(sentence)), None)
    return kind


def deal_sentences(text: str, noise: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each sentence naming a deal word, or a move and an EV word, or adding
    to the deal sentence just before it (same paragraph); a following sentence that refers back
    ("In it, …") and gives the stakes is kept with it."""
    skip = noise + header_spans(text)  # a headline or summary bullet restates what the body says
    spans = [s for s in sentence_spans(text) if not any(a < s[1] and s[0] < b for a, b in skip)]
    result: list[tuple[int, int, str]] = []
    for index, (start, end) in enumerate(spans):
        sentence = text[start:end]
        if len(sentence) < 30 or (result and result[-1][1] >= end):
            continue
        kind = _kinds_of(sentence)
        follows = result and result[-1][1] == spans[index - 1][1] and "\n" not in text[result[-1][1] : start]
        denial = result and result[-1][1] == spans[index - 1][1] and RUMOUR_DENIAL.search(sentence)
        if kind is None and ((follows and FOLLOW_UP.search(sentence)) or denial):
            kind = result[-1][2]  # a denial of the reports just stated answers them, even a paragraph on
        if kind is None or negated(sentence) or PUBLISHING_NOTE.match(sentence):
            continue
        if index + 1 < len(spans) and ANAPHOR.match(text[spans[index + 1][0] : spans[index + 1][1]]):
            nxt = spans[index + 1]
            if any(p.search(text[nxt[0] : nxt[1]]) for p, _ in STAKE_ROLES):
                end = nxt[1]
        result.append((start, end, kind))
    return result


def _status(sentence: str) -> str:
    if RUMOUR_DENIAL.search(sentence):
        return "rumoured"  # what is denied is the reported move
    return next(status for status, pattern in STATUSES if pattern.search(sentence))


def _roles(sentence: str, kind: str, parties: list[dict], offset: int) -> list[dict]:
    """A role for each party from its place around the verb: the subject leads, invests or buys;
    the party after "in", "into", "for" raises the money or is bought."""
    verbs = re.search(r"\b(led|leads|lead|invest\w*|acquir\w*|bought|buy\w*|backer|sell)\b", sentence, re.I)
    positions = [party.pop("_start") - offset for party in parties]
    stakes = _stake_holders(sentence, positions)
    for index, party in enumerate(parties):
        position = positions[index]
        before_verb = verbs is not None and position < verbs.start()
        stake = stakes.get(index)
        if stake:
            party["role"] = stake
        elif kind == "funding_round":
            party["role"] = _round_role(sentence, position, positions)
        elif kind == "acquisition":
            party["role"] = "acquirer" if before_verb or (verbs is None and parties.index(party) == 0) else "target"
        elif kind == "investment":
            party["role"] = "investor" if before_verb or verbs is None else "funded"
        elif kind == "subsidiary":
            party["role"] = "parent"
        elif kind in ("joint_venture", "partnership"):
            party["role"] = "partner"
        else:
            party["role"] = None
    return parties


RAISES = re.compile(
    r"\b(raised|raises|raising|closed|closes|secured|secures|received|receives|landed|lands|bagged)\b", re.I
)
LEADS = re.compile(r"\b(led|leads|lead|leading|co-led|spearheaded)\b", re.I)
# Words just before a party that make it the one raising: "a round in X", "funding for X", "X's round".
RAISER_AFTER = re.compile(
    r"\b(round|funding|financing|investment|capital|money)( of funding)? (in|for|into|of|to)( the)?[\w\s-]{0,30}$", re.I
)
INVESTOR_AFTER = re.compile(
    r"\b(led by|from|including|joined by|participation (from|of)|backers?|investors?)( the)?[\w\s,-]{0,30}$", re.I
)


def _round_role(sentence: str, position: int, positions: list[int]) -> str:
    """The part a party plays in a funding round: the party that raises is `funded` (the subject of
    "raised", the object of "a round in"), the one that leads it `lead_investor`, others `investor`."""
    before = sentence[max(0, position - 60) : position]
    if RAISER_AFTER.search(before) or re.match(r"[’']s\b[\w\s$.,-]{0,40}\bround", sentence[position:]):
        return "funded"
    if re.search(r"\bled by( the)?[\w\s,-]{0,30}$", before):
        return "lead_investor"
    if INVESTOR_AFTER.search(before):
        return "investor"
    for verb, role in ((RAISES, "funded"), (LEADS, "lead_investor")):
        match = verb.search(sentence, position)
        if match and not any(position < p < match.start() for p in positions):
            return role  # the party named last before the verb is its subject
    lead = LEADS.search(sentence)
    if lead and position < lead.start() and re.match(r"\s+(its|their)\b", sentence[lead.end() :]):
        return "funded"  # "X said that Y had led its round": X is the one raising
    return "investor" if lead and position < lead.start() else "funded"


def _stake_holders(sentence: str, positions: list[int]) -> dict[int, str]:
    """Which party each stake phrase is about: the last one named before it ("Kestrel takes a
    controlling stake"), else the first one after it ("a minority stake is held by…")."""
    holders = {}
    for pattern, role in STAKE_ROLES:
        for match in pattern.finditer(sentence):
            before = [i for i, p in enumerate(positions) if p < match.start()]
            after = [i for i, p in enumerate(positions) if p > match.start()]
            if before or after:
                holders.setdefault(before[-1] if before else after[0], role)
    return holders


def _parties(mentions: list[dict], start: int, end: int) -> list[dict]:
    parties, seen = [], set()
    for mention in mentions:
        if start <= mention["start"] and mention["end"] <= end:
            key = mention["company"] or mention["text"].lower()
            if key not in seen:
                seen.add(key)
                parties.append(
                    {"company": mention["company"], "name": mention["text"], "role": None, "_start": mention["start"]}
                )
    return parties


def _referred_to(mentions: list[dict], start: int) -> list[dict]:
    """The company a sentence starting "It…" or "The company…" means: the last one named before it."""
    before = [m for m in mentions if m["end"] <= start and m["company"] and start - m["end"] < 600]
    if not before:
        return []
    last = before[-1]
    return [{"company": last["company"], "name": last["text"], "role": None, "_start": start}]


def propose_deals(
    *, text: str, mentions: list[dict], noise: list[tuple[int, int]], base: datetime.date | None
) -> list[dict]:
    candidates = []
    for start, end, kind in deal_sentences(text, noise):
        sentence = text[start:end]
        parties = _parties(mentions, start, end)
        if SUBJECT_ANAPHOR.match(sentence):
            parties = _referred_to(mentions, start) + parties
        amount, note = amount_of_sentence(sentence)
        paragraph = text[text.rfind("\n", 0, start) + 1 : text.find("\n", end) if "\n" in text[end:] else len(text)]
        known = any(p["company"] for p in parties)
        if parties and not (EV_CONTEXT.search(paragraph) or amount or known):
            continue
        follows_kept = bool(candidates) and not text[candidates[-1]["end"] : start].strip(" ")
        named = EV_SENTENCE.search(sentence) and names_someone(sentence)
        if not parties and not named and not (follows_kept and FOLLOW_UP.search(sentence)):
            # With no company found, only EV words and a name (a sentence naming nobody tells a
            # trend), or the deal sentence just before, make it a fact.
            continue
        dates = [d for d in find_dates(sentence, base=base) if d.value is not None]
        date = dates[0] if dates else None
        if date is not None and date.basis == "inferred":
            note = "; ".join(
                filter(None, [note, f"date “{sentence[date.start : date.end]}” resolved against the article's date"])
            )
        round_name = ROUND_NAME.search(sentence) if kind == "funding_round" else None
        candidates.append(
            {
                "start": start,
                "end": end,
                "quote": sentence,
                "kind": kind,
                "status": _status(sentence),
                "parties": _roles(sentence, kind, parties, start),
                "amount": decimal_string(amount.value) if amount else None,
                "currency": amount.currency if amount else None,
                "amount_note": note
                if not round_name
                else "; ".join(filter(None, [f"round: {round_name.group().title()}", note])),
                "date": date.iso() if date else None,
                "date_precision": date.precision if date else None,
                "date_basis": date.basis if date else None,
                "deal": None,
                "conflicts": [],
            }
        )
    return candidates
