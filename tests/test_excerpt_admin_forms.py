"""An editor saving excerpts and noise spans in the admin, as a browser sends them: a context
with its trailing space (or without it), quotes and noise pasted across line breaks (CR LF from
a textarea), and several new excerpts with their slugs left empty."""

import html
import re

import pytest
from django.urls import reverse

from sources.models import Excerpt, NoiseSpan, Source
from tests.conftest import DRAFT, make_excerpt, make_source
from tests.import_helpers import confirm, invalid_rows, upload

pytestmark = pytest.mark.django_db

# "Kestrel Dynamics" occurs twice: the editor says which one by the words before it.
TEXT = (
    "Hangzhou-based drone maker Kestrel Dynamics will build electric cars.\n"
    "The company said the first model\nwould reach buyers in 2022.\n"
    "Most Read\nAnother story\nAnd another one\n"
    "Rivals doubt Kestrel Dynamics can do it.\n"
)
KESTREL_AFTER_MAKER = TEXT.index("Kestrel Dynamics")
KESTREL_AFTER_DOUBT = TEXT.rindex("Kestrel Dynamics")
MULTI_LINE_QUOTE = "The company said the first model\nwould reach buyers in 2022."
NOISE = "Most Read\nAnother story\nAnd another one"


def crlf(text: str) -> str:
    """What a browser submits for text in a textarea."""
    return text.replace("\n", "\r\n")


@pytest.fixture
def source() -> Source:
    return make_source(text=TEXT, slug="kestrel-enters-evs", title="Kestrel enters EVs", state=DRAFT)


