"""Parts of published records (aliases, participations, excerpts, noise spans, stories) are the
reviewers' to change, on every path; and no change, by anyone, leaves a published record without
what publishing requires (issue #9, point 2)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from companies.models import Alias, Company, Deal, Participation
from core.editorial import EditorialState
from sources.models import Excerpt, NoiseSpan, Source, Story
from tests.conftest import DRAFT, make_backed_deal, make_company, make_deal, make_excerpt, make_source
from tests.import_helpers import admin_url, confirm, invalid_rows, snapshot, upload, visible_text

pytestmark = pytest.mark.django_db

RETRACTED = EditorialState.RETRACTED
TEXT = "Xiaomi said it would set up an EV subsidiary. Xiaomi will invest US$10 billion."
QUOTE = "Xiaomi said it would set up an EV subsidiary."
SECOND_QUOTE = "Xiaomi will invest US$10 billion."


@pytest.fixture
def xiaomi() -> Company:
    return make_company(name="Xiaomi")


@pytest.fixture
def deal(xiaomi) -> Deal:
    """A published deal with one party, backed by one excerpt (which also backs Xiaomi)."""
    return make_backed_deal(company=xiaomi, text=TEXT, quote=QUOTE, excerpt_slug="the-only-excerpt")


@pytest.fixture
def excerpt(deal) -> Excerpt:
    return Excerpt.objects.get(slug="the-only-excerpt")


@pytest.fixture
def geely() -> Company:
    return make_company(name="Geely", kind=Company.Kind.AUTOMAKER)


def messages_on(response) -> str:
    return visible_text(response)


# -- the four attacks of the issue, by an editor ----------------------------------------------


def test_editor_cannot_add_a_party_to_a_published_deal(editor_client, deal, geely):
    data = {"deal": deal.pk, "company": geely.pk, "role": "investor", "stake_percent": "", "note": ""}
    response = editor_client.post(admin_url(Participation, "add"), data)
    assert response.status_code == 200
    assert (
        f"Only reviewers can add the participation “Geely — Investor in {deal.title}” to the published deal "
        f"“{deal.title}”." in messages_on(response)
    )
    assert not deal.participations.filter(company=geely).exists()


def test_editor_cannot_change_an_excerpt_backing_a_published_company(editor_client, excerpt):
    url = admin_url(Excerpt, "change", excerpt.pk)
    page = editor_client.get(url)
    assert 'name="stance"' not in page.text  # shown read-only
    response = editor_client.post(url, {**excerpt_form(excerpt), "stance": "contradicts", "claim": "Rewritten"})
    assert response.status_code == 403
    assert Excerpt.objects.get(pk=excerpt.pk).stance == "supports"


def test_editor_cannot_add_an_alias_to_a_published_company(editor_client, xiaomi):
    response = editor_client.post(admin_url(Alias, "add"), {"company": xiaomi.pk, "name": "Mi", "kind": "short"})
    assert "Only reviewers can add the alias “Mi” to the published company “Xiaomi”." in messages_on(response)
    assert not xiaomi.aliases.exists()


def test_editor_cannot_delete_the_only_excerpt_of_a_published_deal(editor_client, excerpt):
    response = editor_client.post(admin_url(Excerpt, "delete", excerpt.pk), {"post": "yes"}, follow=True)
    assert "Only reviewers can delete the excerpt “Xiaomi said it would set up an EV subsidiary.” of the " in (
        messages_on(response)
    )
    response = delete_selected(editor_client, Excerpt, [excerpt])
    assert "of the published deal “Xiaomi sets up an EV subsidiary”." in messages_on(response)
    assert Excerpt.objects.filter(pk=excerpt.pk).exists()


# -- whoever does it: nothing leaves a published record unpublishable --------------------------


def test_reviewer_cannot_delete_the_only_excerpt_and_is_told_to_retract_first(reviewer_client, deal, excerpt):
    response = reviewer_client.post(admin_url(Excerpt, "delete", excerpt.pk), {"post": "yes"}, follow=True)
    text = messages_on(response)
    assert (
        f"Cannot delete the excerpt “{QUOTE}”: the published deal “{deal.title}” would no longer meet the "
        "publishing rules: no excerpt from a published source supports it. Retract the deal first." in text
    )
    assert "the published company “Xiaomi” would no longer meet the publishing rules" in text
    response = delete_selected(reviewer_client, Excerpt, [excerpt])
    assert "Retract the deal first." in messages_on(response)
    assert Excerpt.objects.filter(pk=excerpt.pk).exists()


def test_reviewer_may_delete_an_excerpt_once_another_supports_the_records(reviewer_client, deal, xiaomi, excerpt):
    make_excerpt(source=excerpt.source, quote=SECOND_QUOTE, deals=[deal], companies=[xiaomi])
    response = reviewer_client.post(admin_url(Excerpt, "delete", excerpt.pk), {"post": "yes"}, follow=True)
    assert "was deleted successfully" in messages_on(response)
    assert not Excerpt.objects.filter(pk=excerpt.pk).exists()


def test_reviewer_may_delete_the_excerpt_of_a_retracted_deal(reviewer_client, deal, xiaomi, excerpt):
    Deal.objects.filter(pk=deal.pk).update(editorial_state=RETRACTED)
    Company.objects.filter(pk=xiaomi.pk).update(editorial_state=RETRACTED)
    reviewer_client.post(admin_url(Excerpt, "delete", excerpt.pk), {"post": "yes"})
    assert not Excerpt.objects.filter(pk=excerpt.pk).exists()


def test_reviewer_cannot_turn_the_only_support_into_a_contradiction(reviewer_client, deal, excerpt):
    response = reviewer_client.post(
        admin_url(Excerpt, "change", excerpt.pk), {**excerpt_form(excerpt), "stance": "contradicts"}
    )
    assert response.status_code == 200
    assert (
        f"Cannot change the excerpt “{QUOTE}”: the published deal “{deal.title}” would no longer meet the "
        "publishing rules" in messages_on(response)
    )
    assert Excerpt.objects.get(pk=excerpt.pk).stance == "supports"


def test_reviewer_cannot_delete_the_last_party_of_a_published_deal_inline(reviewer_client, deal):
    url = admin_url(Deal, "change", deal.pk)
    data = change_form(reviewer_client.get(url)) | {"participations-0-DELETE": "on"}
    response = reviewer_client.post(url, data)
    assert response.status_code == 200
    assert (
        f"the published deal “{deal.title}” would no longer meet the publishing rules: it has no parties; add at "
        "least one company and its role. Retract the deal first." in messages_on(response)
    )
    assert deal.participations.count() == 1


def test_reviewer_may_replace_the_last_party_in_one_save(reviewer_client, deal, geely):
    """The formset's changes are judged together: one party deleted, another added."""
    url = admin_url(Deal, "change", deal.pk)
    data = change_form(reviewer_client.get(url)) | {"participations-0-DELETE": "on"}
    data |= {
        "participations-TOTAL_FORMS": "2",
        "participations-1-company": geely.pk,
        "participations-1-role": "partner",
    }
    data |= {"participations-1-deal": deal.pk, "participations-1-stake_percent": "", "participations-1-note": ""}
    response = reviewer_client.post(url, data)
    assert response.status_code == 302, messages_on(response)
    assert list(deal.participations.values_list("company__name", flat=True)) == ["Geely"]


