"""Data admins read the audit trail (the page, its CSV and the read-only admin)."""

from django.db import migrations

from common.migration_grants import groups_granted

PERMISSION = ("audit", "view_auditentry")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_trigger"),
        ("campaigns", "0002_recruiter_and_data_admin_groups"),
    ]

    operations = [groups_granted(("Data admin",), [PERMISSION])]
