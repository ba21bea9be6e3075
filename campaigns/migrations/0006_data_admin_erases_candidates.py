"""Data admins may erase a person at their request (the admin action and its permission)."""

from django.db import migrations

from common.migration_grants import groups_granted


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_job_opening_years_in_range"),
        ("candidates", "0006_erase_permission"),
    ]

    operations = [groups_granted(("Data admin",), [("candidates", "erase_candidate")])]
