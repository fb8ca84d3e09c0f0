"""PostgreSQL: the audit trail and the maintenance window record which transaction wrote each row, in a column
the database fills itself (``txid``, not on the models), so the integrity triggers can tell "written by this
transaction" exactly (pmf/integrity.py). SQLite has no transaction ids: nothing to do there."""

from django.db import migrations

TABLES = ["pmf_auditentry", "pmf_maintenancewindow"]


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS txid bigint NOT NULL "
                                  "DEFAULT txid_current()")


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS txid")


class Migration(migrations.Migration):
    dependencies = [("pmf", "0005_yearly_cycle")]
    operations = [migrations.RunPython(add, remove, elidable=False)]
