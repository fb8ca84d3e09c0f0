"""Backups of the whole product: the database and every uploaded file, with a manifest to check them against.

``manage.py backup DIR`` writes into a new or empty directory:

- ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite, its backup API);
- ``files/``: every file under MEDIA_ROOT (evidence, report packs, Word templates, case-study pictures);
- ``manifest.json``: when, the Django version and the last migration of each app, the database, the row count of
  every table, and the size and SHA-256 of the database file and of every file. It is written last: a directory
  without one is an unfinished backup.

``manage.py restore DIR [--replace]`` checks every hash first, then restores the database (which must be empty,
unless --replace), then the files, then checks the row counts and the files against the manifest.

Both use the "owner" database connection when the settings have one (the role that owns the tables), else
"default". Passwords reach pg_dump, pg_restore and psql through the environment, never their command line.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 - runs the PostgreSQL client programs, with argument lists, never a shell
import tempfile
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from pmf.db import grant_app_privileges, owner_alias

MANIFEST = "manifest.json"
FORMAT = 1
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
VENDORS = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
_LIBPQ = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD",  # nosec B105: names
          "NAME": "PGDATABASE"}
_LIBPQ_OPTIONS = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
                  "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT"}

# Everything a restore with --replace drops from the public schema (and whose presence means "not empty"): tables
# first (their sequences, indexes, constraints and triggers go with them), then views, sequences, functions and
# types left over; never what belongs to an extension or to another object (a range type's functions).
_PG_OBJECTS = """
SELECT format('DROP %s IF EXISTS public.%I CASCADE;', CASE c.relkind WHEN 'v' THEN 'VIEW'
           WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
           c.relname),
       CASE WHEN c.relkind IN ('r', 'p', 'f') THEN 1 WHEN c.relkind IN ('v', 'm') THEN 2 ELSE 3 END
  FROM pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                   AND d.deptype IN ('e', 'i'))
UNION ALL
SELECT format('DROP ROUTINE IF EXISTS public.%I(%s) CASCADE;', p.proname, pg_get_function_identity_arguments(p.oid)),
       4
  FROM pg_proc p
 WHERE p.pronamespace = 'public'::regnamespace
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                   AND d.deptype IN ('e', 'i'))
UNION ALL
SELECT format('DROP %s IF EXISTS public.%I CASCADE;', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
              t.typname), 5
  FROM pg_type t
 WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('c', 'd', 'e', 'r')
   AND (t.typtype <> 'c' OR EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                   AND d.deptype IN ('e', 'i'))
ORDER BY 2, 1
"""


def sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def describe(connection) -> str:
    return f'the {VENDORS.get(connection.vendor, connection.vendor)} database "{connection.settings_dict["NAME"]}"'


# -- backup ---------------------------------------------------------------------------------------------------

def backup(directory: Path) -> dict:
    """Write a backup into DIR (new or empty) and return its manifest."""
    media = Path(settings.MEDIA_ROOT).resolve()
    if directory.resolve().is_relative_to(media):
        raise CommandError(f"{directory} is inside MEDIA_ROOT ({media}): put the backup somewhere else.")
    if directory.exists() and not directory.is_dir():
        raise CommandError(f"{directory} is a file: give a new or empty directory for the backup.")
    if directory.exists() and any(directory.iterdir()):
        raise CommandError(f"{directory} is not empty: a backup goes into a new or empty directory, so that it "
                           "never mixes with another.")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # it holds password hashes: the owner only

    connection = connections[owner_alias()]
    if connection.vendor not in DATABASE_FILES:
        raise CommandError(f"Backups are written for PostgreSQL and SQLite, not {connection.vendor}.")
    target = directory / DATABASE_FILES[connection.vendor]
    try:
        # The database first, then the files: a file uploaded in between is only an extra file, whereas the
        # other way round a row could name a file the backup lacks.
        tables = (_dump_postgresql if connection.vendor == "postgresql" else _dump_sqlite)(connection, target)
        files = []
        for source in sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []:
            relative = source.relative_to(media).as_posix()
            size, digest = _copy(source, directory / "files" / relative)
            files.append({"path": relative, "size": size, "sha256": digest})
    except (CommandError, OSError) as exc:
        raise CommandError(f"{exc} The backup in {directory} is unfinished (it has no manifest): delete it.") from exc
    applied = MigrationRecorder(connection).applied_migrations()
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(timespec="seconds"),
        "django": django.get_version(),
        "migrations": {app: max(name for a, name in applied if a == app) for app in sorted({a for a, _ in applied})},
        "database": {"vendor": connection.vendor, "name": str(connection.settings_dict["NAME"]),
                     "file": target.name, "size": target.stat().st_size, "sha256": sha256(target)},
        "tables": tables,
        "files": files,
    }
    written = directory / (MANIFEST + ".part")
    written.write_text(json.dumps(manifest, indent=1) + "\n")
    written.replace(directory / MANIFEST)
    return manifest


def _dump_postgresql(connection, target: Path) -> dict[str, int]:
    """pg_dump, and the row counts from the very snapshot it dumps (exported from this transaction)."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _count_rows(cursor, connection.introspection.table_names(cursor), connection.ops.quote_name)
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], _libpq_env(connection))
    return counts


