"""Merging duplicate companies and deals (companies/merge.py) and the admin's merge action."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from companies.merge import MergeRefused, company_merge, company_merge_plan, deal_merge
from companies.models import Alias, Company, Deal, Participation
from companies.resources import ParticipationResource
from core.editorial import EditorialState
from core.slugs import former_slugs_of
from tests.conftest import DRAFT, make_company, make_deal, make_excerpt, make_source, make_staff
from tests.test_former_slugs import run_import

pytestmark = pytest.mark.django_db
Role = Participation.Role
IN_REVIEW = EditorialState.IN_REVIEW


@pytest.fixture
def duplicates(db):
    """Zhejiang Geely (kept) and a hasty "Geely" with a party, an alias, a child, a venture and an
    excerpt of its own."""
    keep = make_company(name="Zhejiang Geely Holding Group", slug="geely-holding", kind=Company.Kind.AUTOMAKER)
    hasty = make_company(name="Geely", kind=Company.Kind.AUTOMAKER)
    Alias.objects.create(company=hasty, name="吉利")
    child = make_company(name="Geely Auto Finance", kind=Company.Kind.INVESTOR, parent=hasty)
    venture = make_company(name="Zeekr", kind=Company.Kind.VENTURE)
    deal = make_deal(title="Geely sets up Zeekr", slug="zeekr", venture=venture, parties=[(hasty, Role.PARENT)])
    Deal.objects.filter(pk=deal.pk).update(venture=hasty)  # the hasty record as the venture too
    source = make_source(text="Geely set up Zeekr. Zhejiang Geely owns it.")
    excerpt = make_excerpt(source=source, quote="Geely set up Zeekr.", companies=[hasty], deals=[deal])
    return keep, hasty, child, deal, excerpt


def test_a_reviewer_merges_everything_into_the_kept_company(reviewer, duplicates):
    keep, hasty, child, deal, excerpt = duplicates

    company_merge(keep=keep, merged=[hasty], user=reviewer)

    assert not Company.objects.filter(pk=hasty.pk).exists()
    assert list(deal.participations.values_list("company__slug", "role")) == [("geely-holding", Role.PARENT)]
    assert set(keep.aliases.values_list("name", flat=True)) == {"Geely", "吉利"}
    child.refresh_from_db()
    deal.refresh_from_db()
    assert child.parent == keep
    assert deal.venture == keep
    assert list(excerpt.companies.all()) == [keep]
    assert former_slugs_of(keep) == ["geely"]


def test_the_merge_is_in_the_history_of_both_sides(reviewer, duplicates):
    keep, hasty, *_ = duplicates

    company_merge(keep=keep, merged=[hasty], user=reviewer)

    last_of_hasty = Company.history.filter(id=hasty.pk).latest("history_date")
    assert last_of_hasty.history_type == "-"
    assert last_of_hasty.history_change_reason == "Merged into “Zhejiang Geely Holding Group” (geely-holding)"
    assert last_of_hasty.history_user == reviewer
    assert keep.history.latest("history_date").history_change_reason == "Merged in “Geely” (geely)"
    assert Alias.history.filter(name="吉利").latest("history_date").company_id == keep.pk


def test_the_preview_lists_what_moves(reviewer, duplicates):
    keep, hasty, *_ = duplicates

    plan = company_merge_plan(keep=keep, merged=[hasty], user=reviewer)

    text = "\n".join(plan.moves)
    assert "Its name becomes an alias: “Geely”." in text
    assert "Alias moves: “吉利”." in text
    assert "Child company moves: company “Geely Auto Finance”." in text
    assert "Venture moves: deal “Geely sets up Zeekr”" in text
    assert "Excerpt link moves: “Geely set up Zeekr.”" in text
    assert "Participation moves: Geely — Parent in Geely sets up Zeekr." in text
    assert plan.problems == []
    assert Company.objects.filter(pk=hasty.pk).exists()  # a preview writes nothing


def test_the_same_company_twice_in_a_deal_in_one_role_becomes_one_participation(reviewer):
    keep, hasty = make_company(name="Kestrel Dynamics"), make_company(name="kestrel dynamics", slug="kestrel-2")
    deal = make_deal(title="A round", slug="round", parties=[(keep, Role.INVESTOR), (hasty, Role.INVESTOR)])
    Participation.objects.filter(company=hasty).update(stake_percent=5, note="says one source")

    company_merge(keep=keep, merged=[hasty], user=reviewer)

    assert list(deal.participations.values_list("company__slug", "role", "stake_percent", "note")) == [
        ("kestrel-dynamics", Role.INVESTOR, 5, "says one source")
    ]


def test_the_same_company_in_two_roles_keeps_both(reviewer):
    keep, hasty = make_company(name="Kestrel Dynamics"), make_company(name="Kestrel", slug="kestrel")
    deal = make_deal(title="A round", slug="round", parties=[(keep, Role.LEAD_INVESTOR), (hasty, Role.INVESTOR)])

    company_merge(keep=keep, merged=[hasty], user=reviewer)

    assert sorted(deal.participations.values_list("role", flat=True)) == [Role.INVESTOR, Role.LEAD_INVESTOR]
    assert set(deal.participations.values_list("company", flat=True)) == {keep.pk}


def test_an_editor_cannot_merge(editor):
    keep, hasty = make_company(name="Kestrel", state=DRAFT), make_company(name="Kestrel 2", state=DRAFT)

    with pytest.raises(MergeRefused, match="Only reviewers can merge companies"):
        company_merge(keep=keep, merged=[hasty], user=editor)
    assert Company.objects.count() == 2


def merger_without_publish():
    """Staff with the merge permission alone (and what editors have): may merge drafts only."""
    user = make_staff(username="merger", group="Editors")
    user.user_permissions.add(Permission.objects.get(codename="merge_company"))
    return type(user).objects.get(pk=user.pk)


def test_merge_without_publish_permission_merges_drafts():
    keep, hasty = make_company(name="Kestrel", state=DRAFT), make_company(name="Kestrel 2", state=IN_REVIEW)

    company_merge(keep=keep, merged=[hasty], user=merger_without_publish())

    assert list(Company.objects.values_list("slug", flat=True)) == ["kestrel"]


def test_merge_without_publish_permission_refuses_a_published_record():
    keep, hasty = make_company(name="Kestrel"), make_company(name="Kestrel 2", state=DRAFT)

    with pytest.raises(MergeRefused, match="Only reviewers can change the published company “Kestrel”"):
        company_merge(keep=keep, merged=[hasty], user=merger_without_publish())


def test_merge_without_publish_permission_refuses_a_published_deal_whose_party_moves():
    keep, hasty = make_company(name="Kestrel", state=DRAFT), make_company(name="Kestrel 2", state=DRAFT)
    make_deal(title="A round", slug="round", parties=[(hasty, Role.INVESTOR)])

    with pytest.raises(MergeRefused, match="published deal “A round”"):
        company_merge(keep=keep, merged=[hasty], user=merger_without_publish())
    assert Participation.objects.get().company == hasty


def test_a_published_company_is_not_merged_into_a_draft(reviewer):
    keep, published = make_company(name="Kestrel", state=DRAFT), make_company(name="Kestrel Dynamics")

    with pytest.raises(MergeRefused, match="can only be merged into a published company"):
        company_merge(keep=keep, merged=[published], user=reviewer)
    assert Company.objects.count() == 2


def test_a_company_is_not_merged_into_its_own_child(reviewer):
    parent = make_company(name="Geely")
    child = make_company(name="Geely Auto", parent=parent)

    with pytest.raises(MergeRefused, match="is the parent of company “Geely Auto”"):
        company_merge(keep=child, merged=[parent], user=reviewer)


def test_a_refused_merge_changes_nothing(reviewer, duplicates):
    keep, hasty, *_ = duplicates
    Company.objects.filter(pk=keep.pk).update(editorial_state=DRAFT)
    keep.refresh_from_db()

    with pytest.raises(MergeRefused):
        company_merge(keep=keep, merged=[hasty], user=reviewer)
    assert Participation.objects.get().company_id == hasty.pk
    assert not keep.aliases.exists()
    assert former_slugs_of(keep) == []


# -- deals ------------------------------------------------------------------------------------


def test_a_reviewer_merges_deals(reviewer):
    xiaomi, venture = make_company(name="Xiaomi"), make_company(name="Xiaomi EV", kind=Company.Kind.VENTURE)
    keep = make_deal(title="Xiaomi sets up an EV unit", slug="xiaomi-ev", parties=[(xiaomi, Role.PARENT)])
    hasty = make_deal(title="Xiaomi EV unit", slug="xiaomi-ev-2", venture=venture, parties=[(xiaomi, Role.PARENT)])
    excerpt = make_excerpt(source=make_source(), quote="Xiaomi said", deals=[hasty])

    deal_merge(keep=keep, merged=[hasty], user=reviewer)

    keep.refresh_from_db()
    assert list(Deal.objects.values_list("slug", flat=True)) == ["xiaomi-ev"]
    assert list(keep.participations.values_list("company__slug", "role")) == [("xiaomi", Role.PARENT)]
    assert list(excerpt.deals.all()) == [keep]
    assert keep.venture == venture
    assert former_slugs_of(keep) == ["xiaomi-ev-2"]
    assert keep.history.latest("history_date").history_change_reason == "Merged in “Xiaomi EV unit” (xiaomi-ev-2)"


def test_deals_that_created_different_ventures_are_not_merged(reviewer):
    one, other = make_company(name="One", kind="venture"), make_company(name="Other", kind="venture")
    keep = make_deal(title="A", slug="a", venture=one)
    hasty = make_deal(title="B", slug="b", venture=other)

    with pytest.raises(MergeRefused, match="created company “Other”, and the kept deal another venture"):
        deal_merge(keep=keep, merged=[hasty], user=reviewer)


# -- the admin --------------------------------------------------------------------------------

CHANGELIST = reverse("admin:companies_company_changelist")


def merge_post(client, records, **extra):
    data = {"action": "merge_selected", "_selected_action": [record.pk for record in records], **extra}
    return client.post(CHANGELIST, data)


def test_the_reviewer_sees_the_merge_action_and_the_editor_does_not(reviewer_client, editor_client):
    make_company(name="Kestrel")

    assert "Merge selected companies…" in reviewer_client.get(CHANGELIST).text
    assert "Merge selected companies…" not in editor_client.get(CHANGELIST).text


def test_the_admin_action_shows_what_moves_then_merges(reviewer_client, duplicates):
    keep, hasty, *_ = duplicates

    page = merge_post(reviewer_client, [keep, hasty])
    assert page.status_code == 200
    assert "Keeping “Zhejiang Geely Holding Group”: what moves" in page.text
    assert "Excerpt link moves" in page.text
    assert Company.objects.filter(pk=hasty.pk).exists()

    done = merge_post(reviewer_client, [keep, hasty], keep=keep.pk, previewed=keep.pk, confirm_merge="Merge")
    assert done.status_code == 302
    assert done["Location"] == reverse("admin:companies_company_change", args=[keep.pk])
    assert not Company.objects.filter(pk=hasty.pk).exists()
    messages = [str(m) for m in done.wsgi_request._messages]
    assert messages == ["Merged “Geely” into “Zhejiang Geely Holding Group”. Their old addresses now lead to "
                        "“Zhejiang Geely Holding Group”."]  # fmt: skip


def test_a_new_choice_of_the_one_to_keep_is_shown_before_it_merges(reviewer_client, duplicates):
    keep, hasty, *_ = duplicates

    page = merge_post(reviewer_client, [keep, hasty], keep=hasty.pk, previewed=keep.pk, confirm_merge="Merge")

    assert page.status_code == 200
    assert "Keeping “Geely”: what moves" in page.text
    assert Company.objects.filter(pk=keep.pk).exists() and Company.objects.filter(pk=hasty.pk).exists()


def test_the_admin_names_why_a_merge_is_refused(reviewer_client):
    draft, published = make_company(name="Kestrel", state=DRAFT), make_company(name="Kestrel Dynamics")

    page = merge_post(reviewer_client, [draft, published], keep=draft.pk)

    assert "can only be merged into a published company" in page.text
    assert 'name="confirm_merge"' not in page.text


def test_one_company_alone_is_not_merged(reviewer_client):
    company = make_company(name="Kestrel")

    response = merge_post(reviewer_client, [company])

    assert response.status_code == 302
    assert Company.objects.count() == 1


def test_after_a_merge_the_old_page_redirects_and_imports_are_told(reviewer, duplicates, client):
    keep, hasty, *_ = duplicates
    company_merge(keep=keep, merged=[hasty], user=reviewer)

    response = client.get("/companies/geely/")

    assert response.status_code == 301
    assert response["Location"] == "/companies/geely-holding/"
    report = run_import(ParticipationResource(), "deal,company,role\nzeekr,geely,investor\n")
    assert any("company “geely” is now “geely-holding”: use the new slug" in line for line in report.errors)
