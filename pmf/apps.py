from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_integrity_triggers(sender, using="default", **kwargs):
    """(Re)install the integrity triggers after every migrate: SQLite drops a table's triggers whenever a
    migration rebuilds the table, so installing them once in a migration would not last."""
    from django.db import connections

    from pmf import integrity

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if not {rule.table for rule in integrity.RULES} | {"pmf_maintenancewindow"} <= tables:
        return  # migrating backwards or partially: nothing to protect yet
    with connection.schema_editor() as editor:
        integrity.install(editor)


class PmfConfig(AppConfig):
    name = "pmf"
    verbose_name = "Organisation"

    def ready(self) -> None:
        post_migrate.connect(_install_integrity_triggers, sender=self, dispatch_uid="pmf-integrity-triggers")
