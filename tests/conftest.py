"""Shared fixtures and small factories for the whole suite."""

import io
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from companies.models import Company, Deal, Participation
from core.editorial import EditorialState
from sources.models import Excerpt, Source

IN_CI = os.environ.get("CI", "").lower() == "true"
# Tests that need an outside service skip where it is missing, except in CI, where a skip
# would hide that the service was never exercised.
SERVICE_MARKERS = ("postgres", "browser")

PUBLISHED = EditorialState.PUBLISHED
DRAFT = EditorialState.DRAFT


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    needs_service = any(item.get_closest_marker(name) for name in SERVICE_MARKERS)
    if IN_CI and report.skipped and needs_service:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"CI=true: a test that needs an outside service must run, but it skipped: {reason}"


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
