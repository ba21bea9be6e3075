"""Recruiters and Data admins may export a campaign's audience for ad platforms.

Recruiters run campaigns, and uploading the audience to Google, Meta or LinkedIn is how an ad
campaign reaches its people; Data admins answer for the candidate data that leaves AdFlux.
(Recruiters already hold change_campaign, which the lifecycle's buttons need.)
"""

from django.db import migrations

from common.migration_grants import groups_granted

GROUPS = ("Recruiter", "Data admin")


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0008_campaign_export_audience_permission"),
    ]

    operations = [groups_granted(GROUPS, [("campaigns", "export_audience")])]
