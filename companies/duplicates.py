"""Is a company about to be added already in the tracker, under its name or one of its aliases?

Names are compared folded: case, accents, spacing, punctuation and a trailing legal form ("Ltd",
"Inc.") set aside, so "kestrel dynamics" is "Kestrel Dynamics" and "Pony.ai" is "Pony AI". Then a
letter or two may differ (a dropped, doubled, swapped or wrong letter, counted as the article
assistant counts a misspelling: ingest/mentions.py uses `edits_allowed` too): one from four
letters, two from eight, none below four, so "BYD" is never "BMW". The admin's add form and the
import preview (companies/resources.py) warn with what this finds; neither refuses.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from companies.models import Alias, Company

NOT_LETTERS = re.compile(r"[\W_]+")
NUMBERS = re.compile(r"\d+")
# Legal forms that say nothing about which company it is: dropped from the end of a name.
LEGAL_FORMS = frozenset(
    [
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "plc",
        "co",
        "corp",
        "corporation",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "nv",
        "bv",
        "kk",
        "oy",
        "ab",
        "spa",
        "srl",
    ]
)


def name_fold(name: str) -> str:
    """The name as compared: accents dropped, case folded, punctuation and spacing removed, a
    trailing legal form dropped (unless it is all there is)."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    words = NOT_LETTERS.sub(" ", plain).split()
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return "".join(words)


def edits_allowed(length: int) -> int:
    """Letters that may differ between two spellings of one name `length` letters long (a swapped
    pair counts as one): none for short names, where one letter makes another company."""
    if length < 4:
        return 0
    return 1 if length < 8 else 2


@dataclass(frozen=True)
class NameMatch:
    """An existing company whose name or alias is close to the one given."""

    company_pk: int
    company_name: str
    company_slug: str
    matched: str  # the stored name or alias that matched
    alias: bool
    edits: int  # 0: the same name once folded

    @property
    def how(self) -> str:
        what = f"its alias “{self.matched}”" if self.alias else "its name"
        closeness = (
            "is the same name (case, accents, spacing and punctuation aside)"
            if not self.edits
            else (f"is spelt within {self.edits} letter{'s' if self.edits > 1 else ''}")
        )
        return f"{what} {closeness}"


@dataclass
class KnownNames:
    """Every stored company name and alias, folded once (two queries), to check many names against."""

    folded: list[str]
    owners: list[tuple[int, str, str, str, bool]]  # (pk, company name, slug, matched text, alias?)
    by_fold: dict[str, list[int]] = field(default_factory=dict)  # folded name -> indexes, for exact matches

    def __post_init__(self) -> None:
        for index, folded in enumerate(self.folded):
            self.by_fold.setdefault(folded, []).append(index)

    @classmethod
    def load(cls, *, exclude_pk: int | None = None) -> "KnownNames":
        companies = Company.objects.exclude(pk=exclude_pk).values_list("pk", "name", "slug")
        by_pk = {pk: (name, slug) for pk, name, slug in companies}
        owners = [(pk, name, slug, name, False) for pk, (name, slug) in by_pk.items()]
        for company_pk, alias in Alias.objects.filter(company__in=list(by_pk)).values_list("company_id", "name"):
            owners.append((company_pk, *by_pk[company_pk], alias, True))
        return cls(folded=[name_fold(owner[3]) for owner in owners], owners=owners)

    def matches(self, name: str, *, fuzzy: bool = True) -> list[NameMatch]:
        """The companies `name` may be a duplicate of, closest first, each once; `fuzzy=False`
        looks only for the same folded name (a dictionary look-up, for very large imports)."""
        wanted = name_fold(name)
        if not wanted:
            return []
        hits = [(0, index) for index in self.by_fold.get(wanted, [])]
        limit = edits_allowed(len(wanted))
        if fuzzy and limit:
            found = process.extract(wanted, self.folded, scorer=OSA.distance, score_cutoff=limit, limit=None)
            numbers = NUMBERS.findall(wanted)  # "Fund 2" is not a misspelt "Fund 3"
            hits += [
                (int(edits), index)
                for folded, edits, index in found
                if 0 < edits <= edits_allowed(len(folded)) and NUMBERS.findall(folded) == numbers
            ]
        best: dict[int, NameMatch] = {}
        for edits, index in sorted(hits):
            pk, company_name, slug, matched, alias = self.owners[index]
            best.setdefault(pk, NameMatch(pk, company_name, slug, matched, alias, edits))
        return list(best.values())


def company_duplicates(name: str, *, exclude_pk: int | None = None) -> list[NameMatch]:
    """The stored companies that `name` may already be (its own record, `exclude_pk`, aside)."""
    return KnownNames.load(exclude_pk=exclude_pk).matches(name)
