"""Recruiters see who applied: the applications their campaigns brought back.

Applicants' names and addresses are personal data, so only the role that runs campaigns sees
them; Data admins see the counts on the campaign pages, as everyone with view_campaign does.
"""

from django.db import migrations

from common.migration_grants import groups_granted

GRANTED = [("campaigns", "view_application")]


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0010_campaign_email_and_applications")]

    operations = [groups_granted(("Recruiter",), GRANTED)]
