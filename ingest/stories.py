"""Is the article a copy of one already archived, or a version of a known story? The matching
itself is sources/similarity.py (the admin's add form warns with it too); this is the article
assistant's answer in the shape its analysis reports (README, "Article assistant")."""

from sources.similarity import SOURCE_INDEX, Alignment, align, relation_of, spinner_marks, versions_of

__all__ = ["SOURCE_INDEX", "Alignment", "align", "relation_of", "spinner_marks", "story_verdict", "versions_of"]


def story_verdict(*, text: str, noise: list[tuple[int, int]]) -> dict:
    """The "story" part of the analysis (see README, "Article assistant")."""
    versions = versions_of(text=text, noise=noise)
    candidates = [
        {
            "source": a.source.slug,
            "story": a.source.story.slug if a.source.story else None,
            "score": a.score,
            "aligned": a.aligned,
        }
        for a in versions
    ]
    if not versions:
        return {"verdict": "new", "story": None, "relation": None, "candidates": candidates}
    best = versions[0]
    # A story grouping any matched source is the article's story, even when the closest one has none.
    story = next((c["story"] for c in candidates if c["story"]), None)
    return {
        "verdict": "version_of",
        "story": story,
        "relation": str(relation_of(best, text=text)),
        "candidates": candidates,
    }
