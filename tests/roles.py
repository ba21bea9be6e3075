"""The role groups the data migrations create, for tests that run after a table flush.

Tests on committed data (a live server, a real worker) end by emptying every table, the rows
data migrations wrote included. A test that needs the "Recruiter" or "Data admin" group asks
for it here, and gets it exactly as the migrations define it.
"""

from __future__ import annotations

import importlib

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

_groups = importlib.import_module("campaigns.migrations.0002_recruiter_and_data_admin_groups")
# Added to Data admin by campaigns.migrations.0003_data_admin_activates, 0004 and 0006, and
# audit.migrations.0003_data_admin_reads_audit and candidates.migrations.0008; export_audience
# to both groups by campaigns.migrations.0009_recruiters_and_data_admins_export_audiences;
# view_application to Recruiter by campaigns.migrations.0011_recruiters_see_applications.
_LATER = {
    "Data admin": [
        ("segmentation", "activate_segmentation"),
        ("candidates", "erase_candidate"),
        ("audit", "view_auditentry"),
        ("candidates", "view_demographics"),
        *(
            ("candidates", f"{action}_candidateskill")
            for action in ("view", "add", "change", "delete")
        ),
        ("campaigns", "export_audience"),
    ],
    "Recruiter": [("campaigns", "export_audience"), ("campaigns", "view_application")],
}
# Removed by segmentation.migrations.0004_one_word_per_operation.
_REMOVED = {("segmentation", "assign_segments")}


def role_group(name: str) -> Group:
    """The group ``name`` with the permissions the migrations give it."""
    group = Group.objects.filter(name=name).first()
    if group is not None:
        return group
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    group = Group.objects.create(name=name)
    for app_label, codename in [*_groups.ROLES[name], *_LATER.get(name, [])]:
        if (app_label, codename) in _REMOVED:
            continue
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return group
