"""Data admins read demographics, in aggregate: the fairness report needs view_demographics."""

from django.db import migrations

from common.migration_grants import groups_granted

PERMISSION = ("candidates", "view_demographics")


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0007_demographics"),
        ("campaigns", "0002_recruiter_and_data_admin_groups"),
    ]

    operations = [groups_granted(("Data admin",), [PERMISSION])]
