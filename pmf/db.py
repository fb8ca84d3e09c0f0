"""Least privilege in the database: two roles.

- The **owner** (``DATABASE_OWNER_URL``, the ``owner`` database alias) owns the schema and every table: it runs the
  migrations, installs the integrity triggers, and is the only role that may open a maintenance window (removing
  a whole council). Nothing serves pages as the owner.
- The **app role** (``DATABASE_URL``, the ``default`` alias) is what pages, the admin and the Celery workers use:
  not a superuser, owns nothing, and holds only SELECT, INSERT, UPDATE and DELETE on the tables (SELECT only on
  the migration record and the maintenance window). It cannot TRUNCATE, ALTER, DROP, disable a trigger or create
  anything, so the integrity triggers (pmf/integrity.py) hold against it.

``manage.py create_db_roles`` creates both once; ``migrate`` runs as the owner and grants the app role its
privileges after every migration. Without ``DATABASE_OWNER_URL`` (SQLite, or a development PostgreSQL) the one
connection does everything, as before.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

OWNER_ALIAS = "owner"

_as_owner: ContextVar[bool] = ContextVar("pmf_as_owner", default=False)


def owner_alias() -> str:
    """The alias that runs as the schema's owner: ``owner`` when configured, else the one connection."""
    return OWNER_ALIAS if OWNER_ALIAS in settings.DATABASES else DEFAULT_DB_ALIAS


def app_role() -> str | None:
    """The role the app connects as, when it differs from the owner (PostgreSQL with two roles), else None."""
    if OWNER_ALIAS not in settings.DATABASES:
        return None
    app = getattr(settings, "DATABASE_APP_ROLE", "")
    return app if app and app != settings.DATABASES[OWNER_ALIAS].get("USER") else None


def is_app_role(connection) -> bool:
    """This connection is the app role's (which may not create, alter or drop anything)."""
    app = app_role()
    return app is not None and connection.vendor == "postgresql" and connection.settings_dict["USER"] == app


@contextmanager
def as_owner():
    """Route every query inside the block to the owner's connection (see OwnerRouter). For administrative work
    only: removing a whole council in a maintenance window."""
    token = _as_owner.set(True)
    try:
        yield owner_alias()
    finally:
        _as_owner.reset(token)


class OwnerRouter:
    """Reads and writes go to the owner's connection inside ``as_owner()``; elsewhere Django's default."""

    def db_for_read(self, model, **hints):
        return owner_alias() if _as_owner.get() else None

    def db_for_write(self, model, **hints):
        return owner_alias() if _as_owner.get() else None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the two aliases are one database


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


READ_ONLY_TABLES = {"django_migrations", "pmf_maintenancewindow"}  # the app reads them, never writes them


def app_privileges_sql(app: str, tables: set[str]) -> list[str]:
    """What the app role holds on the schema's current and future objects: data, never structure. Run as the
    owner (after every migrate) and by create_db_roles; ``tables`` are the schema's tables now."""
    role = quote(app)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]
    if READ_ONLY_TABLES <= tables:
        statements.append(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {', '.join(sorted(READ_ONLY_TABLES))} "
                          f"FROM {role}")
    return statements


def grant_app_privileges(using: str) -> None:
    """After a migrate run as the owner: the app role gets its data privileges on every table (new ones too)."""
    app = app_role()
    connection = connections[using]
    if app is None or connection.vendor != "postgresql" or is_app_role(connection):
        return
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for statement in app_privileges_sql(app, tables):
            cursor.execute(statement)


def check_least_privilege(app_configs=None, databases=None, **kwargs):
    """A database check (``manage.py check --database default``, and before every migrate): warn when the app
    connects to PostgreSQL as a superuser or as the owner of its tables, which lets it bypass the integrity
    triggers (TRUNCATE, disabling triggers)."""
    from django.core.checks import Warning

    if not databases or DEFAULT_DB_ALIAS not in databases:
        return []
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        (superuser,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user")
        (owned,) = cursor.fetchone()
    if not superuser and not owned:
        return []
    what = "a superuser" if superuser else f"the owner of {owned} tables"
    return [Warning(
        f"The app connects to the database as {what}, so the database cannot protect the audit trail and "
        "approved figures from it.",
        hint="Create an owner role and an app role with manage.py create_db_roles, then set DATABASE_URL to the "
             "app role and DATABASE_OWNER_URL to the owner (README, Production).",
        id="pmf.W001",
    )]
