"""On PostgreSQL, the database itself refuses to change or delete an audit entry.

A trigger refuses every UPDATE, and every DELETE except the prune's: a DELETE passes only when
the transaction set ``adflux.audit_prune`` to ``on`` (services.audit_prune does, with
``set_config(..., true)``, which lasts until the transaction ends) *and* the row is older than
183 days, the legal floor. So a stray ``DELETE FROM audit_auditentry`` from the app, a shell or
a misconfigured retention cannot remove a recent entry, and the prune needs no special role.
A table owner can still drop the trigger; that is for database privileges to prevent.

SQLite has no session settings; there the application's refusals (model, queryset, admin) hold.
"""

from django.db import migrations

FLOOR_DAYS = 183

CREATE = f"""
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('adflux.audit_prune', true) = 'on'
       AND OLD.at < now() - interval '{FLOOR_DAYS} days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: % of entry % refused', TG_OP, OLD.id
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'Entries are removed only by manage.py prune_audit, past the retention.';
END;
$$;
CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_entry")]

    operations = [migrations.RunPython(create, drop)]
