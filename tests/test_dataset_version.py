"""The record of changes (core/changes.py): every path that writes curated data moves the dataset
version on, once per transaction and only when it commits; reading moves nothing.

A test's own transaction never commits, so the version moves only when `run_commit_callbacks()`
runs what a commit would run: after the set-up (so the set-up's change is counted before the
path under test), and after the path under test. A savepoint rolled back (a refused import, a
dry run, a preview) has already taken its callbacks with it, as a real rollback would.
"""

import contextlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse

from companies.models import Alias, Company
from core.changes import DatasetVersion, PendingChange, dataset_changed, dataset_version
from core.editorial import EditorialState, editorial_transition
from sources.models import Excerpt
from tests.conftest import DRAFT, make_company, make_deal, make_excerpt, make_source
from tests.import_helpers import admin_url, confirm, upload

pytestmark = pytest.mark.django_db

IN_REVIEW = EditorialState.IN_REVIEW
QUOTE = "Xiaomi said it would set up an EV subsidiary."
EXCERPT_COLUMNS = "slug,source,start,end,stance,claim,companies,deals,quote,context_before,note\n"


def pending_changes() -> list[PendingChange]:
    """The version moves waiting for a commit (a test's transaction keeps those already run)."""
    found = [callback for _, callback, _ in connection.run_on_commit if isinstance(callback, PendingChange)]
    return [callback for callback in found if not callback.done]


def run_commit_callbacks() -> None:
    """Run what committing the test's transaction would run (each move runs once: see `done`)."""
    for callback in pending_changes():
        callback()


def settled_version() -> int:
    """The version once everything so far has committed: the set-up's changes counted."""
    run_commit_callbacks()
    return dataset_version()


def moved_by(before: int) -> int:
    run_commit_callbacks()
    return dataset_version() - before


@pytest.fixture
def draft_company() -> Company:
    return make_company(name="Draft Motors", slug="draft-motors", state=DRAFT, headquarters="Beijing")


def company_form(client, company: Company, **changes) -> dict:
    """What the company's change form sends back, with `changes` and no aliases."""
    form = client.get(admin_url(Company, "change", company.pk)).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    return {**data, "parent": "", "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0", **changes}


# -- the version itself ----------------------------------------------------------------------


def test_the_version_moves_once_per_transaction_when_it_commits():
    before = settled_version()
    with transaction.atomic():
        dataset_changed(reason="first")
        dataset_changed(reason="second")
        assert dataset_version() == before  # not before the commit
    assert moved_by(before) == 1
    assert DatasetVersion.objects.get().reason == "first"


def test_a_change_rolled_back_leaves_the_version_but_a_change_beside_it_still_counts():
    before = settled_version()
    with transaction.atomic(), transaction.atomic():
        dataset_changed(reason="rolled back")
        transaction.set_rollback(True)
    assert moved_by(before) == 0
    with transaction.atomic():
        with transaction.atomic():
            dataset_changed(reason="rolled back")
            transaction.set_rollback(True)
        dataset_changed(reason="kept")  # the first move went with its savepoint: this one registers
    assert moved_by(before) == 1
    assert DatasetVersion.objects.get().reason == "kept"


def test_the_version_row_is_made_again_if_the_table_was_emptied():
    DatasetVersion.objects.all().delete()
    assert dataset_version() == 0
    dataset_changed(reason="after a flush")
    assert moved_by(0) == 1


# -- every write path ------------------------------------------------------------------------


def test_admin_change_form_moves_the_version(editor_client, draft_company):
    url = admin_url(Company, "change", draft_company.pk)
    data = company_form(editor_client, draft_company, headquarters="Beijing, China")
    before = settled_version()
    assert editor_client.post(url, data).status_code == 302
    assert moved_by(before) == 1  # the record, its history and the admin's log: one transaction
    assert Company.objects.get(pk=draft_company.pk).headquarters == "Beijing, China"


def test_admin_inline_adding_an_alias_moves_the_version(editor_client, draft_company):
    url = admin_url(Company, "change", draft_company.pk)
    data = company_form(editor_client, draft_company)
    data.update({"aliases-TOTAL_FORMS": "1", "aliases-0-name": "DM", "aliases-0-kind": Alias.Kind.SHORT})
    data.update({"aliases-0-company": str(draft_company.pk), "aliases-0-id": ""})
    before = settled_version()
    assert editor_client.post(url, data).status_code == 302
    assert list(draft_company.aliases.values_list("name", flat=True)) == ["DM"]
    assert moved_by(before) == 1


def test_admin_publish_action_moves_the_version(reviewer_client):
    company = make_company(name="Review Motors", slug="review-motors", state=IN_REVIEW)
    make_excerpt(source=make_source(text=QUOTE), quote=QUOTE, companies=[company])
    before = settled_version()
    reviewer_client.post(admin_url(Company, "changelist"), {"action": "publish", "_selected_action": [company.pk]})
    assert Company.objects.get(pk=company.pk).editorial_state == EditorialState.PUBLISHED
    assert moved_by(before) == 1


