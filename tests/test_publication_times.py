"""When a record was published, as readers are told it (issue #9, point 12): not when rows were
loaded. Every curated record keeps `first_published_at` (its first publication) and
`last_published_at` (when the version now public was published); pages, the Atom feed and the
sitemap show those, the seed files carry them, and an import takes them only for records it creates."""

import datetime
import importlib
import io
import xml.etree.ElementTree as ET

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from tablib import Dataset

from companies.models import Company, Deal, Participation
from companies.resources import CompanyResource, DealResource
from core.editorial import EditorialState, editorial_transition
from dataio.resources import import_dataset, read_dataset
from sources.models import Source
from tests.conftest import DRAFT, PUBLISHED, make_backed_deal, make_company, make_deal, make_excerpt, make_source
from tests.import_helpers import confirm, upload

pytestmark = pytest.mark.django_db

IN_REVIEW, RETRACTED = EditorialState.IN_REVIEW, EditorialState.RETRACTED
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
LONG_AGO = datetime.datetime(2024, 3, 9, 12, 0, tzinfo=datetime.UTC)
LATER = datetime.datetime(2024, 6, 1, 8, 30, tzinfo=datetime.UTC)


def times_of(record) -> tuple:
    return type(record).objects.values_list("first_published_at", "last_published_at").get(pk=record.pk)


def backdate(record, first=LONG_AGO, last=LONG_AGO) -> None:
    """As if the record had been published (and its latest version made public) long ago."""
    type(record).objects.filter(pk=record.pk).update(first_published_at=first, last_published_at=last)


# -- the workflow dates each published version ---------------------------------------------------


def test_a_draft_has_no_publication_time():
    deal = make_deal(state=DRAFT)
    assert times_of(deal) == (None, None)
    editorial_transition(record=deal, to_state=IN_REVIEW, user=None)
    assert times_of(deal) == (None, None)


def test_publishing_dates_the_first_and_the_latest_publication(reviewer_client):
    deal = make_backed_deal(state=IN_REVIEW)
    before = timezone.now()
    reviewer_client.post(
        reverse("admin:companies_deal_changelist"), {"action": "publish", "_selected_action": [deal.pk]}
    )
    first, last = times_of(deal)
    assert Deal.objects.get(pk=deal.pk).editorial_state == PUBLISHED
    assert before <= first == last <= timezone.now()


def test_retracting_keeps_the_times_and_republishing_dates_only_the_latest(reviewer):
    deal = make_backed_deal(state=IN_REVIEW)
    editorial_transition(record=deal, to_state=PUBLISHED, user=reviewer)
    backdate(deal)
    deal = Deal.objects.get(pk=deal.pk)
    editorial_transition(record=deal, to_state=RETRACTED, user=reviewer)
    assert times_of(deal) == (LONG_AGO, LONG_AGO)
    editorial_transition(record=deal, to_state=DRAFT, user=reviewer)
    editorial_transition(record=deal, to_state=IN_REVIEW, user=reviewer)
    before = timezone.now()
    editorial_transition(record=deal, to_state=PUBLISHED, user=reviewer)
    first, last = times_of(deal)
    assert first == LONG_AGO and last >= before


def test_a_reviewers_change_to_a_published_record_is_its_latest_version(reviewer_client):
    company = make_company(name="Xiaomi", headquarters="Beijing")
    backdate(company)
    url = reverse("admin:companies_company_change", args=[company.pk])
    form = reviewer_client.get(url).context["adminform"].form
    data = {**{k: v for k, v in form.initial.items() if v is not None}, "headquarters": "Beijing, China"}
    data.update({"aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0", "parent": ""})
    before = timezone.now()
    assert reviewer_client.post(url, data).status_code == 302
    first, last = times_of(company)
    assert first == LONG_AGO and last >= before


