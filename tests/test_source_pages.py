"""The source list and the source page: the archived text with every excerpt highlighted and
anchored, page noise folded away, the story it is a version of, and what each excerpt backs."""

import datetime
import re

import pytest
from django.urls import reverse

from companies.models import Participation
from sources.models import Story
from tests.conftest import DRAFT, make_company, make_deal, make_excerpt, make_source
from tests.page_text import section, text_of

pytestmark = pytest.mark.django_db

TEXT = (
    "Alibaba has made ties with SIAC to make a $160 million investment. "
    "The company recently launched the vehicle arm known as Zhiji.\n\n"
    "Most Read\nAn unrelated story about phones."
)


@pytest.fixture
def sources():
    alibaba = make_company(name="Alibaba", entry_mode="joint_venture")
    draft_company = make_company(name="Secret Co", state=DRAFT)
    deal = make_deal(
        title="Alibaba and SAIC invest", slug="alibaba-saic", parties=[(alibaba, Participation.Role.INVESTOR)]
    )
    story = Story.objects.create(slug="techcrunch", title="Alibaba vies for a piece of China's EV market")
    make_source(
        text="Alibaba vies for EVs.",
        slug="original",
        title="The original",
        story=story,
        publisher="TechCrunch",
        published_date=datetime.date(2020, 12, 1),
        published_date_precision="month",
        date_basis="stated",
    )
    rewrite = make_source(
        text=TEXT,
        slug="rewrite",
        title="Alibaba wants a piece",
        publisher="Rush Hour Daily",
        story=story,
        story_relation="rewrite",
        published_date=datetime.date(2020, 12, 1),
        published_date_precision="month",
        date_basis="inferred",
        date_note="The text says “recently”.",
    )
    make_source(text="A draft version.", slug="draft-version", title="Draft version", story=story, state=DRAFT)
    make_source(text="A standalone article.", slug="standalone", title="Standalone", publisher="SCMP")
    rewrite.noise_spans.create(
        label="Most Read list",
        text="Most Read\nAn unrelated story about phones.",
        start=TEXT.index("Most Read"),
        end=len(TEXT),
    )
    investment = make_excerpt(
        source=rewrite,
        quote="Alibaba has made ties with SIAC to make a $160 million investment.",
        claim="the investment",
        companies=[alibaba, draft_company],
        deals=[deal],
        slug="investment",
    )
    # Overlaps the end of the first: both stay highlighted, each with its own anchor.
    zhiji = make_excerpt(
        source=rewrite,
        quote="$160 million investment. The company recently launched",
        stance="contradicts",
        claim="who launched Zhiji",
        companies=[alibaba],
        slug="zhiji",
    )
    return {"rewrite": rewrite, "investment": investment, "zhiji": zhiji}


def test_source_list_shows_publisher_date_story_and_excerpt_count(client, sources):
    html = client.get(reverse("sources:source_list")).text
    rows = [text_of(row) for row in re.findall(r'<tr role="row">\s*<th role="rowheader".*?</tr>', html, re.S)]
    assert rows == [
        "Alibaba wants a piece Rush Hour Daily Dec 2020 (inferred) Rewrite by another publisher of "
        "“Alibaba vies for a piece of China's EV market” · 2 versions, counted as one source 2 (1 disagrees)",
        "The original TechCrunch Dec 2020 Original of “Alibaba vies for a piece of China's EV market” "
        "· 2 versions, counted as one source 0",
        "Standalone SCMP Not known A story of its own 0",
    ]
    assert "Draft version" not in html
    searched = client.get(reverse("sources:source_list") + "?q=rush+hour").text
    assert "Alibaba wants a piece" in searched and "Standalone" not in searched


def test_source_page_shows_publisher_date_and_story(client, sources):
    text = text_of(client.get(sources["rewrite"].get_absolute_url()).text)
    assert "Publisher Rush Hour Daily" in text
    assert "Published Dec 2020 (inferred: The text says “recently”.)" in text
    assert (
        "Story Rewrite by another publisher of “Alibaba vies for a piece of China's EV market”. The tracker holds "
        "2 versions of this story; together they count as one independent source." in text
    )
    assert "The original Original, TechCrunch" in text and "Draft version" not in text
    standalone = text_of(client.get("/sources/standalone/").text)
    assert "A story of its own: it counts as one independent source." in standalone


def test_every_excerpt_is_highlighted_and_anchored_in_the_text(client, sources):
    html = client.get(sources["rewrite"].get_absolute_url()).text
    first, second = sources["investment"].pk, sources["zhiji"].pk
    assert f'<mark id="excerpt-{first}">Alibaba has made ties with SIAC to make a </mark>' in html
    assert f'<mark id="excerpt-{second}">$160 million investment.</mark>' in html  # inside both
    assert "<mark> The company recently launched</mark>" in html
    assert html.count('id="excerpt-') == 2


def test_page_noise_is_folded_away_but_available(client, sources):
    html = client.get(sources["rewrite"].get_absolute_url()).text
    noise = re.search(r'<details class="noise">.*?</details>', html, re.S).group()
    assert "<summary>Page noise folded away: Most Read list</summary>" in noise
    assert "An unrelated story about phones." in noise
    assert "<details open" not in html


def test_what_each_excerpt_backs(client, sources):
    backs = section(client.get(sources["rewrite"].get_absolute_url()).text, "backs-heading")
    items = [text_of(item) for item in re.findall(r"<li>.*?</li>", backs, re.S)]
    assert items == [
        "“Alibaba has made ties with SIAC to make a $160 million investment.” Supports: the investment "
        "Backs Alibaba and SAIC invest, Alibaba",
        "“$160 million investment. The company recently launched” Contradicts: who launched Zhiji Backs Alibaba",
    ]
    assert f'href="#excerpt-{sources["investment"].pk}"' in backs
    assert "Secret Co" not in backs
