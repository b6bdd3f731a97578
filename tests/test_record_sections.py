"""The company page's deals, connections and evidence and the source page's excerpt index are
written in Python (public/record_sections.py, public/rendering.py): every curated value is escaped
there, and the links and markup are those the templates wrote."""

import pytest
from django.urls import reverse

from companies.models import Participation
from tests.conftest import make_company, make_deal, make_excerpt, make_source

pytestmark = pytest.mark.django_db

RAW = '<b>Bold</b> & "quoted"'
ESCAPED = "&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot;"
Role = Participation.Role


@pytest.fixture
def marked_up():
    """A company, its partner, a deal and an excerpt whose texts all carry markup."""
    company = make_company(name=f"Acme {RAW}", slug="acme")
    partner = make_company(name=f"Partner {RAW}", slug="partner")
    deal = make_deal(
        title=f"Deal {RAW}",
        slug="marked-deal",
        kind="funding_round",
        round_name="<D>",
        parties=[(company, Role.LEAD_INVESTOR), (partner, Role.FUNDED)],
    )
    text = f"Quote {RAW} in full."
    source = make_source(text=text, slug="marked-source", title=f"Source {RAW}", publisher=f"Press {RAW}")
    excerpt = make_excerpt(
        source=source, quote=text, companies=[company], deals=[deal], claim=f"Claim {RAW}", note=f"Note {RAW}"
    )
    return {"company": company, "deal": deal, "excerpt": excerpt}


def test_company_page_sections_escape_every_value_and_keep_their_links(client, marked_up):
    html = client.get(reverse("companies:company_detail", args=["acme"])).text
    assert RAW not in html
    assert f'<p class="what"><a href="/deals/marked-deal/">Deal {ESCAPED}</a></p>' in html
    assert "Funding round (&lt;D&gt;)" in html
    assert f"Acme {ESCAPED}&#x27;s part: lead investor. With " in html
    assert f'<a href="/companies/partner/">Partner {ESCAPED}</a> (raised the funds).' in html  # the timeline
    assert f'<li><a href="/companies/partner/">Partner {ESCAPED}</a> <span class="meta">' in html  # connections
    excerpt = marked_up["excerpt"]
    assert f"<blockquote>Quote {ESCAPED} in full.</blockquote>" in html
    assert f'<span class="claim">Claim {ESCAPED}</span>' in html
    assert f'<a href="/sources/marked-source/#excerpt-{excerpt.pk}">Source {ESCAPED}</a>, Press {ESCAPED}' in html
    assert f'<span class="excerpt-note">Note {ESCAPED}</span>' in html


def test_deal_page_evidence_is_written_escaped(client, marked_up):
    html = client.get(reverse("companies:deal_detail", args=["marked-deal"])).text
    assert f"<blockquote>Quote {ESCAPED} in full.</blockquote>" in html
    assert RAW not in html.split('id="evidence-heading"')[1]


def test_source_excerpt_index_escapes_and_links_what_each_excerpt_backs(client, marked_up):
    html = client.get(reverse("sources:source_detail", args=["marked-source"])).text
    index = html.split('class="excerpt-index"')[1]
    assert RAW not in index
    assert f"Supports: Claim {ESCAPED}" in index
    assert (
        f'<span class="backs">Backs <a href="/deals/marked-deal/">Deal {ESCAPED}</a>, '
        f'<a href="/companies/acme/">Acme {ESCAPED}</a></span>'
    ) in index
