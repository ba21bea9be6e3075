"""A candidate's segment now lives in segmentation's assignment rows, one per run."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('candidates', '0003_text_indexes_without_like_copies'),
        # Its rows are copied there first.
        ('segmentation', '0005_assignments_per_run'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='candidate',
            name='segment',
        ),
        migrations.AddIndex(
            model_name='candidate',
            index=models.Index(fields=['updated_at'], name='candidate_updated_idx'),
        ),
    ]
