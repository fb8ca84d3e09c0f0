"""Reading the council workbook into a council (``manage.py import_workbook`` and the import page).

All or nothing: every sheet is read and checked, then written in one transaction; any problem (or a dry run)
rolls the whole of it back, so a dry run finds exactly the problems a real import would. Rows are matched on
their stable codes and references (a directorate's code, a measure's reference, a return's measure and period
...), so importing the same workbook again changes nothing. What is new is created, what differs is changed;
nothing is deleted. Approved returns and approved targets come in approved (signed off in the old system) and
cannot be changed by a later import: a row that would change one is a problem, not a change. Every object
created or changed is in the audit trail, by whom and from which file, in the same transaction.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from indicators import assessment as rules
from indicators.choices import Calculation, IndicatorKind, ReturnState, Unit
from indicators.models import (
    NARRATIVE_NOT_CONTEXTUAL,
    BenchmarkValue,
    CorporateRisk,
    Indicator,
    Return,
    Specification,
    Target,
    TrajectoryPoint,
)
from plans.choices import PlanStatus
from plans.models import Action, Milestone, Plan, PlanItem, PlanLevel
from pmf import audit, imports
from pmf.choices import Role, ServiceKind
from pmf.imports import Book, Problems, Row
from pmf.models import (
    Committee,
    Council,
    Directorate,
    Period,
    Portfolio,
    RoleAssignment,
    Service,
    Team,
    User,
)
from pmf.periods import periods_per_year
from pmf.services import ensure_financial_year
from reporting.workbook import layout

APPROVED_PLAN = {PlanStatus.APPROVED, PlanStatus.ACTIVE, PlanStatus.CLOSED}
RETURN_FIGURES = ["value", "numerator", "denominator", "forecast", "forecast_confidence", "commentary",
                  "self_assessed_rag", "no_data_reason", "is_estimate"]
TARGET_FIGURES = ["annual_target", "band_low", "band_high", "baseline", "needs_baseline", "tolerance_pct",
                  "tolerance_abs", "approved_at", "approved_by", "revision_reason"]


@dataclass
class Outcome:
    """What an import did (or, for a dry run or a refusal, would have done)."""

    file_name: str
    dry_run: bool
    problems: list[imports.Problem] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    changed: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    rows: int = 0
    seconds: float = 0.0
    council: Council | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def stored(self) -> bool:
        return self.ok and not self.dry_run

    def summary(self) -> list[tuple[str, int, int, int]]:
        return [(s.name, self.created[s.name], self.changed[s.name], self.unchanged[s.name]) for s in layout.SHEETS
                if self.created[s.name] or self.changed[s.name] or self.unchanged[s.name]]


class _Rollback(Exception):
    pass


def _same(a, b) -> bool:
    if isinstance(a, models.Model) or isinstance(b, models.Model):
        return (a.pk if a is not None else None) == (b.pk if b is not None else None)
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a.replace(microsecond=0) == b.replace(microsecond=0)
    if isinstance(a, Decimal | int) and isinstance(b, Decimal | int) and not isinstance(a, bool):
        return Decimal(a) == Decimal(b)
    return a == b


def _differs(obj, name: str, value) -> bool:
    """Whether the object's field differs from ``value``; a foreign key is compared by its id, without loading
    the object it points to."""
    field = obj._meta.get_field(name)
    if field.is_relation and field.many_to_one:
        wanted = value.pk if isinstance(value, models.Model) else value
        return getattr(obj, field.attname) != wanted
    return not _same(getattr(obj, name), value)


def _shown(value):
    return audit._plain(value)


def import_workbook(*, book: Book, user: User | None, council: Council | None = None, create: str = "",
                    slug: str = "", dry_run: bool = False) -> Outcome:
    """Check the workbook and import it into ``council`` (or a new council named ``create``, with ``slug``).
    Nothing is stored when there is any problem, or on a dry run; the outcome lists the problems by sheet,
    row and column, and what was (or would be) created and changed."""
    started = time.perf_counter()
    outcome = Outcome(file_name=book.name, dry_run=dry_run)
    problems = Problems()
    # A workbook may hold only some sheets (a risk register, this year's targets): those missing bring nothing.
    rows = {sheet.name: imports.read_sheet(sheet, book.rows(sheet.name), problems, sheet_required=False)
            for sheet in layout.SHEETS}
    if all(book.rows(sheet.name) is None for sheet in layout.SHEETS):
        problems.add(book.name, None, "", "no sheets", "The file holds none of the workbook's sheets (their names "
                                                       "are on the template's guidance sheet).")
    outcome.rows = sum(len(r) for r in rows.values())
    try:
        with transaction.atomic():
            loader = _Loader(user=user, problems=problems, outcome=outcome, file_name=book.name)
            loader.run(rows, council=council, create=create, slug=slug)
            if problems or dry_run:
                raise _Rollback
            outcome.council = loader.council
    except _Rollback:
        pass
    outcome.problems = sorted(problems, key=lambda p: (_sheet_order(p.sheet), p.row or 0, p.column))
    outcome.seconds = time.perf_counter() - started
    return outcome


def _sheet_order(name: str) -> int:
    return next((i for i, s in enumerate(layout.SHEETS) if s.name == name), len(layout.SHEETS))


class _Loader:
    def __init__(self, *, user, problems: Problems, outcome: Outcome, file_name: str):
        self.user = user
        self.problems = problems
        self.outcome = outcome
        self.reason = f"Imported from the workbook “{file_name}”"
        self.created: dict[type, list] = defaultdict(list)
        self.now = timezone.now()

    # -- helpers ------------------------------------------------------------------------------------------------

    def bad(self, row: Row, column: str, rule: str, message: str) -> None:
        self.problems.at(row, column, rule, message)

    def upsert(self, row: Row, model, existing, fields: dict, *, lookup: dict | None = None):
        """Create the object, or change the fields that differ (each change in the audit trail)."""
        sheet = row.sheet
        if existing is None:
            obj = model(**(lookup or {}), **fields)
            obj.save()
            self.created[model].append(obj)
            self.outcome.created[sheet] += 1
            return obj
        changes = {name: [_shown(getattr(existing, name)), _shown(value)] for name, value in fields.items()
                   if _differs(existing, name, value)}
        if changes:
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()
            audit.record(user=self.user, action="update", obj=existing, changes=changes, reason=self.reason,
                         council=self.council)
            self.outcome.changed[sheet] += 1
        else:
            self.outcome.unchanged[sheet] += 1
        return existing

    def set_links(self, row: Row, obj, relation: str, wanted: list) -> bool:
        """Make a many-to-many link hold exactly ``wanted``; a change to an existing object is audited."""
        manager = getattr(obj, relation)
        have = set(manager.values_list("pk", flat=True))
        if have == {o.pk for o in wanted}:
            return False
        before = sorted(str(o) for o in manager.all())
        manager.set(wanted)
        if obj not in self.created[type(obj)]:
            audit.record(user=self.user, action="update", obj=obj, reason=self.reason, council=self.council,
                         changes={relation: [before, sorted(str(o) for o in wanted)]})
        return True

    def person(self, row: Row, column: str) -> User | None:
        name = row[column]
        if not name:
            return None
        user = self.people.get(name.lower())
        if user is None:
            self.bad(row, column, "unknown person", f"“{name}” is not a username on the People sheet.")
        return user

    def directorate(self, row: Row, column: str = "directorate") -> Directorate | None:
        code = row[column]
        if not code:
            return None
        found = self.directorates.get(code.lower())
        if found is None:
            self.bad(row, column, "unknown code", f"“{code}” is not a directorate code on the Directorates sheet.")
        return found

    def service(self, row: Row, directorate_column: str = "directorate", column: str = "service") -> Service | None:
        name = row[column]
        if not name:
            return None
        code = row[directorate_column]
        if not code:
            self.bad(row, directorate_column, "required", "Give the directorate (its code) of the service.")
            return None
        found = self.services.get((code.lower(), name.lower()))
        if found is None and code.lower() in self.directorates:
            self.bad(row, column, "unknown code",
                     f"“{name}” is not a service of directorate {code} on the Services sheet.")
        elif found is None:
            self.directorate(row, directorate_column)
        return found

    def item_refs(self, row: Row, column: str) -> list[PlanItem]:
        out = []
        for ref in row[column] or []:
            plan_key, _, item_ref = ref.rpartition(" / ")
            item = self.items.get((plan_key.lower(), item_ref.lower()))
            if item is None:
                self.bad(row, column, "unknown code", f"“{ref}” is not a plan item (plan key / ref) on the Plan items "
                                                      "sheet.")
            else:
                out.append(item)
        return out

    def measure(self, row: Row, column: str = "measure") -> Indicator | None:
        found = self.indicators.get((row[column] or "").lower())
        if found is None:
            self.bad(row, column, "unknown code", f"“{row[column]}” is not a measure on the Measures sheet.")
        return found

    def step(self, sheet: str, work, rows: list[Row]) -> None:
        """One sheet in a savepoint: a rule the database enforces that the checks above missed is a problem of
        the sheet, never a crash."""
        try:
            with transaction.atomic():
                work(rows)
        except (IntegrityError, ValidationError, DatabaseError) as error:
            message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error).split("\n")[0]
            self.problems.add(sheet, None, "", "refused by the database",
                              f"A row of this sheet breaks a rule the database enforces: {message}")

    # -- the sheets ---------------------------------------------------------------------------------------------

    def run(self, rows: dict[str, list[Row]], *, council: Council | None, create: str, slug: str) -> None:
        self.council = council
        # What each sheet finds, by its codes (empty until its sheet is read: a sheet refused by the database
        # leaves the later sheets to report their references as unknown, never to crash).
        self.people, self.directorates, self.services, self.teams = {}, {}, {}, {}
        self.portfolios, self.committees, self.levels, self.level_by_id = {}, {}, {}, {}
        self.plans, self.items, self.risks, self.indicators, self.actions = {}, {}, {}, {}, {}
        self.specs, self.risk_measures = defaultdict(list), []
        self._years: set[int] = set()  # financial years made sure of (with their periods)
        self.council_sheet(rows[layout.COUNCIL.name], create=create, slug=slug)
        if self.council is None:
            return
        for sheet, work in (
            (layout.PEOPLE, self.people_sheet), (layout.DIRECTORATES, self.directorates_sheet),
            (layout.SERVICES, self.services_sheet), (layout.TEAMS, self.teams_sheet),
            (layout.PORTFOLIOS, self.portfolios_sheet), (layout.COMMITTEES, self.committees_sheet),
            (layout.ROLES, self.roles_sheet), (layout.PLAN_LEVELS, self.levels_sheet),
            (layout.PLANS, self.plans_sheet), (layout.PLAN_ITEMS, self.items_sheet), (layout.RISKS, self.risks_sheet),
            (layout.MEASURES, self.measures_sheet), (layout.RISKS, self.risk_links),
            (layout.SPECIFICATIONS, self.specs_sheet),
            (layout.TARGETS, self.targets_sheet), (layout.RETURNS, self.returns_sheet),
            (layout.ACTIONS, self.actions_sheet), (layout.RISKS, self.risk_action_links),
            (layout.MILESTONES, self.milestones_sheet),
            (layout.BENCHMARKS, self.benchmarks_sheet),
        ):
            self.step(sheet.name, work, rows[sheet.name])
        for objects in self.created.values():
            if objects:
                audit.record_many(user=self.user, action="create", objects=objects, council=self.council,
                                  reason=self.reason)

    def council_sheet(self, rows: list[Row], *, create: str, slug: str) -> None:
        sheet = layout.COUNCIL.name
        if len(rows) > 1:
            self.problems.add(sheet, rows[1].number, "", "one row only", "The Council sheet has one row.")
        row = rows[0] if rows else None
        settings = {}
        if row is not None:
            for column, name in (("short name", "short_name"), ("type", "council_type"), ("ONS code", "ons_code"),
                                 ("website", "website"), ("default tolerance (%)", "default_tolerance_pct"),
                                 ("returns due after (working days)", "default_due_working_days"),
                                 ("period closes after (days)", "period_close_days")):
                if row[column] is not None and row[column] != "":
                    settings[name] = row[column]
            if (settings.get("default_tolerance_pct") or 0) < 0:
                self.bad(row, "default tolerance (%)", "not negative", "The default tolerance cannot be negative.")
        if self.council is None:
            name = create or (row["name"] if row else "")
            if not name:
                self.problems.add(sheet, None, "name", "required", "Name the new council.")
                return
            slug = slug or slugify(name)[:60]
            if Council.objects.filter(name=name).exists() or Council.objects.filter(slug=slug).exists():
                self.problems.add(sheet, row.number if row else None, "name", "exists already",
                                  f"A council named “{name}” (or with the address name “{slug}”) exists already: "
                                  "import into it with --council, or choose another name.")
                return
            self.council = Council.objects.create(name=name, slug=slug, **settings)
            self.created[Council].append(self.council)
            self.outcome.created[sheet] += 1
        elif row is not None:
            self.upsert(row, Council, self.council, settings)

    def people_sheet(self, rows: list[Row]) -> None:
        names = [r["username"] for r in rows]
        existing = {u.username.lower(): u for u in User.objects.filter(username__in=names)}
        elsewhere = set(RoleAssignment.objects.filter(user__in=existing.values()).exclude(council=self.council)
                        .values_list("user__username", flat=True))
        here = set(RoleAssignment.objects.filter(user__in=existing.values(), council=self.council)
                   .values_list("user__username", flat=True))
        self.people: dict[str, User] = {}
        for u in User.objects.filter(role_assignments__council=self.council).distinct():
            self.people[u.username.lower()] = u
        for row in rows:
            user = existing.get(row["username"].lower())
            fields = {"first_name": row.get("first name", ""), "last_name": row.get("last name", ""),
                      "email": row.get("email", ""), "job_title": row.get("job title", ""),
                      "is_member": bool(row["elected member"])}
            if user is not None and user.username in elsewhere and user.username not in here:
                self.bad(row, "username", "belongs to another council",
                         f"“{user.username}” is the username of someone in another council: choose another.")
                continue
            if user is not None and user.is_superuser:
                self.bad(row, "username", "belongs to another council",
                         f"“{user.username}” is an administrator's account: choose another username.")
                continue
            if user is None:
                user = User(username=row["username"], **fields)
                user.set_unusable_password()
                user.save()
                self.created[User].append(user)
                self.outcome.created[row.sheet] += 1
            else:
                self.upsert(row, User, user, fields)
            self.people[user.username.lower()] = user

    def directorates_sheet(self, rows: list[Row]) -> None:
        self.directorates = self.shared_by_councils(
            rows, Directorate, "code",
            lambda row: f"The directorate code “{row['code']}” is used by another council: codes are unique across "
                        "the system, so choose another.",
            lambda row: {"code": row["code"], "name": row["name"], "director": self.person(row, "director")})

    def shared_by_councils(self, rows: list[Row], model, key: str, taken, fields) -> dict:
        """Directorates and committees: unique across the system by ``key``, and linked to councils. Rows of this
        council's (or new ones) are upserted; a key another council uses is a problem. Returns them by key."""
        existing = {getattr(o, key).lower(): o for o in model.objects.filter(**{f"{key}__in": [r[key] for r in rows]})
                    .prefetch_related("councils")}
        found_here = {getattr(o, key).lower(): o for o in model.objects.filter(councils=self.council)}
        for row in rows:
            found = existing.get(row[key].lower())
            if found is not None and self.council not in found.councils.all():
                self.bad(row, key, "belongs to another council", taken(row))
                continue
            obj = self.upsert(row, model, found, fields(row))
            if found is None:
                obj.councils.add(self.council)
            found_here[getattr(obj, key).lower()] = obj
        return found_here

    def services_sheet(self, rows: list[Row]) -> None:
        self.services = {(s.directorate.code.lower(), s.name.lower()): s
                         for s in Service.objects.filter(directorate__in=self.directorates.values())
                         .select_related("directorate")}
        for row in rows:
            d = self.directorate(row)
            if d is None:
                continue
            key = (d.code.lower(), row["name"].lower())
            kind = row["kind"] or ServiceKind.SERVICE
            provider = (row["provider"] or "").strip()
            if kind != ServiceKind.SERVICE and not provider:
                self.bad(row, "provider", "required",
                         f"A {ServiceKind(kind).label.lower()} names who delivers it (the provider): the company, "
                         "the lead partner or the contractor.")
                continue
            self.services[key] = self.upsert(row, Service, self.services.get(key),
                                             {"directorate": d, "name": row["name"],
                                              "head": self.person(row, "head of service"), "kind": kind,
                                              "provider": provider})

    def teams_sheet(self, rows: list[Row]) -> None:
        self.teams = {(t.service.directorate.code.lower(), t.service.name.lower(), t.name.lower()): t
                      for t in Team.objects.filter(service__in=self.services.values())
                      .select_related("service__directorate")}
        for row in rows:
            s = self.service(row)
            if s is None:
                continue
            key = (row["directorate"].lower(), row["service"].lower(), row["name"].lower())
            team = self.upsert(row, Team, self.teams.get(key), {"service": s, "name": row["name"],
                                                                  "manager": self.person(row, "manager")})
            members = []
            for name in row["members"]:
                user = self.people.get(name.lower())
                if user is None:
                    self.bad(row, "members", "unknown person", f"“{name}” is not a username on the People sheet.")
                else:
                    members.append(user)
            self.set_links(row, team, "members", members)
            self.teams[key] = team

    def portfolios_sheet(self, rows: list[Row]) -> None:
        self.portfolios = {p.name.lower(): p for p in Portfolio.objects.filter(council=self.council)}
        for row in rows:
            key = row["name"].lower()
            self.portfolios[key] = self.upsert(row, Portfolio, self.portfolios.get(key),
                                               {"council": self.council, "name": row["name"],
                                                "holder": self.person(row, "holder")})

    def committees_sheet(self, rows: list[Row]) -> None:
        self.committees = self.shared_by_councils(
            rows, Committee, "name",
            lambda row: f"A committee named “{row['name']}” belongs to another council: committee names are unique "
                        "across the system, so choose another.",
            lambda row: {"name": row["name"], "kind": row["kind"], "chair": self.person(row, "chair")})

    def roles_sheet(self, rows: list[Row]) -> None:
        def key(values):
            return tuple(values)

        existing = {key((r.user_id, r.role, r.directorate_id, r.service_id, r.team_id, r.committee_id,
                         r.portfolio_id)): r for r in RoleAssignment.objects.filter(council=self.council)}
        messages = {c.name: c.violation_error_message for c in RoleAssignment._meta.constraints}
        for row in rows:
            user = self.person(row, "username")
            d = self.directorate(row)
            s = self.service(row) if row["service"] else None
            team = None
            if row["team"]:
                team = self.teams.get(((row["directorate"] or "").lower(), (row["service"] or "").lower(),
                                       row["team"].lower()))
                if team is None:
                    self.bad(row, "team", "unknown code", f"“{row['team']}” is not a team of that service on the "
                                                          "Teams sheet.")
            committee = self.committees.get((row["committee"] or "").lower()) if row["committee"] else None
            if row["committee"] and committee is None:
                self.bad(row, "committee", "unknown code", f"“{row['committee']}” is not on the Committees sheet.")
            portfolio = self.portfolios.get((row["portfolio"] or "").lower()) if row["portfolio"] else None
            if row["portfolio"] and portfolio is None:
                self.bad(row, "portfolio", "unknown code", f"“{row['portfolio']}” is not on the Portfolios sheet.")
            delegate_for = self.person(row, "delegate for")
            if user is None:
                continue
            role = row["role"]
            # The narrowest scope named is the one held: a directorate beside a service only says which service.
            if team is not None:
                d = s = None
            elif s is not None:
                d = None
            rule = None
            if role in (Role.DIRECTOR, Role.DELEGATE) and d is None:
                rule = ("directorate", "role_director_has_directorate")
            elif role == Role.HEAD_OF_SERVICE and s is None:
                rule = ("service", "role_head_has_service")
            elif role == Role.SCRUTINY_MEMBER and committee is None:
                rule = ("committee", "role_scrutiny_has_committee")
            elif role == Role.CABINET_MEMBER and portfolio is None:
                rule = ("portfolio", "role_cabinet_has_portfolio")
            if rule:
                self.bad(row, rule[0], "required", messages[rule[1]])
                continue
            k = key((user.pk, role, d.pk if d else None, s.pk if s else None, team.pk if team else None,
                     committee.pk if committee else None, portfolio.pk if portfolio else None))
            found = existing.get(k)
            existing[k] = self.upsert(row, RoleAssignment, found, {"delegate_for": delegate_for}, lookup={
                "user": user, "council": self.council, "role": role, "directorate": d, "service": s, "team": team,
                "committee": committee, "portfolio": portfolio})

    def levels_sheet(self, rows: list[Row]) -> None:
        by_rank = {lv.rank: lv for lv in PlanLevel.objects.filter(council=self.council)}
        for row in rows:
            clash = next((lv for lv in by_rank.values() if lv.name.lower() == row["name"].lower()
                          and lv.rank != row["rank"]), None)
            if clash is not None:
                self.bad(row, "name", "duplicate row", f"Another level is named “{row['name']}” (rank {clash.rank}).")
                continue
            by_rank[row["rank"]] = self.upsert(row, PlanLevel, by_rank.get(row["rank"]), {
                "name": row["name"], "is_plan": row["is a plan"], "typical_years": row.get("typical years", 1),
                "description": row.get("description", "")}, lookup={"council": self.council, "rank": row["rank"]})
        self.levels = {lv.name.lower(): lv for lv in by_rank.values()}
        self.level_by_id = {lv.pk: lv for lv in by_rank.values()}

    def years(self, *years: int) -> None:
        for year in years:
            if year not in self._years:
                ensure_financial_year(year)
                self._years.add(year)

    def plans_sheet(self, rows: list[Row]) -> None:
        existing = {(p.level_id, p.title.lower(), p.start_year_id, p.person_id): p
                    for p in Plan.objects.filter(council=self.council)}
        self.plans: dict[str, Plan] = {}
        previous: list[tuple[Row, Plan]] = []
        for row in rows:
            level = self.levels.get(row["level"].lower())
            if level is None or not level.is_plan:
                self.bad(row, "level", "unknown code", f"“{row['level']}” is not a level of plans on the Plan levels "
                                                       "sheet.")
                continue
            if row["last year"] < row["first year"]:
                self.bad(row, "last year", "period outside its year", "A plan's last year cannot be before its "
                                                                      "first.")
                continue
            approved_by, approved_at = self.person(row, "approved by"), row["approved at"]
            if row["status"] in APPROVED_PLAN and (approved_by is None or approved_at is None):
                self.bad(row, "approved by" if approved_by is None else "approved at", "required",
                         "An approved, active or closed plan must record who approved it and when.")
                continue
            d = self.directorate(row)
            s = self.service(row) if row["service"] else None
            team = None
            if row["team"]:
                team = self.teams.get(((row["directorate"] or "").lower(), (row["service"] or "").lower(),
                                       row["team"].lower()))
                if team is None:
                    self.bad(row, "team", "unknown code", f"“{row['team']}” is not a team of that service.")
            person = self.person(row, "person")
            self.years(row["first year"], row["last year"])
            key = (level.pk, row["title"].lower(), row["first year"], person.pk if person else None)
            plan = self.upsert(row, Plan, existing.get(key), {
                "council": self.council, "level": level, "title": row["title"], "start_year_id": row["first year"],
                "end_year_id": row["last year"], "status": row["status"], "approved_by": approved_by,
                "approved_at": approved_at, "approval_note": row.get("decision reference", ""),
                "owner": self.person(row, "owner"), "directorate": d, "service": s, "team": team, "person": person})
            existing[key] = plan
            self.plans[row["plan key"].lower()] = plan
            if row["previous version"]:
                previous.append((row, plan))
        for row, plan in previous:
            before = self.plans.get(row["previous version"].lower())
            if before is None:
                self.bad(row, "previous version", "unknown code", f"“{row['previous version']}” is not a plan key on "
                                                                  "the Plans sheet.")
            elif plan.previous_version_id != before.pk:
                if plan not in self.created[Plan]:
                    audit.record(user=self.user, action="update", obj=plan, reason=self.reason, council=self.council,
                                 changes={"previous_version": [str(plan.previous_version), str(before)]})
                Plan.objects.filter(pk=plan.pk).update(previous_version=before)

    def items_sheet(self, rows: list[Row]) -> None:
        existing = {(i.plan_id, i.ref.lower()): i for i in PlanItem.objects.filter(plan__council=self.council)}
        self.items: dict[tuple[str, str], PlanItem] = {}
        plan_key_of = {p.pk: k for k, p in self.plans.items()}
        for (plan_id, ref), item in existing.items():
            if plan_id in plan_key_of:
                self.items[(plan_key_of[plan_id], ref)] = item
        waiting = list(rows)
        while waiting:
            later = []
            for row in waiting:
                parent_key = ((row["parent plan key"] or row["plan key"]).lower(), (row["parent ref"] or "").lower())
                if row["parent ref"] and parent_key not in self.items and any(
                        (r["plan key"].lower(), r["ref"].lower()) == parent_key for r in waiting if r is not row):
                    later.append(row)
                    continue
                self.item_row(row, existing)
            if len(later) == len(waiting):
                for row in later:
                    self.bad(row, "parent ref", "unknown code", "The item above it cannot be placed: the items "
                                                                "refer to each other in a loop.")
                break
            waiting = later

    def item_row(self, row: Row, existing: dict) -> None:
        plan = self.plans.get(row["plan key"].lower())
        if plan is None:
            self.bad(row, "plan key", "unknown code", f"“{row['plan key']}” is not a plan key on the Plans sheet.")
            return
        level = self.levels.get(row["level"].lower())
        if level is None:
            self.bad(row, "level", "unknown code", f"“{row['level']}” is not on the Plan levels sheet.")
            return
        plan_level = self.level_by_id[plan.level_id]
        if level.rank < plan_level.rank:
            self.bad(row, "level", "wrong level", f"A {plan_level} cannot hold items at the higher level “{level}”.")
            return
        parent = None
        if row["parent ref"]:
            parent_plan_key = (row["parent plan key"] or row["plan key"]).lower()
            parent = self.items.get((parent_plan_key, row["parent ref"].lower()))
            if parent is None:
                self.bad(row, "parent ref", "unknown code",
                         f"“{row['parent ref']}” is not an item of plan “{row['parent plan key'] or row['plan key']}”.")
                return
            parent_level = self.level_by_id[parent.level_id]
            if parent_level.rank >= level.rank:
                self.bad(row, "parent ref", "wrong level", f"The item above must be at a higher level than “{level}”; "
                                                           f"“{parent}” is a {parent_level}.")
                return
        portfolio = None
        if row["portfolio"]:
            portfolio = self.portfolios.get(row["portfolio"].lower())
            if portfolio is None:
                self.bad(row, "portfolio", "unknown code", f"“{row['portfolio']}” is not on the Portfolios sheet.")
        committees = []
        for name in row["committees"]:
            c = self.committees.get(name.lower())
            if c is None:
                self.bad(row, "committees", "unknown code", f"“{name}” is not on the Committees sheet.")
            else:
                committees.append(c)
        item = self.upsert(row, PlanItem, existing.get((plan.pk, row["ref"].lower())), {
            "plan": plan, "level": level, "parent": parent, "ref": row["ref"], "title": row["title"],
            "description": row.get("description", ""), "position": row.get("position", 0), "portfolio": portfolio,
            "outcome_owner": self.person(row, "outcome owner"), "lead_director": self.person(row, "lead director"),
            "owner": self.person(row, "owner")})
        self.set_links(row, item, "committees", committees)
        self.items[(row["plan key"].lower(), row["ref"].lower())] = item

    def risks_sheet(self, rows: list[Row]) -> None:
        self.risks = {r.ref.lower(): r for r in CorporateRisk.objects.filter(council=self.council)}
        self.risk_measures: list[tuple[Row, CorporateRisk]] = []
        for row in rows:
            key = row["ref"].lower()
            self.risks[key] = self.upsert(row, CorporateRisk, self.risks.get(key), {
                "council": self.council, "ref": row["ref"], "title": row["title"], "owner": self.person(row, "owner"),
                "likelihood": row["likelihood"], "impact": row["impact"],
                "target_likelihood": row["target likelihood"], "target_impact": row["target impact"],
                "directorate": self.directorate(row)})
            if row["measures"] or row["actions"]:
                self.risk_measures.append((row, self.risks[key]))

    def risk_links(self, rows: list[Row]) -> None:
        """The measures each risk names (after the Measures sheet, so that new measures can be named)."""
        for row, risk in self.risk_measures:
            if not row["measures"]:
                continue
            measures = []
            for ref in row["measures"]:
                ind = self.indicators.get(ref.lower())
                if ind is None:
                    self.bad(row, "measures", "unknown code", f"“{ref}” is not a measure of the council (nor on the "
                                                              "Measures sheet).")
                else:
                    measures.append(ind)
            self.set_links(row, risk, "indicators", measures)

    def risk_action_links(self, rows: list[Row]) -> None:
        """The actions each risk names (after the Actions sheet, so that new actions can be named)."""
        for row, risk in self.risk_measures:
            if not row["actions"]:
                continue
            actions = []
            for ref in row["actions"]:
                action = self.actions.get(ref.lower())
                if action is None:
                    self.bad(row, "actions", "unknown code", f"“{ref}” is not an action of the council (nor on the "
                                                             "Actions sheet).")
                else:
                    actions.append(action)
            self.set_links(row, risk, "actions", actions)

    def measures_sheet(self, rows: list[Row]) -> None:
        self.indicators = {i.ref.lower(): i for i in Indicator.objects.filter(council=self.council)}
        for row in rows:
            s = self.service(row)
            risks = []
            for ref in row["risks"]:
                risk = self.risks.get(ref.lower())
                if risk is None:
                    self.bad(row, "risks", "unknown code", f"“{ref}” is not on the Risks sheet.")
                else:
                    risks.append(risk)
            items = self.item_refs(row, "plan items")
            if row["qualitative"] and row["kind"] == IndicatorKind.CONTEXTUAL:
                self.bad(row, "qualitative", "not allowed", NARRATIVE_NOT_CONTEXTUAL)
                continue
            if s is None:
                continue
            key = row["ref"].lower()
            ind = self.upsert(row, Indicator, self.indicators.get(key), {
                "council": self.council, "ref": row["ref"], "title": row["title"], "kind": row["kind"],
                "is_headline": bool(row["headline"]), "is_qualitative": bool(row["qualitative"]),
                "is_restricted": bool(row["restricted"]), "is_perception": bool(row["perception"]), "service": s})
            self.set_links(row, ind, "risks", risks)
            self.set_links(row, ind, "plan_items", items)
            self.indicators[key] = ind

    def specs_sheet(self, rows: list[Row]) -> None:
        existing = {(s.indicator_id, s.version): s
                    for s in Specification.objects.filter(indicator__council=self.council)}
        in_force: dict[int, Specification] = {}
        latest: dict[int, Specification] = {}
        for row in rows:
            ind = self.measure(row)
            if ind is None:
                continue
            problem = None
            if row["calculation"] == Calculation.RATIO and not (row["numerator"] and row["denominator"]):
                problem = ("numerator", "A numerator / denominator calculation needs both labels.")
            elif row["unit"] == Unit.RATE and not row["rate per"]:
                problem = ("rate per", "A rate needs its base (per how many).")
            elif row["decimal places"] is not None and not 0 <= row["decimal places"] <= 6:
                problem = ("decimal places", "Decimal places must be between 0 and 6.")
            elif row["multiplier"] is not None and row["multiplier"] <= 0:
                problem = ("multiplier", "The multiplier must be greater than zero.")
            elif (row["plausible minimum"] is not None and row["plausible maximum"] is not None
                  and row["plausible maximum"] < row["plausible minimum"]):
                problem = ("plausible maximum", "The plausible maximum cannot be below the plausible minimum.")
            elif row["due after (working days)"] is not None and not 0 <= row["due after (working days)"] <= 60:
                problem = ("due after (working days)", "Give 0 to 60 working days.")
            if problem:
                self.bad(row, problem[0], "not allowed", problem[1])
                continue
            self.years(row["valid from"])
            spec = self.upsert(row, Specification, existing.get((ind.pk, row["version"])), {
                "indicator": ind, "version": row["version"], "valid_from_id": row["valid from"],
                "definition": row["definition"], "rationale": row.get("rationale", ""),
                "data_source": row["data source"], "unit": row["unit"], "rate_per": row["rate per"],
                "calculation": row["calculation"], "numerator_label": row.get("numerator", ""),
                "denominator_label": row.get("denominator", ""), "multiplier": row.get("multiplier", Decimal(1)),
                "decimal_places": row.get("decimal places", 0), "polarity": row["polarity"],
                "frequency": row["frequency"], "measure_type": row["measure type"],
                "due_working_days": row.get("due after (working days)", 10),
                "accountable_officer": self.person(row, "accountable officer"),
                "deputy_accountable_officer": self.person(row, "deputy accountable officer"),
                "performance_lead": self.person(row, "performance lead"),
                "deputy_performance_lead": self.person(row, "deputy performance lead"),
                "comparator_group": row.get("comparator group", ""), "national_code": row.get("national code", ""),
                "is_statutory_return": bool(row["statutory return"]), "stretch": row.get("stretch", "moderate"),
                "forecast_method": row.get("forecast method", ""), "plausible_min": row["plausible minimum"],
                "plausible_max": row["plausible maximum"], "change_threshold_pct": row["change threshold (%)"],
                "created_by": existing[(ind.pk, row["version"])].created_by
                if (ind.pk, row["version"]) in existing else self.user})
            existing[(ind.pk, spec.version)] = spec
            if row["in force"]:
                if ind.pk in in_force:
                    self.bad(row, "in force", "duplicate row", f"{ind.ref} has two versions in force.")
                in_force[ind.pk] = spec
            if ind.pk not in latest or spec.version > latest[ind.pk].version:
                latest[ind.pk] = spec
        self.specs: dict[int, list[Specification]] = defaultdict(list)
        for spec in sorted(existing.values(), key=lambda s: (s.valid_from_id, s.version)):
            self.specs[spec.indicator_id].append(spec)
        for ind in self.indicators.values():
            current = in_force.get(ind.pk) or (latest.get(ind.pk) if ind.current_spec_id is None else None)
            if current is not None and ind.current_spec_id != current.pk:
                if ind not in self.created[Indicator]:
                    audit.record(user=self.user, action="update", obj=ind, reason=self.reason, council=self.council,
                                 changes={"current_spec": [str(ind.current_spec) if ind.current_spec_id else None,
                                                           str(current)]})
                ind.current_spec = current
                Indicator.objects.filter(pk=ind.pk).update(current_spec=current)

    def spec_for(self, ind: Indicator, year: int) -> Specification | None:
        specs = self.specs.get(ind.pk) or []
        chosen = specs[0] if specs else None
        for spec in specs:
            if spec.valid_from_id <= year:
                chosen = spec
        return chosen

    def targets_sheet(self, rows: list[Row]) -> None:
        existing = {(t.indicator_id, t.financial_year_id, t.revision): t
                    for t in Target.objects.filter(indicator__council=self.council).prefetch_related("trajectory")}
        decimal = imports.Column("trajectory", "decimal")
        for row in sorted(rows, key=lambda r: r.get("revision", 1)):
            ind = self.measure(row)
            if ind is None:
                continue
            year, revision = row["year"], row.get("revision", 1)
            points = []
            for n, raw in enumerate(row["trajectory"], start=1):
                try:
                    points.append((n, imports.parse_value(decimal, raw)))
                except imports.BadValue as bad:
                    self.bad(row, "trajectory", "wrong type", f"Trajectory value {n} {bad}.")
            spec = self.spec_for(ind, year)
            if spec is not None and len(points) > periods_per_year(spec.frequency):
                self.bad(row, "trajectory", "period outside its year",
                         f"The trajectory has {len(points)} values; a {spec.get_frequency_display().lower()} measure "
                         f"has {periods_per_year(spec.frequency)} periods in a year.")
                continue
            if row["tolerance (%)"] is not None and row["tolerance (absolute)"] is not None:
                self.bad(row, "tolerance (absolute)", "not allowed", "Give the tolerance as a percentage or an "
                                                                     "absolute amount, not both.")
                continue
            if any((row[c] or 0) < 0 for c in ("tolerance (%)", "tolerance (absolute)")):
                self.bad(row, "tolerance (%)", "not negative", "The tolerance cannot be negative.")
                continue
            if (row["band low"] is None) != (row["band high"] is None) or (
                    row["band low"] is not None and row["band high"] < row["band low"]):
                self.bad(row, "band high", "not allowed", "A band needs both its low and high edge, low not above "
                                                          "high.")
                continue
            approved_by = self.person(row, "approved by")
            if row["approved at"] is not None and approved_by is None:
                self.bad(row, "approved by", "required", "An approved target records who approved it.")
                continue
            revises = None
            if revision > 1:
                revises = existing.get((ind.pk, year, revision - 1))
                if revises is None or not row["revision reason"]:
                    self.bad(row, "revision reason" if revises else "revision", "required",
                             "A re-approved target records the one it replaces (the revision before it, on this "
                             "sheet) and why.")
                    continue
            self.years(year)
            fields = {"annual_target": row["annual target"], "band_low": row["band low"],
                      "band_high": row["band high"], "baseline": row["baseline"],
                      "needs_baseline": bool(row["needs baseline"]), "tolerance_pct": row["tolerance (%)"],
                      "tolerance_abs": row["tolerance (absolute)"], "revision_reason": row.get("revision reason", ""),
                      "approved_at": row["approved at"], "approved_by": approved_by}
            found = existing.get((ind.pk, year, revision))
            if found is None:
                target = Target.objects.create(
                    indicator=ind, financial_year_id=year, revision=revision, revises=revises,
                    note=row.get("note", ""), superseded_at=row["superseded at"],
                    **{k: v for k, v in fields.items() if k not in ("approved_at", "approved_by")})
                TrajectoryPoint.objects.bulk_create(
                    TrajectoryPoint(target=target, period_number=n, value=v) for n, v in points)
                if row["approved at"] is not None:  # locked once its trajectory is in (the database's rule)
                    Target.objects.filter(pk=target.pk).update(approved_at=row["approved at"],
                                                               approved_by=approved_by)
                    target.approved_at, target.approved_by = row["approved at"], approved_by
                self.created[Target].append(target)
                self.outcome.created[row.sheet] += 1
                existing[(ind.pk, year, revision)] = target
                continue
            had = {p.period_number: p.value for p in found.trajectory.all()}
            figures_differ = any(_differs(found, k, v) for k, v in fields.items()) or (
                len(had) != len(points) or any(not _same(had.get(n), v) for n, v in points))
            if found.is_locked and figures_differ:
                self.bad(row, "annual target", "approved target changed",
                         f"The {ind.ref} target for {found.financial_year} was approved and is locked; this row "
                         "changes it. Re-approve it on the measure's page instead, or correct the row.")
                continue
            others = {"note": row.get("note", ""), "superseded_at": row["superseded at"]}
            if figures_differ:
                self.upsert(row, Target, found, {**fields, **others})
                TrajectoryPoint.objects.filter(target=found).delete()
                TrajectoryPoint.objects.bulk_create(
                    TrajectoryPoint(target=found, period_number=n, value=v) for n, v in points)
            else:
                self.upsert(row, Target, found, others)

    def returns_sheet(self, rows: list[Row]) -> None:
        existing = {(r.indicator_id, r.period_id): r for r in Return.objects.filter(indicator__council=self.council)}
        periods = {(p.financial_year_id, p.frequency, p.number): p for p in Period.objects.all()}
        new: list[Return] = []
        for row in rows:
            ind = self.measure(row)
            if ind is None:
                continue
            year, number = row["year"], row["period"]
            spec = self.spec_for(ind, year)
            if spec is None:
                self.bad(row, "measure", "required", f"{ind.ref} has no specification, so its periods are unknown.")
                continue
            if not 1 <= number <= periods_per_year(spec.frequency):
                self.bad(row, "period", "period outside its year",
                         f"{ind.ref} reports {spec.get_frequency_display().lower()}: a year has periods 1 to "
                         f"{periods_per_year(spec.frequency)}, not {number}.")
                continue
            self.years(year)
            period = periods.get((year, spec.frequency, number))
            if period is None:
                periods.update({(p.financial_year_id, p.frequency, p.number): p
                                for p in Period.objects.filter(financial_year_id=year)})
                period = periods[(year, spec.frequency, number)]
            values = self.return_values(row, ind, spec)
            if values is None:
                continue
            found = existing.get((ind.pk, period.pk))
            if found is None:
                ret = Return(indicator=ind, period=period, version=1, **values)
                new.append(ret)
                existing[(ind.pk, period.pk)] = ret
                self.outcome.created[row.sheet] += 1
                continue
            if found.pk is None:
                continue  # a duplicate row, reported by the sheet's reading
            changes = {k: [_shown(getattr(found, k)), _shown(v)] for k, v in values.items()
                       if _differs(found, k, v)}
            if not changes:
                self.outcome.unchanged[row.sheet] += 1
                continue
            if found.state == ReturnState.APPROVED:
                self.bad(row, "value" if any(k in RETURN_FIGURES for k in changes) else "state",
                         "approved return changed",
                         f"The {ind.ref} return for {period.label} was approved and is locked; this row changes it "
                         f"({', '.join(sorted(changes))}). Ask for it to be reopened, or correct the row.")
                continue
            Return.objects.filter(pk=found.pk).update(version=models.F("version") + 1, updated_at=self.now, **values)
            audit.record(user=self.user, action="update", obj=found, changes=changes, reason=self.reason,
                         council=self.council)
            self.outcome.changed[row.sheet] += 1
        Return.objects.bulk_create(new, batch_size=500)
        self.created[Return].extend(new)

    def return_values(self, row: Row, ind: Indicator, spec: Specification) -> dict | None:
        value, numerator, denominator = row["value"], row["numerator"], row["denominator"]
        state = row["state"]
        if (numerator is None) != (denominator is None):
            self.bad(row, "denominator" if denominator is None else "numerator", "required",
                     "A numerator needs a denominator, and a denominator a numerator.")
            return None
        if denominator is not None and denominator == 0:
            self.bad(row, "denominator", "not allowed", "The denominator cannot be zero.")
            return None
        if numerator is not None and spec.unit == Unit.PERCENT and numerator > denominator:
            self.bad(row, "numerator", "numerator above denominator",
                     f"The numerator ({numerator}) is above the denominator ({denominator}): a percentage of more "
                     "than 100.")
            return None
        if numerator is not None and spec.calculation == Calculation.RATIO:
            computed = rules.quantize(numerator / denominator * spec.multiplier, spec.decimal_places)
            if value is None:
                value = computed
            elif abs(value - computed) > Decimal(1).scaleb(-spec.decimal_places):
                self.bad(row, "value", "value does not match",
                         f"The value {value} does not match the numerator and denominator ({computed}).")
                return None
        if value is not None and row["no data reason"]:
            self.bad(row, "no data reason", "not allowed", "A return cannot have both a value and a “no data” "
                                                           "reason.")
            return None
        chosen = row.get("self-assessed status", "")
        if chosen and not ind.is_qualitative:
            self.bad(row, "self-assessed status", "not allowed",
                     f"{ind.ref} is not a narrative measure: its status is worked out from its figure, so it takes no "
                     "self-assessed status.")
            return None
        people = {c: self.person(row, c) for c in ("submitted by", "verified by", "approved by")}
        if state not in (ReturnState.DRAFT, ReturnState.RETURNED) and value is None and not row["no data reason"] \
                and not chosen:
            self.bad(row, "self-assessed status" if ind.is_qualitative else "value", "required",
                     "A submitted return needs a value, a self-assessed status (for a narrative measure) or a reason "
                     "why there is no data.")
            return None
        needs = {ReturnState.SUBMITTED: ["submitted"], ReturnState.VERIFIED: ["submitted", "verified"],
                 ReturnState.APPROVED: ["submitted", "approved"]}.get(state, [])
        for step in needs:
            if people[f"{step} by"] is None or row[f"{step} at"] is None:
                column = f"{step} by" if people[f"{step} by"] is None else f"{step} at"
                self.bad(row, column, "required", f"A {state} return must record who {step} it and when.")
                return None
        if state == ReturnState.RETURNED and not row["returned reason"]:
            self.bad(row, "returned reason", "required", "A return sent back needs a reason.")
            return None
        if row["forecast confidence"] and row["forecast"] is None:
            self.bad(row, "forecast confidence", "not allowed", "Give a forecast with its confidence.")
            return None
        return {"value": value, "numerator": numerator, "denominator": denominator, "forecast": row["forecast"],
                "forecast_confidence": row.get("forecast confidence", ""), "commentary": row.get("commentary", ""),
                "self_assessed_rag": chosen,
                "no_data_reason": row.get("no data reason", ""), "is_estimate": bool(row["estimate"]),
                "is_queried": bool(row["queried"]), "query_note": row.get("query note", ""), "state": state,
                "returned_reason": row.get("returned reason", ""),
                "submitted_by": people["submitted by"], "submitted_at": row["submitted at"],
                "verified_by": people["verified by"], "verified_at": row["verified at"],
                "approved_by": people["approved by"], "approved_at": row["approved at"], "due_on": row["due on"]}

    def actions_sheet(self, rows: list[Row]) -> None:
        self.actions = {a.ref.lower(): a for a in Action.objects.filter(council=self.council)}
        for row in rows:
            s = self.service(row) if row["service"] else None
            items = self.item_refs(row, "plan items")
            start, end, forecast = row["start"], row["approved end"], row["forecast end"]
            problem = None
            if start and end < start:
                problem = ("approved end", "The approved end date cannot be before the start.")
            elif start and forecast and forecast < start:
                problem = ("forecast end", "The forecast end date cannot be before the start.")
            elif row["no longer viable"] and not row["no longer viable reason"]:
                problem = ("no longer viable reason", "An action marked no longer viable needs a reason.")
            elif row["no longer viable"] and row["completed on"]:
                problem = ("completed on", "An action cannot be both completed and no longer viable.")
            elif not 0 <= (row["progress (%)"] or 0) <= 100:
                problem = ("progress (%)", "Progress must be between 0 and 100%.")
            if problem:
                self.bad(row, problem[0], "not allowed", problem[1])
                continue
            key = row["ref"].lower()
            action = self.upsert(row, Action, self.actions.get(key), {
                "council": self.council, "ref": row["ref"], "title": row["title"],
                "description": row.get("description", ""), "service": s, "owner": self.person(row, "owner"),
                "is_key": bool(row["key action"]), "start": start, "approved_end": end, "forecast_end": forecast,
                "completed_on": row["completed on"], "no_longer_viable": bool(row["no longer viable"]),
                "no_longer_viable_reason": row.get("no longer viable reason", ""),
                "progress_pct": row.get("progress (%)", 0), "latest_update": row.get("latest update", "")})
            self.set_links(row, action, "plan_items", items)
            self.actions[key] = action

    def milestones_sheet(self, rows: list[Row]) -> None:
        existing = {(m.action_id, m.title.lower(), m.approved_date): m
                    for m in Milestone.objects.filter(action__council=self.council)}
        for row in rows:
            action = self.actions.get(row["action"].lower())
            if action is None:
                self.bad(row, "action", "unknown code", f"“{row['action']}” is not on the Actions sheet.")
                continue
            key = (action.pk, row["title"].lower(), row["approved date"])
            existing[key] = self.upsert(row, Milestone, existing.get(key), {
                "action": action, "title": row["title"], "approved_date": row["approved date"],
                "forecast_date": row["forecast date"], "completed_on": row["completed on"]})

    def benchmarks_sheet(self, rows: list[Row]) -> None:
        existing = {(b.indicator_id, b.financial_year_id, b.comparator.lower()): b
                    for b in BenchmarkValue.objects.filter(indicator__council=self.council)}
        for row in rows:
            ind = self.measure(row)
            if ind is None:
                continue
            self.years(row["year"])
            key = (ind.pk, row["year"], row["comparator"].lower())
            existing[key] = self.upsert(row, BenchmarkValue, existing.get(key), {
                "value": row["value"], "source": row.get("source", "")}, lookup={
                "indicator": ind, "financial_year_id": row["year"], "comparator": row["comparator"]})