def test_delete_action_judges_the_selection_together(reviewer_client, deal, geely):
    Participation.objects.create(deal=deal, company=geely, role=Participation.Role.PARTNER)
    both = list(deal.participations.all())
    response = delete_selected(reviewer_client, Participation, both)
    assert "it has no parties" in messages_on(response)
    assert deal.participations.count() == 2
    delete_selected(reviewer_client, Participation, both[:1])
    assert deal.participations.count() == 1


# -- inlines: the parent's change form -------------------------------------------------------


def test_published_company_shows_its_aliases_read_only_to_an_editor(editor_client, xiaomi):
    Alias.objects.create(company=xiaomi, name="Xiaomi Corporation")
    url = admin_url(Company, "change", xiaomi.pk)
    page = editor_client.get(url)
    assert "Xiaomi Corporation" in page.text
    assert 'name="aliases-0-name"' not in page.text and 'name="aliases-1-name"' not in page.text
    assert editor_client.post(url, {"aliases-TOTAL_FORMS": "1", "aliases-0-name": "Mi"}).status_code == 403
    assert xiaomi.aliases.count() == 1


def test_editor_cannot_change_from_a_draft_source_an_excerpt_backing_a_published_deal(editor_client, deal):
    draft = make_source(text=TEXT, slug="draft-version", state=DRAFT)
    on_draft = make_excerpt(source=draft, quote=SECOND_QUOTE, deals=[deal], slug="on-draft")
    url = admin_url(Source, "change", draft.pk)
    data = change_form(editor_client.get(url)) | {"excerpts-0-claim": "rewritten"}
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert (
        f"Only reviewers can change the excerpt “{SECOND_QUOTE}” of the published deal “{deal.title}”."
        in messages_on(response)
    )
    assert Excerpt.objects.get(pk=on_draft.pk).claim == ""
    response = editor_client.post(url, change_form(editor_client.get(url)) | {"excerpts-0-DELETE": "on"})
    assert f"Only reviewers can delete the excerpt “{SECOND_QUOTE}” of the published deal" in messages_on(response)
    assert Excerpt.objects.filter(pk=on_draft.pk).exists()


