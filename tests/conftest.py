"""Shared fixtures and small factories for the whole suite."""

import importlib
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client

from companies.models import Company, Deal, Participation
from core.editorial import EditorialState
from sources.models import Excerpt, Source

IN_CI = os.environ.get("CI", "").lower() == "true"
# Tests that need an outside service skip where it is missing, except in CI, where a skip
# would hide that the service was never exercised.
SERVICE_MARKERS = ("postgres", "browser")

PUBLISHED = EditorialState.PUBLISHED
DRAFT = EditorialState.DRAFT
PASSWORD = "pw-for-tests-only"  # every test user's, for the tests that log in through the form


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    needs_service = any(item.get_closest_marker(name) for name in SERVICE_MARKERS)
    if IN_CI and report.skipped and needs_service:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"CI=true: a test that needs an outside service must run, but it skipped: {reason}"


@pytest.fixture(autouse=True)
def fresh_content_types():
    """A transactional test's flush recreates the content types, under new ids on SQLite; a
    cached id from before would make the next admin log entry or former slug point nowhere."""
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def page_cache_off(settings):
    """Public pages are built on every request, from empty caches, unless a test turns the page
    cache on (tests/test_page_cache.py): most tests change data inside a transaction that never
    commits, so the dataset version never moves and a kept page would hide their change. It also
    keeps the pinned query counts those of the views themselves."""
    settings.PAGE_CACHE = False
    settings.DOWNLOAD_CACHE_DIR = ""  # and downloads too (tests/test_download_files.py keeps them)
    for cache in caches.all(initialized_only=True):
        cache.clear()


# -- factories: keyword-only knobs, sensible defaults, everything validated like an editor's save --


def make_company(
    *, name: str = "Xiaomi", slug: str | None = None, kind: str = Company.Kind.TECH, state: str = PUBLISHED, **fields
) -> Company:
    company = Company(
        name=name, slug=slug or name.lower().replace(" ", "-"), kind=kind, editorial_state=state, **fields
    )
    company.full_clean()
    company.save()
    return company


def make_deal(
    *,
    title: str = "Xiaomi sets up an EV subsidiary",
    slug: str | None = None,
    state: str = PUBLISHED,
    parties=(),
    **fields,
) -> Deal:
    fields.setdefault("kind", Deal.Kind.SUBSIDIARY)
    fields.setdefault("status", Deal.Status.ANNOUNCED)
    deal = Deal(title=title, slug=slug or title.lower().replace(" ", "-")[:100], editorial_state=state, **fields)
    deal.full_clean()
    deal.save()
    for company, role in parties:
        Participation.objects.create(deal=deal, company=company, role=role)
    return deal


def make_source(
    *,
    text: str = "Xiaomi said it would set up an EV subsidiary.",
    slug: str = "a-source",
    state: str = PUBLISHED,
    **fields,
) -> Source:
    fields.setdefault("title", "A source")
    source = Source(text=text, slug=slug, editorial_state=state, **fields)
    source.full_clean()
    source.save()
    return source


def make_excerpt(*, source: Source, quote: str, companies=(), deals=(), **fields) -> Excerpt:
    excerpt = Excerpt(source=source, quote=quote, **fields)
    excerpt.full_clean()
    excerpt.save()
    excerpt.companies.set(companies)
    excerpt.deals.set(deals)
    return excerpt


def make_backed_deal(
    *,
    company: Company | None = None,
    state: str = PUBLISHED,
    text: str = "Xiaomi said it would set up an EV subsidiary.",
    quote: str = "Xiaomi said it would set up an EV subsidiary.",
    excerpt_slug: str = "",
) -> Deal:
    """What publishing asks of a deal: Xiaomi (or `company`) as its party, and an excerpt of a
    published source that backs the deal and the company."""
    company = company or make_company(name="Xiaomi")
    deal = make_deal(state=state, parties=[(company, Participation.Role.PARENT)])
    make_excerpt(source=make_source(text=text), quote=quote, deals=[deal], companies=[company], slug=excerpt_slug)
    return deal


# -- the cast: users of each editorial role, and a small published world ----------------------


def make_staff(*, username: str, group: str = "", **flags) -> AbstractUser:
    """A staff user with the test password, in one editorial group ("Editors", "Reviewers") or none
    (staff who may log in and do only what `user_permissions` later grants)."""
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True, **flags)
    if group:
        user.groups.add(editorial_group(group))
    return user


def editorial_group(name: str) -> Group:
    """The group the data migration made; recreated by that migration's own code where a
    transactional test before this one flushed the tables (browser tests)."""
    if not Group.objects.filter(name=name).exists():
        migration = importlib.import_module("core.migrations.0001_editorial_groups")
        migration.create_groups(django_apps, None)
        importlib.import_module("core.migrations.0004_reviewers_merge_duplicates").grant_merge(django_apps, None)
    return Group.objects.get(name=name)


def logged_in(user: AbstractUser) -> Client:
    """A browser of its own, logged in as `user`: several users can act in one test."""
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def editor(db) -> AbstractUser:
    """Creates and edits drafts, sends them for review, imports and exports; publishes nothing."""
    return make_staff(username="editor", group="Editors")


@pytest.fixture
def reviewer(db) -> AbstractUser:
    """An editor who also publishes, retracts and deletes."""
    return make_staff(username="reviewer", group="Reviewers")


