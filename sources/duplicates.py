"""Is a text about to be archived already in the tracker? The same text (the same SHA-256) is
never wanted twice: the add form refuses it. A near-copy (another version of a stored story, by
the article assistant's matching, sources/similarity.py) may be wanted, as one more publisher
reporting the story: the add form asks, and suggests grouping them in one story."""

from dataclasses import dataclass

from sources.anchoring import normalise_line_ends
from sources.models import Source, text_sha256
from sources.similarity import relation_of, versions_of


def same_text_source(text: str) -> Source | None:
    """The stored source whose text is exactly `text`, if any (or `text` with LF line ends: a
    browser turns a pasted text's line ends into CR LF)."""
    digests = {text_sha256(text), text_sha256(normalise_line_ends(text))}
    return Source.objects.filter(sha256__in=digests).order_by("pk").first()


def same_text(one: str, other: str) -> bool:
    """The same text once line ends and the blank space around it are set aside (a text field
    in the admin strips a pasted text's ends)."""
    return normalise_line_ends(one).strip() == normalise_line_ends(other).strip()


@dataclass(frozen=True)
class NearCopy:
    source: Source
    relation: str  # what the new text would be to it: a Source.StoryRelation value
    score: float  # share of sentences with a close match

    @property
    def relation_label(self) -> str:
        return Source.StoryRelation(self.relation).label.lower()


def near_copies(text: str) -> list[NearCopy]:
    """The stored sources `text` is another version of, closest first."""
    return [
        NearCopy(source=version.source, relation=str(relation_of(version, text=text)), score=version.score)
        for version in versions_of(text=text)
    ]
