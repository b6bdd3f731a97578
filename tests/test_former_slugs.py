"""Permanent links: a renamed company, deal or source keeps its old addresses (core/slugs.py)."""

import pytest
import tablib
from django.urls import reverse

from companies.models import Company, Deal, Participation
from companies.resources import CompanyResource, ParticipationResource
from core.editorial import EditorialState
from core.slugs import FormerSlug, former_slugs_of
from dataio.resources import import_dataset
from sources.models import Source
from sources.resources import ExcerptResource
from tests.conftest import make_company, make_source

pytestmark = pytest.mark.django_db


def rename(record, slug: str):
    record.slug = slug
    record.save()
    return record


def test_a_rename_keeps_the_old_slug_as_a_former_slug():
    company = rename(make_company(name="Geely"), "geely-holding")

    assert former_slugs_of(company) == ["geely"]


def test_a_rename_back_makes_the_slug_live_again():
    company = rename(rename(make_company(name="Geely"), "geely-holding"), "geely")

    assert former_slugs_of(company) == ["geely-holding"]


def test_saving_without_a_rename_records_nothing():
    company = make_company(name="Geely")
    company.summary = "A carmaker."
    company.save()

    assert not FormerSlug.objects.exists()


def test_a_history_revert_that_renames_keeps_the_slug_it_leaves(reviewer_client):
    company = rename(make_company(name="Geely"), "geely-holding")
    first = company.history.order_by("history_date").first()

    first.instance.save()  # what the admin's revert does: a version built from the history

    assert Company.objects.get().slug == "geely"
    assert former_slugs_of(company) == ["geely-holding"]


def test_the_old_company_page_answers_301_to_the_new_one(client):
    rename(make_company(name="Geely"), "geely-holding")

    response = client.get("/companies/geely/")

    assert response.status_code == 301
    assert response["Location"] == reverse("companies:company_detail", kwargs={"slug": "geely-holding"})


def test_the_old_deal_and_source_pages_answer_301_with_the_query_string(client):
    deal = Deal.objects.create(
        title="A deal", slug="a-deal", kind=Deal.Kind.INVESTMENT, status=Deal.Status.ANNOUNCED,
        editorial_state=EditorialState.PUBLISHED,
    )  # fmt: skip
    rename(deal, "the-deal")
    rename(make_source(slug="old-source"), "new-source")

    assert client.get("/deals/a-deal/")["Location"] == "/deals/the-deal/"
    response = client.get("/sources/old-source/?page=2")
    assert response.status_code == 301
    assert response["Location"] == "/sources/new-source/?page=2"


def test_a_former_slug_of_a_draft_stays_a_404(client):
    rename(make_company(name="Geely", state=EditorialState.DRAFT), "geely-holding")

    assert client.get("/companies/geely/").status_code == 404


def test_an_unknown_slug_stays_a_404(client):
    make_company(name="Geely")

    assert client.get("/companies/nobody/").status_code == 404


def test_a_live_slug_wins_over_a_former_one(client):
    rename(make_company(name="Geely"), "geely-holding")
    make_company(name="Geely")  # a new record takes the old slug in the admin

    assert client.get("/companies/geely/").status_code == 200


def test_the_api_detail_answers_301_to_the_new_address(client):
    rename(make_company(name="Geely"), "geely-holding")
    rename(make_source(slug="old-source"), "new-source")

    response = client.get("/api/companies/geely/")
    assert response.status_code == 301
    assert response["Location"] == reverse("api:company-detail", kwargs={"slug": "geely-holding"})
    assert client.get("/api/sources/old-source/")["Location"] == "/api/sources/new-source/"
    assert client.get("/api/companies/nobody/").status_code == 404


def test_the_api_keeps_a_former_slug_of_a_draft_a_404(client):
    rename(make_company(name="Geely", state=EditorialState.DRAFT), "geely-holding")

    assert client.get("/api/companies/geely/").status_code == 404


def run_import(resource, csv: str):
    return import_dataset(resource, tablib.Dataset().load(csv, format="csv"), name="file.csv")


def test_an_import_naming_a_company_by_its_old_slug_is_told_the_new_one():
    company = rename(make_company(name="Geely"), "geely-holding")
    Deal.objects.create(title="A deal", slug="a-deal", kind=Deal.Kind.INVESTMENT, status=Deal.Status.ANNOUNCED)

    report = run_import(ParticipationResource(), "deal,company,role\na-deal,geely,investor\n")

    assert any("company “geely” is now “geely-holding”: use the new slug" in line for line in report.errors)
    assert not Participation.objects.filter(company=company).exists()


def test_an_import_row_under_an_old_slug_is_told_the_new_one_and_creates_nothing():
    rename(make_company(name="Geely", state=EditorialState.DRAFT), "geely-holding")

    report = run_import(CompanyResource(), "slug,name,kind,editorial_state\ngeely,Geely,automaker,draft\n")

    assert any("company “geely” is now “geely-holding”: use the new slug" in line for line in report.errors)
    assert Company.objects.count() == 1


def test_an_unknown_slug_keeps_its_old_message():
    report = run_import(ParticipationResource(), "deal,company,role\nno-deal,nobody,investor\n")

    assert any('unknown company slug "nobody"' in line for line in report.errors)


def test_an_excerpt_import_naming_an_old_source_slug_is_told_the_new_one():
    source = rename(make_source(slug="old-source", state=EditorialState.DRAFT), "new-source")
    report = run_import(ExcerptResource(), f"slug,source,quote\n,old-source,{source.text}\n")

    assert any("source “old-source” is now “new-source”" in line for line in report.errors), report.errors
    assert Source.objects.get().excerpts.count() == 0
