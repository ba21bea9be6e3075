"""Two starting roles: Recruiter (see segments, run campaigns) and Data admin (train, assign).

Permissions are created after migrations by default; this migration creates them first so the
groups can hold them on a fresh database.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_ALL = [
    ("candidates", "view_candidate"),
    ("candidates", "view_skill"),
    ("segmentation", "view_segmentationrun"),
    ("segmentation", "view_segment"),
    ("campaigns", "view_jobopening"),
    ("campaigns", "view_campaign"),
]
ROLES = {
    "Recruiter": VIEW_ALL
    + [
        ("campaigns", "add_campaign"),
        ("campaigns", "change_campaign"),
        ("campaigns", "add_jobopening"),
        ("campaigns", "change_jobopening"),
    ],
    "Data admin": VIEW_ALL
    + [
        ("segmentation", "train_segmentation"),
        ("segmentation", "assign_segments"),
        ("segmentation", "change_segment"),
        ("candidates", "add_candidate"),
        ("candidates", "change_candidate"),
        ("candidates", "add_skill"),
    ],
}


def create_roles(apps, schema_editor):
    for app_label in ("candidates", "segmentation", "campaigns"):
        app_config = apps.get_app_config(app_label)
        # Migration app configs are stubs; create_permissions skips an app without models_module.
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in codenames:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("candidates", "0003_text_indexes_without_like_copies"),
        ("segmentation", "0001_initial"),
        ("campaigns", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
