"""On SQLite too, the database refuses to change an audit entry.

Only UPDATE: SQLite has no session settings to let the prune through (migration 0002 on
PostgreSQL), and the test runner empties tables with DELETE there, so the application's
refusals (model, queryset, admin) hold for DELETE. A later migration that alters this table on
SQLite rebuilds it, which drops the trigger: such a migration must create it again.
"""

from django.db import migrations

CREATE = """
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only: UPDATE refused');
END;
"""

DROP = "DROP TRIGGER IF EXISTS audit_entry_no_update;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_data_admin_reads_audit")]

    operations = [migrations.RunPython(create, drop)]
