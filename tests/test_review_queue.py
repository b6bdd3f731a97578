"""The review queue: everything in review, a deal beside what it depends on, and one action that
publishes a deal with its dependencies, all or nothing (sources/review.py)."""

import pytest
from django.urls import reverse

from companies.models import Company, Deal, Participation
from core.editorial import EditorialState
from sources.models import Source
from sources.review import review_queue
from tests.conftest import make_company, make_deal, make_excerpt, make_source

pytestmark = pytest.mark.django_db

IN_REVIEW = EditorialState.IN_REVIEW
PUBLISHED = EditorialState.PUBLISHED
TEXT = "Kestrel Dynamics and Xiaomi will set up an EV venture."

# The queue page: the session, the user, the user's permissions (two: groups and own), the deals in
# review, their parties, the companies in review, the sources in review, the deals' excerpt
# links, their supporting links, the companies' supporting links.
QUEUE_PAGE_QUERIES = 11


def new_fact(*, n: int = 0, source_state: str = IN_REVIEW) -> Deal:
    """A new fact as an editor sends it for review: a source, a company and a deal, all in review."""
    source = make_source(
        text=f"{TEXT} ({n})", slug=f"kestrel-source-{n}", title=f"Kestrel story {n}", state=source_state
    )
    company = make_company(name=f"Kestrel Dynamics {n}", slug=f"kestrel-{n}", state=IN_REVIEW)
    deal = make_deal(title=f"Kestrel venture {n}", slug=f"kestrel-venture-{n}", state=IN_REVIEW)
    Participation.objects.create(deal=deal, company=company, role=Participation.Role.PARTNER)
    make_excerpt(source=source, quote=TEXT, companies=[company], deals=[deal], slug=f"kestrel-{n}-0")
    return deal


def state_of(record) -> str:
    return type(record).objects.get(pk=record.pk).editorial_state


def test_a_deal_is_grouped_with_its_parties_and_sources_and_nothing_is_listed_alone_twice():
    deal = new_fact()
    lone = make_source(text="Unrelated.", slug="lone", title="Lone source", state=IN_REVIEW)
    groups = review_queue()
    assert [group.lead.record for group in groups] == [deal, lone]
    first = groups[0]
    assert [e.record.slug for e in first.companies] == ["kestrel-0"]
    assert [e.record.slug for e in first.sources] == ["kestrel-source-0"]
    assert first.blocked_together == []


def test_blocking_messages_name_the_record_and_the_source_in_review_as_the_rules_do():
    deal = new_fact()
    entries = review_queue()[0].entries
    expected = "Cannot publish the deal “Kestrel venture 0”: no excerpt from a published source supports it: "
    assert entries[0].problems == [expected + "the source “Kestrel story 0” is still in review."]
    for entry in entries:  # the queue says exactly what the model's rules say
        assert [p.split(": ", 1)[1] for p in entry.problems] == entry.record.publication_problems()
    assert Deal.objects.get(pk=deal.pk).publication_problems() == [
        "no excerpt from a published source supports it: the source “Kestrel story 0” is still in review."
    ]


def test_a_draft_party_is_noted_and_a_draft_source_blocks_the_action():
    deal = new_fact(source_state=EditorialState.DRAFT)
    draft = make_company(name="Draft Motors", state=EditorialState.DRAFT)
    Participation.objects.create(deal=deal, company=draft, role=Participation.Role.INVESTOR)
    group = review_queue()[0]
    assert group.sources == []
    assert "The draft company “Draft Motors” is not published by this action" in group.lead.notes[0]
    assert any("the source “Kestrel story 0” is a draft" in problem for problem in group.blocked_together)


def test_the_page_is_the_reviewers(client, editor_client, reviewer_client):
    new_fact()
    assert editor_client.get(reverse("review_queue")).status_code == 403
    assert client.get(reverse("review_queue")).status_code == 302  # to the admin login
    page = reviewer_client.get(reverse("review_queue")).text
    assert "Kestrel venture 0" in page and "Publish this deal with what it depends on" in page
    assert "the source “Kestrel story 0” is still in review." in page


def test_the_admin_index_links_to_the_queue_for_reviewers_only(editor_client, reviewer_client):
    assert reverse("review_queue") in reviewer_client.get(reverse("admin:index")).text
    assert reverse("review_queue") not in editor_client.get(reverse("admin:index")).text


def test_one_action_publishes_the_deal_with_its_source_and_company(reviewer_client):
    deal = new_fact()
    response = reviewer_client.post(reverse("review_publish_deal", args=[deal.pk]), follow=True)
    assert "Published: source “Kestrel story 0”; company “Kestrel Dynamics 0”; deal “Kestrel venture 0”." in (
        response.text
    )
    assert {state_of(r) for r in [deal, Company.objects.get(slug="kestrel-0")]} == {PUBLISHED}
    assert Source.objects.get(slug="kestrel-source-0").editorial_state == PUBLISHED
    assert deal.history.latest().history_change_reason == "in review → published"
    assert review_queue() == []


def test_one_action_refuses_all_or_nothing_with_every_message(reviewer_client):
    deal = new_fact()
    lonely = make_company(name="Lonely Motors", state=IN_REVIEW)  # no excerpt supports it
    Participation.objects.create(deal=deal, company=lonely, role=Participation.Role.INVESTOR)
    response = reviewer_client.post(reverse("review_publish_deal", args=[deal.pk]), follow=True)
    assert "Nothing was published" in response.text
    assert "Cannot publish the company “Lonely Motors”: no excerpt from a published source supports it." in (
        response.text
    )
    assert state_of(deal) == IN_REVIEW and state_of(lonely) == IN_REVIEW
    assert Source.objects.get(slug="kestrel-source-0").editorial_state == IN_REVIEW
    assert Company.objects.get(slug="kestrel-0").editorial_state == IN_REVIEW


def test_the_action_needs_a_post_and_a_reviewer(editor_client, reviewer_client):
    deal = new_fact()
    assert reviewer_client.get(reverse("review_publish_deal", args=[deal.pk])).status_code == 405
    assert editor_client.post(reverse("review_publish_deal", args=[deal.pk])).status_code == 403
    assert state_of(deal) == IN_REVIEW


@pytest.mark.parametrize("facts", [1, 8])
def test_queue_page_query_count_does_not_grow_with_the_records(reviewer_client, django_assert_num_queries, facts):
    for n in range(facts):
        new_fact(n=n)
    with django_assert_num_queries(QUEUE_PAGE_QUERIES):
        response = reviewer_client.get(reverse("review_queue"))
    assert response.text.count("Publish this deal with what it depends on") == facts + 1  # and the intro
