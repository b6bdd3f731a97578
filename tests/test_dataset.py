"""The shipped dataset holds together: every fact traceable to a verbatim excerpt of an article."""

import re
from pathlib import Path

import pytest
from django.db.models import Count, Q

from companies.models import Company, Deal
from sources.models import Excerpt, Source, text_sha256

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


# Double quotes of any style, a left single quote, and a straight or curly single quote opening a
# word ('Zebra'); an apostrophe inside or after a word (China's, isn’t, carmakers') is not a quote.
QUOTATION_MARK = re.compile(r"[\"“”„‟«»‹›‘]|(?<!\w)['’](?=\w)")
# How an evidence note says a deal's year is the article's own (seeds/README.md, "Dates").
YEAR_FROM_THE_ARTICLE = re.compile(
    r"\byear is (that of )?the article|\bthe article's (own )?year|\byear of the article"
)


def supported_by_published_source(queryset):
    supporting = Q(excerpts__stance=Excerpt.Stance.SUPPORTS, excerpts__source__editorial_state="published")
    return queryset.annotate(support=Count("excerpts", filter=supporting))


def test_every_seed_article_is_an_archived_source(seeded):
    for path in sorted(SEEDS.glob("*.txt")):
        source = Source.objects.get(seed_file=path.name)
        assert source.sha256 == text_sha256(path.read_text(encoding="utf-8")), path.name
        assert source.is_published


def test_every_excerpt_is_verbatim_at_its_offsets(seeded):
    for excerpt in Excerpt.objects.select_related("source"):
        assert excerpt.source.text[excerpt.start : excerpt.end] == excerpt.quote, excerpt.slug


def test_no_excerpt_comes_from_page_noise(seeded):
    for excerpt in Excerpt.objects.select_related("source").prefetch_related("source__noise_spans"):
        for span in excerpt.source.noise_spans.all():
            assert excerpt.end <= span.start or span.end <= excerpt.start, f"{excerpt.slug} in {span.label}"


def test_noise_spans_are_verbatim(seeded):
    for source in Source.objects.prefetch_related("noise_spans"):
        for span in source.noise_spans.all():
            assert source.text[span.start : span.end] == span.text


def test_every_published_deal_and_company_has_a_supporting_excerpt(seeded):
    unsupported_deals = supported_by_published_source(Deal.objects.published()).filter(support=0)
    unsupported_companies = supported_by_published_source(Company.objects.published()).filter(support=0)
    assert list(unsupported_deals.values_list("slug", flat=True)) == []
    assert list(unsupported_companies.values_list("slug", flat=True)) == []


def test_every_deal_has_a_party(seeded):
    partyless = Deal.objects.annotate(parties=Count("participations")).filter(parties=0)
    assert list(partyless.values_list("slug", flat=True)) == []


def test_dates_have_a_precision_and_amounts_a_currency(seeded):
    assert not Deal.objects.filter(date__isnull=False, date_precision="").exists()
    assert not Source.objects.filter(published_date__isnull=False, published_date_precision="").exists()
    assert not Deal.objects.filter(amount__isnull=False, currency="").exists()


def test_inferred_source_dates_say_why(seeded):
    assert not Source.objects.filter(date_basis=Source.DateBasis.INFERRED, date_note="").exists()


def test_undated_seed_sources_say_why(seeded):
    """A seed article left undated keeps the reasoning (why no other text's date applies to it)."""
    assert not Source.objects.exclude(seed_file="").filter(published_date__isnull=True, date_note="").exists()


@pytest.mark.parametrize(
    ("text", "quoting"),
    [
        ("Xiaomi held an “in-depth” talk.", True),
        ("the Banma (‘Zebra’) joint venture", True),
        ("the Banma ('Zebra') joint venture", True),
        ('make "high-quality" vehicles', True),
        ("China's carmakers' turf isn’t theirs; Xiaomi’s plan", False),
    ],
)
def test_quotation_mark_detector(text, quoting):
    assert bool(QUOTATION_MARK.search(text)) is quoting


def test_summaries_are_in_our_own_words_without_quotation_marks(seeded):
    """Summaries paraphrase; a quote belongs in an excerpt, where it is checked against the text."""
    quoting = [
        f"{model._meta.verbose_name} {slug}: {summary}"
        for model in (Company, Deal)
        for slug, summary in model.objects.values_list("slug", "summary")
        if QUOTATION_MARK.search(summary)
    ]
    assert quoting == []


def test_a_year_no_quote_gives_is_the_articles_and_is_noted(seeded):
    """A year in a deal's date or summary that none of its backing quotes gives (“On April 18”,
    “last month”, “In January”) was taken from an article backing it: it must be one such
    article's year, and the deal's evidence note must say that the year is the article's."""
    problems = []
    for deal in Deal.objects.prefetch_related("excerpts__source"):
        backing = [excerpt for excerpt in deal.excerpts.all() if excerpt.stance != Excerpt.Stance.CONTRADICTS]
        quoted = {int(year) for excerpt in backing for year in re.findall(r"\b(?:19|20)\d\d\b", excerpt.quote)}
        stated = {int(year) for year in re.findall(r"\b(?:19|20)\d\d\b", deal.summary)}
        if deal.date:
            stated.add(deal.date.year)
        article_years = {excerpt.source.published_date.year for excerpt in backing if excerpt.source.published_date}
        for year in sorted(stated - quoted):
            if year not in article_years:
                problems.append(f"{deal.slug}: no backing quote gives {year}, nor is it a backing article's year")
            elif not YEAR_FROM_THE_ARTICLE.search(deal.evidence_note):
                problems.append(f"{deal.slug}: {year} is the article's year; the evidence note must say so")
    assert problems == []


def test_disagreements_and_corrections_are_explained(seeded):
    """A contradicting or correcting excerpt carries a note, and the records it touches say which
    value the tracker prefers."""
    for excerpt in Excerpt.objects.exclude(stance=Excerpt.Stance.SUPPORTS).prefetch_related("deals", "companies"):
        assert excerpt.note, excerpt.slug
        records = [*excerpt.deals.all(), *excerpt.companies.all()]
        assert any(record.evidence_note for record in records), excerpt.slug


def test_rewrites_of_one_story_count_once(seeded):
    stories = Source.objects.published().values_list("story__slug", "slug")
    independent = {story or f"own:{slug}" for story, slug in stories}
    assert len(independent) == 3  # the Protocol article, the TechCrunch story (three versions), SCMP


def test_misspelling_in_a_source_finds_the_company(seeded):
    assert Company.objects.filter(aliases__name="SIAC").get().slug == "saic-motor"


def test_tech_companies_entering_evs_have_an_entry_mode(seeded):
    entering = ["alibaba", "baidu", "xiaomi", "didi-chuxing", "huawei", "360"]
    modes = dict(Company.objects.filter(slug__in=entering).values_list("slug", "entry_mode"))
    assert all(modes[slug] for slug in entering), modes
