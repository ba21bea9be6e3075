"""Data admins may activate a trained segmentation run (a separate step from training)."""

from django.db import migrations

from common.migration_grants import groups_granted


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_recruiter_and_data_admin_groups"),
        ("segmentation", "0003_explanations_identity_outliers"),
    ]

    operations = [groups_granted(("Data admin",), [("segmentation", "activate_segmentation")])]