def test_reverting_a_published_record_to_an_old_version_dates_the_revert_not_the_old_version():
    company = make_company(name="Xiaomi", summary="First text.")
    backdate(company)
    old = company.history.earliest()  # carries the times it was saved with, not the stored ones
    company = Company.objects.get(pk=company.pk)
    company.summary = "Second text."
    company.save()
    before = timezone.now()
    old.instance.save()  # what the history page's "Revert" saves
    first, last = times_of(company)
    assert first == LONG_AGO and last >= before


# -- what readers see -----------------------------------------------------------------------------


def test_pages_show_when_the_record_was_published_not_when_it_was_loaded(client):
    deal = make_deal()
    company = make_company(name="Xiaomi")
    source = make_source()
    for record in (deal, company, source):
        backdate(record, first=LONG_AGO, last=LATER)
        page = client.get(record.get_absolute_url()).text
        assert '<dt>First published</dt><dd><time datetime="2024-03-09T12:00:00+00:00">9 Mar 2024</time></dd>' in page
        assert '<dt>Last updated</dt><dd><time datetime="2024-06-01T08:30:00+00:00">1 Jun 2024</time></dd>' in page
        assert timezone.now().strftime("%-d %b %Y") not in page  # the day the rows were written


def test_a_record_published_once_shows_one_date(client):
    deal = make_deal()
    backdate(deal)
    page = client.get(deal.get_absolute_url()).text
    assert "9 Mar 2024" in page and "Last updated" not in page


def feed_entries(client) -> tuple[ET.Element, list[ET.Element]]:
    feed = ET.fromstring(client.get(reverse("companies:deal_feed")).content)  # noqa: S314 (the site's own)
    return feed, feed.findall(f"{ATOM}entry")


def test_feed_entries_are_dated_by_publication_and_newest_published_first(client):
    entered_first = make_deal(title="Entered long ago, published last", slug="late")
    published_first = make_deal(title="Entered later, published first", slug="early")
    backdate(published_first, first=LONG_AGO, last=LATER)
    backdate(entered_first, first=LATER, last=LATER)
    Deal.objects.filter(pk=entered_first.pk).update(created_at=LONG_AGO - datetime.timedelta(days=300))
    _feed, entries = feed_entries(client)
    assert [entry.find(f"{ATOM}title").text for entry in entries] == [
        "Entered long ago, published last",
        "Entered later, published first",
    ]
    early = entries[1]
    assert early.find(f"{ATOM}published").text == "2024-03-09T12:00:00+00:00"
    assert early.find(f"{ATOM}updated").text == "2024-06-01T08:30:00+00:00"


def test_feed_and_every_entry_name_an_author_as_rfc_4287_requires(client):
    make_deal(title="One", slug="one")
    make_deal(title="Two", slug="two")
    feed, entries = feed_entries(client)
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "EV Entry Tracker"
    assert len(entries) == 2
    for entry in entries:
        assert entry.find(f"{ATOM}author/{ATOM}name").text == "EV Entry Tracker"


def test_sitemap_lastmod_is_the_last_curated_change_not_the_last_write(client):
    deal = make_deal(slug="xiaomi-ev-subsidiary")
    backdate(deal, first=LONG_AGO, last=LATER)
    Deal.objects.filter(pk=deal.pk).update(updated_at=timezone.now())  # rows rewritten by a load
    root = ET.fromstring(client.get("/sitemap-deals.xml").content)  # noqa: S314 (the site's own)
    assert [node.text for node in root.iter(f"{SITEMAP}lastmod")] == ["2024-06-01"]
    index = ET.fromstring(client.get(reverse("sitemap")).content)  # noqa: S314
    lastmods = {
        node.find(f"{SITEMAP}loc").text: node.find(f"{SITEMAP}lastmod") for node in index.iter(f"{SITEMAP}sitemap")
    }
    assert lastmods["http://testserver/sitemap-deals.xml"].text.startswith("2024-06-01")


# -- seeds: the times come from the files ---------------------------------------------------------


