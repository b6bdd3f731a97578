"""The article assistant's admin flow: upload or paste → review page → "Create drafts".

The analysis is the engine's (ingest/analysis.py) unless a test replaces it with a hand-written
one in the same schema (`fixed_analysis`), so these tests judge the pages and the writes, not the
engine's reading of the article.
"""

from pathlib import Path

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from companies.models import Alias, Company, Deal, Participation
from core.editorial import EditorialState
from ingest import admin_views
from ingest.forms import ReviewForm
from sources.models import Excerpt, NoiseSpan, Source, Story, text_sha256
from tests.conftest import make_company, make_deal, make_source, make_staff

ARTICLE = Path(__file__).parent / "data" / "ingest" / "brightline.txt"
TEXT = ARTICLE.read_text(encoding="utf-8")
ROUND = "Quanta Ventures had led its $120 million series B round"
SUBSIDIARY = "Xiaomi set up its electric-vehicle subsidiary in 2021"
MOST_READ = "Most Read\n- Five things to know about solid-state batteries\n- Why port cities want electric trucks"
NEWSLETTER = "Sign up for our newsletter to get the latest EV news every morning."
CURATED = (Source, Story, NoiseSpan, Excerpt, Company, Alias, Deal, Participation)


def span(text: str, needle: str, *, after: int = 0) -> tuple[int, int]:
    start = text.index(needle, after)
    return start, start + len(needle)


def mention(text: str, name: str, company: str | None, match: str, *, after: int = 0) -> dict:
    start, end = span(text, name, after=after)
    return {"start": start, "end": end, "text": name, "company": company, "match": match, "score": 1.0}


def candidate(text: str, quote: str, **fields) -> dict:
    start, end = span(text, quote)
    return {
        "start": start,
        "end": end,
        "quote": quote,
        "kind": "funding_round",
        "status": "announced",
        "parties": [],
        "amount": None,
        "currency": None,
        "amount_note": "",
        "date": None,
        "date_precision": None,
        "date_basis": None,
        "deal": None,
        "conflicts": [],
        **fields,
    }


def brightline_analysis(text: str = TEXT, *, story: dict | None = None) -> dict:
    """What the engine should make of tests/data/ingest/brightline.txt, written by hand."""
    noise = [span(text, MOST_READ), span(text, NEWSLETTER)]
    return {
        "sha256": text_sha256(text),
        "duplicate_of": None,
        "story": story or {"verdict": "new", "story": None, "relation": None, "candidates": []},
        "noise": [
            {"start": noise[0][0], "end": noise[0][1], "label": "Other stories on the page"},
            {"start": noise[1][0], "end": noise[1][1], "label": "Newsletter promotion"},
        ],
        "mentions": [
            mention(text, "Brightline Motors", None, "new"),
            mention(text, "Quanta Ventures", None, "new"),
            mention(text, "Xiaomi", "xiaomi", "name"),
            {**mention(text, "Xiaomee", "xiaomi", "fuzzy"), "score": 0.86},
        ],
        "candidates": [
            candidate(
                text,
                ROUND,
                round_name="Series B",
                parties=[
                    {"company": None, "name": "Quanta Ventures", "role": "lead_investor"},
                    {"company": None, "name": "Brightline Motors", "role": "funded"},
                ],
                amount="120000000",
                currency="USD",
                date="2026-03",
                date_precision="month",
                date_basis="inferred",
            ),
            candidate(
                text,
                SUBSIDIARY,
                kind="subsidiary",
                parties=[{"company": "xiaomi", "name": "Xiaomi", "role": "parent"}],
                date="2021",
                date_precision="year",
                date_basis="stated",
                deal="xiaomi-sets-up-an-ev-subsidiary",
                conflicts=[{"deal": "xiaomi-sets-up-an-ev-subsidiary", "field": "date", "tracker": "2021-03-30",
                            "article": "2021"}],
            ),
        ],
    }  # fmt: skip


