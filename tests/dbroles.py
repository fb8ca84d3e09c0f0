"""The test suite on PostgreSQL with two roles (pmf/db.py): the test database is created, migrated and dropped as
its owner, and every test runs as the app role, as the product does. Emptying the database between transactional
tests (pytest-django's flush, a TRUNCATE) is the owner's work in a maintenance window: the app role may not
TRUNCATE, and the integrity triggers refuse it to anyone else."""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.db import connections


def two_roles() -> bool:
    from pmf.db import app_role

    return app_role() is not None


def switch_default(to: str) -> None:
    """Point the default connection at the owner's or back at the app role's credentials (connections closed)."""
    if not two_roles():
        return
    default = connections["default"].settings_dict
    default.setdefault("_APP_CREDENTIALS", (default["USER"], default["PASSWORD"]))
    owner = settings.DATABASES["owner"]
    credentials = (owner["USER"], owner["PASSWORD"]) if to == "owner" else default["_APP_CREDENTIALS"]
    connections["default"].close()
    default["USER"], default["PASSWORD"] = credentials


@contextmanager
def default_as_owner():
    switch_default("owner")
    try:
        yield
    finally:
        switch_default("app")


def owner_connection():
    """A psycopg2 connection of the owner's own to the test database (a test may not use the ``owner`` alias)."""
    import psycopg2

    default, owner = connections["default"].settings_dict, settings.DATABASES["owner"]
    return psycopg2.connect(dbname=default["NAME"], user=owner["USER"], password=owner["PASSWORD"] or None,
                            host=owner["HOST"] or None, port=owner["PORT"] or None)


def owner_cursor_sql(statements: list[str]) -> None:
    """Run statements as the owner on the test database, in one transaction with a maintenance window open."""
    connection = owner_connection()
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("INSERT INTO pmf_maintenancewindow (opened_at, purpose) VALUES (now(), 'test: empty the "
                           "database between tests')")
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def patch_flush() -> None:
    """pytest-django empties the database after a transactional test with Django's flush: run it as the owner."""
    if not two_roles():
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush
    if getattr(original, "pmf_as_owner", False):
        return

    def execute_sql_flush(self, sql_list):
        if self.connection.alias in ("default", "owner"):
            owner_cursor_sql(list(sql_list))
        else:
            original(self, sql_list)

    execute_sql_flush.pmf_as_owner = True
    DatabaseOperations.execute_sql_flush = execute_sql_flush
