"""A job opening asks for at most as many years as a candidate can have (80)."""

import django.core.validators
from django.db import migrations, models


def clamp(apps, schema_editor):
    # Openings saved before the rule (1e308 years, say) ask for the most a candidate can have.
    JobOpening = apps.get_model("campaigns", "JobOpening")
    JobOpening.objects.filter(min_years_experience__gt=80).update(min_years_experience=80)


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0004_data_admin_edits_skills'),
        ('candidates', '0004_segment_lives_in_assignments'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='jobopening',
            name='job_opening_min_years_non_negative',
        ),
        migrations.AlterField(
            model_name='jobopening',
            name='min_years_experience',
            field=models.FloatField(blank=True, help_text="From 0 to 80 years, as a candidate's experience.", null=True, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(80)]),
        ),
        migrations.RunPython(clamp, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='jobopening',
            constraint=models.CheckConstraint(condition=models.Q(('min_years_experience__isnull', True), models.Q(('min_years_experience__gte', 0), ('min_years_experience__lte', 80)), _connector='OR'), name='job_opening_min_years_in_range'),
        ),
    ]
