"""Integrity the database enforces itself, whatever writes to it (pages, admin, API, bulk updates, a shell):

- E3: the audit trail is append-only;
- B4: an approved target, its trajectory and tolerance never change (a re-approval adds a new revision);
- B5: an approved return's figures never change, and it leaves the approved state only through a recorded
  reopening: the same transaction must first write a reopening row for that version of the return and its audit
  entry (reopening rows are append-only too);
- D7: an issued report pack, its figures and its files never change and are never deleted.

Each rule is a trigger on PostgreSQL and on SQLite, written from the table below. On PostgreSQL, TRUNCATE of
every protected table is refused too, and "in the same transaction" is checked exactly: the audit trail, the
reopenings and the maintenance window carry the id of the transaction that wrote each row (a ``txid`` column the
database fills itself; pmf migration 0006). A row in ``pmf_maintenancewindow`` written by the current transaction
lifts the rules, used only to remove a whole council; only the schema's owner may write one (pmf/db.py): the app
role has no privilege on it, and a trigger checks the role as well.
"""

from __future__ import annotations

from dataclasses import dataclass

ESCAPE = {
    "postgresql": "NOT EXISTS (SELECT 1 FROM pmf_maintenancewindow w WHERE w.txid = txid_current())",
    "sqlite": "NOT EXISTS (SELECT 1 FROM pmf_maintenancewindow)",
}

RETURN_FIGURES = ["indicator_id", "period_id", "value", "numerator", "denominator", "forecast",
                  "forecast_confidence", "commentary", "self_assessed_rag", "no_data_reason",
                  "is_estimate"]
# Who submitted, verified and signed off an approved figure, and when it was due: changed only with a reopening.
RETURN_SIGN_OFF = ["state", "submitted_by_id", "submitted_at", "verified_by_id", "verified_at", "approved_by_id",
                   "approved_at", "due_on"]
TARGET_FIGURES = ["indicator_id", "financial_year_id", "annual_target", "band_low", "band_high", "baseline",
                  "needs_baseline", "tolerance_pct", "tolerance_abs", "approved_at", "approved_by_id", "revision",
                  "revises_id", "revision_reason"]
PACK_FIELDS = ["definition_id", "council_id", "period_id", "title", "status", "snapshot", "as_of", "issued_by_id",
               "issued_at", "issue_number"]


@dataclass(frozen=True)
class Rule:
    name: str
    table: str
    event: str  # UPDATE, DELETE, INSERT, or TRUNCATE (PostgreSQL only, for the whole statement)
    condition: str  # uses OLD / NEW; {changed:a,b} expands to a null-safe "any of these columns changed";
    #                 {this_txn:alias} to "the row alias was written by this transaction" (PostgreSQL; true on SQLite)
    message: str
    escapable: bool = True  # lifted by a maintenance window
    vendors: tuple[str, ...] = ("postgresql", "sqlite")


PG = ("postgresql",)
REOPENED = (
    "EXISTS (SELECT 1 FROM indicators_returnreopening r WHERE r.ret_id = OLD.id AND r.return_version = OLD.version"
    " AND {this_txn:r}) AND EXISTS (SELECT 1 FROM pmf_auditentry a WHERE a.object_type = 'indicators.Return'"
    " AND a.object_id = {text:OLD.id} AND a.action = 'reopen' AND {this_txn:a})"
)
# The owner of the table (who runs migrations) or a superuser; never the app role.
TABLE_OWNER = ("(current_user = (SELECT pg_get_userbyid(c.relowner) FROM pg_class c "
               "WHERE c.oid = 'pmf_maintenancewindow'::regclass) "
               "OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user))")
PROTECTED_TABLES = ["pmf_auditentry", "indicators_return", "indicators_returnreopening", "indicators_target",
                    "indicators_trajectorypoint", "reporting_pack", "reporting_packfile", "pmf_maintenancewindow"]