def inline_forms(prefix: str, rows: list[dict]) -> dict:
    """The fields of an inline with these new rows."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def new_excerpt(source: Source, **fields) -> dict:
    return {"id": "", "source": str(source.pk), "stance": "supports", "claim": "", "note": "", **fields}


def save_source(client, source: Source, *, excerpts: list[dict] = (), noise: list[dict] = ()):
    """Press "Save" on the source's change page with these new inline rows."""
    url = reverse("admin:sources_source_change", args=[source.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= inline_forms("noise_spans", list(noise)) | inline_forms("excerpts", list(excerpts))
    return client.post(url, data)


def add_excerpt(client, source: Source, **fields):
    """Press "Save" on the standalone "Add excerpt" page."""
    data = {"source": str(source.pk), "start": "", "slug": "", "stance": "supports", "claim": "", "note": "", **fields}
    return client.post(reverse("admin:sources_excerpt_add"), data)


def errors_on_page(response) -> str:
    """The error messages a refused form shows, one a line."""
    lists = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.text, re.DOTALL)
    return "\n".join(html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in lists)


# -- the context before a quote --


@pytest.mark.parametrize(
    "context",
    ["Hangzhou-based drone maker ", "Hangzhou-based drone maker", "drone maker \r\n", "  drone maker"],
    ids=["trailing-space", "no-space", "trailing-line-end", "leading-spaces"],
)
def test_context_before_picks_the_occurrence_from_the_inline(editor_client, source, context):
    response = save_source(
        editor_client, source, excerpts=[new_excerpt(source, quote="Kestrel Dynamics", context_before=context)]
    )
    assert response.status_code == 302, errors_on_page(response)
    excerpt = source.excerpts.get()
    assert excerpt.start == KESTREL_AFTER_MAKER
    assert excerpt.context_before == context.replace("\r\n", "\n")  # kept as typed, line ends aside


@pytest.mark.parametrize("context", ["Hangzhou-based drone maker ", "Hangzhou-based drone maker"])
def test_context_before_picks_the_occurrence_on_the_excerpt_add_page(editor_client, source, context):
    response = add_excerpt(editor_client, source, quote="Kestrel Dynamics", context_before=context)
    assert response.status_code == 302, errors_on_page(response)
    assert source.excerpts.get().start == KESTREL_AFTER_MAKER


def test_context_before_of_the_full_length_may_run_over_line_breaks(editor_client):
    """200 characters as stored; the browser sends each line end as two."""
    lines = [f"Line {number} of a long preamble, padded out to length." for number in range(8)]
    text = "\n".join([*lines, "Kestrel Dynamics", *lines[:2], "Kestrel Dynamics"])
    source = make_source(text=text, slug="long-context", state=DRAFT)
    context = text[: text.index("Kestrel")][-200:]
    assert context.count("\n") >= 3
    assert '<textarea name="context_before"' in editor_client.get(reverse("admin:sources_excerpt_add")).text
    response = add_excerpt(editor_client, source, quote="Kestrel Dynamics", context_before=crlf(context))
    assert response.status_code == 302, errors_on_page(response)
    assert source.excerpts.get().start == text.index("Kestrel")


def test_context_before_still_says_when_it_is_not_before_the_quote(editor_client, source):
    response = add_excerpt(editor_client, source, quote="Kestrel Dynamics", context_before="drone makers ")
    assert "The context before is not immediately followed by the quote in the source text." in response.text
    assert not source.excerpts.exists()


def test_context_before_must_end_where_the_quote_begins(editor_client, source):
    """Spacing at the boundary may be left out, letters may not: "Rivals doub" ends mid-word."""
    response = add_excerpt(editor_client, source, quote="t Kestrel Dynamics", context_before="Rivals doub")
    assert response.status_code == 302, errors_on_page(response)
    assert source.excerpts.get().start == KESTREL_AFTER_DOUBT - 2
    response = add_excerpt(editor_client, source, quote="Kestrel Dynamics", context_before="Rivals doub")
    assert "The context before is not immediately followed by the quote" in response.text


def test_an_unchanged_excerpt_keeps_its_context_when_saved_again(editor_client, source):
    excerpt = make_excerpt(source=source, quote="Kestrel Dynamics", context_before="drone maker ")
    url = reverse("admin:sources_excerpt_change", args=[excerpt.pk])
    form = editor_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {"source": str(source.pk), "companies": [], "deals": []}
    response = editor_client.post(url, data)
    assert response.status_code == 302, errors_on_page(response)
    assert Excerpt.objects.get(pk=excerpt.pk).context_before == "drone maker "


# -- quotes and noise pasted across line breaks --


def test_a_multi_line_quote_pasted_with_cr_lf_is_saved_from_the_inline(editor_client, source):
    response = save_source(editor_client, source, excerpts=[new_excerpt(source, quote=crlf(MULTI_LINE_QUOTE))])
    assert response.status_code == 302, errors_on_page(response)
    excerpt = source.excerpts.get()
    assert excerpt.quote == MULTI_LINE_QUOTE
    assert TEXT[excerpt.start : excerpt.end] == excerpt.quote
    assert Source.objects.get(pk=source.pk).text == TEXT  # the archived text is never touched


def test_a_multi_line_quote_pasted_with_cr_lf_is_saved_on_the_excerpt_add_page(editor_client, source):
    response = add_excerpt(editor_client, source, quote=crlf(MULTI_LINE_QUOTE), context_before=crlf("cars.\n"))
    assert response.status_code == 302, errors_on_page(response)
    excerpt = source.excerpts.get()
    assert (excerpt.quote, excerpt.context_before) == (MULTI_LINE_QUOTE, "cars.\n")
    assert TEXT[excerpt.start : excerpt.end] == MULTI_LINE_QUOTE


def test_a_quote_with_old_mac_line_ends_is_saved(editor_client, source):
    response = add_excerpt(editor_client, source, quote=MULTI_LINE_QUOTE.replace("\n", "\r"))
    assert response.status_code == 302, errors_on_page(response)
    assert source.excerpts.get().quote == MULTI_LINE_QUOTE


def test_a_multi_line_noise_span_pasted_with_cr_lf_is_saved_from_the_inline(editor_client, source):
    response = save_source(
        editor_client, source, noise=[{"id": "", "source": str(source.pk), "label": "Most Read", "text": crlf(NOISE)}]
    )
    assert response.status_code == 302, errors_on_page(response)
    span = source.noise_spans.get()
    assert span.text == NOISE
    assert (span.start, span.end) == (TEXT.index(NOISE), TEXT.index(NOISE) + len(NOISE))


def test_a_multi_line_noise_span_pasted_with_cr_lf_is_saved_on_its_add_page(editor_client, source):
    data = {"source": str(source.pk), "label": "Most Read", "text": crlf(NOISE)}
    response = editor_client.post(reverse("admin:sources_noisespan_add"), data)
    assert response.status_code == 302, errors_on_page(response)
    assert source.noise_spans.get().text == NOISE


def test_a_source_archived_with_cr_lf_takes_quotes_in_its_own_line_ends(editor_client):
    """A text pasted into the admin's textarea was archived with CR LF: a quote pasted the same
    way must still be found, and the stored quote is the text as archived."""
    source = make_source(text=crlf(TEXT), slug="pasted-with-cr-lf", state=DRAFT)
    response = add_excerpt(editor_client, source, quote=crlf(MULTI_LINE_QUOTE))
    assert response.status_code == 302, errors_on_page(response)
    excerpt = source.excerpts.get()
    assert excerpt.quote == crlf(MULTI_LINE_QUOTE)
    assert source.text[excerpt.start : excerpt.end] == excerpt.quote


def test_noise_messages_speak_of_the_noise_text(editor_client, source):
    pasted = NOISE.replace("Another story", "Another  story")  # two spaces
    data = {"source": str(source.pk), "label": "Most Read", "text": crlf(pasted)}
    response = editor_client.post(reverse("admin:sources_noisespan_add"), data)
    assert (
        "The noise text does not occur in the source text. It differs from the source only in "
        "quotation marks, dashes or spacing: copy it exactly." in response.text
    )
    assert "quote" not in errors_on_page(response)
    assert not NoiseSpan.objects.exists()


def test_quote_messages_still_speak_of_the_quote(editor_client, source):
    response = add_excerpt(editor_client, source, quote="Rivals doubt Kestrel  Dynamics")
    assert "The quote does not occur in the source text. It differs from the source only in" in response.text


def test_noise_that_occurs_twice_asks_for_more_of_the_noise(editor_client):
    source = make_source(text="Most Read\nA\nArticle.\nMost Read\nB\n", slug="twice", state=DRAFT)
    data = {"source": str(source.pk), "label": "Most Read", "text": "Most Read"}
    response = editor_client.post(reverse("admin:sources_noisespan_add"), data)
    assert (
        "The noise text occurs 2 times in the source text (at characters 0, 21). "
        "Paste more of the noise around it, so that it occurs only once." in response.text
    )
    assert "context" not in errors_on_page(response)


# -- new excerpts with their slugs left empty --


def test_two_new_excerpts_with_empty_slugs_save_in_one_go(editor_client, source):
    response = save_source(
        editor_client,
        source,
        excerpts=[
            new_excerpt(source, quote="Kestrel Dynamics", context_before="drone maker ", slug=""),
            new_excerpt(source, quote=crlf(MULTI_LINE_QUOTE), slug=""),
        ],
    )
    assert response.status_code == 302, errors_on_page(response)
    slugs = sorted(source.excerpts.values_list("slug", flat=True))
    assert slugs == [f"kestrel-enters-evs-{KESTREL_AFTER_MAKER}", f"kestrel-enters-evs-{TEXT.index('The company')}"]


def test_two_new_excerpts_of_the_same_words_get_distinct_slugs(editor_client, source):
    """Two excerpts may quote the same words (say, backing two different claims)."""
    make_excerpt(source=source, quote="Kestrel Dynamics", context_before="maker ")  # takes the plain slug
    same = {"quote": "Kestrel Dynamics", "context_before": "maker ", "slug": ""}
    response = save_source(
        editor_client,
        source,
        excerpts=[new_excerpt(source, claim="maker", **same), new_excerpt(source, claim="cars", **same)],
    )
    assert response.status_code == 302, errors_on_page(response)
    plain = f"kestrel-enters-evs-{KESTREL_AFTER_MAKER}"
    assert sorted(source.excerpts.values_list("slug", flat=True)) == [plain, f"{plain}-2", f"{plain}-3"]


def test_a_typed_slug_keeps_its_name_and_an_empty_one_steps_aside(editor_client, source):
    plain = f"kestrel-enters-evs-{KESTREL_AFTER_MAKER}"
    same = {"quote": "Kestrel Dynamics", "context_before": "maker "}
    response = save_source(
        editor_client,
        source,
        excerpts=[new_excerpt(source, slug="", **same), new_excerpt(source, slug=plain, **same)],
    )
    assert response.status_code == 302, errors_on_page(response)
    first, second = source.excerpts.order_by("pk")
    assert (first.slug, second.slug) == (f"{plain}-2", plain)  # the second form is the one that typed it


def test_two_typed_slugs_that_are_the_same_are_still_refused(editor_client, source):
    response = save_source(
        editor_client,
        source,
        excerpts=[
            new_excerpt(source, quote="Kestrel Dynamics", context_before="maker ", slug="mine"),
            new_excerpt(source, quote=MULTI_LINE_QUOTE, slug="mine"),
        ],
    )
    assert "Please correct the duplicate data for slug" in response.text
    assert not source.excerpts.exists()


def test_an_empty_slug_on_the_add_page_steps_aside_for_an_existing_one(editor_client, source):
    make_excerpt(source=source, quote="Kestrel Dynamics", context_before="maker ")
    response = add_excerpt(editor_client, source, quote="Kestrel Dynamics", context_before="maker ")
    assert response.status_code == 302, errors_on_page(response)
    plain = f"kestrel-enters-evs-{KESTREL_AFTER_MAKER}"
    assert sorted(source.excerpts.values_list("slug", flat=True)) == [plain, f"{plain}-2"]


def test_an_excerpts_file_with_empty_slugs_imports_with_distinct_slugs(editor_client, source):
    csv_text = (
        "slug,source,start,end,stance,claim,companies,deals,quote,context_before,note\n"
        f",{source.slug},,,supports,maker,,,Kestrel Dynamics,drone maker,\n"
        f",{source.slug},,,supports,cars,,,Kestrel Dynamics,drone maker ,\n"
        f',{source.slug},,,supports,timing,,,"{crlf(MULTI_LINE_QUOTE)}",,\n'
    )
    preview = upload(editor_client, Excerpt, "excerpts.csv", content=csv_text.encode())
    assert invalid_rows(preview) == {}
    result = confirm(editor_client, Excerpt, preview)
    assert "Import finished: 3 new" in result.text
    plain = f"kestrel-enters-evs-{KESTREL_AFTER_MAKER}"
    assert dict(source.excerpts.values_list("claim", "slug")) == {
        "maker": plain,
        "cars": f"{plain}-2",
        "timing": f"kestrel-enters-evs-{TEXT.index('The company')}",
    }
    assert source.excerpts.get(claim="timing").quote == MULTI_LINE_QUOTE


# -- the source's add page: the text, its noise and its excerpts in one save --


def test_a_new_source_is_saved_with_its_noise_and_excerpts_anchored(editor_client):
    """On the add page the source has no id yet while its inlines are checked: they are still
    anchored in the text being added, which a browser sends with CR LF line ends."""
    data = {
        "title": "Kestrel enters EVs",
        "slug": "kestrel-enters-evs",
        "editorial_state": "draft",
        "story_relation": "original",
        "text": crlf(TEXT),
        **inline_forms("noise_spans", [{"label": "Most Read", "text": crlf(NOISE)}]),
        **inline_forms(
            "excerpts",
            [
                {"stance": "supports", "quote": "Kestrel Dynamics", "context_before": "drone maker", "slug": ""},
                {"stance": "supports", "quote": crlf(MULTI_LINE_QUOTE), "slug": ""},
            ],
        ),
    }
    response = editor_client.post(reverse("admin:sources_source_add"), data)
    assert response.status_code == 302, errors_on_page(response)
    source = Source.objects.get(slug="kestrel-enters-evs")
    span = source.noise_spans.get()
    assert source.text[span.start : span.end] == span.text == crlf(NOISE)
    excerpts = list(source.excerpts.order_by("start"))
    assert [source.text[e.start : e.end] for e in excerpts] == ["Kestrel Dynamics", crlf(MULTI_LINE_QUOTE)]
    assert [e.quote for e in excerpts] == ["Kestrel Dynamics", crlf(MULTI_LINE_QUOTE)]
    assert [e.slug for e in excerpts] == [
        f"kestrel-enters-evs-{KESTREL_AFTER_MAKER}",
        f"kestrel-enters-evs-{crlf(TEXT).index('The company')}",
    ]


def test_a_quote_not_in_the_new_sources_text_is_refused_on_the_add_page(editor_client):
    """With no id yet, the source's inlines were once saved unchecked: an excerpt without offsets or
    slug, and a noise span that crashed the page."""
    data = {
        "title": "Kestrel enters EVs",
        "slug": "kestrel-enters-evs",
        "editorial_state": "draft",
        "story_relation": "original",
        "text": TEXT,
        **inline_forms("noise_spans", [{"label": "Most Read", "text": "Least Read"}]),
        **inline_forms("excerpts", [{"stance": "supports", "quote": "Kestrel Dynamics builds planes.", "slug": ""}]),
    }
    response = editor_client.post(reverse("admin:sources_source_add"), data)
    assert errors_on_page(response).splitlines() == [
        "The noise text does not occur in the source text.",
        "The quote does not occur in the source text.",
    ]
    assert not Source.objects.exists()
    assert not Excerpt.objects.exists()
