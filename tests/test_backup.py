"""Backup and restore (issue 11): ``manage.py backup DIR`` and ``manage.py restore DIR``.

On SQLite (the main suite): the test database (the demo) is backed up, restored by ``manage.py restore`` in a
process of its own into a new database file, and every table compared; damaged backups, a database that is not
empty and differing files are refused. On PostgreSQL (marker ``services``, run by .ci/run): the demo is loaded into
a scratch database, backed up and restored into a second one in processes of their own, as an operator would, the
second one set up with the owner and app roles of pmf/db.py; every table, sequence, trigger and file is compared.
There DATABASE_URL must name a superuser (any database): the test creates and drops databases and roles of its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = {
    "evidence/harrowdale/2026/WR01 tonnage return.pdf": b"%PDF-1.7 fictional evidence\n" + bytes(range(256)) * 40,
    "evidence/harrowdale/2026/fly-tipping-Q2.csv": b"ward,incidents\nNorth,12\nSouth,7\n",
    "case-studies/café opening.txt": "A new café at the recycling centre.".encode(),
}


def manage(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    """Run manage.py in a process of its own, as an operator would."""
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    if check and done.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def add_evidence(media: Path) -> None:
    for name, content in EVIDENCE.items():
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(content)


def damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


# -- SQLite -----------------------------------------------------------------------------------------------------

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup (PostgreSQL: below)")


def sqlite_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL"}}
    return {**env, "SQLITE_PATH": str(tmp_path / "restored.sqlite3"), "MEDIA_ROOT": str(tmp_path / "restored-media")}


@pytest.fixture
def sqlite_backup(db, settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    add_evidence(settings.MEDIA_ROOT)
    call_command("backup", str(tmp_path / "backup"), stdout=StringIO())
    return tmp_path / "backup"


@sqlite_only
def test_sqlite_backup_restored_into_a_new_database_has_every_row_and_file(sqlite_backup, tmp_path):
    manifest = json.loads((sqlite_backup / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == "sqlite" and manifest["database"]["file"] == "database.sqlite3"
    assert {f["path"] for f in manifest["files"]} == set(EVIDENCE)
    assert {"pmf_council", "indicators_return", "pmf_auditentry"} <= set(manifest["tables"])
    assert sorted(f["path"] for f in manifest["files"]) == [f["path"] for f in manifest["files"]]

    env = sqlite_env(tmp_path)
    done = manage("restore", str(sqlite_backup), env=env)
    assert re.search(r"Restored .* \d+ tables, [\d,]+ rows, as many as in the backup; 3 files", done.stdout)

    # read the way Django reads the test database (its converters turn dates into date objects, say)
    restored = sqlite3.connect(env["SQLITE_PATH"], detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
    with connection.cursor() as cursor:
        for table in manifest["tables"]:
            cursor.execute(f'SELECT * FROM "{table}"')
            assert sorted(map(repr, cursor.fetchall())) == sorted(
                map(repr, restored.execute(f'SELECT * FROM "{table}"'))), table
    triggers = restored.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'").fetchone()[0]
    restored.close()
    assert triggers > 0  # the integrity triggers came with the database
    assert hashes(Path(env["MEDIA_ROOT"])) == hashes(sqlite_backup / "files") == {
        name: hashlib.sha256(content).hexdigest() for name, content in EVIDENCE.items()}

    again = manage("restore", str(sqlite_backup), env=env, check=False)
    assert again.returncode != 0 and "is not empty" in again.stderr and "--replace" in again.stderr
    assert "Restored" in manage("restore", "--replace", str(sqlite_backup), env=env).stdout


@sqlite_only
def test_a_damaged_backup_is_refused_naming_the_file(sqlite_backup):
    damage(sqlite_backup / "files" / "evidence/harrowdale/2026/fly-tipping-Q2.csv")
    with pytest.raises(CommandError, match="damaged: files/evidence/harrowdale/2026/fly-tipping-Q2.csv does not "
                                           "match its SHA-256"):
        call_command("restore", str(sqlite_backup))
    damage(sqlite_backup / "database.sqlite3")
    with pytest.raises(CommandError, match="damaged: database.sqlite3 does not match"):
        call_command("restore", str(sqlite_backup))


@sqlite_only
def test_a_missing_file_or_manifest_is_refused(sqlite_backup):
    (sqlite_backup / "files" / "case-studies/café opening.txt").unlink()
    with pytest.raises(CommandError, match="damaged: files/case-studies/café opening.txt is missing"):
        call_command("restore", str(sqlite_backup))
    (sqlite_backup / "manifest.json").unlink()
    with pytest.raises(CommandError, match="manifest.json is missing: .* is not a finished backup"):
        call_command("restore", str(sqlite_backup))


@sqlite_only
def test_restoring_into_a_database_with_data_is_refused_without_replace(sqlite_backup):
    with pytest.raises(CommandError, match='The SQLite database ".*" is not empty: .* give --replace'):
        call_command("restore", str(sqlite_backup))


@sqlite_only
def test_a_different_file_already_in_media_root_is_refused_without_replace(sqlite_backup, tmp_path):
    env = sqlite_env(tmp_path)
    different = Path(env["MEDIA_ROOT"]) / "evidence/harrowdale/2026/fly-tipping-Q2.csv"
    different.parent.mkdir(parents=True)
    different.write_text("ward,incidents\nNorth,99\n")
    done = manage("restore", str(sqlite_backup), env=env, check=False)
    assert done.returncode != 0
    assert "1 file(s) in MEDIA_ROOT" in done.stderr and "fly-tipping-Q2.csv: give --replace" in done.stderr
    assert not Path(env["SQLITE_PATH"]).exists() or Path(env["SQLITE_PATH"]).stat().st_size == 0  # nothing done

    manage("restore", "--replace", str(sqlite_backup), env=env)
    assert different.read_bytes() == EVIDENCE["evidence/harrowdale/2026/fly-tipping-Q2.csv"]


@sqlite_only
def test_backup_needs_a_new_or_empty_directory(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "manifest.json").write_text("{}")
    with pytest.raises(CommandError, match="old is not empty: a backup goes into a new or empty directory"):
        call_command("backup", str(tmp_path / "old"))
    with pytest.raises(CommandError, match="is inside MEDIA_ROOT"):
        call_command("backup", str(tmp_path / "media" / "backup"))


# -- PostgreSQL ---------------------------------------------------------------------------------------------------

DATABASE_URL = os.environ.get("DATABASE_URL", "")
SOURCE, TARGET = "pmf_backup_src", "pmf_backup_dst"
OWNER, APP = "pmf_backup_owner", "pmf_backup_app"


def _url(database: str, user: str | None = None, password: str | None = None) -> str:
    parts = urlsplit(DATABASE_URL)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if user:
        netloc = f"{user}:{password}@{netloc}" if password else f"{user}@{netloc}"
    else:
        netloc = parts.netloc
    return parts._replace(netloc=netloc, path=f"/{database}").geturl()


def _connect(database: str, user: str | None = None, password: str | None = None):
    import psycopg2

    conn = psycopg2.connect(_url(database, user, password))
    conn.autocommit = True
    return conn


def _same_deparse(value):
    """PostgreSQL writes a re-created expression's casts differently (``ARRAY['a'::varchar]::text[]`` comes back
    as ``ARRAY[('a'::varchar)::text]``): compare definitions without casts and brackets."""
    if not isinstance(value, str):
        return value
    return re.sub(r"::(text|character varying)(\[\])?|[()]", "", value)


def _fingerprint(database: str) -> dict[str, object]:
    """Every table's row count and the md5 of its rows (as text, in order), every sequence's value, the schema's
    triggers, constraints, indexes and functions, and who owns and may use what."""
    conn = _connect(database)
    with conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        found: dict[str, object] = {}
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT COUNT(*), md5(COALESCE(string_agg(t::text, E\'\\n\' ORDER BY t::text), \'\')) '
                           f'FROM public."{table}" t')
            found[f"table {table}"] = cursor.fetchone()
        for what, query in {
            "sequences": "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1",
            "triggers": "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                        "WHERE NOT tgisinternal ORDER BY 1, 2",
            "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
            "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
            "functions": "SELECT proname, md5(prosrc) FROM pg_proc WHERE pronamespace = 'public'::regnamespace "
                         "ORDER BY 1",
            "owners and privileges": "SELECT relname, pg_get_userbyid(relowner), relacl::text FROM pg_class "
                                     "WHERE relnamespace = 'public'::regnamespace ORDER BY 1",
            "default privileges": "SELECT defaclrole::regrole::text, defaclobjtype, defaclacl::text "
                                  "FROM pg_default_acl ORDER BY 1, 2",
            "schema": "SELECT nspowner::regrole::text, nspacl::text FROM pg_namespace WHERE nspname = 'public'",
        }.items():
            cursor.execute(query)
            found[what] = [tuple(map(_same_deparse, row)) for row in cursor.fetchall()]
    conn.close()
    return found


@pytest.fixture
def scratch_databases():
    """Two scratch databases and the roles (made by create_db_roles in the test); all dropped at the end."""
    def drop():
        conn = _connect("postgres")
        with conn.cursor() as cursor:
            for name in (SOURCE, TARGET):
                cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            for role in (APP, OWNER):
                cursor.execute(f"DROP ROLE IF EXISTS {role}")
        conn.close()

    drop()
    conn = _connect("postgres")
    with conn.cursor() as cursor:
        for name in (SOURCE, TARGET):
            cursor.execute(f"CREATE DATABASE {name}")
    conn.close()
    yield
    drop()


@pytest.mark.services
@pytest.mark.skipif(not DATABASE_URL.startswith(("postgres://", "postgresql://")),
                    reason="needs DATABASE_URL pointing at PostgreSQL (.ci/run)")
def test_postgresql_round_trip_of_the_demo(scratch_databases, tmp_path):
    # Both databases as in production (pmf/db.py): the owner role owns the tables, runs the migrations, the backup
    # and the restore (DATABASE_OWNER_URL); the app role only reads and writes rows. Passwords travel in the
    # environment (pmf/backup.py), never on pg_dump's or pg_restore's command line.
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_OWNER_URL", "REDIS_URL", "SQLITE_PATH"}}
    passwords = {"DB_OWNER_PASSWORD": "owner-pw-1", "DB_APP_PASSWORD": "app-pw-1"}
    env = {}
    for database, media in ((SOURCE, "media"), (TARGET, "restored")):
        manage("create_db_roles", "--owner", OWNER, "--app", APP, env={**base, **passwords, "DATABASE_URL": _url(
            database)})
        env[database] = {**base, "DATABASE_URL": _url(database, APP, "app-pw-1"),
                         "DATABASE_OWNER_URL": _url(database, OWNER, "owner-pw-1"), "MEDIA_ROOT": str(tmp_path / media)}
    manage("migrate", "--noinput", "-v0", env=env[SOURCE])
    manage("load_demo", "-v0", env=env[SOURCE])
    add_evidence(tmp_path / "media")

    started = time.perf_counter()
    backed_up = manage("backup", str(tmp_path / "backup"), env=env[SOURCE]).stdout
    backup_seconds = time.perf_counter() - started
    assert "Backed up the PostgreSQL database \"pmf_backup_src\"" in backed_up
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["tables"]["indicators_return"] > 1000 and manifest["migrations"]["pmf"]

    target = env[TARGET]
    started = time.perf_counter()
    restored = manage("restore", str(tmp_path / "backup"), env=target).stdout
    restore_seconds = time.perf_counter() - started
    assert "as many as in the backup" in restored

    expected = _fingerprint(SOURCE)
    assert _fingerprint(TARGET) == expected
    assert hashes(tmp_path / "restored") == hashes(tmp_path / "media")
    assert set(EVIDENCE) <= set(hashes(tmp_path / "restored"))

    import psycopg2

    app = _connect(TARGET, APP, "app-pw-1")
    with app.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM indicators_return WHERE state = 'approved'")
        assert cursor.fetchone()[0] > 0  # the app role may read the restored tables
        with pytest.raises(psycopg2.errors.CheckViolation, match="an approved return cannot be changed"):
            cursor.execute("UPDATE indicators_return SET commentary = 'edited' WHERE state = 'approved'")
        with pytest.raises(psycopg2.errors.CheckViolation, match="audit trail cannot be deleted"):
            cursor.execute("DELETE FROM pmf_auditentry")
    app.close()

    damaged = tmp_path / "damaged"
    shutil.copytree(tmp_path / "backup", damaged)
    damage(damaged / "files" / "evidence/harrowdale/2026/WR01 tonnage return.pdf")
    refused = manage("restore", "--replace", str(damaged), env=target, check=False)
    assert refused.returncode != 0
    assert "damaged: files/evidence/harrowdale/2026/WR01 tonnage return.pdf does not match" in refused.stderr

    refused = manage("restore", str(tmp_path / "backup"), env=target, check=False)
    assert refused.returncode != 0
    assert 'The PostgreSQL database "pmf_backup_dst" is not empty' in refused.stderr

    conn = _connect(TARGET)
    with conn.cursor() as cursor:  # a change since the backup, and a table the backup does not have
        cursor.execute("CREATE TABLE stray (id int)")
        cursor.execute("UPDATE pmf_council SET name = name || ' (changed)'")
    conn.close()
    started = time.perf_counter()
    manage("restore", "--replace", str(tmp_path / "backup"), env=target)
    replace_seconds = time.perf_counter() - started
    assert _fingerprint(TARGET) == expected

    sizes = (f"demo on PostgreSQL: {sum(manifest['tables'].values()):,} rows in {len(manifest['tables'])} tables; "
             f"dump {manifest['database']['size'] / 1e6:.2f} MB; {len(manifest['files'])} files "
             f"{sum(f['size'] for f in manifest['files']) / 1e3:.1f} kB")
    timings = (f"{sizes}\nbackup {backup_seconds:.1f} s, restore {restore_seconds:.1f} s, restore --replace "
               f"{replace_seconds:.1f} s (each a manage.py process, start-up included)\n"
               f"{backed_up.strip()}\n{restored.strip()}\n")
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "backup_timings.txt").write_text(timings)
    print(timings)
