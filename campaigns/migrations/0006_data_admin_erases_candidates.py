"""Data admins may erase a person at their request (the admin action and its permission)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("candidates")
    # Migration app configs are stubs; create_permissions skips an app without models_module.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    erase = Permission.objects.get(content_type__app_label="candidates", codename="erase_candidate")
    for group in Group.objects.filter(name="Data admin"):
        group.permissions.add(erase)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    erase = Permission.objects.filter(content_type__app_label="candidates", codename="erase_candidate")
    for group in Group.objects.filter(name="Data admin"):
        group.permissions.remove(*erase)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_job_opening_years_in_range"),
        ("candidates", "0006_erase_permission"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
