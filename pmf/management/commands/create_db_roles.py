"""Create the two PostgreSQL roles of least privilege (see pmf/db.py), run once with a superuser connection:

    DATABASE_URL=postgres://postgres@db-host/pmf manage.py create_db_roles --owner pmf_owner --app pmf_app

The owner owns the database, its public schema and every table in it (existing tables are handed over); nobody
else may create anything in the schema. The app role may connect and read and write rows, nothing more. Passwords
come from the environment (``DB_OWNER_PASSWORD``, ``DB_APP_PASSWORD``) when the roles are created; without them
the roles have none (for peer or trust authentication). Running it again changes nothing that is already right.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from pmf.db import app_privileges_sql, quote


class Command(BaseCommand):
    help = "Create the database owner role and the app role (least privilege), and hand the schema to the owner."

    def add_arguments(self, parser):
        parser.add_argument("--owner", required=True, help="Role that owns the schema and runs migrations.")
        parser.add_argument("--app", required=True, help="Role the application connects as (rows only).")
        parser.add_argument("--createdb", action="store_true",
                            help="Let the owner create databases (for running the test suite; not for production).")

    def handle(self, *args, owner: str, app: str, createdb: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are a PostgreSQL feature: DATABASE_URL must point at PostgreSQL.")
        if owner == app:
            raise CommandError("The owner and the app role must be two different roles.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if not cursor.fetchone()[0]:
                raise CommandError("Run this once as a superuser (DATABASE_URL with the postgres role, say).")
        database = connection.settings_dict["NAME"]
        with transaction.atomic(), connection.cursor() as cursor:
            for role, password_env, extra in ((owner, "DB_OWNER_PASSWORD", " CREATEDB" if createdb else ""),
                                              (app, "DB_APP_PASSWORD", "")):
                self._ensure_role(cursor, role, os.environ.get(password_env, ""), extra)
            cursor.execute(f"ALTER ROLE {quote(app)} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS "
                           "NOINHERIT")
            cursor.execute(f"ALTER ROLE {quote(owner)} NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS"
                           + (" CREATEDB" if createdb else " NOCREATEDB"))
            cursor.execute(f"ALTER DATABASE {quote(database)} OWNER TO {quote(owner)}")
            cursor.execute(f"REVOKE ALL ON DATABASE {quote(database)} FROM PUBLIC")
            cursor.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {quote(database)} TO {quote(app)}")
            cursor.execute(f"ALTER SCHEMA public OWNER TO {quote(owner)}")
            cursor.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
            moved = self._hand_over(cursor, owner)
            cursor.execute(f"SET ROLE {quote(owner)}")
            for statement in app_privileges_sql(app, self._tables(cursor)):
                cursor.execute(statement)
            cursor.execute("RESET ROLE")
        self.stdout.write(f"Database {database}: owner {owner} (owns the schema and {moved} objects handed over), "
                          f"app role {app} (rows only: SELECT, INSERT, UPDATE, DELETE).")
        self.stdout.write(f"Set DATABASE_URL to connect as {app} and DATABASE_OWNER_URL as {owner}, then run "
                          "manage.py migrate.")

    def _ensure_role(self, cursor, role: str, password: str, extra: str) -> None:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():
            return
        cursor.execute(f"CREATE ROLE {quote(role)} LOGIN{extra}" + (" PASSWORD %s" if password else ""),
                       [password] if password else None)
        self.stdout.write(f"Created role {role}.")

    def _tables(self, cursor) -> set[str]:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row[0] for row in cursor.fetchall()}

    def _hand_over(self, cursor, owner: str) -> int:
        """Existing tables, sequences, views and functions of the public schema become the owner's."""
        cursor.execute(
            "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'p') AND pg_get_userbyid(c.relowner) <> %s",
            [owner])
        relations = cursor.fetchall()
        for name, kind in relations:
            noun = {"v": "VIEW", "m": "MATERIALIZED VIEW"}.get(kind, "TABLE")
            cursor.execute(f"ALTER {noun} public.{quote(name)} OWNER TO {quote(owner)}")  # its sequences follow
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'S' AND pg_get_userbyid(c.relowner) <> %s", [owner])
        sequences = cursor.fetchall()
        for (name,) in sequences:
            cursor.execute(f"ALTER SEQUENCE public.{quote(name)} OWNER TO {quote(owner)}")
        cursor.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> %s", [owner])
        functions = cursor.fetchall()
        for (signature,) in functions:
            cursor.execute(f"ALTER FUNCTION {signature} OWNER TO {quote(owner)}")
        return len(relations) + len(sequences) + len(functions)