@pytest.fixture
def fixed_analysis(monkeypatch):
    """The hand-written analysis for whatever text is analysed (its digest made to match)."""

    def analyse(*, text, published_date=None, html=None):
        return brightline_analysis(text)

    monkeypatch.setattr(admin_views, "analyse_article", analyse)


@pytest.fixture
def tracker(db):
    """Xiaomi and its EV subsidiary, both published: a part added to either needs a reviewer."""
    xiaomi = make_company(name="Xiaomi")
    return make_deal(parties=[(xiaomi, Participation.Role.PARENT)])


@pytest.fixture
def editor(editor, client):
    """The cast's editor, logged in on the test's own client."""
    client.force_login(editor)
    return editor


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in CURATED}


def upload(client, text: str = TEXT, name: str = "brightline.txt", **fields):
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")
    return client.post(reverse("ingest_analyse"), {"article_file": file, **fields}, follow=True)


def review_url(text: str = TEXT) -> str:
    return reverse("ingest_review", kwargs={"sha256": text_sha256(text)})


def checklist(response, **changes) -> dict:
    """The review form as the browser would send it untouched, with `changes` (True/False tick
    or untick a box; a string sets a value)."""
    form: ReviewForm = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    return data


def test_the_source_add_page_links_to_the_assistant(editor, client):
    page = client.get(reverse("admin:sources_source_add")).content.decode()
    assert f'href="{reverse("ingest_analyse")}">Analyse an article</a>' in page


def test_an_editor_uploads_and_sees_every_proposal_without_anything_written(editor, client, tracker, fixed_analysis):
    before = counts()

    response = upload(client)

    assert response.redirect_chain == [(review_url(), 302)]
    page = response.content.decode()
    assert '<mark class="ingest-mention">Xiaomee</mark>' in page
    assert '<mark class="ingest-noise">Most Read' in page
    assert (
        '<mark class="ingest-candidate ingest-mention">Quanta Ventures</mark><mark class="ingest-candidate"> had led'
        in page
    )
    assert "Other stories on the page" in page and "Newsletter promotion" in page
    assert "Brightline Motors" in page and "Quanta Ventures" in page  # new companies
    assert "Conflict on <strong>date</strong>: the tracker has 2021-03-30, the article 2021." in page
    assert "Needs a reviewer: Only reviewers can add the excerpt" in page  # the published deal's evidence
    assert "Needs a reviewer: Only reviewers can add the alias “Xiaomee”" in page
    assert 'value="Create drafts"' in page
    assert counts() == before


def test_create_drafts_writes_the_accepted_records_as_drafts_by_the_editor(editor, client, tracker, fixed_analysis):
    review = upload(client)

    response = client.post(review_url(), checklist(review, source_title="Brightline raises money"), follow=True)

    source = Source.objects.get(sha256=text_sha256(TEXT))
    assert response.redirect_chain == [(reverse("admin:sources_source_change", args=[source.pk]), 302)]
    assert (
        "Created the source “Brightline raises money” (draft) with 1 excerpts, 1 new deals" in response.content.decode()
    )
    assert source.text == TEXT and source.editorial_state == EditorialState.DRAFT
    assert [(n.label, n.text) for n in source.noise_spans.all()] == [
        ("Other stories on the page", MOST_READ),
        ("Newsletter promotion", NEWSLETTER),
    ]
    excerpt = source.excerpts.get()
    assert (excerpt.quote, excerpt.start, excerpt.stance) == (ROUND, TEXT.index(ROUND), Excerpt.Stance.SUPPORTS)
    deal = excerpt.deals.get()
    assert (deal.kind, deal.round_name, deal.amount, deal.currency, deal.editorial_state) == (
        "funding_round", "Series B", 120_000_000, "USD", EditorialState.DRAFT,
    )  # fmt: skip
    assert deal.date_iso == "2026-03"
    assert sorted(deal.participations.values_list("company__name", "role")) == [
        ("Brightline Motors", "funded"),
        ("Quanta Ventures", "lead_investor"),
    ]
    new = Company.objects.filter(name__in=["Brightline Motors", "Quanta Ventures"])
    assert {(c.name, c.kind, c.editorial_state) for c in new} == {
        ("Brightline Motors", Company.Kind.AUTOMAKER, EditorialState.DRAFT),
        ("Quanta Ventures", Company.Kind.INVESTOR, EditorialState.DRAFT),
    }
    assert not Alias.objects.exists()  # the alias of published Xiaomi was left unticked
    for record in [source, deal, excerpt, *new, *source.noise_spans.all(), *deal.participations.all()]:
        assert record.history.earliest().history_user == editor, record


