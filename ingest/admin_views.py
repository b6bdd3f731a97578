"""The article assistant's admin pages: analyse an article, review the proposals, create drafts.

The analysed text and its analysis wait between the two pages in the editor's session (server
side, JSON), keyed by the text's SHA-256: nothing comes back from the browser but the key and
the editor's judgement of each proposal, and nothing curated is written before "Create drafts".
"""

import itertools

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from ingest.analysis import analyse_article
from ingest.drafts import DraftsRefused, article_drafts_create
from ingest.forms import ArticleForm, ReviewForm
from sources.models import Source, text_sha256

SESSION_KEY = "ingest_articles"
MAX_ALIGNED_PAIRS = 30  # passages side by side per matched source; the score says the rest
KEPT_ANALYSES = 3  # an editor may have a few articles open in tabs; older ones are dropped


def _allowed(request: HttpRequest) -> None:
    if not request.user.has_perm("sources.add_source"):
        raise PermissionDenied


def _context(request: HttpRequest, title: str, **extra) -> dict:
    return {**admin.site.each_context(request), "title": title, "opts": Source._meta, **extra}


def analyse(request: HttpRequest) -> HttpResponse:
    """Upload or paste an article; it is analysed and kept for the review page."""
    _allowed(request)
    form = ArticleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        sha256 = _analyse_and_keep(request, form.cleaned_data)
        return HttpResponseRedirect(reverse("ingest_review", kwargs={"sha256": sha256}))
    return TemplateResponse(request, "admin/ingest/analyse.html", _context(request, "Analyse an article", form=form))


def _analyse_and_keep(request: HttpRequest, cleaned: dict) -> str:
    text, metadata, html_sha256 = cleaned["text"], cleaned["metadata"], cleaned["html_sha256"]
    published = cleaned.get("published_date")
    # A web page's text was extracted by the form: the analysis reads that text.
    analysis = analyse_article(text=text, published_date=published)
    kept = request.session.get(SESSION_KEY, {})
    kept.pop(analysis["sha256"], None)
    kept[analysis["sha256"]] = {
        "text": text,
        "analysis": analysis,
        "metadata": metadata,
        "html_sha256": html_sha256,
        "html": cleaned["html"],  # archived with the source by "Create drafts"
        "published_date": published.isoformat() if published else "",
    }
    request.session[SESSION_KEY] = dict(list(kept.items())[-KEPT_ANALYSES:])
    return analysis["sha256"]


def review(request: HttpRequest, sha256: str) -> HttpResponse:
    """The text with its proposals highlighted, the story verdict, and the checklist."""
    _allowed(request)
    kept = request.session.get(SESSION_KEY, {}).get(sha256)
    if kept is None or text_sha256(kept["text"]) != sha256:
        messages.warning(request, "That analysis is no longer open (or was used): analyse the article again.")
        return HttpResponseRedirect(reverse("ingest_analyse"))
    form = ReviewForm(
        request.POST or None,
        analysis=kept["analysis"],
        text=kept["text"],
        metadata=kept["metadata"],
        published_date=kept["published_date"],
        user=request.user,
    )
    if request.method == "POST" and not kept["analysis"]["duplicate_of"] and form.is_valid():
        try:
            created = article_drafts_create(
                user=request.user,
                text=kept["text"],
                analysis=kept["analysis"],
                drafts=form.drafts(),
                html=kept.get("html", ""),
            )
        except DraftsRefused as refusal:
            for problem in refusal.problems:
                messages.error(request, f"{problem} Nothing was created.")
        else:
            return _created(request, sha256, created)
    form.bind_rows()
    context = _context(request, "Review the article", form=form, **review_context(kept, form))
    return TemplateResponse(request, "admin/ingest/review.html", context)


def _created(request: HttpRequest, sha256: str, created) -> HttpResponse:
    kept = request.session.get(SESSION_KEY, {})
    kept.pop(sha256, None)
    request.session[SESSION_KEY] = kept
    state = created.source.get_editorial_state_display().lower()
    counts = (
        f"{len(created.excerpts)} excerpts, {len(created.deals)} new deals, {len(created.companies)} new companies, "
        f"{len(created.aliases)} new aliases, {len(created.noise)} noise spans"
    )
    messages.success(request, f"Created the source “{created.source}” ({state}) with {counts}.")
    return HttpResponseRedirect(reverse("admin:sources_source_change", args=[created.source.pk]))


# -- What the review page shows beside the form ------------------------------------------------


def review_context(kept: dict, form: ReviewForm) -> dict:
    analysis, text = kept["analysis"], kept["text"]
    duplicate = Source.objects.filter(slug=analysis["duplicate_of"]).first() if analysis["duplicate_of"] else None
    return {
        "analysis": analysis,
        "duplicate": duplicate,
        "segments": highlighted_segments(text, analysis),
        "story_candidates": story_candidates(text, analysis),
        "matched": form.matched,
        "suggested_date": form.suggested_date,
        "html_sha256": kept["html_sha256"],
    }


def highlighted_segments(text: str, analysis: dict) -> list[dict]:
    """The text cut wherever a mention, noise span or candidate excerpt starts or ends; each piece
    says which of them it lies in, so the template wraps it in a <mark> of those kinds."""
    spans = [("noise", s["start"], s["end"]) for s in analysis["noise"]]
    spans += [("candidate", c["start"], c["end"]) for c in analysis["candidates"]]
    spans += [("mention", m["start"], m["end"]) for m in analysis["mentions"]]
    cuts = sorted({0, len(text), *(point for _, start, end in spans for point in (start, end))})
    segments = []
    for start, end in itertools.pairwise(cuts):
        kinds = sorted({kind for kind, s, e in spans if s <= start and end <= e})
        segments.append({"text": text[start:end], "classes": " ".join(f"ingest-{kind}" for kind in kinds)})
    return segments


def story_candidates(text: str, analysis: dict) -> list[dict]:
    """The archived sources the article resembles, with their aligned passages side by side."""
    candidates = analysis["story"]["candidates"]
    sources = Source.objects.in_bulk([c["source"] for c in candidates], field_name="slug")
    shown = []
    for candidate in candidates:
        source = sources.get(candidate["source"])
        if source is None:
            continue
        pairs = [
            {"ours": text[a:b], "theirs": source.text[c:d]} for a, b, c, d in candidate["aligned"][:MAX_ALIGNED_PAIRS]
        ]
        shown.append({"source": source, "score": candidate["score"], "pairs": pairs})
    return shown