def _dump_sqlite(connection, target: Path) -> dict[str, int]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        tables = [name for (name,) in copy.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")]
        return _count_rows(copy.cursor(), tables, connection.ops.quote_name)
    finally:
        copy.close()


def _count_rows(cursor, tables, quote) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # nosec B608 - table names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def _copy(source: Path, target: Path) -> tuple[int, str]:
    """Copy a file, hashing what was read: returns its size and SHA-256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as read, target.open("wb") as write:
        while chunk := read.read(1 << 20):
            digest.update(chunk)
            write.write(chunk)
            size += len(chunk)
    os.utime(target, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns))
    return size, digest.hexdigest()


def _libpq_env(connection) -> dict[str, str]:
    settings_dict = connection.settings_dict
    env = {**os.environ, "PGOPTIONS": f"{os.environ.get('PGOPTIONS', '')} -c client_min_messages=warning".strip()}
    for key, variable in _LIBPQ.items():
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    for key, variable in _LIBPQ_OPTIONS.items():
        if settings_dict.get("OPTIONS", {}).get(key):
            env[variable] = str(settings_dict["OPTIONS"][key])
    return env


def _run(command: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(command, env=env, stderr=subprocess.PIPE, text=True, check=False, **kwargs)  # nosec
    except FileNotFoundError:
        raise _not_found(command[0]) from None
    if done.returncode != 0:
        raise CommandError(f"{command[0]} failed: {done.stderr.strip()}")
    return done


def _not_found(program: str) -> CommandError:
    return CommandError(f"{program} was not found: install the PostgreSQL client programs (Debian's "
                        "postgresql-client), of the server's major version or newer.")


# -- restore --------------------------------------------------------------------------------------------------

def read_manifest(directory: Path) -> dict:
    """The manifest, once every file it lists is there with its size and SHA-256: else refuse, naming the file."""
    path = directory / MANIFEST
    if not path.is_file():
        raise CommandError(f"{path} is missing: {directory} is not a finished backup (the manifest is written last).")
    try:
        manifest = json.loads(path.read_text())
        listed = [(manifest["database"]["file"], manifest["database"]["size"], manifest["database"]["sha256"])]
        listed += [("files/" + f["path"], f["size"], f["sha256"]) for f in manifest["files"]]
        manifest["tables"].items()
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CommandError(f"{path} cannot be read as a backup manifest ({exc!r}).") from None
    if manifest.get("format") != FORMAT:
        raise CommandError(f"{path} is of backup format {manifest.get('format')!r}; this version reads {FORMAT}.")
    for relative, size, digest in listed:
        name = PurePosixPath(relative)
        if name.is_absolute() or ".." in name.parts:
            raise CommandError(f"The backup is damaged: the manifest names a file outside it ({relative}).")
        file = directory / name
        if not file.is_file():
            raise CommandError(f"The backup is damaged: {relative} is missing.")
        if file.stat().st_size != size or sha256(file) != digest:
            raise CommandError(f"The backup is damaged: {relative} does not match its SHA-256 in the manifest. "
                               "Nothing was restored; use another copy of the backup.")
    return manifest


def restore(directory: Path, *, replace: bool) -> dict:
    """Restore a backup into the configured database and MEDIA_ROOT; return what was done."""
    manifest = read_manifest(directory)
    connection = connections[owner_alias()]
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise CommandError(f"This is a backup of a {VENDORS.get(vendor, vendor)} database; the configured database "
                           f"is {VENDORS.get(connection.vendor, connection.vendor)}.")
    drops = _pg_objects(connection) if vendor == "postgresql" else connection.introspection.table_names()
    if drops and not replace:
        raise CommandError(f"The {describe(connection)[4:]} is not empty: restore into an empty database, or "
                           "give --replace to drop everything in it and put the backup in its place.")
    media = Path(settings.MEDIA_ROOT)
    already = {f["path"] for f in manifest["files"] if _matches(media / f["path"], f)}
    differing = [f["path"] for f in manifest["files"] if f["path"] not in already and (media / f["path"]).exists()]
    if differing and not replace:
        raise CommandError(f"{len(differing)} file(s) in MEDIA_ROOT ({media}) differ from the backup's, such as "
                           f"{differing[0]}: give --replace to overwrite them. Nothing was restored.")

    source = directory / manifest["database"]["file"]
    if vendor == "postgresql":
        _restore_postgresql(connection, source, drops if replace else [])
        grant_app_privileges(connection.alias)  # the app role's privileges, as this installation configures them
    else:
        connection.ensure_connection()
        backup_db = sqlite3.connect(source)
        try:
            backup_db.backup(connection.connection)  # replaces the whole database
        finally:
            backup_db.close()
    copied = [f for f in manifest["files"] if f["path"] not in already]
    for f in copied:
        try:
            _copy(directory / "files" / f["path"], media / f["path"])
        except OSError as exc:
            raise CommandError(f"The database is restored, but {f['path']} could not be copied into MEDIA_ROOT: "
                               f"{exc}. Put it right and run the restore again with --replace.") from None

    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        missing = sorted(set(manifest["tables"]) - tables)
        if missing:
            raise CommandError(f"After the restore, table {missing[0]} is missing ({len(missing)} tables missing).")
        counts = _count_rows(cursor, manifest["tables"], connection.ops.quote_name)
    wrong = [f"{table} has {counts[table]} rows, the backup {n}"
             for table, n in sorted(manifest["tables"].items()) if counts[table] != n]
    if wrong:
        raise CommandError(f"After the restore the row counts differ from the backup's: {'; '.join(wrong[:5])}.")
    damaged = [f["path"] for f in copied if not _matches(media / f["path"], f)]  # the others were checked above
    if damaged:
        raise CommandError(f"After the restore, {damaged[0]} in MEDIA_ROOT does not match the backup.")
    executor = MigrationExecutor(connection)
    return {"tables": len(counts), "rows": sum(counts.values()), "files": len(manifest["files"]),
            "copied": len(copied), "bytes": sum(f["size"] for f in copied),
            "unapplied": len(executor.migration_plan(executor.loader.graph.leaf_nodes())),
            "unknown": sorted(f"{a}.{n}" for a, n in executor.loader.applied_migrations
                              if (a, n) not in executor.loader.graph.nodes)}


def _matches(path: Path, entry: dict) -> bool:
    return path.is_file() and path.stat().st_size == entry["size"] and sha256(path) == entry["sha256"]


def _pg_objects(connection) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(_PG_OBJECTS)
        return [statement for statement, _ in cursor.fetchall()]


def _restore_postgresql(connection, dump: Path, drops: list[str]) -> None:
    """One transaction: drop what is there (with --replace), then the dump's schema, data and, last, its indexes,
    constraints and triggers (pg_dump's post-data section), so the integrity triggers do not see the data load.
    If anything fails, nothing changes: psql is stopped before it sees the end of the script, so it never commits.
    The objects belong to the restoring role (the owner); the dump's grants are left out, since the roles where
    it is restored may have other names: the caller grants the app role its privileges afterwards (pmf/db.py)."""
    env = _libpq_env(connection)
    connection.close()  # hold no connection of ours while the tables are dropped
    command = ["psql", "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1"]
    if drops:
        command += ["--command", "\n".join(drops)]
    with tempfile.TemporaryFile() as script_errors, tempfile.TemporaryFile() as load_errors:
        script = _start(["pg_restore", "--no-owner", "--no-acl", "--file=-", str(dump)], env, stdout=subprocess.PIPE,
                        stderr=script_errors)
        load = _start([*command, "--file=-"], env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                      stderr=load_errors)
        try:
            shutil.copyfileobj(script.stdout, load.stdin, 1 << 20)
            failed = script.wait() != 0
            if not failed:
                load.stdin.close()  # the end of the script: psql commits
                failed = load.wait() != 0
        except BrokenPipeError:  # psql stopped at an error
            failed = True
        if failed:
            for process in (load, script):
                process.kill()
                process.wait()
            load_errors.seek(0)
            script_errors.seek(0)
            message = load_errors.read() or script_errors.read()
            raise CommandError(f"The restore failed and was rolled back: {message.decode(errors='replace').strip()}")


def _start(command: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen:
    try:
        return subprocess.Popen(command, env=env, **kwargs)  # nosec B603
    except FileNotFoundError:
        raise _not_found(command[0]) from None