@pytest.fixture
def superuser(db) -> AbstractUser:
    """Every permission; for what only the site's operator does (or what no role is tested by)."""
    return make_staff(username="boss", is_superuser=True)


@pytest.fixture
def editor_client(editor) -> Client:
    return logged_in(editor)


@pytest.fixture
def reviewer_client(reviewer) -> Client:
    return logged_in(reviewer)


@pytest.fixture
def superuser_client(superuser) -> Client:
    return logged_in(superuser)


@pytest.fixture
def import_folder(settings, tmp_path: Path) -> Path:
    """The private folder admin uploads wait in between preview and confirm: this test's own, empty."""
    settings.IMPORT_EXPORT_TMP_STORAGE_CLASS = "dataio.storage.PrivateFolderStorage"
    settings.IMPORT_TMP_DIR = tmp_path / "imports"
    return settings.IMPORT_TMP_DIR


@dataclass(frozen=True, kw_only=True)
class Cast:
    xiaomi: Company
    company_360: Company
    hozon: Company


def make_cast() -> Cast:
    """The three companies most tests are about, as the tracker knows them (all published): a tech
    company building its own cars, a tech company investing, and the EV start-up it invests in."""
    return Cast(
        xiaomi=make_company(name="Xiaomi", entry_mode="own_cars"),
        company_360=make_company(name="360", entry_mode="investor_only"),
        hozon=make_company(name="Hozon Auto", slug="hozon-auto", kind=Company.Kind.EV_STARTUP),
    )


@dataclass(frozen=True, kw_only=True)
class World(Cast):
    subsidiary: Deal
    round_d: Deal
    source: Source


WORLD_TEXT = "Xiaomi said it would set up an EV subsidiary. 360 led Hozon Auto's series D round."


@pytest.fixture
def xiaomi_world(db) -> World:
    """The cast with a deal each, both backed by excerpts of one source; everything published."""
    cast = make_cast()
    Role = Participation.Role
    subsidiary = make_deal(parties=[(cast.xiaomi, Role.PARENT)])
    round_d = make_deal(
        title="360 leads Hozon Auto's series D round",
        slug="360-hozon",
        kind=Deal.Kind.FUNDING_ROUND,
        status=Deal.Status.COMPLETED,
        parties=[(cast.company_360, Role.LEAD_INVESTOR), (cast.hozon, Role.FUNDED)],
    )
    source = make_source(text=WORLD_TEXT)
    subsidiary_quote, round_quote = WORLD_TEXT.split(". ")
    make_excerpt(source=source, quote=subsidiary_quote + ".", deals=[subsidiary], companies=[cast.xiaomi])
    make_excerpt(source=source, quote=round_quote, deals=[round_d], companies=[cast.company_360, cast.hozon])
    return World(**vars(cast), subsidiary=subsidiary, round_d=round_d, source=source)


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A scratch copy of seeds/ that a test may break."""
    target = tmp_path / "seeds"
    shutil.copytree(settings.SEEDS_DIR, target)
    return target


_seed_dump: dict[str, Path] = {}


@pytest.fixture
def seeded(db, tmp_path_factory):
    """The shipped dataset. Loaded through load_seeds once per session, then restored from a
    dump of that load, which is much faster than importing the CSV files again."""
    if "path" not in _seed_dump:
        call_command("load_seeds", stdout=io.StringIO())
        path = tmp_path_factory.getbasetemp() / "seeded.json"
        call_command("dumpdata", "companies", "sources", output=str(path))
        _seed_dump["path"] = path
    else:
        call_command("loaddata", str(_seed_dump["path"]), verbosity=0)


def grow_dataset(*, size: int, company: Company, deal: Deal, source: Source) -> None:
    """Give `company` `size` more published deals, partners and excerpts from `source`, and
    `deal` as many more parties and excerpts.

    Query-count tests render the same page before and after this, so a query inside a loop
    shows up as a difference.
    """
    partners = Company.objects.bulk_create(
        Company(name=f"Partner {i}", slug=f"partner-{i}", kind=Company.Kind.AUTOMAKER, editorial_state=PUBLISHED)
        for i in range(size)
    )
    deals = Deal.objects.bulk_create(
        Deal(
            title=f"Generated deal {i}",
            slug=f"generated-deal-{i}",
            kind=Deal.Kind.PARTNERSHIP,
            status=Deal.Status.ANNOUNCED,
            editorial_state=PUBLISHED,
        )
        for i in range(size)
    )
    Participation.objects.bulk_create(
        [Participation(deal=deal, company=company, role=Participation.Role.PARTNER) for deal in deals]
        + [
            Participation(deal=deal, company=partner, role=Participation.Role.PARTNER)
            for deal, partner in zip(deals, partners, strict=True)
        ]
        + [Participation(deal=deal, company=partner, role=Participation.Role.INVESTOR) for partner in partners]
    )
    quote = source.text[:20]
    excerpts = Excerpt.objects.bulk_create(
        Excerpt(source=source, quote=quote, start=0, end=len(quote), slug=f"generated-excerpt-{i}") for i in range(size)
    )
    Excerpt.companies.through.objects.bulk_create(
        Excerpt.companies.through(excerpt=excerpt, company=company) for excerpt in excerpts
    )
    Excerpt.deals.through.objects.bulk_create(
        [Excerpt.deals.through(excerpt=excerpt, deal=new) for excerpt, new in zip(excerpts, deals, strict=True)]
        + [Excerpt.deals.through(excerpt=excerpt, deal=deal) for excerpt in excerpts]
    )
