"""Static files in production: hashed names (cached for ever) and compressed copies, served by
whitenoise. The rest of the suite uses plain storage, so this test collects them itself."""

import re

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def collected(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


def test_pages_link_the_hashed_stylesheet_and_whitenoise_serves_it_compressed(collected):
    client = Client()  # a new client loads the middleware, so whitenoise sees the collected files
    html = client.get("/").text
    href = re.search(r'<link rel="stylesheet" href="(/static/css/site\.[0-9a-f]{12}\.css)">', html).group(1)
    assert (collected / href.removeprefix("/static/")).with_suffix(".css.gz").exists()
    response = client.get(href, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "max-age=315360000" in response["Cache-Control"]  # a hashed name never changes