def test_editor_cannot_link_a_new_excerpt_to_a_published_company(editor_client, xiaomi):
    draft = make_source(text=TEXT, slug="draft-version", state=DRAFT)
    data = {"source": draft.pk, "quote": SECOND_QUOTE, "context_before": "", "start": "", "slug": ""}
    data |= {"stance": "supports", "claim": "", "note": "", "companies": [xiaomi.pk]}
    response = editor_client.post(admin_url(Excerpt, "add"), data)
    assert f"Only reviewers can add the excerpt “{SECOND_QUOTE}” to the published company “Xiaomi”." in messages_on(
        response
    )
    assert not draft.excerpts.exists()


def test_editor_works_on_the_parts_of_drafts_as_before(editor_client):
    company = make_company(name="Kestrel Motors", state=DRAFT)
    draft_deal = make_deal(title="Kestrel raises money", state=DRAFT)
    source = make_source(text="Kestrel Motors raised money.", slug="kestrel", state=DRAFT)
    assert (
        editor_client.post(
            admin_url(Alias, "add"), {"company": company.pk, "name": "Kestrel", "kind": "short"}
        ).status_code
        == 302
    )
    party = {"deal": draft_deal.pk, "company": company.pk, "role": "funded", "stake_percent": "", "note": ""}
    assert editor_client.post(admin_url(Participation, "add"), party).status_code == 302
    data = {"source": source.pk, "quote": "Kestrel Motors raised money.", "context_before": "", "start": "", "slug": ""}
    data |= {"stance": "supports", "claim": "", "note": "", "companies": [company.pk], "deals": [draft_deal.pk]}
    assert editor_client.post(admin_url(Excerpt, "add"), data).status_code == 302
    excerpt = source.excerpts.get()
    editor_client.post(admin_url(Excerpt, "delete", excerpt.pk), {"post": "yes"})
    assert not source.excerpts.exists()


def test_editor_cannot_add_noise_to_a_published_source_or_rename_its_story(editor_client, excerpt):
    source = excerpt.source
    response = editor_client.post(
        admin_url(NoiseSpan, "add"), {"source": source.pk, "label": "Ad", "text": SECOND_QUOTE}
    )
    assert f"Only reviewers can add the noise span “Ad ({TEXT.index(SECOND_QUOTE)}–{len(TEXT)})” to the " in (
        messages_on(response)
    )
    assert not source.noise_spans.exists()
    story = Story.objects.create(slug="xiaomi-ev", title="Xiaomi's EV unit")
    Source.objects.filter(pk=source.pk).update(story=story)
    response = editor_client.post(
        admin_url(Story, "change", story.pk), {"slug": "xiaomi-ev", "title": "Rewritten", "note": ""}
    )
    assert response.status_code == 403
    assert Story.objects.get(pk=story.pk).title == "Xiaomi's EV unit"


