"""What every public page shares: published records only, no inline code, a title, a description
and a canonical address, and a normal page whatever the query string says."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from companies.models import Participation
from sources.models import Story
from tests.conftest import DRAFT, make_company, make_deal, make_excerpt, make_source

pytestmark = pytest.mark.django_db

TEXT = (
    "Chinese smartphone brand Xiaomi said it would set up an EV subsidiary. "
    "It will invest $10 billion over the next decade.\n\nMost Read: an unrelated story."
)
HIDDEN = (
    "Draft deal",
    "Draft Motors",
    "Secret Partner",
    "draft-deal",
    "draft-motors",
    "secret-partner",
    "draft-source",
)


@pytest.fixture
def world():
    """A published company and deal backed by a published source, plus drafts that must stay hidden."""
    xiaomi = make_company(name="Xiaomi", headquarters="Beijing, China", entry_mode="own_cars")
    hidden_partner = make_company(name="Secret Partner", state=DRAFT)
    draft_motors = make_company(name="Draft Motors", state=DRAFT, kind="automaker")
    source = make_source(text=TEXT, slug="scmp", title="Xiaomi story", publisher="South China Morning Post")
    source.noise_spans.create(
        label="Most Read list", text="Most Read: an unrelated story.", start=TEXT.index("Most"), end=len(TEXT)
    )
    draft_source = make_source(
        text="Xiaomi will build cars in secret.", slug="draft-source", title="Draft source", state=DRAFT
    )
    deal = make_deal(
        title="Xiaomi sets up an EV subsidiary",
        slug="xiaomi-ev-subsidiary",
        date=datetime.date(2021, 3, 1),
        date_precision="month",
        amount=Decimal("10000000000"),
        currency="USD",
        amount_note="over the next decade",
        venture=draft_motors,
        parties=[(xiaomi, Participation.Role.PARENT), (hidden_partner, Participation.Role.PARTNER)],
    )
    make_deal(
        title="Draft deal",
        slug="draft-deal",
        state=DRAFT,
        amount=Decimal(5),
        currency="EUR",
        parties=[(xiaomi, Participation.Role.PARTNER)],
    )
    make_excerpt(
        source=source,
        quote="Xiaomi said it would set up an EV subsidiary.",
        companies=[xiaomi, hidden_partner],
        deals=[deal],
        slug="e1",
    )
    make_excerpt(
        source=draft_source, quote="Xiaomi will build cars in secret.", companies=[xiaomi], deals=[deal], slug="e2"
    )
    return {"xiaomi": xiaomi, "deal": deal, "source": source}


def public_urls(world) -> list[str]:
    """One address of every kind of public page and file."""
    urls = [
        reverse("home"),
        reverse("companies:company_list"),
        world["xiaomi"].get_absolute_url(),
        reverse("companies:deal_list"),
        world["deal"].get_absolute_url(),
        reverse("sources:source_list"),
        world["source"].get_absolute_url(),
        reverse("downloads:data"),
        reverse("companies:deal_feed"),
        reverse("sitemap"),
        *(reverse("sitemap_section", args=[section]) for section in ("pages", "companies", "deals", "sources")),
    ]
    for table in ("companies", "deals", "participations", "excerpts", "sources"):
        urls += [reverse("downloads:table_csv", args=[table]), reverse("downloads:table_json", args=[table])]
    return urls


@pytest.mark.parametrize(
    "url",
    [
        "/companies/draft-motors/",
        "/companies/secret-partner/",
        "/deals/draft-deal/",
        "/sources/draft-source/",
        "/companies/no-such-company/",
    ],
)
def test_unpublished_or_unknown_records_are_404(client, world, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "There is no published page at this address" in response.text


def test_drafts_are_absent_from_every_page_download_feed_and_sitemap(client, world):
    for url in public_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        for hidden in HIDDEN:
            assert hidden not in response.text, f"{hidden} on {url}"
        assert "Xiaomi will build cars in secret." not in response.text, url  # quoted from a draft source


def test_drafts_are_not_counted(client, world):
    headline = client.get(reverse("home")).context["headline"]
    assert (headline.companies, headline.deals, headline.sources) == (1, 1, 1)
    assert [(total.currency, total.total) for total in headline.money] == [("USD", Decimal("10000000000"))]
    assert "1 company." in client.get(reverse("companies:company_list")).text
    assert "1 deal." in client.get(reverse("companies:deal_list")).text
    assert ">1</a>" in client.get(reverse("companies:company_list")).text  # Xiaomi's one published deal


INLINE_CODE = re.compile(r"<script|<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def test_no_page_has_inline_script_or_style(client, world):
    """A strict Content-Security-Policy (no 'unsafe-inline') can guard every public page."""
    story = Story.objects.create(slug="story", title="Story")
    in_story = make_source(text="Xiaomi makes cars.", slug="copy", title="Copy", story=story)
    urls = [
        *public_urls(world),
        in_story.get_absolute_url(),
        reverse("companies:deal_list") + "?year=soon&kind=nonsense",
        reverse("companies:company_list") + "?page=9999",
        "/no-such-page/",
    ]
    for url in urls:
        text = client.get(url).content.decode()
        assert not INLINE_CODE.search(text), f"{url}: {INLINE_CODE.search(text).group()}"


def test_every_page_has_its_own_title_description_and_canonical_address(client, world):
    pages = {
        reverse("home"): "EV Entry Tracker: Chinese tech companies moving into electric vehicles",
        reverse("companies:company_list"): "Companies — EV Entry Tracker",
        world["xiaomi"].get_absolute_url(): "Xiaomi: Builds its own cars — EV Entry Tracker",
        reverse("companies:deal_list"): "Deals — EV Entry Tracker",
        world["deal"].get_absolute_url(): "Xiaomi sets up an EV subsidiary (Mar 2021) — EV Entry Tracker",
        reverse("sources:source_list"): "Sources — EV Entry Tracker",
        world["source"].get_absolute_url(): "Xiaomi story (South China Morning Post) — EV Entry Tracker",
        reverse("downloads:data"): "Download the data — EV Entry Tracker",
    }
    descriptions = set()
    for url, title in pages.items():
        text = client.get(url + "?ordering=").text
        assert f"<title>{title}</title>" in text, url
        assert f'<link rel="canonical" href="http://testserver{url}">' in text, url
        descriptions.add(re.search(r'<meta name="description" content="([^"]+)">', text).group(1))
    assert len(descriptions) == len(pages)
    deal_page = client.get(world["deal"].get_absolute_url()).text
    assert 'content="New subsidiary or unit, announced, Mar 2021, USD 10,000,000,000: ' in deal_page


def test_a_list_page_beyond_the_first_is_its_own_canonical_address(client, world):
    for i in range(60):
        make_company(name=f"Company {i:02d}")
    text = client.get(reverse("companies:company_list") + "?page=2").text
    assert '<link rel="canonical" href="http://testserver/companies/?page=2">' in text
    filtered = client.get(reverse("companies:company_list") + "?page=2&kind=tech").text
    assert '<link rel="canonical" href="http://testserver/companies/">' in filtered


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/companies/?kind=spaceship", "Select a valid choice. spaceship is not one of the available choices."),
        ("/companies/?entry_mode=teleport", "Select a valid choice."),
        ("/companies/?ordering=shoe-size", "Select a valid choice."),
        ("/companies/?q=" + "x" * 500, "Ensure this value has at most 100 characters"),
        ("/companies/?q=%00", "Null characters are not allowed."),
        ("/companies/?page=9999", "There is no page “9999”; this is page 1 of 1."),
        ("/companies/?page=abc", "There is no page “abc”; this is page 1 of 1."),
        ("/companies/?page=-3", "There is no page “-3”; this is page 1 of 1."),
        ("/deals/?year=soon", "Enter a whole number."),
        ("/deals/?year=99999999999999999999999", "Ensure this value is less than or equal to 2100."),
        ("/deals/?year=1066", "Ensure this value is greater than or equal to 1900."),
        ("/deals/?amount_min=lots", "Enter a number."),
        ("/deals/?amount_max=1e999", "Ensure that there are no more than 20 digits in total."),
        ("/deals/?amount_min=NaN", "Enter a number."),
        ("/deals/?amount_min=-5", "Ensure this value is greater than or equal to 0."),
        ("/deals/?currency=XYZ", "XYZ&quot; is not an ISO 4217 currency code"),
        ("/deals/?status=maybe&kind=merger", "Select a valid choice. maybe is not one of the available choices."),
        ("/deals/?company=%00", "Null characters are not allowed."),
        ("/deals/?page=9999&kind=subsidiary", "There is no page “9999”; this is page 1 of 1."),
        ("/sources/?ordering=random", "Select a valid choice."),
        ("/sources/?page=0", "There is no page “0”; this is page 1 of 1."),
    ],
)
def test_bad_query_parameters_give_a_normal_page_with_a_message(client, world, url, message):
    response = client.get(url)
    assert response.status_code == 200
    assert message.replace("“", "&ldquo;").replace("”", "&rdquo;") in response.text or message in response.text


def test_an_invalid_filter_shows_no_results_rather_than_ignoring_it(client, world):
    text = client.get("/deals/?kind=merger").text
    assert "No results: the filter has a problem." in text
    assert "Xiaomi sets up an EV subsidiary" not in text


def test_a_filter_that_matches_nothing_says_so(client, world):
    text = client.get("/deals/?company=no-such-company").text
    assert "No deals match these filters." in text


def test_seeded_pages_render(client, seeded):
    """Every published record of the shipped dataset has a working page."""
    from companies.models import Company, Deal
    from sources.models import Source

    for model in (Company, Deal, Source):
        for record in model.objects.published():
            response = client.get(record.get_absolute_url())
            assert response.status_code == 200, record