RULES = [
    Rule("pmf_audit_no_update", "pmf_auditentry", "UPDATE", "TRUE", "E3: the audit trail cannot be changed."),
    Rule("pmf_audit_no_delete", "pmf_auditentry", "DELETE", "TRUE", "E3: the audit trail cannot be deleted."),
    Rule("pmf_target_locked_update", "indicators_target", "UPDATE",
         "OLD.approved_at IS NOT NULL AND ({changed:" + ",".join(TARGET_FIGURES) + "})",
         "B4: an approved target cannot be changed in-year; record a re-approval instead."),
    Rule("pmf_target_locked_delete", "indicators_target", "DELETE", "OLD.approved_at IS NOT NULL",
         "B4: an approved target cannot be deleted."),
    Rule("pmf_trajectory_locked_insert", "indicators_trajectorypoint", "INSERT",
         "EXISTS (SELECT 1 FROM indicators_target t WHERE t.id = NEW.target_id AND t.approved_at IS NOT NULL)",
         "B4: an approved target's trajectory cannot be changed; record a re-approval instead."),
    Rule("pmf_trajectory_locked_update", "indicators_trajectorypoint", "UPDATE",
         "EXISTS (SELECT 1 FROM indicators_target t WHERE t.id IN (OLD.target_id, NEW.target_id) "
         "AND t.approved_at IS NOT NULL)",
         "B4: an approved target's trajectory cannot be changed; record a re-approval instead."),
    Rule("pmf_trajectory_locked_delete", "indicators_trajectorypoint", "DELETE",
         "EXISTS (SELECT 1 FROM indicators_target t WHERE t.id = OLD.target_id AND t.approved_at IS NOT NULL)",
         "B4: an approved target's trajectory cannot be changed; record a re-approval instead."),
    Rule("pmf_return_locked_update", "indicators_return", "UPDATE",
         "OLD.state = 'approved' AND (({changed:" + ",".join(RETURN_FIGURES) + "}) "
         "OR (({changed:" + ",".join(RETURN_SIGN_OFF) + "}) AND NOT (" + REOPENED + ")))",
         "B5: an approved return cannot be changed; reopen it first, with a reason."),
    Rule("pmf_return_reopening_no_update", "indicators_returnreopening", "UPDATE", "TRUE",
         "B5: the record of a reopening cannot be changed."),
    Rule("pmf_return_reopening_no_delete", "indicators_returnreopening", "DELETE", "TRUE",
         "B5: the record of a reopening cannot be deleted."),
    Rule("pmf_return_locked_delete", "indicators_return", "DELETE", "OLD.state = 'approved'",
         "B5: an approved return cannot be deleted."),
    Rule("pmf_pack_issued_update", "reporting_pack", "UPDATE",
         "OLD.status = 'issued' AND ({changed:" + ",".join(PACK_FIELDS) + "})",
         "D7: an issued report cannot be changed; prepare and issue a new version instead."),
    Rule("pmf_pack_issued_delete", "reporting_pack", "DELETE", "OLD.status = 'issued'",
         "D7: an issued report cannot be deleted."),
    Rule("pmf_packfile_issued_insert", "reporting_packfile", "INSERT",
         "EXISTS (SELECT 1 FROM reporting_pack p WHERE p.id = NEW.pack_id AND p.status = 'issued')",
         "D7: an issued report's files cannot be changed."),
    Rule("pmf_packfile_issued_update", "reporting_packfile", "UPDATE",
         "EXISTS (SELECT 1 FROM reporting_pack p WHERE p.id IN (OLD.pack_id, NEW.pack_id) AND p.status = 'issued')",
         "D7: an issued report's files cannot be changed."),
    Rule("pmf_packfile_issued_delete", "reporting_packfile", "DELETE",
         "EXISTS (SELECT 1 FROM reporting_pack p WHERE p.id = OLD.pack_id AND p.status = 'issued')",
         "D7: an issued report's files cannot be deleted."),
    Rule("pmf_window_owner_only", "pmf_maintenancewindow", "INSERT", "NOT " + TABLE_OWNER,
         "Only the database owner may open a maintenance window.", escapable=False, vendors=PG),
    *(Rule(f"pmf_no_truncate_{table}", table, "TRUNCATE", "TRUE",
           "The protected records (audit trail, returns, targets, trajectories, issued reports) cannot be "
           "truncated.", vendors=PG) for table in PROTECTED_TABLES if table != "pmf_maintenancewindow"),
]


def _expand(condition: str, vendor: str) -> str:
    while "{" in condition:
        head, rest = condition.split("{", 1)
        kind, rest = rest.split(":", 1)
        arg, tail = rest.split("}", 1)
        if kind == "changed":
            op = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
            middle = " OR ".join(f"OLD.{c} {op} NEW.{c}" for c in arg.split(","))
        elif kind == "this_txn":
            middle = f"{arg}.txid = txid_current()" if vendor == "postgresql" else "1"
        elif kind == "text":
            middle = f"{arg}::text" if vendor == "postgresql" else f"CAST({arg} AS TEXT)"
        else:
            raise ValueError(f"Unknown placeholder {kind!r} in an integrity rule")
        condition = head + middle + tail
    return condition


def rules_for(vendor: str) -> list[Rule]:
    return [rule for rule in RULES if vendor in rule.vendors]


def create_sql(vendor: str) -> list[str]:
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"No integrity triggers written for {vendor}")
    statements = []
    for rule in rules_for(vendor):
        condition = _expand(rule.condition, vendor)
        if rule.escapable:
            condition = f"({condition}) AND {ESCAPE[vendor]}"
        message = rule.message.replace("'", "''")
        if vendor == "postgresql":
            result = {"DELETE": "OLD", "TRUNCATE": "NULL"}.get(rule.event, "NEW")
            level = "STATEMENT" if rule.event == "TRUNCATE" else "ROW"
            statements.append(
                f"CREATE OR REPLACE FUNCTION {rule.name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF {condition} THEN "
                f"RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation'; END IF; "
                f"RETURN {result}; END $$;"
            )
            statements.append(f"DROP TRIGGER IF EXISTS {rule.name} ON {rule.table};")
            statements.append(
                f"CREATE TRIGGER {rule.name} BEFORE {rule.event} ON {rule.table} "
                f"FOR EACH {level} EXECUTE FUNCTION {rule.name}();"
            )
        else:
            condition = condition.replace("TRUE", "1")
            statements.append(f"DROP TRIGGER IF EXISTS {rule.name};")
            statements.append(
                f"CREATE TRIGGER {rule.name} BEFORE {rule.event} ON {rule.table} FOR EACH ROW "
                f"WHEN {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END;"
            )
    return statements


def drop_sql(vendor: str, rules: list[Rule] | None = None) -> list[str]:
    rules = [r for r in (RULES if rules is None else rules) if vendor in r.vendors]
    if vendor == "postgresql":
        return [s for r in rules for s in (f"DROP TRIGGER IF EXISTS {r.name} ON {r.table};",
                                            f"DROP FUNCTION IF EXISTS {r.name}();")]
    return [f"DROP TRIGGER IF EXISTS {r.name};" for r in rules]


def install(schema_editor) -> None:
    for statement in create_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def uninstall(schema_editor) -> None:
    for statement in drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)
