"""Data admins read the audit trail (the page, its CSV and the read-only admin)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSION = ("audit", "view_auditentry")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("audit")
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
        ("audit", "0002_append_only_trigger"),
        ("campaigns", "0002_recruiter_and_data_admin_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
