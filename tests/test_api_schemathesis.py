"""Schemathesis against the live read API: every operation the schema documents, called with
parameters generated from the schema (filters, orderings, page numbers, slugs), must answer without
a server error and as the schema says (status code, content type, headers, body).

The server is pytest-django's live server on this machine with the seeds loaded: no outside
service, so this runs (never skips) wherever the suite runs, CI included. A few examples per
operation keep it well under a minute; `API_SCHEMATHESIS_EXAMPLES=200` explores more.

Every check runs but one: `negative_data_rejection` wants a 4xx for any request outside the
schema, while the API, like the pages, ignores query parameters it does not know (`?utm_source=`)
and turns a slug-shaped miss into 404 as documented; invalid values of known parameters are still
generated (negative mode) and must answer as documented, never 500.

The schema is built at collection time, by the generator that serves /api/schema/ (Schemathesis
makes one test per operation from it), and the first test checks that the live server serves that
very schema. (Schemathesis's `from_fixture`, which would load it from the live server, sets a
private attribute that pytest 9 no longer has.)
"""

import json
import os

import pytest
import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = int(os.environ.get("API_SCHEMATHESIS_EXAMPLES", "12"))
SCHEMA = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
schema = schemathesis.openapi.from_dict(SCHEMA)


@pytest.fixture
def live_api(live_server, seeded, settings) -> str:
    """The live server's address, with the shipped dataset and no rate limit (generated calls come
    fast; the limit has tests of its own in tests/test_api.py)."""
    settings.API_RATE = ""
    return live_server.url


def test_the_live_server_serves_the_schema_under_test(live_api):
    assert requests.get(f"{live_api}/api/schema/", timeout=30).json() == SCHEMA
    assert len(list(schema.get_all_operations())) == 10  # five kinds of record, a list and a detail each


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_documented_operation_answers_as_documented(case, live_api):
    case.call_and_validate(base_url=live_api, excluded_checks=[negative_data_rejection])
