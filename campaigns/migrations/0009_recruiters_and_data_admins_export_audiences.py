"""Recruiters and Data admins may export a campaign's audience for ad platforms.

Recruiters run campaigns, and uploading the audience to Google, Meta or LinkedIn is how an ad
campaign reaches its people; Data admins answer for the candidate data that leaves AdFlux.
(Recruiters already hold change_campaign, which the lifecycle's buttons need.)
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ("Recruiter", "Data admin")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("campaigns")
    # Migration app configs are stubs; create_permissions skips an app without models_module.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="campaigns", codename="export_audience"
    )
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="campaigns", codename="export_audience"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0008_campaign_export_audience_permission"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