def test_a_retracted_record_is_the_reviewers_too(editor_client, xiaomi):
    Company.objects.filter(pk=xiaomi.pk).update(editorial_state=RETRACTED)
    response = editor_client.post(admin_url(Alias, "add"), {"company": xiaomi.pk, "name": "Mi", "kind": "short"})
    assert "Only reviewers can add the alias “Mi” to the retracted company “Xiaomi”." in messages_on(response)
    assert not xiaomi.aliases.exists()


def test_reviewer_adds_an_alias_to_a_published_company(reviewer_client, xiaomi):
    response = reviewer_client.post(admin_url(Alias, "add"), {"company": xiaomi.pk, "name": "Mi", "kind": "short"})
    assert response.status_code == 302
    assert list(xiaomi.aliases.values_list("name", flat=True)) == ["Mi"]


# -- history revert of a part ----------------------------------------------------------------


def test_history_revert_of_a_part_follows_the_same_rules(editor_client, reviewer_client, deal, excerpt):
    excerpt.stance = "contradicts"
    excerpt.save()
    Excerpt.objects.filter(pk=excerpt.pk).update(stance="supports")  # the version "contradicts" is in history
    version = excerpt.history.filter(stance="contradicts").get()
    url = reverse("admin:sources_excerpt_simple_history", args=[excerpt.pk, version.history_id])
    data = {**excerpt_form(excerpt), "stance": "contradicts"}
    assert editor_client.post(url, data).status_code == 403
    response = reviewer_client.post(url, data)
    assert "would no longer meet the publishing rules" in messages_on(response)
    assert Excerpt.objects.get(pk=excerpt.pk).stance == "supports"


# -- import: admin and command line ---------------------------------------------------------


def test_editor_import_of_aliases_refuses_the_row_of_a_published_company(editor_client, xiaomi):
    make_company(name="Kestrel Motors", state=DRAFT)
    before = snapshot()
    content = b"company,name,kind\nkestrel-motors,Kestrel,short\nxiaomi,Mi,short\n"
    preview = upload(editor_client, Alias, "aliases.csv", content=content)
    refused = invalid_rows(preview)
    assert list(refused) == [2]
    assert refused[2].endswith("Only reviewers can add the alias “Mi” to the published company “Xiaomi”.")
    assert snapshot() == before


def test_editor_import_of_participations_and_excerpts_for_published_records_is_refused(
    editor_client, deal, geely, excerpt
):
    before = snapshot()
    content = f"deal,company,role\n{deal.slug},geely,investor\n".encode()
    preview = upload(editor_client, Participation, "participations.csv", content=content)
    assert "Only reviewers can add the participation “Geely — Investor in" in invalid_rows(preview)[1]
    header = "slug,source,stance,claim,companies,deals,quote\n"
    content = f"{header}the-only-excerpt,{excerpt.source.slug},contradicts,,xiaomi,{deal.slug},{QUOTE}\n"
    preview = upload(editor_client, Excerpt, "excerpts.csv", content=content.encode())
    assert invalid_rows(preview)[1].endswith(
        f"Only reviewers can change the excerpt “{QUOTE}” of the published source “A source”. "
        f"Only reviewers can change the excerpt “{QUOTE}” of the published company “Xiaomi”. "
        f"Only reviewers can change the excerpt “{QUOTE}” of the published deal “{deal.title}”."
    )
    assert snapshot() == before


