"""Web addresses are http or https only (issue #9, point 6): the data dictionary says so, and a
reader's browser opens nothing else. Django's URLField also takes ftp:// and ftps://; the model
refuses them, so the admin's forms and every import say so in the field."""

import pytest
from django.core.exceptions import ValidationError

from companies.models import Company
from companies.resources import CompanyResource
from dataio.resources import import_dataset
from sources.models import Source
from sources.resources import SourceResource
from tests.conftest import DRAFT, make_company, make_source
from tests.import_helpers import admin_url, confirm, upload, visible_text

pytestmark = pytest.mark.django_db

MESSAGE = "Enter a web address starting with https:// or http://."
REFUSED = ["ftp://ftp.example.com/xiaomi", "ftps://example.com/", "file:///etc/passwd", "gopher://example.com/"]


@pytest.mark.parametrize("address", REFUSED)
def test_models_refuse_other_schemes_with_a_field_message(address):
    company = Company(name="Xiaomi", slug="xiaomi", kind="tech", website=address)
    with pytest.raises(ValidationError) as refused:
        company.full_clean()
    assert refused.value.message_dict == {"website": [MESSAGE]}
    source = Source(slug="a-source", title="A source", text="Text.", url=address)
    with pytest.raises(ValidationError) as refused:
        source.full_clean()
    assert refused.value.message_dict == {"url": [MESSAGE]}


@pytest.mark.parametrize("address", ["https://www.mi.com/", "http://ev.example.cn/小米/", "HTTPS://EXAMPLE.COM/"])
def test_web_addresses_are_accepted(address):
    make_company(website=address)
    make_source(url=address)


def company_form(**fields) -> dict:
    data = {"name": "Example Motors", "slug": "example-motors", "kind": "ev_startup", "editorial_state": DRAFT}
    data.update({"aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0", **fields})
    return data


def test_admin_form_refuses_an_ftp_website_in_the_field(editor_client):
    response = editor_client.post(admin_url(Company, "add"), company_form(website="ftp://ftp.example.com/motors"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"website": [MESSAGE]}
    assert MESSAGE in response.text
    assert not Company.objects.filter(slug="example-motors").exists()


def test_admin_form_still_takes_a_web_address_typed_without_its_scheme(editor_client):
    response = editor_client.post(admin_url(Company, "add"), company_form(website="example.com"))
    assert response.status_code == 302
    assert Company.objects.get(slug="example-motors").website == "https://example.com"


def test_admin_import_refuses_an_ftp_website_and_names_the_row_and_column(editor_client, import_folder):
    csv_text = (
        "slug,name,kind,website,editorial_state\nexample-motors,Example Motors,ev_startup,ftp://x.example/,draft\n"
    )
    preview = upload(editor_client, Company, "companies.csv", content=csv_text.encode("utf-8"))
    page = visible_text(preview)
    assert MESSAGE in page and "website" in page
    assert 'action="/admin/companies/company/process_import/"' not in preview.text  # nothing to confirm
    assert not Company.objects.filter(slug="example-motors").exists()


def test_command_line_import_refuses_ftp_in_both_import_paths():
    """Companies go through the bulk path, sources through the library's own row loop."""
    from tablib import Dataset

    companies = Dataset(headers=["slug", "name", "kind", "website"])
    companies.append(["example-motors", "Example Motors", "ev_startup", "ftp://x.example/"])
    report = import_dataset(CompanyResource(), companies, name="companies.csv")
    assert report.errors == [f'companies.csv, row 1 (line 2), column "website": {MESSAGE}']
    sources = Dataset(headers=["slug", "title", "url", "text"])
    sources.append(["a-source", "A source", "ftp://x.example/a", "Text."])
    report = import_dataset(SourceResource(), sources, name="sources.csv")
    assert report.errors == [f'sources.csv, row 1 (line 2), column "url": {MESSAGE}']
    assert not Company.objects.exists() and not Source.objects.exists()


def test_admin_import_of_a_web_address_goes_through(editor_client, import_folder):
    csv_text = (
        "slug,name,kind,website,editorial_state\nexample-motors,Example Motors,ev_startup,https://x.example/,draft\n"
    )
    confirm(editor_client, Company, upload(editor_client, Company, "companies.csv", content=csv_text.encode("utf-8")))
    assert Company.objects.get(slug="example-motors").website == "https://x.example/"