def test_send_for_review_creates_the_records_in_review(editor, client, tracker, fixed_analysis):
    review = upload(client)

    client.post(review_url(), checklist(review, source_title="Brightline", send_for_review=True))

    assert Source.objects.get(title="Brightline").editorial_state == EditorialState.IN_REVIEW
    assert set(Deal.objects.exclude(pk=tracker.pk).values_list("editorial_state", flat=True)) == {"in_review"}
    assert set(Company.objects.exclude(slug="xiaomi").values_list("editorial_state", flat=True)) == {"in_review"}


def test_a_part_that_needs_a_reviewer_is_refused_with_its_reason_and_nothing_is_written(
    editor, client, tracker, fixed_analysis
):
    review = upload(client)
    before = counts()

    response = client.post(review_url(), checklist(review, source_title="Brightline", candidate_1_accept=True))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Only reviewers can add the excerpt" in page and "to the published deal" in page
    assert "Nothing was created." in page
    assert counts() == before


def test_a_reviewer_may_accept_the_contradicting_excerpt_and_the_alias(
    django_user_model, client, tracker, fixed_analysis
):
    client.force_login(make_staff(username="reviewer", group="Reviewers"))
    review = upload(client)
    assert review.context["form"]["candidate_1_accept"].value() is True

    client.post(review_url(), checklist(review, source_title="Brightline", alias_0_accept=True))

    excerpt = Excerpt.objects.get(deals=tracker)
    assert excerpt.stance == Excerpt.Stance.CONTRADICTS
    assert excerpt.note == "date: the tracker has 2021-03-30, the article 2021"
    assert tracker.excerpts.count() == 1 and Deal.objects.get(pk=tracker.pk).editorial_state == "published"
    assert Alias.objects.get().name == "Xiaomee" and Alias.objects.get().kind == Alias.Kind.MISSPELLING


def test_an_invalid_choice_is_shown_on_the_form_and_nothing_is_written(editor, client, tracker, fixed_analysis):
    review = upload(client)
    before = counts()

    response = client.post(
        review_url(), checklist(review, source_title="Brightline", candidate_0_date="March", company_0_accept=False)
    )

    page = response.content.decode()
    assert "&quot;March&quot; is not a date" in page
    assert "“Brightline Motors” is not in the tracker: accept it as a new company, or untick it." in page
    assert counts() == before


def test_a_matched_source_without_a_story_is_grouped_with_the_article_in_a_new_story(
    editor, client, tracker, monkeypatch
):
    original = make_source(text="Brightline Motors said Quanta Ventures led its round.", slug="original", state="draft")
    story = {
        "verdict": "version_of",
        "story": None,
        "relation": "rewrite",
        "candidates": [{"source": "original", "story": None, "score": 0.8, "aligned": [[0, 17, 0, 17]]}],
    }
    monkeypatch.setattr(admin_views, "analyse_article", lambda **kw: brightline_analysis(kw["text"], story=story))
    review = upload(client)
    assert "Create a story grouping this article and “A source”" in review.content.decode()

    client.post(review_url(), checklist(review, source_title="Brightline", story_title="Brightline's round"))

    grouped = Story.objects.get(title="Brightline's round")
    assert set(grouped.sources.values_list("slug", "story_relation")) == {
        ("original", "original"),
        (Source.objects.get(title="Brightline").slug, "rewrite"),
    }
    assert Source.objects.get(pk=original.pk).history.latest().history_user == editor


