"""`make run` loads the seeds only into an empty database: editors' work survives a restart.

The steps are read from the Makefile's run recipe and run in its order (all but the server), so
this test follows the Makefile if the recipe changes.
"""

import io
import re
import shlex

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from companies.models import Company, Deal
from core.editorial import EditorialState
from tests.conftest import make_company

pytestmark = pytest.mark.django_db

EDITED_SUMMARY = "Edited by an editor: wording of our own that no restart may undo."
RETRACTED_DEAL = "xiaomi-faw-group-talks"


def make_run_steps() -> list[list[str]]:
    """The `manage.py` commands of the Makefile's run target, in order, up to the server."""
    makefile = (settings.BASE_DIR / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^run:.*\n((?:\t.*\n|#.*\n)+)", makefile, re.M).group(1)
    steps = [shlex.split(line) for line in re.findall(r"^\t\$\(PY\) manage\.py (.+)$", recipe, re.M)]
    assert steps[-1][0] == "runserver", "the run recipe ends by serving the tracker"
    return steps[:-1]


def make_run(settings) -> str:
    """What `make run` prints before it starts the server (its .env turns debug on)."""
    settings.DEBUG = True
    out = io.StringIO()
    for command, *arguments in make_run_steps():
        call_command(command, *arguments, stdout=out)
    return out.getvalue()


def test_the_run_recipe_loads_seeds_only_into_an_empty_database():
    assert ["load_seeds", "--if-empty"] in make_run_steps()


def test_make_run_on_a_fresh_database_serves_the_seeded_tracker(settings):
    output = make_run(settings)
    assert "The database was empty: it now holds the seed dataset." in output
    assert "Seeds loaded:" in output
    assert Deal.objects.published().filter(slug=RETRACTED_DEAL).exists()


def test_make_run_again_keeps_an_edited_company_and_a_retracted_deal(settings, client, reviewer_client):
    make_run(settings)
    xiaomi = Company.objects.get(slug="xiaomi")
    xiaomi.summary = EDITED_SUMMARY
    xiaomi.save()
    deal = Deal.objects.get(slug=RETRACTED_DEAL)
    reviewer_client.post(
        reverse("admin:companies_deal_changelist"), {"action": "retract", "_selected_action": [deal.pk]}, follow=True
    )
    assert Deal.objects.get(slug=RETRACTED_DEAL).editorial_state == EditorialState.RETRACTED

    output = make_run(settings)

    assert Company.objects.get(slug="xiaomi").summary == EDITED_SUMMARY
    assert Deal.objects.get(slug=RETRACTED_DEAL).editorial_state == EditorialState.RETRACTED
    assert RETRACTED_DEAL not in client.get(reverse("companies:deal_list")).text
    assert EDITED_SUMMARY in client.get(reverse("companies:company_detail", args=["xiaomi"])).text
    assert "Seeds not loaded: the database already holds curated data (" in output
    assert "updated" not in output


def test_a_database_whose_records_were_deleted_is_not_empty(settings):
    """Its change history remains: reloading the seeds would bring back what editors removed."""
    make_company(name="Short-lived").delete()
    output = make_run(settings)
    assert "Seeds not loaded: the database already holds curated data (only the change history" in output
    assert not Company.objects.exists()
