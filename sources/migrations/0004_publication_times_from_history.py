"""Publication times of the sources that existed before the tracker recorded them, read from
their change history, as companies' migration 0005 does for companies and deals."""

from django.db import migrations
from django.db.models import F, Max, Min


def forwards(apps, schema_editor):
    model = apps.get_model("sources", "Source")
    published_versions = apps.get_model("sources", "HistoricalSource").objects.filter(editorial_state="published")
    times = published_versions.order_by().values("id").annotate(first=Min("history_date"), last=Max("history_date"))
    by_id = {row["id"]: (row["first"], row["last"]) for row in times}
    records = [record for record in model.objects.only("pk").iterator() if record.pk in by_id]
    for record in records:
        record.first_published_at, record.last_published_at = by_id[record.pk]
    model.objects.bulk_update(records, ["first_published_at", "last_published_at"], batch_size=1000)
    # A published source with no published version in its history: its latest change is the best known.
    model.objects.filter(editorial_state="published", last_published_at=None).update(
        first_published_at=F("updated_at"), last_published_at=F("updated_at")
    )


class Migration(migrations.Migration):
    dependencies = [("sources", "0003_publication_times_and_web_addresses")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