def test_admin_delete_selected_action_moves_the_version(editor_client, draft_company):
    alias = Alias.objects.create(company=draft_company, name="DM")
    before = settled_version()
    form = {"action": "delete_selected", "_selected_action": [alias.pk], "post": "yes"}
    assert editor_client.post(admin_url(Alias, "changelist"), form).status_code == 302
    assert not Alias.objects.exists()
    assert moved_by(before) == 1


def test_admin_delete_view_moves_the_version(reviewer_client, draft_company):
    before = settled_version()
    response = reviewer_client.post(admin_url(Company, "delete", draft_company.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Company.objects.filter(pk=draft_company.pk).exists()
    assert moved_by(before) == 1


def test_history_revert_moves_the_version(editor_client, draft_company):
    first = draft_company.history.latest()
    draft_company.headquarters = "Shanghai"
    draft_company.save()
    url = reverse("admin:companies_company_simple_history", args=[draft_company.pk, first.history_id])
    form = editor_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"parent": "", "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0"})
    before = settled_version()
    assert editor_client.post(url, data).status_code == 302
    assert Company.objects.get(pk=draft_company.pk).headquarters == "Beijing"
    assert moved_by(before) == 1


def test_workflow_transition_moves_the_version(editor):
    deal = make_deal(state=DRAFT)
    before = settled_version()
    editorial_transition(record=deal, to_state=IN_REVIEW, user=editor)
    assert moved_by(before) == 1


def test_admin_import_on_the_bulk_path_moves_the_version_only_when_confirmed(editor_client, import_folder):
    content = b"slug,name,kind,editorial_state\nexample-motors,Example Motors,ev_startup,draft\n"
    before = settled_version()
    preview = upload(editor_client, Company, "companies.csv", content=content)
    assert "Confirm import" in preview.text
    assert moved_by(before) == 0  # the preview is a dry run, rolled back
    confirm(editor_client, Company, preview)
    assert Company.objects.filter(slug="example-motors").exists()
    assert moved_by(before) == 1
    # The bulk writes send no signals: the import itself recorded the change.
    assert DatasetVersion.objects.get().reason == "Imported from companies.csv"


def excerpts_file(tmp_path, *rows: str) -> str:
    path = tmp_path / "excerpts.csv"
    path.write_text(EXCERPT_COLUMNS + "".join(rows), encoding="utf-8")
    return str(path)


@pytest.fixture
def excerpt_parents():
    make_company(name="Xiaomi", state=DRAFT)
    make_source(text=f"Beijing. {QUOTE} More text.", slug="a-source", state=DRAFT)


GOOD_EXCERPT = f"xiaomi-subsidiary,a-source,,,supports,A claim,xiaomi,,{QUOTE},,\n"
BAD_EXCERPT = f"xiaomi-again,a-source,,,supports,A claim,xiaomii,,{QUOTE},,\n"


def run_import(*arguments: str) -> None:
    with contextlib.suppress(CommandError):  # a refused file: what matters is what it left in the database
        call_command("import", "sources.resources.ExcerptResource", *arguments, "--no-input", stdout=io.StringIO())


def test_command_line_import_on_the_row_by_row_path_moves_the_version(excerpt_parents, tmp_path):
    before = settled_version()
    run_import(excerpts_file(tmp_path, GOOD_EXCERPT))
    assert Excerpt.objects.filter(slug="xiaomi-subsidiary").exists()
    assert moved_by(before) == 1  # one move for the whole file, however many rows


def test_refused_import_and_dry_run_leave_the_version(excerpt_parents, tmp_path):
    before = settled_version()
    # The good first row is saved before the bad second one refuses the file: all rolled back.
    run_import(excerpts_file(tmp_path, GOOD_EXCERPT, BAD_EXCERPT))
    run_import(excerpts_file(tmp_path, GOOD_EXCERPT), "--dry-run")
    assert not Excerpt.objects.exists()
    assert moved_by(before) == 0


def test_load_seeds_moves_the_version_once_and_its_dry_run_not_at_all():
    before = settled_version()
    call_command("load_seeds", "--dry-run", stdout=io.StringIO())
    assert moved_by(before) == 0
    call_command("load_seeds", stdout=io.StringIO())
    assert Company.objects.exists()
    assert moved_by(before) == 1


# -- reading ---------------------------------------------------------------------------------


def test_reading_public_pages_and_downloads_moves_nothing(client, xiaomi_world, reviewer_client):
    before = settled_version()
    world = xiaomi_world
    urls = [
        "/",
        reverse("companies:company_list"),
        world.xiaomi.get_absolute_url(),
        reverse("companies:deal_list"),
        world.subsidiary.get_absolute_url(),
        reverse("sources:source_list"),
        world.source.get_absolute_url(),
        reverse("companies:deal_feed"),
        "/data/",
        "/data/deals.csv",
        "/data/companies.json",
        "/sitemap.xml",
    ]
    for browser in (client, reviewer_client):  # a reader, and staff reading the public site
        for url in urls:
            assert browser.get(url).status_code == 200, url
    assert pending_changes() == []
    assert moved_by(before) == 0
