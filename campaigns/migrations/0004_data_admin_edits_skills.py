"""Data admins edit candidates' skills: the admin's skills inline needs the pair table's rights.

The README has said since the groups were made that Data admins edit candidates; without rights
on the candidate-skill table the candidate page hid the skills from them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PAIR_TABLE = [
    ("candidates", f"{action}_candidateskill") for action in ("view", "add", "change", "delete")
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("candidates")
    # Migration app configs are stubs; create_permissions skips an app without models_module.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in PAIR_TABLE
    ]
    for group in Group.objects.filter(name="Data admin"):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [codename for _, codename in PAIR_TABLE]
    for group in Group.objects.filter(name="Data admin"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="candidates", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_data_admin_activates"),
        ("candidates", "0004_segment_lives_in_assignments"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