def test_seed_records_carry_the_times_in_the_seed_files(settings):
    """A fresh database shows the dataset's own publication times, whatever day `make run` ran."""
    call_command("load_seeds", stdout=io.StringIO())
    for name, model in (("companies.csv", Company), ("deals.csv", Deal), ("sources.csv", Source)):
        rows = read_dataset(settings.SEEDS_DIR / name).dict
        assert rows and all(row["first_published_at"] and row["last_published_at"] for row in rows), name
        for row in rows:
            stored = model.objects.get(slug=row["slug"])
            assert stored.first_published_at == datetime.datetime.fromisoformat(row["first_published_at"])
            assert stored.last_published_at == datetime.datetime.fromisoformat(row["last_published_at"])
            assert stored.first_published_at <= stored.last_published_at < stored.created_at


def test_seed_times_are_never_later_than_now_nor_before_the_first(settings):
    for name in ("companies.csv", "deals.csv", "sources.csv"):
        for row in read_dataset(settings.SEEDS_DIR / name).dict:
            first = datetime.datetime.fromisoformat(row["first_published_at"])
            last = datetime.datetime.fromisoformat(row["last_published_at"])
            assert first <= last <= timezone.now(), (name, row["slug"])
            assert first.utcoffset() == datetime.timedelta(0), (name, row["slug"])


# -- imports: times only for records the file creates -------------------------------------------


def company_rows(*rows: list) -> Dataset:
    dataset = Dataset(headers=["slug", "name", "kind", "editorial_state", "first_published_at", "last_published_at"])
    for row in rows:
        dataset.append(row)
    return dataset


def test_an_import_that_creates_a_published_record_keeps_the_files_times():
    """A restore from CSV, or the seeds: what readers were shown stays what they are shown."""
    rows = company_rows(["xiaomi", "Xiaomi", "tech", "published", LONG_AGO.isoformat(), LATER.isoformat()])
    report = import_dataset(CompanyResource(), rows, name="companies.csv", defer_publication_check=True)
    assert report.errors == []
    assert times_of(Company.objects.get(slug="xiaomi")) == (LONG_AGO, LATER)


@pytest.mark.parametrize("times", [("", ""), None], ids=["empty cells", "no columns"])
def test_an_import_that_publishes_without_times_dates_the_import(times):
    rows = company_rows(["xiaomi", "Xiaomi", "tech", "published", *(times or ("", ""))])
    if times is None:
        del rows["first_published_at"], rows["last_published_at"]
    before = timezone.now()
    report = import_dataset(CompanyResource(), rows, name="companies.csv", defer_publication_check=True)
    assert report.errors == []
    first, last = times_of(Company.objects.get(slug="xiaomi"))
    assert before <= first == last <= timezone.now()


def test_an_import_that_changes_a_published_record_dates_the_new_version():
    company = make_company(name="Xiaomi")
    backdate(company)
    rows = company_rows(["xiaomi", "Xiaomi Corporation", "tech", "published", LONG_AGO.isoformat(), ""])
    before = timezone.now()
    report = import_dataset(CompanyResource(), rows, name="companies.csv", defer_publication_check=True)
    assert (report.errors, report.updated) == ([], 1)
    first, last = times_of(company)
    assert first == LONG_AGO and last >= before


def test_an_import_cannot_change_the_times_of_a_stored_record():
    company = make_company(name="Xiaomi")
    backdate(company)
    rows = company_rows(["xiaomi", "Xiaomi", "tech", "published", "2019-01-01T00:00:00+00:00", ""])
    report = import_dataset(CompanyResource(), rows, name="companies.csv", defer_publication_check=True)
    assert (report.errors, report.updated, report.unchanged) == ([], 0, 1)
    assert times_of(company) == (LONG_AGO, LONG_AGO)


