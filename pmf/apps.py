from django.apps import AppConfig
from django.core import checks
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate

from pmf import db, integrity


def _install_integrity_triggers(sender, using="default", **kwargs):
    """(Re)install the integrity triggers after every migrate: SQLite drops a table's triggers whenever a
    migration rebuilds the table, so installing them once in a migration would not last."""
    connection = connections[using]
    if db.is_app_role(connection):
        return  # a flush by the app role (tests): the owner installed them at migrate, and they are still there
    tables = set(connection.introspection.table_names())
    if not {rule.table for rule in integrity.RULES} | {"pmf_maintenancewindow"} <= tables:
        return  # migrating backwards or partially: nothing to protect yet
    with connection.schema_editor() as editor:
        integrity.install(editor)
    db.grant_app_privileges(using)  # the app role's rows-only privileges, on new tables too


def _drop_integrity_triggers(sender, using="default", **kwargs):
    """Drop the triggers before migrating: SQLite rebuilds a table by renaming it, which fails while a trigger
    on another table names it (e.g. the issued-pack rule on pack files). post_migrate puts them back."""
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql") or db.is_app_role(connection):
        return
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for rule in integrity.RULES:
            if rule.table in tables:
                for statement in integrity.drop_sql(connection.vendor, rules=[rule]):
                    cursor.execute(statement)


class PmfConfig(AppConfig):
    name = "pmf"
    verbose_name = "Organisation"

    def ready(self) -> None:
        checks.register(db.check_least_privilege, checks.Tags.database)
        from pmf import sso  # noqa: F401  (registers the check of the single sign-on group mapping)

        pre_migrate.connect(_drop_integrity_triggers, sender=self, dispatch_uid="pmf-integrity-triggers-drop")
        post_migrate.connect(_install_integrity_triggers, sender=self, dispatch_uid="pmf-integrity-triggers")
