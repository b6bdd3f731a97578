"""Reviewers merge duplicate companies and deals (companies/merge.py): a merge deletes a record,
which only reviewers may do."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MERGE = [("companies", "merge_company"), ("companies", "merge_deal")]


def grant_merge(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name="Reviewers")
    permission_model = apps.get_model("auth", "Permission")
    for app_label, codename in MERGE:
        group.permissions.add(permission_model.objects.get(content_type__app_label=app_label, codename=codename))


def revoke_merge(apps, schema_editor):
    permission_model = apps.get_model("auth", "Permission")
    merge = permission_model.objects.filter(codename__in=[codename for _, codename in MERGE])
    group = apps.get_model("auth", "Group").objects.filter(name="Reviewers").first()
    if group is not None:
        group.permissions.remove(*merge)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_former_slugs"),
        ("core", "0001_editorial_groups"),
        ("companies", "0009_merge_permissions"),
    ]

    operations = [migrations.RunPython(grant_merge, revoke_merge)]
