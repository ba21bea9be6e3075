"""Data admins may activate a trained segmentation run (a separate step from training)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("segmentation")
    # Migration app configs are stubs; create_permissions skips an app without models_module.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="segmentation", codename="activate_segmentation"
    )
    for group in Group.objects.filter(name="Data admin"):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="segmentation", codename="activate_segmentation"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_recruiter_and_data_admin_groups"),
        ("segmentation", "0003_explanations_identity_outliers"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
