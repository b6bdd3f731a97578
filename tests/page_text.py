"""Read a rendered page as a reader does: its words, without markup."""

import html
import re


def text_of(markup: str) -> str:
    """The words of `markup`, tags dropped, entities decoded, spaces collapsed."""
    words = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))
    return re.sub(r" ([,.;:)])", r"\1", words).strip()


def section(markup: str, heading_id: str) -> str:
    """The <section> labelled by the heading with this id, with any sections nested in it."""
    start = re.search(rf'<section[^>]*aria-labelledby="{heading_id}"', markup)
    assert start, f"no section labelled {heading_id}"
    depth = 0
    for tag in re.finditer(r"<(/?)section\b", markup[start.start() :]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return markup[start.start() : start.start() + tag.end() + 1]
    raise AssertionError(f"section {heading_id} is not closed")
