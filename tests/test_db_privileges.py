"""Least privilege (pmf/db.py) and the integrity triggers (pmf/integrity.py) against the role the app connects
as, on PostgreSQL with two roles (``.ci/run``: DATABASE_URL as pmf_app, DATABASE_OWNER_URL as pmf_owner). Every
bypass a reviewer would try from the app's connection is refused, and the refusal leaves the data as it was."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from indicators.models import Return, ReturnReopening
from pmf.db import app_role
from pmf.integrity import PROTECTED_TABLES
from pmf.models import AuditEntry
from tests import dbroles

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not dbroles.two_roles(), reason="PostgreSQL with two roles only (DATABASE_OWNER_URL)"),
]

DENIED = "permission denied"
RETURN_LOCKED = "an approved return cannot be changed"


def attempt(sql: str, params=None) -> str:
    """Run one statement as the app role in a savepoint; the error it raised (it must raise)."""
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(refused.value)


@pytest.fixture
def approved():
    ret = Return.objects.filter(state="approved", value__isnull=False).order_by("pk").first()
    return ret


def test_the_app_connects_as_a_role_that_is_not_superuser_and_owns_nothing():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls FROM pg_roles "
                       "WHERE rolname = current_user")
        assert cursor.fetchone() == (app_role(), False, False, False, False)
        cursor.execute("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT has_schema_privilege('public', 'CREATE'), "
                       "has_table_privilege('pmf_auditentry', 'TRUNCATE'), "
                       "has_table_privilege('pmf_auditentry', 'TRIGGER'), "
                       "has_table_privilege('pmf_maintenancewindow', 'INSERT'), "
                       "has_table_privilege('django_migrations', 'INSERT'), "
                       "has_table_privilege('indicators_return', 'UPDATE')")
        assert cursor.fetchone() == (False, False, False, False, False, True)
    assert settings.DATABASES["owner"]["USER"] != app_role()


@pytest.mark.parametrize("table", PROTECTED_TABLES)
def test_truncate_is_refused(table):
    before = _count(table)
    assert DENIED in attempt(f"TRUNCATE {table} CASCADE")
    assert _count(table) == before


@pytest.mark.parametrize("sql, refusal", [
    ("UPDATE indicators_return SET state = 'submitted', value = 1 WHERE id = %(ret)s", RETURN_LOCKED),
    ("UPDATE indicators_return SET state = 'submitted' WHERE id = %(ret)s", RETURN_LOCKED),
    ("UPDATE indicators_return SET value = value + 1 WHERE id = %(ret)s", RETURN_LOCKED),
    ("UPDATE indicators_return SET commentary = 'rewritten' WHERE id = %(ret)s", RETURN_LOCKED),
    ("UPDATE indicators_return SET approved_by_id = submitted_by_id, approved_at = now() WHERE id = %(ret)s",
     RETURN_LOCKED),
    ("UPDATE indicators_return SET submitted_at = now() - interval '1 day', due_on = due_on + 30 WHERE id = %(ret)s",
     RETURN_LOCKED),
    ("DELETE FROM indicators_return WHERE id = %(ret)s", "an approved return cannot be deleted"),
    ("INSERT INTO pmf_maintenancewindow (opened_at, purpose) VALUES (now(), 'bypass')", DENIED),
    ("ALTER TABLE indicators_return DISABLE TRIGGER ALL", "must be owner"),
    ("ALTER TABLE indicators_return DISABLE TRIGGER pmf_return_locked_update", "must be owner"),
    ("DROP TRIGGER pmf_return_locked_update ON indicators_return", "must be owner"),
    ("DROP FUNCTION pmf_return_locked_update() CASCADE", "must be owner"),
    ("CREATE OR REPLACE FUNCTION pmf_return_locked_update() RETURNS trigger LANGUAGE plpgsql AS "
     "$$ BEGIN RETURN NEW; END $$", "permission denied for schema public"),
    ("SET session_replication_role = replica", DENIED),
    ("CREATE TABLE public.bypass (id int)", "permission denied for schema public"),
    ("CREATE FUNCTION public.bypass() RETURNS int LANGUAGE sql AS 'SELECT 1'", "permission denied for schema public"),
    ("CREATE VIEW public.bypass AS SELECT 1", "permission denied for schema public"),
    ("SET ROLE pmf_owner", DENIED),
    ("SET SESSION AUTHORIZATION pmf_owner", DENIED),
    ("GRANT pmf_owner TO CURRENT_USER", "must have admin option"),
    ("ALTER ROLE CURRENT_USER SUPERUSER", "must be superuser"),
    ("ALTER TABLE pmf_auditentry OWNER TO CURRENT_USER", "must be owner"),
    ("COPY pmf_auditentry FROM PROGRAM 'true'", "must be superuser"),
    ("SELECT pg_read_file('postgresql.conf')", DENIED),
    ("UPDATE pmf_auditentry SET reason = 'rewritten' WHERE id = %(audit)s", "the audit trail cannot be changed"),
    ("DELETE FROM pmf_auditentry WHERE id = %(audit)s", "the audit trail cannot be deleted"),
    ("DELETE FROM django_migrations", DENIED),
    ("UPDATE indicators_target SET annual_target = annual_target + 1 WHERE approved_at IS NOT NULL",
     "an approved target cannot be changed"),
    ("DELETE FROM indicators_target WHERE approved_at IS NOT NULL", "an approved target cannot be deleted"),
    ("DELETE FROM indicators_trajectorypoint WHERE target_id IN "
     "(SELECT id FROM indicators_target WHERE approved_at IS NOT NULL)", "trajectory cannot be changed"),
    ("UPDATE indicators_trajectorypoint SET value = value + 1 WHERE target_id IN "
     "(SELECT id FROM indicators_target WHERE approved_at IS NOT NULL)", "trajectory cannot be changed"),
])
def test_bypass_attempts_are_refused(sql, refusal, approved):
    audit = AuditEntry.objects.order_by("pk").first()
    before = (_snapshot("indicators_return", approved.pk), AuditEntry.objects.count(), _count("indicators_target"))
    error = attempt(sql, {"ret": approved.pk, "audit": audit.pk})
    assert refusal.lower() in error.lower(), error
    assert (_snapshot("indicators_return", approved.pk), AuditEntry.objects.count(),
            _count("indicators_target")) == before


def test_issued_packs_and_their_files_are_refused_changes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM reporting_pack WHERE status = 'issued' ORDER BY id LIMIT 1")
        row = cursor.fetchone()
    if row is None:
        pytest.skip("the demo has no issued pack")
    for sql in ("UPDATE reporting_pack SET title = 'rewritten' WHERE id = %(pack)s",
                "DELETE FROM reporting_pack WHERE id = %(pack)s",
                "DELETE FROM reporting_packfile WHERE pack_id = %(pack)s",
                "UPDATE reporting_packfile SET sha256 = 'x' WHERE pack_id = %(pack)s"):
        assert "issued report" in attempt(sql, {"pack": row[0]})


def test_leaving_approved_needs_the_reopening_and_its_audit_entry_in_the_same_transaction(approved, django_user_model):
    director = django_user_model.objects.filter(role_assignments__role="director").first()
    # a reopening row alone, or one for an earlier version of the return, does not do
    ReturnReopening.objects.create(ret=approved, return_version=approved.version, reason="a", by=director)
    reopen = "UPDATE indicators_return SET state = 'returned', returned_reason = 'by hand' WHERE id = %s"
    assert RETURN_LOCKED in attempt(reopen, [approved.pk])
    with transaction.atomic():
        AuditEntry.objects.create(action="reopen", object_type="indicators.Return", object_id=str(approved.pk),
                                  object_repr="x", reason="a", user_name="x")
        # figures never change while it is approved, even then
        assert RETURN_LOCKED in attempt(reopen.replace("SET ", "SET value = 1, "), [approved.pk])
        # the state may: the reopening is recorded, and the record cannot be removed
        with connection.cursor() as cursor:
            cursor.execute(reopen, [approved.pk])
        assert Return.objects.get(pk=approved.pk).state == "returned"
        assert "cannot be deleted" in attempt("DELETE FROM indicators_returnreopening WHERE ret_id = %s",
                                              [approved.pk])


def test_a_reopening_for_an_earlier_version_does_not_count(approved, django_user_model):
    director = django_user_model.objects.filter(role_assignments__role="director").first()
    ReturnReopening.objects.create(ret=approved, return_version=approved.version - 1, reason="a", by=director)
    AuditEntry.objects.create(action="reopen", object_type="indicators.Return", object_id=str(approved.pk),
                              object_repr="x", reason="a", user_name="x")
    assert RETURN_LOCKED in attempt("UPDATE indicators_return SET state = 'returned', returned_reason = 'by hand' "
                                    "WHERE id = %s", [approved.pk])


def test_even_the_owner_needs_a_window_of_this_transaction():
    """A window row committed earlier lifts nothing; TRUNCATE by the owner without one is refused. On a
    connection of the owner's own (this runs first in the test, so the test's transaction holds no locks)."""
    import psycopg2

    own = dbroles.owner_connection()
    try:
        try:
            with own.cursor() as cursor:
                cursor.execute("INSERT INTO pmf_maintenancewindow (opened_at, purpose) VALUES (now(), 'old') "
                               "RETURNING id")
                window = cursor.fetchone()[0]
            own.commit()
            for table in PROTECTED_TABLES:  # the statement triggers, fired by a role that has TRUNCATE
                if table == "pmf_maintenancewindow":
                    continue
                with own.cursor() as cursor:
                    with pytest.raises(psycopg2.errors.CheckViolation, match="cannot be truncated"):
                        cursor.execute(f"TRUNCATE {table} CASCADE")
                own.rollback()
            with own.cursor() as cursor:
                with pytest.raises(psycopg2.errors.CheckViolation, match="audit trail cannot be deleted"):
                    cursor.execute("DELETE FROM pmf_auditentry WHERE id = (SELECT min(id) FROM pmf_auditentry)")
            own.rollback()
        finally:
            with own.cursor() as cursor:
                cursor.execute("DELETE FROM pmf_maintenancewindow WHERE id = %s", [window])
            own.commit()
    finally:
        own.close()


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


def _snapshot(table: str, pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()


def test_the_least_privilege_check_is_quiet_for_the_app_role():
    from pmf.db import check_least_privilege

    assert check_least_privilege(databases=["default"]) == []
