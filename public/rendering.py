"""Lay out a source's text for reading: article blocks with excerpts marked, noise folded away;
and the index of what each excerpt backs.

A source can carry a thousand excerpts or more, so the text is cut and written out as HTML here,
in one pass over the excerpts' boundaries, rather than by a template loop over every piece; the
index too is one f-string per excerpt, every value escaped (a template loop resolved a lookup,
filter and `{% url %}` per value, most of the page's time).
"""

import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from public.rows import link_by_slug
from public.source_selectors import BackedRecords, Marked
from sources.models import Excerpt

STANCE_LABELS = dict(Excerpt.Stance.choices)
INDEX_QUOTE_WORDS = 14


@dataclass
class Block:
    noise_label: str = ""
    parts: list[str] = field(default_factory=list)

    @property
    def html(self) -> SafeString:
        return mark_safe("".join(self.parts))  # noqa: S308 (every part escaped in source_blocks)


def _anchors(pks: list[int]) -> tuple[str, str]:
    """The `id` attribute for the mark and empty anchors before it, for the excerpts starting at
    one point: the first takes the mark, each other one an anchor of its own, so every excerpt's
    link (`#excerpt-<id>`) lands on its words."""
    if not pks:
        return "", ""
    before = "".join(f'<span id="excerpt-{pk}" class="excerpt-anchor"></span>' for pk in pks[1:])
    return before, f' id="excerpt-{pks[0]}"'


def source_blocks(text: str, excerpts, noise_spans) -> list[Block]:
    """Cut `text` at every excerpt and noise boundary; a piece inside any excerpt is marked.

    Overlapping excerpts are fine: a piece inside two of them is marked once, and each excerpt's
    anchor (`excerpt-<id>`) sits where it starts. Noise is folded away unmarked.
    """
    starting, ending = defaultdict(list), defaultdict(int)
    for excerpt in excerpts:
        if excerpt.start < excerpt.end:
            starting[excerpt.start].append(excerpt.pk)
            ending[excerpt.end] += 1
    cuts = {0, len(text), *starting, *ending}
    for span in noise_spans:
        cuts.update((span.start, span.end))
    bounds = sorted(cut for cut in cuts if 0 <= cut <= len(text))
    blocks: list[Block] = []
    open_excerpts = 0
    for start, end in itertools.pairwise(bounds):
        open_excerpts += len(starting.get(start, ())) - ending.get(start, 0)
        noise = next((span for span in noise_spans if span.start <= start and end <= span.end), None)
        label = noise.label if noise else ""
        if not blocks or blocks[-1].noise_label != label:
            blocks.append(Block(noise_label=label))
        piece = escape(text[start:end])
        if noise or not open_excerpts:
            blocks[-1].parts.append(piece)
            continue
        before, anchor = _anchors(starting.get(start, []))
        blocks[-1].parts.append(f"{before}<mark{anchor}>{piece}</mark>")
    return blocks


def excerpt_index(excerpts: list[Marked], backed: BackedRecords) -> SafeString:
    """One page of the excerpt index: each excerpt's opening words (a link to it in the text),
    its stance and claim, and the published deals and companies it backs."""
    deal_url, company_url = link_by_slug("companies:deal_detail"), link_by_slug("companies:company_detail")
    items = []
    for excerpt in excerpts:
        meta = escape(STANCE_LABELS.get(excerpt.stance, excerpt.stance))
        if excerpt.claim:
            meta += f": {escape(excerpt.claim)}"
        links = [
            f'<a href="{deal_url(deal.slug)}">{escape(deal.name)}</a>' for deal in backed.deals.get(excerpt.pk, [])
        ]
        links += [
            f'<a href="{company_url(company.slug)}">{escape(company.name)}</a>'
            for company in backed.companies.get(excerpt.pk, [])
        ]
        backs = f'<span class="backs">Backs {", ".join(links)}</span>' if links else ""
        quote = escape(Truncator(excerpt.quote).words(INDEX_QUOTE_WORDS, truncate=" …"))
        items.append(
            f'<li><a href="#excerpt-{excerpt.pk}">“{quote}”</a> <span class="meta">{meta}</span>\n'
            f"        {backs}\n"
            "      </li>"
        )
    return mark_safe("\n".join(items))  # noqa: S308 (every value escaped above)
