"""Publication times of the records that existed before the tracker recorded them, read from
their change history: the first and the latest version saved while published. A published record
with no published version in its history gets the time of its latest change, the best known."""

from django.db import migrations
from django.db.models import F, Max, Min


def publication_times_from_history(apps, app_label: str, model_name: str) -> None:
    model = apps.get_model(app_label, model_name)
    published_versions = apps.get_model(app_label, f"Historical{model_name}").objects.filter(
        editorial_state="published"
    )
    times = published_versions.order_by().values("id").annotate(first=Min("history_date"), last=Max("history_date"))
    by_id = {row["id"]: (row["first"], row["last"]) for row in times}
    records = [record for record in model.objects.only("pk").iterator() if record.pk in by_id]
    for record in records:
        record.first_published_at, record.last_published_at = by_id[record.pk]
    model.objects.bulk_update(records, ["first_published_at", "last_published_at"], batch_size=1000)
    model.objects.filter(editorial_state="published", last_published_at=None).update(
        first_published_at=F("updated_at"), last_published_at=F("updated_at")
    )


def forwards(apps, schema_editor):
    for model_name in ("Company", "Deal"):
        publication_times_from_history(apps, "companies", model_name)


class Migration(migrations.Migration):
    dependencies = [("companies", "0004_publication_times_and_web_addresses")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
