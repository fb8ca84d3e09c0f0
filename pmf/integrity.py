"""Integrity the database enforces itself, whatever writes to it (pages, admin, API, bulk updates, a shell):

- E3: the audit trail is append-only;
- B4: an approved target, its trajectory and tolerance never change (a re-approval adds a new revision);
- B5: an approved return's figures never change (reopening it first is a recorded act);
- D7: an issued report pack, its figures and its files never change and are never deleted.

Each rule is a trigger on PostgreSQL and on SQLite, written from the table below. A row in
``pmf_maintenancewindow`` inside the same transaction lifts them, used only to remove a whole council.
"""

from __future__ import annotations

from dataclasses import dataclass

ESCAPE = "NOT EXISTS (SELECT 1 FROM pmf_maintenancewindow)"

RETURN_FIGURES = ["indicator_id", "period_id", "value", "numerator", "denominator", "forecast",
                  "forecast_confidence", "commentary", "no_data_reason", "is_estimate"]
TARGET_FIGURES = ["indicator_id", "financial_year_id", "annual_target", "band_low", "band_high", "baseline",
                  "needs_baseline", "tolerance_pct", "tolerance_abs", "approved_at", "approved_by_id", "revision",
                  "revises_id", "revision_reason"]
PACK_FIELDS = ["definition_id", "council_id", "period_id", "title", "status", "snapshot", "as_of", "issued_by_id",
               "issued_at", "issue_number"]


@dataclass(frozen=True)
class Rule:
    name: str
    table: str
    event: str  # UPDATE, DELETE or INSERT
    condition: str  # uses OLD / NEW; {changed:a,b} expands to a null-safe "any of these columns changed"
    message: str


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
         "OLD.state = 'approved' AND NEW.state = 'approved' AND ({changed:" + ",".join(RETURN_FIGURES) + "})",
         "B5: an approved return cannot be changed; reopen it first, with a reason."),
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
]


def _expand(condition: str, vendor: str) -> str:
    if "{changed:" not in condition:
        return condition
    head, rest = condition.split("{changed:", 1)
    cols, tail = rest.split("}", 1)
    op = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    changed = " OR ".join(f"OLD.{c} {op} NEW.{c}" for c in cols.split(","))
    return head + changed + _expand(tail, vendor)


def create_sql(vendor: str) -> list[str]:
    statements = []
    for rule in RULES:
        condition = _expand(rule.condition, vendor)
        message = rule.message.replace("'", "''")
        if vendor == "postgresql":
            result = "OLD" if rule.event == "DELETE" else "NEW"
            statements.append(
                f"CREATE OR REPLACE FUNCTION {rule.name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF ({condition}) AND {ESCAPE} THEN "
                f"RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation'; END IF; "
                f"RETURN {result}; END $$;"
            )
            statements.append(f"DROP TRIGGER IF EXISTS {rule.name} ON {rule.table};")
            statements.append(
                f"CREATE TRIGGER {rule.name} BEFORE {rule.event} ON {rule.table} "
                f"FOR EACH ROW EXECUTE FUNCTION {rule.name}();"
            )
        elif vendor == "sqlite":
            condition = condition.replace("TRUE", "1")
            statements.append(f"DROP TRIGGER IF EXISTS {rule.name};")
            statements.append(
                f"CREATE TRIGGER {rule.name} BEFORE {rule.event} ON {rule.table} FOR EACH ROW "
                f"WHEN ({condition}) AND {ESCAPE} BEGIN SELECT RAISE(ABORT, '{message}'); END;"
            )
        else:
            raise NotImplementedError(f"No integrity triggers written for {vendor}")
    return statements


def drop_sql(vendor: str, rules: list[Rule] | None = None) -> list[str]:
    rules = RULES if rules is None else rules
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
