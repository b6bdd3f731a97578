"""The two editorial groups and their permissions.

Editors create and edit drafts, send them for review, and move data in and out of files.
Reviewers do all that, and publish, retract and delete.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATED = {"companies": ["company", "deal"], "sources": ["source"]}
PARTS = {"companies": ["alias", "participation"], "sources": ["story", "noisespan", "excerpt"]}


def codenames(models_by_app: dict[str, list[str]], actions: list[str]) -> list[tuple[str, str]]:
    return [(app, f"{action}_{model}") for app, models in models_by_app.items() for model in models for action in actions]


EDITORS = codenames(CURATED, ["view", "add", "change", "import", "export"]) + codenames(
    PARTS, ["view", "add", "change", "delete", "import", "export"]
)
REVIEWERS = EDITORS + codenames(CURATED, ["delete", "publish"])


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, wanted in (("Editors", EDITORS), ("Reviewers", REVIEWERS)):
        group, _ = group_model.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            group.permissions.add(permission_model.objects.get(content_type__app_label=app_label, codename=codename))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Reviewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("companies", "0003_history_and_permissions"),
        ("sources", "0002_history_and_permissions"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
