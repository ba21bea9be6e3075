"""Data admins read demographics, in aggregate: the fairness report needs view_demographics."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSION = ("candidates", "view_demographics")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("candidates")
    # Migration app configs are stubs; create_permissions skips an app without models_module.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label=PERMISSION[0], codename=PERMISSION[1]
    )
    for group in Group.objects.filter(name="Data admin"):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Data admin"):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label=PERMISSION[0], codename=PERMISSION[1]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0007_demographics"),
        ("campaigns", "0002_recruiter_and_data_admin_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
