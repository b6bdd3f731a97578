"""Lay out a source's text for reading: article blocks with excerpts marked, noise folded away."""

import itertools
from dataclasses import dataclass, field


@dataclass
class Piece:
    text: str
    excerpt_ids: list[int]
    anchor: str = ""


@dataclass
class Block:
    noise_label: str = ""
    pieces: list[Piece] = field(default_factory=list)


def source_blocks(text: str, excerpts, noise_spans) -> list[Block]:
    """Cut `text` at every excerpt and noise boundary; each piece knows the excerpts covering it.

    Overlapping excerpts are fine: a piece inside two of them lists both, and each excerpt's
    anchor (`excerpt-<id>`) sits on the first piece it covers.
    """
    cuts = {0, len(text)}
    for item in [*excerpts, *noise_spans]:
        cuts.update((item.start, item.end))
    bounds = sorted(cut for cut in cuts if 0 <= cut <= len(text))
    blocks: list[Block] = []
    anchored: set[int] = set()
    for start, end in itertools.pairwise(bounds):
        noise = next((span for span in noise_spans if span.start <= start and end <= span.end), None)
        label = noise.label if noise else ""
        if not blocks or blocks[-1].noise_label != label:
            blocks.append(Block(noise_label=label))
        covering = [excerpt.pk for excerpt in excerpts if excerpt.start <= start and end <= excerpt.end]
        first = next((pk for pk in covering if pk not in anchored), None)
        if first is not None:
            anchored.add(first)
        blocks[-1].pieces.append(Piece(text[start:end], covering, f"excerpt-{first}" if first else ""))
    return blocks