def test_editor_reimports_unchanged_rows_of_published_records(editor_client, xiaomi):
    """A file exported and imported back unchanged touches nothing, so it is fine."""
    Alias.objects.create(company=xiaomi, name="Mi", kind="short")
    preview = upload(editor_client, Alias, "aliases.csv", content=b"company,name,kind\nxiaomi,Mi,short\n")
    assert "Only reviewers" not in preview.text
    assert "Skipped" in visible_text(preview)


def test_reviewer_import_that_takes_the_only_support_is_refused_naming_the_row(reviewer_client, deal, excerpt):
    before = snapshot()
    content = (
        f"slug,source,stance,claim,companies,deals,quote\nthe-only-excerpt,{excerpt.source.slug},supports,,,,{QUOTE}\n"
    )
    preview = upload(reviewer_client, Excerpt, "excerpts.csv", content=content.encode())
    text = visible_text(preview)
    assert (
        f"row 1 (line 2): Cannot change the excerpt “{QUOTE}”: the published deal “{deal.title}” would no longer "
        "meet the publishing rules: no excerpt from a published source supports it. Retract the deal first." in text
    )
    assert "Confirm import" not in text
    assert snapshot() == before


def test_reviewer_import_adding_a_party_to_a_published_deal_goes_through(reviewer_client, deal, geely):
    preview = upload(
        reviewer_client,
        Participation,
        "participations.csv",
        content=f"deal,company,role\n{deal.slug},geely,investor\n".encode(),
    )
    confirm(reviewer_client, Participation, preview)
    assert deal.participations.filter(company=geely).exists()


def test_command_line_import_is_the_operators_but_keeps_the_publishing_rules(tmp_path, deal, excerpt, xiaomi):
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("company,name,kind\nxiaomi,Mi,short\n")
    call_command("import", "companies.Alias", str(aliases), "--no-input", stderr=io.StringIO())
    assert list(xiaomi.aliases.values_list("name", flat=True)) == ["Mi"]
    excerpts = tmp_path / "excerpts.csv"
    excerpts.write_text(f"slug,source,stance,quote\nthe-only-excerpt,{excerpt.source.slug},contradicts,{QUOTE}\n")
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        call_command("import", "sources.Excerpt", str(excerpts), "--no-input", stderr=io.StringIO())
    assert (
        f"excerpts.csv: row 1 (line 2): Cannot change the excerpt “{QUOTE}”: the published deal “{deal.title}” "
        "would no longer meet the publishing rules" in str(refused.value)
    )
    assert snapshot() == before


# -- helpers ----------------------------------------------------------------------------------


def excerpt_form(excerpt: Excerpt) -> dict:
    """What the excerpt's change form sends, unchanged."""
    return {
        "source": excerpt.source_id,
        "quote": excerpt.quote,
        "context_before": excerpt.context_before,
        "start": excerpt.start,
        "slug": excerpt.slug,
        "stance": excerpt.stance,
        "claim": excerpt.claim,
        "note": excerpt.note,
        "companies": [company.pk for company in excerpt.companies.all()],
        "deals": [deal.pk for deal in excerpt.deals.all()],
    }


def delete_selected(client, model, records):
    """The changelist's "Delete selected" action, confirmed."""
    data = {"action": "delete_selected", "_selected_action": [record.pk for record in records], "post": "yes"}
    return client.post(admin_url(model, "changelist"), data, follow=True)


def form_values(form) -> dict:
    """A bound-able copy of what a form shows: its fields' initial values, as a browser sends them."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        value = value() if callable(value) else value
        if value is None or value is False:
            value = ""
        elif value is True:
            value = "on"
        elif isinstance(value, list | tuple):
            value = [getattr(item, "pk", item) for item in value]
        else:
            value = getattr(value, "pk", value)
        data[form.add_prefix(name)] = value
    return data


def change_form(response) -> dict:
    """What pressing "Save" on an admin change page sends, unchanged: the record's form and its
    inlines' existing rows."""
    data = form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= {f"{formset.prefix}-{key}": value for key, value in formset.management_form.initial.items()}
        for form in formset.initial_forms:
            data |= form_values(form)
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(len(formset.initial_forms))
    return data
