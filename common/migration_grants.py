"""A data migration that gives groups permissions: the one way the apps' migrations do it.

Each app's migrations grant the Recruiter and Data admin groups (made in campaigns 0002) the
rights a new feature needs. Permissions are normally created after all migrations ran
(``post_migrate``), too late for a grant, so the grant creates them first from the historical
models. Reversed, it takes the permissions back from the groups and leaves the permissions.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.management import create_permissions
from django.db import migrations


def groups_granted(
    groups: Sequence[str], permissions: Sequence[tuple[str, str]]
) -> migrations.RunPython:
    """RunPython: ``groups`` (by name, those that exist) get ``permissions`` (app, codename)."""

    def grant(apps, schema_editor) -> None:
        for app_label in sorted({app for app, _ in permissions}):
            app_config = apps.get_app_config(app_label)
            # Migration app configs are stubs; create_permissions skips one without models.
            app_config.models_module = True
            create_permissions(app_config, verbosity=0, apps=apps)
            app_config.models_module = None
        Permission = apps.get_model("auth", "Permission")
        granted = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in permissions
        ]
        for group in apps.get_model("auth", "Group").objects.filter(name__in=groups):
            group.permissions.add(*granted)

    def revoke(apps, schema_editor) -> None:
        Permission = apps.get_model("auth", "Permission")
        taken = [
            permission
            for app, codename in permissions
            for permission in Permission.objects.filter(
                content_type__app_label=app, codename=codename
            )
        ]
        for group in apps.get_model("auth", "Group").objects.filter(name__in=groups):
            group.permissions.remove(*taken)

    return migrations.RunPython(grant, revoke)
