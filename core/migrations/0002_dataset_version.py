"""The record of changes: one row holding the dataset version (core/changes.py)."""

from django.db import migrations, models


def create_version_row(apps, schema_editor):
    # Created here, so that the first change only has to move it on.
    apps.get_model("core", "DatasetVersion").objects.using(schema_editor.connection.alias).get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_editorial_groups"),
    ]

    operations = [
        migrations.CreateModel(
            name="DatasetVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveBigIntegerField(default=0)),
                ("changed_at", models.DateTimeField(blank=True, null=True)),
                ("reason", models.CharField(blank=True, help_text="What the latest change was.", max_length=200)),
            ],
            options={
                "verbose_name": "dataset version",
            },
        ),
        migrations.RunPython(create_version_row, migrations.RunPython.noop),
    ]
