"""One rule of visibility per kind of record that belongs to others (issue #10, point 3): an alias,
a participation, an excerpt, a noise span or a story attached to a draft is not returned by
`visible()`, and no page or download shows it."""

import pytest

from companies.models import Alias, AliasQuerySet, Company, Participation
from sources.models import Excerpt, NoiseSpan, Story, visible_excerpt_links
from tests.conftest import DRAFT, make_company, make_deal, make_excerpt, make_source

pytestmark = pytest.mark.django_db

Role = Participation.Role
TEXT = "Xiaomi said it would set up an EV subsidiary. Most Read: other news about phones."
QUOTE = "Xiaomi said it would set up an EV subsidiary."
NOISE = "Most Read: other news about phones."


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_an_alias_of_a_draft_company_is_not_visible_nor_downloaded_nor_searchable(client):
    shown = Alias.objects.create(company=make_company(name="Xiaomi"), name="Mi Auto")
    Alias.objects.create(company=make_company(name="Hidden Motors", state=DRAFT), name="Pineapple Cars")

    assert list(Alias.objects.visible()) == [shown]
    csv = page(client, "/data/companies.csv")
    assert "Mi Auto" in csv and "Pineapple Cars" not in csv
    assert "Pineapple Cars" not in page(client, "/data/companies.json")
    found = page(client, "/companies/?q=Pineapple")
    assert "Hidden Motors" not in found and "Pineapple" in found  # the form echoes the words only
    assert "Xiaomi" in page(client, "/companies/?q=Mi+Auto")


def test_a_part_in_a_draft_deal_or_of_a_draft_company_is_not_visible_nor_shown(client):
    xiaomi = make_company(name="Xiaomi")
    hidden = make_company(name="Hidden Partner", state=DRAFT)
    deal = make_deal(title="Xiaomi sets up an EV unit", parties=[(xiaomi, Role.PARENT), (hidden, Role.PARTNER)])
    make_deal(title="Secret round", slug="secret-round", state=DRAFT, parties=[(xiaomi, Role.INVESTOR)])

    visible = Participation.objects.visible()
    assert [(part.deal, part.company) for part in visible] == [(deal, xiaomi)]
    participations = page(client, "/data/participations.csv")
    assert "xiaomi" in participations
    assert "hidden-partner" not in participations and "secret-round" not in participations
    assert "hidden-partner" not in page(client, "/data/deals.csv")
    assert "Hidden Partner" not in page(client, deal.get_absolute_url())
    assert "Secret round" not in page(client, xiaomi.get_absolute_url())
    assert "Xiaomi sets up" not in page(client, "/deals/?q=Hidden+Partner")


def test_an_excerpt_of_a_draft_source_is_not_visible_nor_shown(client):
    xiaomi = make_company(name="Xiaomi")
    make_excerpt(source=make_source(text=TEXT, slug="public-source"), quote=QUOTE, companies=[xiaomi])
    draft_source = make_source(text="Xiaomi will invest US$10 billion.", slug="draft-source", state=DRAFT)
    hidden = make_excerpt(source=draft_source, quote="Xiaomi will invest US$10 billion.", companies=[xiaomi])

    assert hidden not in Excerpt.objects.visible() and Excerpt.objects.visible().count() == 1
    assert hidden not in xiaomi.excerpts.visible()  # the reverse relation has the same rule
    assert "US$10 billion" not in page(client, "/data/excerpts.csv")
    assert "US$10 billion" not in page(client, xiaomi.get_absolute_url())
    assert client.get(draft_source.get_absolute_url()).status_code == 404
    companies = page(client, "/data/companies.csv").splitlines()
    assert companies[1].split(",")[-2] == "1"  # xiaomi's excerpt count: the published excerpt only


def test_an_excerpt_links_only_to_published_companies_and_deals(client):
    xiaomi = make_company(name="Xiaomi")
    hidden = make_company(name="Hidden Motors", state=DRAFT)
    draft_deal = make_deal(title="Secret round", slug="secret-round", state=DRAFT, parties=[(xiaomi, Role.INVESTOR)])
    excerpt = make_excerpt(source=make_source(text=TEXT), quote=QUOTE, companies=[xiaomi, hidden], deals=[draft_deal])

    assert excerpt in Excerpt.objects.visible()  # the excerpt itself is shown, with its published source
    assert list(visible_excerpt_links("company").values_list("company__slug", flat=True)) == ["xiaomi"]
    assert not visible_excerpt_links("deal").exists()
    excerpts = page(client, "/data/excerpts.csv")
    assert QUOTE in excerpts and "hidden-motors" not in excerpts and "secret-round" not in excerpts
    source_page = page(client, excerpt.source.get_absolute_url())
    assert "Hidden Motors" not in source_page and "Secret round" not in source_page


def test_a_noise_span_of_a_draft_source_is_not_visible():
    shown = NoiseSpan(source=make_source(text=TEXT, slug="public-source"), label="Most Read list", text=NOISE)
    shown.full_clean()
    shown.save()
    hidden = NoiseSpan(source=make_source(text=TEXT, slug="draft-source", state=DRAFT), label="Most Read", text=NOISE)
    hidden.full_clean()
    hidden.save()

    assert list(NoiseSpan.objects.visible()) == [shown]


def test_a_story_with_only_draft_versions_is_not_visible_nor_downloaded(client):
    shown = Story.objects.create(slug="public-story", title="Xiaomi's EV plans")
    hidden = Story.objects.create(slug="hidden-story", title="A rumour")
    make_source(text=TEXT, slug="public-version", story=shown)
    make_source(text=TEXT, slug="draft-version", story=shown, state=DRAFT)
    make_source(text=TEXT, slug="draft-rumour", story=hidden, state=DRAFT)

    assert list(Story.objects.visible()) == [shown]  # once, though it also has a draft version
    sources = page(client, "/data/sources.csv")
    assert "public-story" in sources and "hidden-story" not in sources and "draft-version" not in sources


def test_each_rule_is_a_condition_for_joins_too():
    """`visible_q(relation)` reaches the same rule through a relation, like `published_q`."""
    xiaomi = make_company(name="Xiaomi")
    hidden = make_company(name="Hidden Motors", state=DRAFT)
    Alias.objects.create(company=xiaomi, name="Mi Auto")
    Alias.objects.create(company=hidden, name="Pineapple Cars")
    assert list(Company.objects.filter(AliasQuerySet.visible_q("aliases"))) == [xiaomi]
