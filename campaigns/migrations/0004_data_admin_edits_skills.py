"""Data admins edit candidates' skills: the admin's skills inline needs the pair table's rights.

The README has said since the groups were made that Data admins edit candidates; without rights
on the candidate-skill table the candidate page hid the skills from them.
"""

from django.db import migrations

from common.migration_grants import groups_granted

PAIR_TABLE = [
    ("candidates", f"{action}_candidateskill") for action in ("view", "add", "change", "delete")
]


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_data_admin_activates"),
        ("candidates", "0004_segment_lives_in_assignments"),
    ]

    operations = [groups_granted(("Data admin",), PAIR_TABLE)]
