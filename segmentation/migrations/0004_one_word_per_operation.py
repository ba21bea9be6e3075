"""One word per operation: an assignment job is an activation, and nothing grants "assign".

The ``assign_segments`` permission guarded nothing since activation got its own permission;
its row (and every group's hold on it) is removed.
"""

import django.db.models.deletion
from django.db import migrations, models


def jobs_renamed(apps, schema_editor):
    apps.get_model("segmentation", "SegmentationJob").objects.filter(kind="assign").update(
        kind="activate"
    )


def jobs_named_back(apps, schema_editor):
    apps.get_model("segmentation", "SegmentationJob").objects.filter(kind="activate").update(
        kind="assign"
    )


def unused_permission_removed(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="segmentation", codename="assign_segments"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("campaigns", "0003_data_admin_activates"),
        ("segmentation", "0003_explanations_identity_outliers"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="segmentationrun",
            options={
                "get_latest_by": "created_at",
                "ordering": ["-created_at", "-id"],
                "permissions": [
                    ("train_segmentation", "Can train a segmentation model"),
                    ("activate_segmentation", "Can activate a segmentation run"),
                ],
            },
        ),
        migrations.AlterField(
            model_name="segmentationjob",
            name="kind",
            field=models.CharField(
                choices=[("train", "Train"), ("activate", "Activate")], max_length=10
            ),
        ),
        migrations.AlterField(
            model_name="segmentationjob",
            name="run",
            field=models.ForeignKey(
                blank=True,
                help_text="The run trained (train) or activated (activate).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="jobs",
                to="segmentation.segmentationrun",
            ),
        ),
        migrations.RunPython(jobs_renamed, jobs_named_back),
        migrations.RunPython(unused_permission_removed, migrations.RunPython.noop),
    ]
