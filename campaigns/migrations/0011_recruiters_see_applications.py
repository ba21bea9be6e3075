"""Recruiters see who applied: the applications their campaigns brought back.

Applicants' names and addresses are personal data, so only the role that runs campaigns sees
them; Data admins see the counts on the campaign pages, as everyone with view_campaign does.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTED = [("campaigns", "view_application")]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("campaigns")
    # Migration app configs are stubs; create_permissions skips an app without models_module.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in GRANTED
    ]
    for group in Group.objects.filter(name="Recruiter"):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Recruiter"):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="campaigns",
                codename__in=[codename for _, codename in GRANTED],
            )
        )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0010_campaign_email_and_applications")]

    operations = [migrations.RunPython(grant, revoke)]