def test_an_editor_cannot_backdate_a_publication_through_a_new_draft(editor_client, editor, reviewer, import_folder):
    """The editor's file says the new draft was first published in 2019; once a reviewer publishes
    it, readers are told the day it was really published."""
    csv_text = "slug,title,kind,status,editorial_state,first_published_at,last_published_at\n"
    csv_text += "backdated,A backdated deal,subsidiary,announced,draft,2019-01-01T00:00:00+00:00,2019-01-02T00:00:00Z\n"
    confirm(editor_client, Deal, upload(editor_client, Deal, "deals.csv", content=csv_text.encode("utf-8")))
    deal = Deal.objects.get(slug="backdated")
    assert times_of(deal) == (None, None)
    xiaomi = make_company(name="Xiaomi")
    Participation.objects.create(deal=deal, company=xiaomi, role=Participation.Role.PARENT)
    make_excerpt(source=make_source(text="Backed."), quote="Backed.", deals=[deal])
    editorial_transition(record=deal, to_state=IN_REVIEW, user=editor)
    before = timezone.now()
    editorial_transition(record=Deal.objects.get(pk=deal.pk), to_state=PUBLISHED, user=reviewer)
    first, last = times_of(deal)
    assert before <= first == last


def test_a_time_that_is_not_a_time_is_refused_by_name():
    rows = company_rows(["xiaomi", "Xiaomi", "tech", "published", "last Tuesday", ""])
    report = import_dataset(CompanyResource(), rows, name="companies.csv", defer_publication_check=True)
    assert report.errors == [
        'companies.csv, row 1 (line 2), column "first_published_at": "last Tuesday" is not a date and time '
        "such as 2026-11-23T08:55:53+00:00"
    ]


def test_exported_times_are_exact_iso_8601_in_utc():
    company = make_company(name="Xiaomi")
    exact = datetime.datetime(2024, 3, 9, 20, 0, 0, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    backdate(company, first=exact, last=exact)
    exported = CompanyResource().export().dict[0]
    assert exported["first_published_at"] == "2024-03-09T12:00:00.123456+00:00"
    deals = DealResource().export()
    assert "last_published_at" in deals.headers


def test_the_admin_import_that_publishes_a_source_dates_it_now(reviewer_client, import_folder):
    csv_text = "slug,title,text,editorial_state\na-source,A source,Xiaomi builds cars.,published\n"
    before = timezone.now()
    confirm(reviewer_client, Source, upload(reviewer_client, Source, "sources.csv", content=csv_text.encode("utf-8")))
    first, last = times_of(Source.objects.get(slug="a-source"))
    assert before <= first == last <= timezone.now()


# -- existing rows: times from the change history -------------------------------------------------


def test_migration_sets_times_from_the_history_of_publication():
    migration = importlib.import_module("companies.migrations.0005_publication_times_from_history")
    deal = make_deal(state=IN_REVIEW)
    first_version = deal.history.get()
    first_version.history_date = LONG_AGO - datetime.timedelta(days=1)  # in review: not published yet
    first_version.save()
    deal.editorial_state = PUBLISHED
    deal.save()
    deal.summary = "Changed while published."
    deal.save()
    published_versions = list(deal.history.filter(editorial_state=PUBLISHED).order_by("history_id"))
    for version, when in zip(published_versions, (LONG_AGO, LATER), strict=True):
        version.history_date = when
        version.save()
    never_in_history = make_company(name="Older than its history")
    never_in_history.history.all().delete()
    Company.objects.filter(pk=never_in_history.pk).update(updated_at=LATER)
    draft = make_deal(title="Never published", slug="never-published", state=DRAFT)
    Deal.objects.update(first_published_at=None, last_published_at=None)
    Company.objects.update(first_published_at=None, last_published_at=None)

    migration.forwards(apps, None)

    assert times_of(deal) == (LONG_AGO, LATER)
    assert times_of(never_in_history) == (LATER, LATER)
    assert times_of(draft) == (None, None)