def test_an_archived_text_is_named_and_nothing_else_is_offered(editor, client, tracker, fixed_analysis, monkeypatch):
    archived = make_source(text=TEXT, slug="archived", title="Archived copy")
    monkeypatch.setattr(
        admin_views, "analyse_article", lambda **kw: {**brightline_analysis(kw["text"]), "duplicate_of": "archived"}
    )

    page = upload(client).content.decode()

    assert "already archived as the source" in page and f"{archived}" in page
    assert "Create drafts" not in page


def test_pasted_text_is_stored_with_single_line_ends(editor, client, tracker, fixed_analysis):
    pasted = TEXT.replace("\n", "\r\n")

    review = client.post(reverse("ingest_analyse"), {"text": pasted}, follow=True)
    client.post(review_url(TEXT.strip()), checklist(review, source_title="Pasted"))

    assert Source.objects.get(title="Pasted").text == TEXT.strip()


def test_a_review_page_not_in_the_session_sends_the_editor_back(editor, client):
    response = client.get(review_url("some other text"), follow=True)
    assert response.redirect_chain == [(reverse("ingest_analyse"), 302)]
    assert "analyse the article again" in response.content.decode()


def test_staff_without_the_add_source_permission_may_not_use_it(django_user_model, client):
    client.force_login(make_staff(username="visitor"))
    assert client.get(reverse("ingest_analyse")).status_code == 403
    assert client.get(review_url()).status_code == 403


def test_an_upload_of_another_kind_is_refused(editor, client):
    response = upload(client, name="article.pdf")
    assert "Upload a .txt file or a saved web page (.html)." in response.content.decode()


# -- With the real analysis (ingest/analysis.py), on the shipped dataset ---------------------------


def created_since(before: dict[str, int]) -> dict[str, int]:
    return {name: count - before[name] for name, count in counts().items() if count != before[name]}


def test_a_new_article_goes_through_the_real_analysis_to_drafts(editor, client, seeded):
    before = counts()
    review = upload(client)
    assert review.status_code == 200 and "Create drafts" in review.content.decode()
    assert counts() == before

    client.post(review_url(), checklist(review, source_title="Brightline raises money"))

    source = Source.objects.get(title="Brightline raises money")
    assert source.text == TEXT
    assert created_since(before)["Source"] == 1
    assert created_since(before).get("Excerpt", 0) >= 1  # the series B sentence at least
    for model in (Source, Company, Deal):
        written = set(model.history.filter(history_user=editor).values_list("editorial_state", flat=True))
        assert written <= {EditorialState.DRAFT}, model


def test_a_saved_web_page_is_read_for_its_text_and_its_details(editor, client, seeded):
    html = (ARTICLE.parent / "brightline.html").read_text(encoding="utf-8")
    file = SimpleUploadedFile("brightline.html", html.encode("utf-8"), content_type="text/html")

    review = client.post(reverse("ingest_analyse"), {"article_file": file}, follow=True)

    form = review.context["form"]
    assert form["source_title"].value() == "Brightline Motors raises $120 million for electric vans"
    assert (form["source_publisher"].value(), form["source_author"].value()) == ("Harbour EV Daily", "Lin Okafor")
    assert "The page gives the date 2026-03-12: a suggestion" in review.content.decode()
    assert "<nav>" not in review.content.decode() and "Markets" not in form.text

    client.post(
        review.redirect_chain[-1][0], checklist(review, source_date_basis="inferred", source_date_note="From the page.")
    )

    source = Source.objects.get(title__startswith="Brightline Motors raises")
    assert source.text == form.text and source.published_date_iso == "2026-03-12"
    assert source.history.earliest().history_change_reason == f"Article assistant, raw HTML SHA-256 {text_sha256(html)}"
