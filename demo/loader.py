"""Builds the Harrowdale demo council. Called by ``manage.py load_demo`` through :func:`load_demo`.

Everything is derived from seeded ``random.Random`` instances (one per section or per indicator, seeded
with strings, so changing one part does not reshuffle the rest) and from the as-of date; nothing reads the
real clock, and ``auto_now`` timestamps are overwritten with fixed ones at the end.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.text import slugify
from PIL import Image, ImageDraw

from demo import DEMO_AS_OF, DEMO_COUNCIL_NAME, DEMO_PASSWORD, DEMO_SEED, DEMO_SLUG, text
from demo import organisation as org
from demo.catalogue import INDICATORS, PROFILES, SPEC_V2, Ind
from demo.reports import make_report_definitions
from demo.timetable import make_timetable
from indicators import benchmarking
from indicators.assessment import rag as rag_of
from indicators.models import (
    CorporateRisk,
    Indicator,
    Return,
    ReturnReopening,
    ServiceFinance,
    Specification,
    Target,
    TrajectoryPoint,
)
from indicators.plan_services import lock_targets
from plans.approvals import apply_default_approval
from plans.assessment import action_status
from plans.models import Action, DecisionPoint, Milestone, Plan, PlanItem, PlanLevel, Programme, Project
from pmf.calendar import due_date
from pmf.choices import CommitteeKind, Frequency, Role
from pmf.imports import Book
from pmf.models import Committee, Council, Directorate, Period, Portfolio, RoleAssignment, Service, Team, User
from pmf.periods import add_months, financial_year_label, period_for_date, periods_per_year
from pmf.services import ensure_financial_year, maintenance_window, performance_unit_group
from reporting.models import CaseStudy, Pack, PackFile, ReportDefinition
from reporting.schedule import ensure_schedule
from reporting.tracker import latest_quarter, track

LONDON = ZoneInfo("Europe/London")
PASSWORD_SALT = "harrowdaledemo"  # fixed so that a reload writes byte-identical data
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def dec(x: float | int | Decimal, places: int) -> Decimal:
    """A float from the generator as an exact Decimal at ``places``, rounded half up."""
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def ratio_value(numerator: Decimal, denominator: Decimal, multiplier: Decimal, places: int) -> Decimal:
    """B5: value = numerator / denominator x multiplier, rounded half up at the specification's places."""
    with localcontext() as ctx:
        ctx.prec = 28
        raw = numerator / denominator * multiplier
    return raw.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def aware(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def username_for(first: str, last: str) -> str:
    return f"{first}.{last}".lower().replace("'", "").replace(" ", "")


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


# Performance characters: mean score per demo year (in tolerance units: >= 0 green, -1..0 amber,
# < -1 red) and the noise around it.
CHARACTERS: dict[str, tuple[tuple[float, float, float], float]] = {
    "good": ((1.3, 1.4, 1.5), 0.75),
    "steady": ((0.6, 0.7, 0.7), 0.8),
    "marginal": ((-0.2, -0.3, 0.0), 0.8),
    "poor": ((-2.4, -2.2, -2.3), 0.7),
    "recovering": ((-2.2, -0.7, 0.9), 0.7),
    "declining": ((1.3, -0.2, -1.9), 0.7),
}
CHARACTER_WEIGHTS = {"good": 34, "steady": 27, "marginal": 17, "poor": 5, "recovering": 9, "declining": 8}

ACTION_STATUS_WEIGHTS = {"delivered": 27, "on_target": 38, "scheduled": 8, "slipped_lt3": 12,
                         "slipped_gt3": 8, "no_longer_viable": 7}


@dataclass
class Figure:
    """One generated period figure of an indicator (whether or not a Return row is written for it)."""

    year: int
    number: int
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    assessed: Decimal | None = None  # the year-to-date figure for cumulative measures, else the value
    point_target: Decimal | None = None
    rag: str = "measured"
    score: float = 0.0


@dataclass
class IndicatorPlan:
    """What the loader knows about one indicator while building it."""

    ind: Ind
    obj: Indicator
    service: Service
    rng: random.Random
    character: str
    specs: list[Specification] = field(default_factory=list)
    annual: dict[int, Decimal | None] = field(default_factory=dict)
    trajectory: dict[int, list[Decimal]] = field(default_factory=dict)
    targets: dict[int, Target] = field(default_factory=dict)
    figures: dict[tuple[int, int], Figure] = field(default_factory=dict)
    outturn: dict[int, Decimal | None] = field(default_factory=dict)
    band_side: int = 1


class DemoLoader:
    #: The measures to build and the specification changes from the current year (B2 versioning), by reference. The
    #: pair of district councils (demo/pair.py) builds from its own.
    catalogue: tuple[Ind, ...] = INDICATORS
    spec_changes: dict[str, str] = SPEC_V2

    def __init__(self, as_of: date):
        self.as_of = as_of
        self.cy, _ = period_for_date(frequency=Frequency.ANNUAL, on=as_of)
        self.y0 = self.cy - 2
        self.years = (self.y0, self.y0 + 1, self.cy)
        self.cutoff = aware(as_of, 8, 0)  # nothing in the demo happens after this moment
        self.last_day = as_of - timedelta(days=1)

    # ------------------------------------------------------------------------------------------ helpers

    @staticmethod
    def rng(*parts: object) -> random.Random:
        return random.Random(":".join([str(DEMO_SEED), *map(str, parts)]))

    def fy(self, year: int) -> str:
        return financial_year_label(year)

    # ------------------------------------------------------------------------------------------ load

    def load(self) -> Council:
        self.make_years()
        self.make_council()
        self.make_levels()
        self.make_organisation()
        self.make_people()
        self.make_committees()
        self.make_plans()
        self.make_risks()
        self.make_indicators()
        self.make_returns()
        self.make_benchmarks()
        self.make_actions()
        self.link_risk_actions()
        self.make_programmes()
        self.make_finance()
        self.fix_timestamps()
        make_timetable(self.council, year_start=self.cy)
        ensure_schedule(self.council)  # E5: the council's reminder and draft-pack jobs for Celery beat
        make_report_definitions(self.council)  # D2, D3: the reports the council issues
        self.make_case_studies()
        # D3: the exception tracker's history, quarter by quarter from the start of last year
        track(self.council, up_to=latest_quarter(self.as_of), since=(self.cy - 1, 1))
        return self.council

    # ------------------------------------------------------------------------------------------ case studies

    def make_case_studies(self) -> None:
        """F2, S 14: stories of staff work, three approved and published with a picture, one waiting."""
        users = {u.username: u for u in User.objects.filter(role_assignments__council=self.council)}
        staff = [u for name, u in sorted(users.items())]
        rng = self.rng("case-studies")
        for n, (title, story, ref, colour, status) in enumerate(text.CASE_STUDIES):
            author = users.get("liam.fenwick") if n == 0 else staff[rng.randrange(len(staff))]
            team = author.teams.first() if author else None
            picture = f"{title}.png" if status == "approved" else ""
            study = CaseStudy(
                council=self.council, title=title, story=story, team=team, priority=self.priority_item[ref],
                financial_year_id=self.cy, quarter=1 + n % 2, author=author,
                picture_alt=f"Illustration for the story “{title}”: coloured shapes, no text." if picture else "",
                status=status, is_published=status == "approved",
                reviewed_by=self.performance_unit[0]["user"] if status == "approved" else None,
                reviewed_at=aware(self.as_of - timedelta(days=20 + n), 11, 0) if status == "approved" else None,
                created_at=aware(self.as_of - timedelta(days=30 + n), 9, 30))
            if picture:
                study.picture.save(slugify(title) + ".png", ContentFile(_illustration(colour, n)), save=False)
            study.save()

    # ------------------------------------------------------------------------------------------ years

    def make_years(self) -> None:
        for year in range(self.y0 - 1, self.y0 + 4):
            ensure_financial_year(year)
        self.periods: dict[tuple[int, str, int], Period] = {
            (p.financial_year_id, p.frequency, p.number): p
            for p in Period.objects.filter(financial_year_id__in=self.years)
        }

    def make_council(self) -> None:
        self.council = Council.objects.create(
            name=DEMO_COUNCIL_NAME, short_name="Harrowdale", slug=DEMO_SLUG, council_type="unitary",
            ons_code="E06099901", website="https://harrowdale.example", default_tolerance_pct=Decimal("5"),
            default_due_working_days=10, period_close_days=5,
        )

    def make_levels(self) -> None:
        rows = (
            (1, "Council Plan", True, 4, "The four-year Council Plan: the top of the golden thread."),
            (2, "Priority", False, 4, "One of the Council Plan's ten priorities, each with a Cabinet member "
                                       "outcome owner and a lead director."),
            (3, "Outcome", False, 4, "An outcome the council wants for residents under a priority."),
            (4, "Outcome delivery plan", True, 1, "The yearly delivery plan for a priority's outcomes."),
            (5, "Directorate business plan", True, 3, "A directorate's three-year business plan."),
            (6, "Service plan", True, 1, "A service's annual plan."),
            (7, "Team plan", True, 1, "A team's annual plan."),
            (8, "Individual objectives", True, 1, "A person's annual appraisal objectives."),
            (9, "Partnership plan", True, 3, "A plan agreed with partners, hanging off Council Plan outcomes."),
        )
        levels = [PlanLevel(council=self.council, rank=rank, name=name, is_plan=is_plan, typical_years=years,
                            description=desc) for rank, name, is_plan, years, desc in rows]
        for level in levels:
            if level.is_plan:
                apply_default_approval(level)  # A4: who approves each level's plans
        levels = PlanLevel.objects.bulk_create(levels)
        self.level = {lv.rank: lv for lv in levels}

    # ------------------------------------------------------------------------------------------ organisation

    def make_organisation(self) -> None:
        directorates = Directorate.objects.bulk_create(
            [Directorate(name=d.name, code=d.code) for d in org.DIRECTORATES])
        self.directorates = {d.key: obj for d, obj in zip(org.DIRECTORATES, directorates, strict=True)}
        Directorate.councils.through.objects.bulk_create([
            Directorate.councils.through(directorate_id=d.pk, council_id=self.council.pk) for d in directorates
        ])
        services = Service.objects.bulk_create([
            Service(directorate=self.directorates[s.directorate], name=s.name) for s in org.SERVICES])
        self.services = {s.key: obj for s, obj in zip(org.SERVICES, services, strict=True)}
        self.service_defs = {s.key: s for s in org.SERVICES}
        teams = Team.objects.bulk_create([
            Team(service=self.services[s.key], name=name) for s in org.SERVICES for name in s.teams])
        self.teams: dict[str, list[Team]] = {}
        for team in teams:
            key = next(s.key for s in org.SERVICES if self.services[s.key].pk == team.service_id)
            self.teams.setdefault(key, []).append(team)
        # A1: the wholly-owned company and the commissioned contract its directorate oversees (no council teams).
        for u in org.EXTERNAL_UNITS:
            self.services[u.key] = Service.objects.create(
                directorate=self.directorates[u.directorate], name=u.name, kind=u.kind, provider=u.provider)
            self.service_defs[u.key] = u

    def make_people(self) -> None:
        rng = self.rng("people")
        used = set(org.NAMED_PEOPLE)
        people: list[dict] = []

        def person(title: str, *, named: str | None = None, member: bool = False, team: Team | None = None,
                   roles: tuple[tuple[str, dict], ...] = ()) -> dict:
            if named:
                first, last = org.NAMED_PEOPLE[named]
                username = named
            else:
                while True:
                    first, last = rng.choice(org.FIRST_NAMES), rng.choice(org.SURNAMES)
                    username = username_for(first, last)
                    if username not in used:
                        break
            used.add(username)
            record = {"username": username, "first": first, "last": last, "title": title, "member": member,
                      "team": team, "roles": list(roles)}
            people.append(record)
            return record

        self.chief_executive = person("Chief Executive", roles=((Role.STAFF, {}),))
        self.director_rec: dict[str, dict] = {}
        self.delegate_rec: dict[str, dict] = {}
        for d in org.DIRECTORATES:
            obj = self.directorates[d.key]
            self.director_rec[d.key] = person(
                d.director_title, named="ruth.calloway" if d.key == "pe" else None,
                roles=((Role.DIRECTOR, {"directorate": obj}),))
            self.delegate_rec[d.key] = person(
                f"Assistant Director, {d.name}", named="sanjay.mistry" if d.key == "pe" else None,
                roles=((Role.DELEGATE, {"directorate": obj, "delegate_for": d.key}),))

        self.head_rec: dict[str, dict] = {}
        self.lead_rec: dict[str, dict] = {}  # service-level lead
        self.team_lead_rec: dict[str, dict] = {}  # team-level lead, for even-numbered services
        for index, s in enumerate(org.SERVICES):
            svc = self.services[s.key]
            self.head_rec[s.key] = person(f"Head of {s.name}", named="grace.okafor" if s.key == "waste" else None,
                                          roles=((Role.HEAD_OF_SERVICE, {"service": svc}),))
            self.lead_rec[s.key] = person(f"Service Manager (Performance Lead), {s.name}",
                                          named="tom.ashworth" if s.key == "waste" else None,
                                          roles=((Role.SERVICE_LEAD, {"service": svc}),))
            if index % 2 == 0:
                team = self.teams[s.key][0]
                self.team_lead_rec[s.key] = person(f"Team Manager, {team.name}", team=team,
                                                   roles=((Role.SERVICE_LEAD, {"team": team}),))
        # A service without a team-level lead is covered by the lead of its neighbouring service, so every
        # service has a performance lead and a deputy.
        self.second_lead: dict[str, dict] = {}
        for index, s in enumerate(org.SERVICES):
            if s.key in self.team_lead_rec:
                self.second_lead[s.key] = self.team_lead_rec[s.key]
            else:
                cover = self.lead_rec[org.SERVICES[index - 1].key]
                cover["roles"].append((Role.SERVICE_LEAD, {"service": self.services[s.key]}))
                self.second_lead[s.key] = cover

        # Staff: one per team first (the team leader where there is no team-level lead), then 20 more.
        all_teams = [(s.key, t) for s in org.SERVICES for t in self.teams[s.key]]
        self.staff_by_team: dict[int, list[dict]] = {t.pk: [] for _, t in all_teams}
        self.team_manager: dict[int, dict] = {}
        for key, team in all_teams:
            lead = self.team_lead_rec.get(key)
            manages = not (lead and lead["team"] is team)
            named = "liam.fenwick" if (key == "waste" and team is self.teams["waste"][0]) else None
            title = f"Team Leader, {team.name}" if manages else f"{rng.choice(org.STAFF_TITLES)}, {team.name}"
            rec = person(title, named=named, team=team, roles=((Role.STAFF, {"team": team}),))
            self.staff_by_team[team.pk].append(rec)
            self.team_manager[team.pk] = rec if manages else lead
        for _ in range(20):
            key, team = rng.choice(all_teams)
            rec = person(f"{rng.choice(org.STAFF_TITLES)}, {team.name}", team=team,
                         roles=((Role.STAFF, {"team": team}),))
            self.staff_by_team[team.pk].append(rec)

        perf_team = self.teams["policy_perf"][0]
        self.performance_unit = [
            person(title, named="helen.marsh" if i == 0 else None, team=perf_team,
                   roles=((Role.PERFORMANCE_UNIT, {}),))
            for i, title in enumerate(org.PERFORMANCE_UNIT_TITLES)
        ]
        self.audit = [
            person(title, named="nadia.holloway" if i == 0 else None, roles=((Role.INTERNAL_AUDIT, {}),))
            for i, title in enumerate(org.INTERNAL_AUDIT_TITLES)
        ]
        self.cabinet: dict[str, dict] = {}
        for p in org.PRIORITIES:
            named = {"P5": "owen.hartley", "P10": "eleanor.pryce"}.get(p.ref)
            title = ("Leader of the Council and Cabinet Member for Finance and Resources" if p.ref == "P10"
                     else f"Cabinet Member for {p.portfolio}")
            self.cabinet[p.ref] = person(title, named=named, member=True)
        self.scrutiny: dict[str, list[dict]] = {}
        for name, kind, _ in org.COMMITTEES:
            if kind != "scrutiny":
                continue
            place = "Place" in name
            self.scrutiny[name] = [
                person("Councillor", named="gareth.whitlow" if (place and i == 0) else None, member=True)
                for i in range(10)
            ]
        # A1: who runs and reports on the company and the contract, and the councillors of the Shareholder Board.
        for u in org.EXTERNAL_UNITS:
            svc = self.services[u.key]
            self.head_rec[u.key] = person(u.head_title, roles=((Role.HEAD_OF_SERVICE, {"service": svc}),))
            self.lead_rec[u.key], self.second_lead[u.key] = (
                person(title, roles=((Role.SERVICE_LEAD, {"service": svc}),)) for title in u.lead_titles)
        self.shareholders = [
            person("Chair, Harrowdale Shareholder Board" if i == 0 else "Councillor, Harrowdale Shareholder Board",
                   named="frances.oyelaran" if i == 0 else None, member=True)
            for i in range(3)
        ]

        password = make_password(DEMO_PASSWORD, salt=PASSWORD_SALT)
        joined = aware(date(self.y0 - 1, 9, 1), 9, 0)
        unit = {id(p) for p in self.performance_unit}
        users = User.objects.bulk_create([
            User(username=p["username"], first_name=p["first"], last_name=p["last"], job_title=p["title"],
                 is_member=p["member"], email=f"{p['username']}@harrowdale.example", password=password,
                 date_joined=joined + timedelta(minutes=i), is_staff=id(p) in unit)
            for i, p in enumerate(people)
        ])
        for p, user in zip(people, users, strict=True):
            p["user"] = user
        # The performance unit configures the framework in the admin (E1), through its permission group.
        group = performance_unit_group()
        User.groups.through.objects.bulk_create([
            User.groups.through(user_id=p["user"].pk, group_id=group.pk) for p in self.performance_unit])
        self.people = people
        self.user = {p["username"]: p["user"] for p in people}
        if not User.objects.filter(username="admin").exists():
            User.objects.create(username="admin", password=password, is_staff=True, is_superuser=True,
                                first_name="Demo", last_name="Administrator", email="admin@harrowdale.example",
                                date_joined=joined)

        for d in org.DIRECTORATES:
            self.directorates[d.key].director = self.director_rec[d.key]["user"]
        Directorate.objects.bulk_update(self.directorates.values(), ["director"])
        for key in self.services:
            self.services[key].head = self.head_rec[key]["user"]
        Service.objects.bulk_update(self.services.values(), ["head"])
        all_team_objs = [t for s in org.SERVICES for t in self.teams[s.key]]
        for team in all_team_objs:
            team.manager = self.team_manager[team.pk]["user"]
        Team.objects.bulk_update(all_team_objs, ["manager"])
        through = Team.members.through
        through.objects.bulk_create([
            through(team_id=p["team"].pk, user_id=p["user"].pk) for p in people if p["team"] is not None
        ])

    def make_committees(self) -> None:
        self.portfolios: dict[str, Portfolio] = {}
        for p in org.PRIORITIES:
            self.portfolios[p.ref] = Portfolio.objects.create(
                council=self.council, name=p.portfolio, holder=self.cabinet[p.ref]["user"])
        self.committees: dict[str, Committee] = {}
        for name, kind, _ in org.COMMITTEES:
            chair = self.cabinet["P10"]["user"] if kind == "cabinet" else self.scrutiny[name][0]["user"]
            committee = Committee.objects.create(name=name, kind=kind, chair=chair)
            committee.councils.add(self.council)
            self.committees[name] = committee
        cabinet = self.committees[org.COMMITTEES[0][0]]

        assignments = []
        for p in self.people:
            for role, scope in p["roles"]:
                scope = dict(scope)
                if "delegate_for" in scope:
                    scope["delegate_for"] = self.director_rec[scope["delegate_for"]]["user"]
                assignments.append(RoleAssignment(user=p["user"], council=self.council, role=role, **scope))
        for ref, rec in self.cabinet.items():
            assignments.append(RoleAssignment(user=rec["user"], council=self.council, role=Role.CABINET_MEMBER,
                                              portfolio=self.portfolios[ref], committee=cabinet))
        for name, members in self.scrutiny.items():
            for rec in members:
                assignments.append(RoleAssignment(user=rec["user"], council=self.council,
                                                  role=Role.SCRUTINY_MEMBER, committee=self.committees[name]))
        # The Shareholder Board: its members read what is in its remit, as a scrutiny committee's members do.
        board = Committee.objects.create(name=org.SHAREHOLDER_BOARD[0], kind=CommitteeKind.SHAREHOLDER,
                                         chair=self.shareholders[0]["user"])
        board.councils.add(self.council)
        self.committees[board.name] = board
        assignments += [RoleAssignment(user=rec["user"], council=self.council, role=Role.SCRUTINY_MEMBER,
                                       committee=board) for rec in self.shareholders]
        RoleAssignment.objects.bulk_create(assignments)

    # ------------------------------------------------------------------------------------------ plans

    def add_item(self, plan: Plan, rank: int, ref: str, title: str, parent: PlanItem | None = None,
                 position: int = 0, **extra) -> PlanItem:
        item = PlanItem(plan=plan, level=self.level[rank], ref=ref, title=title, parent=parent,
                        position=position, **extra)
        item.save()
        return item

    def make_plan(self, rank: int, title: str, start: int, end: int, status: str, approver: User | None,
                  approved_on: date | None, note: str = "", **extra) -> Plan:
        approved = status != "draft"
        return Plan.objects.create(
            council=self.council, level=self.level[rank], title=title, start_year_id=start, end_year_id=end,
            status=status, approved_by=approver if approved else None,
            approved_at=aware(approved_on, 17, 30) if approved else None, approval_note=note if approved else "",
            **extra)

    def make_plans(self) -> None:
        rng = self.rng("plans")
        y0, cy = self.y0, self.cy
        leader = self.cabinet["P10"]["user"]
        cabinet_day = date(y0, 2, 14)
        council_day = date(y0, 2, 27)
        self.council_plan = self.make_plan(
            1, f"Harrowdale Council Plan {y0}-{y0 + 4}", y0, y0 + 3, "active", leader, council_day,
            note=f"Recommended by Cabinet on {cabinet_day:%d %B %Y} (minute 112); adopted by full Council on "
                 f"{council_day:%d %B %Y} (minute 84).",
            owner=self.chief_executive["user"])
        self.priority_item: dict[str, PlanItem] = {}
        self.outcome_item: dict[str, PlanItem] = {}
        self.outcome_title: dict[str, str] = {}
        for pi, p in enumerate(org.PRIORITIES, start=1):
            director = self.director_rec[p.directorate]["user"]
            item = self.add_item(
                self.council_plan, 2, p.ref, p.title, position=pi, portfolio=self.portfolios[p.ref],
                outcome_owner=self.cabinet[p.ref]["user"], lead_director=director, owner=director,
                description=f"Priority {pi} of the Council Plan. Outcome owner: the Cabinet Member for "
                            f"{p.portfolio}. Lead director: the {self.directorates[p.directorate].name} director.")
            self.priority_item[p.ref] = item
            for oi, title in enumerate(p.outcomes, start=1):
                ref = f"{p.ref}.O{oi}"
                self.outcome_item[ref] = self.add_item(
                    self.council_plan, 3, ref, title, parent=item, position=oi, owner=director,
                    portfolio=self.portfolios[p.ref])
                self.outcome_title[ref] = title

        # Outcome delivery plans (refreshed yearly) for a few priorities.
        self.delivery_items: dict[str, list[PlanItem]] = {}
        for pref, outcomes in org.OUTCOME_DELIVERY.items():
            p = next(x for x in org.PRIORITIES if x.ref == pref)
            plan = self.make_plan(
                4, f"{p.title}: outcome delivery plan {self.fy(cy)}", cy, cy, "active", self.cabinet[pref]["user"],
                date(cy, 4, 8), note="Approved by the portfolio holder.",
                owner=self.director_rec[p.directorate]["user"], directorate=self.directorates[p.directorate])
            n = 0
            for oref, titles in outcomes.items():
                for title in titles:
                    n += 1
                    self.delivery_items.setdefault(oref, []).append(
                        self.add_item(plan, 4, f"{pref}.D{n}", title, parent=self.outcome_item[oref], position=n,
                                      owner=self.director_rec[p.directorate]["user"]))

        # Directorate business plans (3 years).
        self.directorate_item: dict[tuple[str, str], PlanItem] = {}
        for d in org.DIRECTORATES:
            holder_ref = next(p.ref for p in org.PRIORITIES if p.directorate == d.key)
            plan = self.make_plan(
                5, f"{d.name} Directorate Business Plan {y0}-{y0 + 3}", y0, y0 + 2, "active",
                self.cabinet[holder_ref]["user"], date(y0, 3, 19), note="Signed off by the portfolio holder.",
                owner=self.director_rec[d.key]["user"], directorate=self.directorates[d.key])
            n = 0
            for (dkey, oref), title in org.DIRECTORATE_OBJECTIVES.items():
                if dkey != d.key:
                    continue
                n += 1
                parent = self.delivery_items.get(oref, [self.outcome_item[oref]])[0]
                self.directorate_item[(dkey, oref)] = self.add_item(
                    plan, 5, f"{d.code.split('-')[1]}.{n}", title, parent=parent, position=n,
                    owner=self.delegate_rec[d.key]["user"])

        # Service plans: this year's for every service, earlier versions for a few (A4).
        self.service_plan: dict[str, Plan] = {}
        self.service_items: dict[str, list[PlanItem]] = {}
        self.old_service_items: dict[str, list[PlanItem]] = {}
        for s in org.SERVICES:
            svc, d = self.services[s.key], self.directorates[s.directorate]
            director = self.director_rec[s.directorate]["user"]

            def build(year: int, status: str, previous: Plan | None, key: str = s.key,
                      svc: Service = svc, d: Directorate = d, director: User = director) -> tuple[Plan, list]:
                sdef = self.service_defs[key]
                plan = self.make_plan(
                    6, f"{sdef.name} Service Plan {self.fy(year)}", year, year, status, director,
                    date(year, 3, 10 + rng.randint(0, 18)), note="Approved by the director.",
                    owner=self.head_rec[key]["user"], directorate=d, service=svc, previous_version=previous)
                items = []
                for n, title in enumerate(sdef.objectives, start=1):
                    other = org.OBJECTIVE_OUTCOMES.get((key, n))
                    if other:
                        parent = self.directorate_item[(sdef.directorate, other)]
                    elif n == 3:
                        parent = self.outcome_item[sdef.outcome]
                    else:
                        parent = self.directorate_item[(sdef.directorate, sdef.outcome)]
                    items.append(self.add_item(plan, 6, f"{sdef.prefix}.{n}", title, parent=parent, position=n,
                                               owner=self.lead_rec[key]["user"]))
                return plan, items

            previous = None
            if s.key in org.SERVICE_PLAN_TWO_YEARS_BACK:
                previous, _ = build(cy - 2, "closed", None)
            if s.key in org.SERVICE_PLAN_HISTORY:
                previous, self.old_service_items[s.key] = build(cy - 1, "closed", previous)
            status = pick(rng, {"active": 70, "approved": 12, "draft": 18})
            self.service_plan[s.key], self.service_items[s.key] = build(cy, status, previous)

        # Team plans.
        self.team_items: dict[int, list[PlanItem]] = {}
        for s in org.SERVICES:
            head = self.head_rec[s.key]["user"]
            for ti, team in enumerate(self.teams[s.key]):
                status = pick(rng, {"active": 80, "draft": 20})
                plan = self.make_plan(
                    7, f"{team.name} Team Plan {self.fy(cy)}", cy, cy, status, head,
                    date(cy, 4, 3 + rng.randint(0, 20)), note="Approved by the head of service.",
                    owner=self.team_manager[team.pk]["user"],
                    directorate=self.directorates[s.directorate], service=self.services[s.key], team=team)
                items = []
                titles = rng.sample(text.TEAM_ITEM_TEMPLATES, rng.choice((2, 3, 3)))
                for n, title in enumerate(titles, start=1):
                    parent = self.service_items[s.key][(ti + n - 1) % 3]
                    items.append(self.add_item(plan, 7, f"{s.prefix}.T{ti + 1}.{n}", title, parent=parent,
                                               position=n, owner=self.team_manager[team.pk]["user"]))
                self.team_items[team.pk] = items

        # Individual objectives for everyone in a team (staff and team-level leads), each linked to one of
        # the team plan's items, in turn, so that every team plan item has an objective beneath it.
        for s in org.SERVICES:
            for team in self.teams[s.key]:
                members = [p for p in self.people if p["team"] is team and p not in self.performance_unit]
                team_items = self.team_items[team.pk]
                sizes = [rng.choice((2, 3)) for _ in members]
                while sum(sizes) < len(team_items):
                    sizes[-1] += 1
                turn = 0
                manager = self.team_manager[team.pk]
                for p, size in zip(members, sizes, strict=True):
                    approver = (self.head_rec[s.key] if manager is p else manager)["user"]
                    status = pick(rng, {"active": 75, "approved": 10, "draft": 15})
                    plan = self.make_plan(
                        8, f"Individual objectives {self.fy(cy)}: {p['first']} {p['last']}", cy, cy, status,
                        approver, date(cy, 5, 1 + rng.randint(0, 29)), note="Agreed at appraisal.", owner=approver,
                        person=p["user"], directorate=self.directorates[s.directorate],
                        service=self.services[s.key], team=team)
                    for n, title in enumerate(rng.sample(text.OBJECTIVE_TEMPLATES, size), start=1):
                        self.add_item(plan, 8, f"OBJ{n}", title, parent=team_items[turn % len(team_items)],
                                      position=n, owner=p["user"])
                        turn += 1

        # A partnership plan hanging off public health outcomes.
        title, items = org.PARTNERSHIP_PLAN
        plan = self.make_plan(9, f"{title} {y0}-{y0 + 3}", y0, y0 + 2, "active", self.cabinet["P4"]["user"],
                              date(y0, 6, 12), note="Agreed by the Health and Wellbeing Board.",
                              owner=self.director_rec["ah"]["user"], directorate=self.directorates["ah"])
        for n, (oref, item_title) in enumerate(items, start=1):
            self.add_item(plan, 9, f"HWB.{n}", item_title, parent=self.outcome_item[oref], position=n)

        for name, _, refs in org.COMMITTEES:
            self.committees[name].remit.set([self.priority_item[r] for r in refs])

        # A1: the company's business plan and the contract plan, hanging off their Council Plan outcome; the
        # Shareholder Board's remit is the company's business plan.
        for u in org.EXTERNAL_UNITS:
            plan = self.make_plan(
                6, f"{u.plan_title} {self.fy(cy)}", cy, cy, "active", self.director_rec[u.directorate]["user"],
                date(cy, 3, 24), note=u.approval, owner=self.head_rec[u.key]["user"],
                directorate=self.directorates[u.directorate], service=self.services[u.key])
            self.service_plan[u.key] = plan
            self.service_items[u.key] = [
                self.add_item(plan, 6, f"{u.prefix}.{n}", title, parent=self.outcome_item[u.outcome], position=n,
                              owner=self.lead_rec[u.key]["user"])
                for n, title in enumerate(u.objectives, start=1)]
        name, keys = org.SHAREHOLDER_BOARD
        self.committees[name].remit.set([item for key in keys for item in self.service_items[key]])

    def make_risks(self) -> None:
        self.risks = {
            r.ref: r for r in CorporateRisk.objects.bulk_create([
                CorporateRisk(council=self.council, ref=ref, title=title, owner=self.director_rec[dkey]["user"],
                              directorate=self.directorates[dkey], likelihood=scores[0], impact=scores[1],
                              target_likelihood=scores[2], target_impact=scores[3])
                for (ref, title, dkey), scores in ((r, org.RISK_SCORES[r[0]]) for r in org.RISKS)
            ])
        }

    def link_risk_actions(self) -> None:
        """E4: each risk names the key actions of its directorate that reduce it (the first two by reference)."""
        links = []
        for risk in self.risks.values():
            actions = (Action.objects.filter(council=self.council, is_key=True,
                                             service__directorate=risk.directorate_id).order_by("ref")[:2])
            links += [CorporateRisk.actions.through(corporaterisk_id=risk.pk, action_id=a.pk) for a in actions]
        CorporateRisk.actions.through.objects.bulk_create(links)

    # ------------------------------------------------------------------------------------------ indicators

    def outcome_of(self, ind: Ind) -> str:
        return ind.out or self.service_defs[ind.service].outcome

    def profile(self, ind: Ind) -> tuple[float, ...] | None:
        """The seasonal profile aggregated to the indicator's frequency (None: no trajectory)."""
        n = periods_per_year(ind.frequency)
        additive = ind.measure == "cumulative" and ind.ratio is None
        if ind.unit == "yes_no" or ind.band or not ind.is_rated:
            return None
        if not ind.prof and not additive:
            return None
        raw = PROFILES[ind.prof or "flat"]
        size = 12 // n
        if additive:
            return tuple(sum(raw[i * size:(i + 1) * size]) for i in range(n))
        return tuple(raw[(i + 1) * size - 1] for i in range(n))

    def definition(self, ind: Ind) -> str:
        period = {"monthly": "month", "quarterly": "quarter", "half_yearly": "half-year", "annual": "year"}[
            ind.frequency]
        if ind.qual:
            return (f"A narrative update on {ind.title.split(':')[0].lower()} each {period}, with the status "
                    "(green, amber or red) the lead officer judges from it: self-assessed, not computed.")
        if ind.ratio:
            num, den, _ = ind.ratio
            scale = {"percent": "expressed as a percentage", "rate": f"multiplied by {ind.per or 1:,}",
                     "ratio": "expressed as a ratio"}.get(ind.unit, "")
            when = "the year to date (sum of the periods' numerators over the sum of their denominators)" \
                if ind.measure == "cumulative" else f"the {period}"
            return f"{num} divided by {den.lower()}, {scale}, for {when}."
        if ind.unit == "yes_no":
            return f"Yes (1) if {ind.title[0].lower() + ind.title[1:]}; otherwise no (0)."
        if ind.band:
            return f"{ind.title}, measured at the end of each {period}. The target is a range, not a single figure."
        if ind.measure == "cumulative":
            return (f"{ind.title}: each return gives the {period}'s own figure; the year-to-date figure is the sum "
                    "of the periods so far.")
        return f"{ind.title}, as at the end of the {period}."

    def rationale(self, ind: Ind) -> str:
        base = f"Shows progress towards the Council Plan outcome “{self.outcome_title[self.outcome_of(ind)]}”."
        if ind.is_contextual:
            return base + " A contextual statistic: monitored to understand demand, not controlled by the " \
                          "council and never RAG-rated."
        if ind.perc:
            return base + " A survey measure: reported when new results are published."
        if ind.kind == "kpi":
            return base + " A key performance indicator, reported quarterly to Cabinet and scrutiny."
        return base + " A service-level indicator used by the service's management team."

    def data_source(self, ind: Ind) -> str:
        code = ind.code
        if code.startswith("PHOF"):
            return "Public Health Outcomes Framework (OHID Fingertips)"
        if code.startswith("ASCOF 3A"):
            return "Annual Adult Social Care Survey"
        if ind.perc:
            return {"HRD03": "Harrowdale staff survey", "LIB05": "Harrowdale residents' panel survey",
                    "LEI02": "Sport England Active Lives survey"}.get(ind.ref, "Harrowdale residents' survey")
        if code.startswith("ONS"):
            return f"Office for National Statistics ({code.removeprefix('ONS ')})"
        source = org.SERVICE_SOURCES[self.service_defs[ind.service].directorate]
        return f"{source}; {code} return" if code else source

    def bounds(self, ind: Ind) -> tuple[Decimal | None, Decimal | None]:
        if ind.unit == "percent":
            return (Decimal("-20"), Decimal("20")) if ind.band and ind.band[0] < 0 else (Decimal(0), Decimal(100))
        if ind.unit == "yes_no":
            return Decimal(0), Decimal(1)
        top = max(abs(ind.target) + abs(ind.step) * 3, ind.band[1] if ind.band else 0, 10)
        if ind.measure == "cumulative":
            return Decimal(0), dec(top * 1.5, 0)
        return Decimal(0), dec(top * (1.2 if ind.unit == "ratio" else 3), ind.dp)

    def make_indicators(self) -> None:
        self.plans: list[IndicatorPlan] = []
        indicators = []
        for ind in self.catalogue:
            rng = self.rng("indicator", ind.ref)
            character = ind.char or pick(rng, CHARACTER_WEIGHTS)
            obj = Indicator(
                council=self.council, ref=ind.ref, title=ind.title, kind=ind.kind, is_headline=ind.hl,
                is_qualitative=ind.qual, is_restricted=ind.restr, is_perception=ind.perc,
                service=self.services[ind.service])
            indicators.append(obj)
            self.plans.append(IndicatorPlan(ind=ind, obj=obj, service=self.services[ind.service], rng=rng,
                                            character=character, band_side=1 if rng.random() < 0.6 else -1))
        Indicator.objects.bulk_create(indicators)

        through = Indicator.plan_items.through
        links = []
        risk_links = []
        for ip in self.plans:
            ind = ip.ind
            items = [self.outcome_item[self.outcome_of(ind)]]
            if not ind.is_contextual or ip.rng.random() < 0.5:
                items.append(ip.rng.choice(self.service_items[ind.service]))
            links += [through(indicator_id=ip.obj.pk, planitem_id=item.pk) for item in items]
            risk_links += [Indicator.risks.through(indicator_id=ip.obj.pk, corporaterisk_id=self.risks[r].pk)
                           for r in ind.risks]
        through.objects.bulk_create(links)
        Indicator.risks.through.objects.bulk_create(risk_links)

        specs = []
        creator = self.performance_unit[0]["user"]
        for ip in self.plans:
            ind, rng, s = ip.ind, ip.rng, ip.ind.service
            lead, second = self.lead_rec[s]["user"], self.second_lead[s]["user"]
            if rng.random() < 0.3:
                lead, second = second, lead
            profile = self.profile(ind)
            if ind.measure == "cumulative":
                method = "profile_gap" if profile else "run_rate"
            else:
                method = "linear_trend" if rng.random() < 0.3 else "latest"
            stretch = "maintain"
            if ind.step and ind.target:
                stretch = "stretching" if abs(ind.step) / abs(ind.target) > 0.04 else "moderate"
            low, high = self.bounds(ind)
            dkey = self.service_defs[s].directorate
            base = dict(
                indicator=ip.obj, definition=self.definition(ind), rationale=self.rationale(ind),
                data_source=self.data_source(ind), unit=ind.unit,
                rate_per=ind.per if ind.unit == "rate" else None,
                calculation="ratio" if ind.ratio else "value",
                numerator_label=ind.ratio[0] if ind.ratio else "", denominator_label=ind.ratio[1] if ind.ratio else "",
                multiplier=Decimal(ind.multiplier if ind.ratio else 1), decimal_places=ind.dp,
                polarity=ind.polarity, frequency=ind.frequency, measure_type=ind.measure, due_working_days=ind.wd,
                accountable_officer=self.head_rec[s]["user"],
                deputy_accountable_officer=self.delegate_rec[dkey]["user"],
                performance_lead=lead, deputy_performance_lead=second,
                comparator_group=("Children's services statistical neighbours" if dkey == "cf"
                                  else "CIPFA nearest neighbours") if ind.bench else "",
                national_code=ind.code, is_statutory_return=ind.stat, stretch=stretch, forecast_method=method,
                plausible_min=low, plausible_max=high,
                change_threshold_pct=None if ind.qual else Decimal(rng.choice((10, 15, 20, 25))),
                created_by=creator,
            )
            v1 = Specification(version=1, valid_from_id=self.y0, **base)
            ip.specs.append(v1)
            specs.append(v1)
            if ind.ref in self.spec_changes:
                change = self.spec_changes[ind.ref]
                v2 = Specification(version=2, valid_from_id=self.cy, **{
                    **base, "definition": f"{base['definition']} From {self.fy(self.cy)}: {change}",
                    "due_working_days": 8 if ind.ref == "RVB03" else ind.wd,
                    "data_source": (base["data_source"] + " (new system from "
                                    f"{self.fy(self.cy)})") if "system" in change else base["data_source"]})
                ip.specs.append(v2)
                specs.append(v2)
        Specification.objects.bulk_create(specs)
        for ip in self.plans:
            ip.obj.current_spec = ip.specs[-1]
        Indicator.objects.bulk_update([ip.obj for ip in self.plans], ["current_spec"])

        # Targets: numbers first (the figures are generated against them), rows after, with baselines from
        # the previous year's generated outturn.
        for ip in self.plans:
            ind = ip.ind
            if not ind.is_rated:
                continue
            profile = self.profile(ind)
            for yi, year in enumerate(self.years):
                annual = None if ind.band else dec(ind.target + ind.step * yi, ind.dp)
                ip.annual[year] = annual
                if profile and annual is not None:
                    if ind.measure == "cumulative" and ind.ratio is None:
                        total = sum(profile)
                        running, points = 0.0, []
                        for w in profile:
                            running += w
                            points.append(dec(float(annual) * running / total, ind.dp))
                        points[-1] = annual
                    else:
                        points = [dec(float(annual) * f, ind.dp) for f in profile]
                        points[-1] = annual
                    ip.trajectory[year] = points
        self.generate_figures()

        targets = []
        for ip in self.plans:
            ind = ip.ind
            if not ind.is_rated:
                continue
            for yi, year in enumerate(self.years):
                baseline = None
                if yi == 0:
                    if not ind.nb:
                        guess = (ind.target - ind.step) if not ind.band else sum(ind.band) / 2
                        baseline = dec(guess * (1 + ip.rng.gauss(0, 0.02)), ind.dp)
                else:
                    baseline = ip.outturn.get(year - 1)
                tol_kind, tol_amount = ind.tol
                note = "Target agreed in the Council Plan." if ind.kind == "kpi" else "Target set in the service plan."
                if ind.nb and yi == 0:
                    note = "New measure: the target will be set once a baseline year of data is available."
                target = Target(
                    indicator=ip.obj, financial_year_id=year, annual_target=ip.annual[year],
                    band_low=dec(ind.band[0], ind.dp) if ind.band else None,
                    band_high=dec(ind.band[1], ind.dp) if ind.band else None,
                    baseline=baseline, needs_baseline=ind.nb,
                    tolerance_pct=Decimal(str(tol_amount)) if tol_kind == "pct" else None,
                    tolerance_abs=Decimal(str(tol_amount)) if tol_kind == "abs" else None, note=note)
                ip.targets[year] = target
                targets.append(target)
        Target.objects.bulk_create(targets)
        TrajectoryPoint.objects.bulk_create([
            TrajectoryPoint(target=ip.targets[year], period_number=n, value=value)
            for ip in self.plans for year, points in ip.trajectory.items()
            for n, value in enumerate(points, start=1)
        ])
        # B4: approved plans lock the targets they hold (recorded in the audit trail as at their approval).
        for plan in Plan.objects.filter(council=self.council).exclude(status="draft").order_by("pk"):
            lock_targets(plan=plan, backdate=True)
        self.submit_some_plans()

    def submit_some_plans(self) -> None:
        """A4: a few draft plans submitted for approval and waiting for their approvers (a service plan for its
        director, team plans for their head of service or manager, some people's objectives)."""
        rng = self.rng("submissions")
        drafts = list(Plan.objects.filter(council=self.council, status="draft").select_related("level", "owner",
                                                                                              "person")
                      .order_by("level__rank", "pk"))
        chosen = [p for p in drafts if p.level.rank == 6][:1]
        chosen += [p for p in drafts if p.level.rank == 7][:4]
        chosen += [p for p in drafts if p.level.rank == 8][:6]
        for plan in chosen:
            by = plan.person or plan.owner
            Plan.objects.filter(pk=plan.pk).update(
                status="submitted", submitted_by=by, submissions=1,
                submitted_at=aware(self.as_of - timedelta(days=rng.randint(2, 12)), 10, 15))

    # ------------------------------------------------------------------------------------------ figures

    def ended(self, ind: Ind, year: int) -> list[int]:
        return [n for n in range(1, periods_per_year(ind.frequency) + 1)
                if self.periods[(year, ind.frequency, n)].end < self.as_of]

    def tolerance(self, ind: Ind, point: float) -> float:
        kind, amount = ind.tol
        return amount if kind == "abs" else amount / 100 * abs(point)

    def generate_figures(self) -> None:
        for ip in self.plans:
            ind, rng = ip.ind, ip.rng
            means, sd = CHARACTERS[ip.character]
            noise = 0.0
            n_year = periods_per_year(ind.frequency)
            for yi, year in enumerate(self.years):
                prev_mean = means[yi - 1] if yi else means[0]
                ytd = Decimal(0)
                cum_num = cum_den = Decimal(0)
                for n in self.ended(ind, year):
                    mean = prev_mean + (means[yi] - prev_mean) * n / n_year
                    noise = 0.5 * noise + rng.gauss(0, sd * 0.87)
                    score = mean + noise
                    fig = self.figure(ip, yi, year, n, score, ytd, cum_num, cum_den)
                    if ind.measure == "cumulative":
                        if ind.ratio:
                            cum_num += fig.numerator
                            cum_den += fig.denominator
                        elif fig.value is not None:
                            ytd += fig.value
                    ip.figures[(year, n)] = fig
                last = ip.figures.get((year, n_year))
                ip.outturn[year] = last.assessed if last else None

    def figure(self, ip: IndicatorPlan, yi: int, year: int, n: int, score: float, ytd: Decimal,
               cum_num: Decimal, cum_den: Decimal) -> Figure:
        ind, rng = ip.ind, ip.rng
        n_year = periods_per_year(ind.frequency)
        sign = 1 if ind.polarity == "higher" else -1
        low, high = self.bounds(ind)
        lo_f, hi_f = float(low), float(high)
        fig = Figure(year=year, number=n, value=None, score=score)

        if ind.qual:
            fig.value = Decimal(1) if rng.random() < 0.85 else Decimal(0)
            fig.assessed = fig.value
            return fig

        # The point the figure is judged against: the trajectory point, else the annual target.
        if ind.is_contextual:
            level = ind.target + ind.step * (yi + n / n_year - 1)
            point = level
        elif ind.band:
            point = None
        else:
            points = ip.trajectory.get(year)
            point = float(points[n - 1]) if points else float(ip.annual[year])
        fig.point_target = None if point is None or ind.is_contextual else dec(point, ind.dp)

        # The period's own figure. A cumulative measure's period figure is generated against the period's
        # share of the profile, so the year to date (the sum, or sum of numerators over sum of denominators)
        # follows the trajectory without jumps between periods.
        cumulative = ind.measure == "cumulative"
        if ind.is_contextual:
            share = 1 / n_year if cumulative else 1.0
            figure = level * share * (1 + rng.gauss(0, 0.04 if cumulative else 0.03))
        elif ind.band:
            lo, hi = ind.band
            if score >= 0:
                centre, half = (lo + hi) / 2, (hi - lo) / 2
                figure = centre + half * max(-0.95, min(0.95, rng.gauss(0.25 * ip.band_side, 0.45)))
            else:
                edge = hi if ip.band_side > 0 else lo
                figure = edge + ip.band_side * (-score) * self.tolerance(ind, edge)
        elif ind.unit == "yes_no":
            figure = 1.0 if score >= -1 else 0.0
        elif cumulative:
            points = ip.trajectory.get(year)
            annual = float(ip.annual[year])
            before = float(points[n - 2]) if points and n > 1 else 0.0
            if ind.ratio is None:  # a count: the period's increment of the profile
                period_target = point - before
                kind, amount = ind.tol
                spread = amount / 100 * abs(period_target) if kind == "pct" else \
                    amount * abs(period_target) / abs(annual) if annual else amount
            else:  # a rate: the period rate that moves the year to date along the profile
                period_target = n * point - (n - 1) * before if points else point
                spread = self.tolerance(ind, period_target)
            figure = period_target + sign * score * spread
        else:
            figure = point + sign * score * self.tolerance(ind, point)
        figure = min(max(figure, 0.0 if cumulative and not ind.ratio else lo_f),
                     float("inf") if cumulative and not ind.ratio else hi_f)

        if ind.ratio:
            mult = Decimal(ind.multiplier)
            den = dec(max(1.0, ind.ratio[2] * (1.02 ** yi) * (1 + rng.gauss(0, 0.05))), 0)
            num = dec(figure / float(mult) * float(den), 0)
            if ind.unit == "percent":
                num = min(max(num, Decimal(0)), den)
            fig.numerator, fig.denominator = num, den
            fig.value = ratio_value(num, den, mult, ind.dp)
            if cumulative:
                fig.assessed = ratio_value(cum_num + num, cum_den + den, mult, ind.dp)
            else:
                fig.assessed = fig.value
        else:
            fig.value = dec(figure, ind.dp)
            fig.assessed = ytd + fig.value if cumulative else fig.value

        if ind.is_rated:
            tol_kind, tol_amount = ind.tol
            fig.rag = str(rag_of(
                value=fig.assessed, target=fig.point_target, polarity=ind.polarity,
                tolerance_pct=Decimal(str(tol_amount)) if tol_kind == "pct" else None,
                tolerance_abs=Decimal(str(tol_amount)) if tol_kind == "abs" else None,
                band_low=dec(ind.band[0], ind.dp) if ind.band else None,
                band_high=dec(ind.band[1], ind.dp) if ind.band else None, decimal_places=ind.dp))
            if ind.nb and yi == 0:
                fig.rag = "measured"  # C1: a target that needs a baseline, with none yet
        return fig

    # ------------------------------------------------------------------------------------------ returns

    STATE_TABLES = {
        "not_due": {"approved": 10, "submitted": 35, "draft": 25, "missing": 30},
        ("monthly", 0): {"approved": 40, "submitted": 27, "draft": 9, "returned": 7, "missing": 17},
        ("monthly", 1): {"approved": 86, "submitted": 6, "returned": 2, "draft": 2, "missing": 4},
        ("quarterly", 0): {"approved": 60, "submitted": 19, "draft": 6, "returned": 6, "missing": 9},
        ("half_yearly", 0): {"approved": 60, "submitted": 19, "draft": 6, "returned": 6, "missing": 9},
        ("annual", 0): {"approved": 88, "submitted": 6, "returned": 2, "missing": 4},
        "recent": {"approved": 96, "submitted": 2, "missing": 2},
        "old": {"approved": 98.5, "missing": 1.5},
    }

    def spec_for(self, ip: IndicatorPlan, year: int) -> Specification:
        return [s for s in ip.specs if s.valid_from_id <= year][-1]

    def make_returns(self) -> None:
        rows: list[Return] = []
        for ip in self.plans:
            rows += self.returns_for(ip)
        Return.objects.bulk_create(rows, batch_size=500)

    def returns_for(self, ip: IndicatorPlan) -> list[Return]:
        ind = ip.ind
        rng = self.rng("returns", ind.ref)
        keys = [(year, n) for year in self.years for n in self.ended(ind, year)]
        rows = []
        dkey = self.service_defs[ind.service].directorate
        director, delegate = self.director_rec[dkey]["user"], self.delegate_rec[dkey]["user"]
        previous: Figure | None = None
        for index, (year, n) in enumerate(keys):
            k = len(keys) - 1 - index  # 0 = the latest period ended
            fig = ip.figures[(year, n)]
            period = self.periods[(year, ind.frequency, n)]
            spec = self.spec_for(ip, year)
            due = due_date(period.end, spec.due_working_days)
            if due >= self.as_of:
                table = self.STATE_TABLES["not_due"]
            elif k <= 1 and (ind.frequency, k) in self.STATE_TABLES:
                table = self.STATE_TABLES[(ind.frequency, k)]
            elif k <= 1:
                table = self.STATE_TABLES["recent"]
            else:
                table = self.STATE_TABLES["old"]
            state = pick(rng, table)
            if state == "missing" and k > 1 and ind.measure == "cumulative":
                state = "approved"  # keep older cumulative series whole
            prev_fig, previous = previous, fig
            if state == "missing":
                continue

            ret = Return(indicator=ip.obj, period=period, due_on=due, state=state)
            no_data = (state == "approved" and k > 1 and ind.measure == "snapshot" and not ind.qual
                       and rng.random() < 0.012)
            has_value = not no_data and (state != "draft" or rng.random() < 0.55)
            if has_value and ind.qual:
                # B1: a narrative and the status its officer chooses (off track: amber or red), no figure.
                ret.self_assessed_rag = "green" if fig.value == 1 else \
                    self.rng("self-assessed", ind.ref, year, n).choice(("amber", "amber", "red"))
            elif has_value:
                ret.value = fig.value
                ret.numerator, ret.denominator = fig.numerator, fig.denominator
            elif no_data:
                ret.no_data_reason = rng.choice(text.NO_DATA_REASONS)

            # Workflow timestamps (B5) and timeliness (B6).
            if state in ("submitted", "approved", "returned"):
                ret.submitted_by = (spec.performance_lead if rng.random() < 0.85
                                    else spec.deputy_performance_lead)
                late_p = 0.14 if k == 0 else 0.09 if k == 1 else 0.06
                latest = self.last_day
                earliest = period.end + timedelta(days=1)
                if earliest > latest:
                    state = ret.state = "draft"
                else:
                    if rng.random() < late_p and due + timedelta(days=1) <= latest:
                        day = min(due + timedelta(days=rng.randint(1, 14)), latest)
                    else:
                        day = max(min(due - timedelta(days=rng.randint(0, 7)), latest), earliest)
                    ret.submitted_at = aware(day, 8, 30) + timedelta(minutes=rng.randint(0, 570))
                    ret.version = 2
            if ret.state == "draft":
                ret.submitted_by = ret.submitted_at = None
                ret.version = 1
            if ret.state == "approved":
                approved_at = ret.submitted_at + timedelta(days=rng.randint(0, 9), minutes=rng.randint(30, 600))
                if approved_at >= self.cutoff:
                    approved_at = ret.submitted_at + timedelta(hours=2)
                if approved_at >= self.cutoff:
                    ret.state = "submitted"
                else:
                    ret.approved_at = approved_at
                    ret.approved_by = director if rng.random() < 0.55 else delegate
                    ret.version = 3
            if ret.state == "returned":
                ret.returned_reason = rng.choice(text.RETURNED_REASONS)
                ret.version = 3

            if has_value:
                ret.commentary = self.commentary(ip, fig, prev_fig, period, spec, rng)
                if k <= 1 and ind.frequency == "monthly" and rng.random() < 0.03:
                    ret.is_estimate = True
                    ret.commentary = f"{ret.commentary} {text.ESTIMATE_NOTE}".strip()
                if year == self.cy and ind.is_rated and ind.unit != "yes_no" and rng.random() < 0.45:
                    ret.forecast = self.forecast(ip, fig)
                    if ret.forecast is not None:
                        ret.forecast_confidence = (
                            "high" if fig.score > 1 else "low" if fig.score < -1 else
                            rng.choice(("medium", "medium", "high", "low")))
            rows.append(ret)
        return rows

    def forecast(self, ip: IndicatorPlan, fig: Figure) -> Decimal | None:
        ind = ip.ind
        annual = ip.annual.get(fig.year)
        if ind.band or annual is None or fig.assessed is None:
            return fig.assessed
        if ind.measure == "cumulative" and ind.ratio is None:
            if not fig.point_target:
                return None
            return dec(float(fig.assessed) / float(fig.point_target) * float(annual), ind.dp)
        sign = 1 if ind.polarity == "higher" else -1
        guess = float(annual) + sign * (fig.score + ip.rng.gauss(0, 0.3)) * self.tolerance(ind, float(annual))
        low, high = self.bounds(ind)
        return dec(min(max(guess, float(low)), float(high)), ind.dp)

    def commentary(self, ip: IndicatorPlan, fig: Figure, prev: Figure | None, period: Period,
                   spec: Specification, rng: random.Random) -> str:
        ind = ip.ind
        month = MONTHS[period.start.month - 1]
        if ind.qual:
            pool = text.QUALITATIVE_ON_TRACK if fig.value == 1 else text.QUALITATIVE_OFF_TRACK
            return rng.choice(pool)
        parts: list[str] = []
        if ind.is_contextual:
            if rng.random() < 0.25:
                parts.append(rng.choice(text.CONTEXT_TEXT))
        elif fig.rag == "red":
            dkey = self.service_defs[ind.service].directorate
            parts.append(rng.choice(text.RED_CAUSES[dkey]).format(pct=rng.randint(8, 25), month=month))
            parts.append(rng.choice(text.RECOVERY_STEPS))
            parts.append(rng.choice(text.RECOVERY_WHEN))
        elif fig.rag == "amber":
            if rng.random() < 0.6:
                parts.append(rng.choice(text.AMBER_TEXT))
        elif fig.rag == "green" and rng.random() < 0.2:
            parts.append(rng.choice(text.GREEN_TEXT))
        if (ind.measure == "snapshot" and prev is not None and prev.value and fig.value is not None
                and spec.change_threshold_pct is not None):
            change = abs(fig.value - prev.value) / abs(prev.value) * 100
            if change > spec.change_threshold_pct:
                parts.append(rng.choice(text.CHANGE_TEXT))
        return " ".join(parts)

    # ------------------------------------------------------------------------------------------ benchmarks

    def make_benchmarks(self) -> None:
        """C4: the comparators' values come in as national data would (issue 12): an LG Inform download per year
        (metric, area code, area name, period, value), the council's comparator groups and the metric of each
        benchmarked measure, through the benchmarking importer (indicators/benchmarking.py)."""
        codes = {name: f"E06099{902 + n:03d}" for n, name in enumerate(org.COMPARATORS)}
        header = ("metric", "metric title", "area code", "area name", "period", "value")
        national: dict[int, list[tuple]] = {year: [header] for year in self.years[:2]}
        mapping = [("measure", "source", "metric")]
        for ip in self.plans:
            ind = ip.ind
            if not ind.bench:
                continue
            rng = self.rng("benchmarks", ind.ref)
            low, high = self.bounds(ind)
            mapping.append((ind.ref, "LG Inform", ind.ref))
            for year in self.years[:2]:
                outturn = ip.outturn.get(year)
                if outturn is None:
                    continue
                for name in sorted(rng.sample(org.COMPARATORS, rng.randint(8, 15))):
                    value = float(outturn) * (1 + rng.gauss(0, 0.1))
                    value = min(max(value, float(low)), float(high))
                    national[year].append((ind.ref, ind.title, codes[name], name, self.fy(year), dec(value, ind.dp)))
                    rng.choice(MONTHS[5:11])  # drawn as before the importer, so the demo's figures stay the same
        groups = [("group", "kind", "area code", "area name")]
        for group, kind in (("CIPFA nearest neighbours", "cipfa"), ("Children's services statistical neighbours",
                                                                    "custom")):
            groups += [(group, kind, code, name) for name, code in codes.items()]
        for year, rows in national.items():
            imported = benchmarking.import_benchmarks(
                book=Book(f"lg-inform-{year}.csv", {"national values": rows}), council=self.council, user=None,
                source="LG Inform", published_on=date(year + 1, 10, 31))
            assert imported.ok, imported.problems
        outcome = benchmarking.import_benchmarks(
            book=Book("comparators.xlsx", {"comparator groups": groups, "metric mapping": mapping}),
            council=self.council, user=None)
        assert outcome.ok, outcome.problems

    # ------------------------------------------------------------------------------------------ actions

    def action_dates(self, status: str, rng: random.Random) -> dict:
        a = self.as_of
        plan_start = date(self.y0, 4, 1)

        def days(lo: int, hi: int) -> timedelta:
            return timedelta(days=rng.randint(lo, hi))

        if status == "delivered":
            start = plan_start + days(0, (a - plan_start).days - 120)
            end = add_months(start, rng.randint(3, 15))
            done = min(end + days(-30, 45), self.last_day - days(0, 20))
            done = max(done, start + timedelta(days=30))
            return {"start": start, "approved_end": end, "forecast_end": done, "completed_on": done,
                    "progress_pct": 100}
        if status == "no_longer_viable":
            start = plan_start + days(60, (a - plan_start).days - 90)
            end = add_months(start, rng.randint(6, 18))
            return {"start": start, "approved_end": end, "forecast_end": None, "no_longer_viable": True,
                    "no_longer_viable_reason": rng.choice(text.NLV_REASONS), "progress_pct": rng.randint(5, 60)}
        if status == "scheduled":
            start = a + days(20, 200)
            end = add_months(start, rng.randint(3, 12))
            return {"start": start, "approved_end": end, "forecast_end": end, "progress_pct": 0}
        if status == "on_target":
            start = a - days(30, 420)
            end = a + days(15, 420)
            forecast = max(end - days(0, 30), a)
            share = (a - start).days / max(1, (end - start).days)
            return {"start": start, "approved_end": end, "forecast_end": forecast,
                    "progress_pct": max(5, min(95, round(share * 100) + rng.randint(-10, 10)))}
        if status == "slipped_lt3":
            end = a + days(-40, 120)
            forecast = max(end + days(10, 80), a + days(5, 30))
            forecast = min(forecast, add_months(end, 3))
            start = add_months(end, -rng.randint(4, 14))
            return {"start": start, "approved_end": end, "forecast_end": forecast,
                    "progress_pct": rng.randint(40, 85)}
        end = a + days(-200, 60)
        forecast = add_months(end, 3) + days(10, 200)
        start = add_months(end, -rng.randint(6, 18))
        return {"start": start, "approved_end": end, "forecast_end": forecast, "progress_pct": rng.randint(15, 70)}

    def dates_for_status(self, status: str, rng: random.Random) -> dict:
        """An action's dates that give it ``status`` at the as-of date (C3), drawn until they do."""
        for _ in range(50):
            dates = self.action_dates(status, rng)
            got = action_status(as_of=self.as_of, start=dates["start"], approved_end=dates["approved_end"],
                                forecast_end=dates.get("forecast_end"), completed_on=dates.get("completed_on"),
                                no_longer_viable=dates.get("no_longer_viable", False))
            if got == status:
                return dates
        raise RuntimeError(f"could not build a {status} action")  # pragma: no cover - built to hit the status

    def make_actions(self) -> None:
        actions: list[Action] = []
        links: list[tuple[Action, list[PlanItem]]] = []
        statuses: list[str] = []
        self.action_by_ref: dict[str, Action] = {}
        for s in org.SERVICES:
            rng = self.rng("actions", s.key)
            generic = sorted(rng.sample(range(len(org.GENERIC_ACTIONS)), 5))
            titles = list(s.actions) + [
                org.GENERIC_ACTIONS[g].format(service=s.name.lower() if s.name[0:2] != "ICT" else s.name,
                                              team=self.teams[s.key][rng.randint(0, 1)].name)
                for g in generic]
            for n, title in enumerate(titles, start=1):
                status = pick(rng, ACTION_STATUS_WEIGHTS)
                dates = self.dates_for_status(status, rng)
                owner_rec = rng.choice((self.head_rec[s.key], self.lead_rec[s.key],
                                        self.team_manager[self.teams[s.key][rng.randint(0, 1)].pk]))
                update = rng.choice(text.ACTION_UPDATES[status])
                if status == "no_longer_viable":
                    update = f"{update} {dates['no_longer_viable_reason']}"
                action = Action(
                    council=self.council, ref=f"{s.prefix}-A{n:02d}", title=title,
                    description=f"{title}. Part of the {s.name} service plan, supporting the outcome "
                                f"“{self.outcome_title[s.outcome]}”.",
                    service=self.services[s.key], owner=owner_rec["user"], is_key=rng.random() < 0.25,
                    latest_update=update, **dates)
                items = [self.outcome_item[s.outcome]]
                this_year = date(self.cy, 4, 1)
                if status != "delivered" or action.completed_on >= this_year:
                    items.append(self.service_items[s.key][(n - 1) % 3])
                elif s.key in self.old_service_items:
                    items.append(self.old_service_items[s.key][(n - 1) % 3])
                actions.append(action)
                links.append((action, items))
                statuses.append(status)
                self.action_by_ref[action.ref] = action
        Action.objects.bulk_create(actions)
        through = Action.plan_items.through
        through.objects.bulk_create([through(action_id=a.pk, planitem_id=i.pk) for a, items in links for i in items])

        milestones = []
        rng = self.rng("milestones")
        for action, status in zip(actions, statuses, strict=True):
            if rng.random() > 0.45:
                continue
            names = rng.sample(text.MILESTONE_NAMES, rng.randint(1, 3))
            span = max(1, (action.approved_end - action.start).days)
            for i, name in enumerate(names, start=1):
                approved = action.start + timedelta(days=span * i // (len(names) + 1))
                slip = {"slipped_lt3": 30, "slipped_gt3": 120}.get(status, 0)
                forecast = approved + timedelta(days=slip)
                completed = None
                if status == "delivered":
                    completed = min(forecast, action.completed_on)
                elif status != "scheduled" and forecast < self.as_of:
                    completed = forecast
                milestones.append(Milestone(action=action, title=name, approved_date=approved,
                                            forecast_date=forecast, completed_on=completed))
        Milestone.objects.bulk_create(milestones)

    #: C 3.1: a service's budget for the year by directorate (from, to, in £m), and the services that overspend.
    FINANCE_BUDGETS = {"ah": (18, 64), "cf": (9, 38), "pe": (3, 22), "ch": (2, 12), "rs": (1.5, 9)}
    FINANCE_COMMENTARY = {
        "overspend": ("Demand above the level budgeted for; a recovery plan is being agreed with finance.",
                      "Agency staff covering vacancies cost more than the posts budgeted for.",
                      "Contract inflation above the 3% allowed in the budget."),
        "underspend": ("Vacancies held while the service is redesigned.",
                       "Savings delivered earlier than planned.",
                       "Grant income above the level budgeted for."),
    }

    def make_finance(self) -> None:
        """C 3.1: every service's budget and forecast outturn per quarter, for the demo's years up to the latest
        quarter ended: deterministic; a few services overspending and their forecasts drifting up through the
        year, most close to budget, some underspending. Entered by the performance unit."""
        by = self.performance_unit[0]["user"]
        last = latest_quarter(self.as_of)
        keys = sorted(self.services)
        overspenders = set(self.rng("finance", "over").sample(keys, max(3, len(keys) // 6)))
        rows = []
        for key in keys:
            service = self.services[key]
            low, high = self.FINANCE_BUDGETS.get(self.service_defs[key].directorate, (2, 10))
            rng = self.rng("finance", key)
            base = Decimal(str(round(rng.uniform(low, high), 2))) * 1_000_000
            drift = rng.uniform(0.04, 0.11) if key in overspenders else rng.uniform(-0.05, 0.012)
            for yi, year in enumerate(self.years):
                budget = (base * Decimal("1.03") ** yi / 1000).quantize(Decimal(1)) * 1000
                for quarter in range(1, 5):
                    if (year, quarter) > last:
                        break
                    share = drift * quarter / 4 + rng.uniform(-0.006, 0.006)
                    forecast = (budget * Decimal(str(round(1 + share, 4))) / 1000).quantize(Decimal(1)) * 1000
                    spent = (forecast * Decimal(str(round(quarter / 4 * rng.uniform(0.93, 1.0), 4))) / 100).quantize(
                        Decimal(1)) * 100
                    kind = "overspend" if forecast > budget else "underspend"
                    pct = abs(forecast - budget) * 100 / budget
                    note = self.FINANCE_COMMENTARY[kind][rng.randrange(3)] if pct >= 1 else ""
                    rows.append(ServiceFinance(
                        council=self.council, service=service,
                        period=self.periods[(year, Frequency.QUARTERLY.value, quarter)],
                        budget=budget, forecast_outturn=forecast, spent_to_date=spent, commentary=note,
                        source=f"Budget monitoring, Q{quarter} {self.fy(year)}", updated_by=by))
        ServiceFinance.objects.bulk_create(rows)

    def make_programmes(self) -> None:
        rng = self.rng("programmes")
        outcomes = ("Continue to the next stage: the business case remains valid and the risks are managed.",
                    "Continue, with the scope reduced to stay within the approved budget.",
                    "Pause until the external funding bid is decided.")
        # A6: one officer board owns the programmes; its members are the sponsoring directors, who record the
        # decisions at the decision points.
        board = Committee.objects.create(name=f"{self.council.name} Programme Board", kind="board",
                                         chair=self.director_rec[org.PROGRAMMES[0][2]]["user"])
        board.councils.add(self.council)
        sponsors = dict.fromkeys(dkey for _n, _o, dkey, _p in org.PROGRAMMES)
        RoleAssignment.objects.bulk_create([
            RoleAssignment(user=self.director_rec[dkey]["user"], council=self.council, role=Role.DIRECTOR,
                           directorate=self.directorates[dkey], committee=board) for dkey in sponsors])
        for pi, (name, oref, dkey, projects) in enumerate(org.PROGRAMMES):
            sponsor = self.director_rec[dkey]["user"]
            programme = Programme.objects.create(council=self.council, name=name, board=board,
                                                 plan_item=self.outcome_item[oref], sponsor=sponsor)
            for qi, (project_name, action_refs) in enumerate(projects):
                first_service = action_refs[0][0]
                project = Project.objects.create(programme=programme, name=project_name,
                                                 manager=self.head_rec[first_service]["user"])
                project.actions.set([
                    self.action_by_ref[f"{self.service_defs[key].prefix}-A{n:02d}"] for key, n in action_refs])
                offset = timedelta(days=30 * qi + 11 * pi)
                g1 = date(self.y0, 9, 30) + offset
                g2 = date(self.y0 + 1, 7, 31) + offset
                g3 = date(self.cy, 12, 15) + offset if (pi + qi) % 3 else date(self.cy, 10, 31) + offset
                second = pick(rng, {"continue": 50, "continue_with_changes": 35, "pause": 15})
                rows = [
                    DecisionPoint(project=project, title="Gateway 1: strategic outline case", due=g1,
                                  recommendation=outcomes[0], decision="continue", decided_by=sponsor,
                                  decided_on=g1 + timedelta(days=7)),
                    DecisionPoint(project=project, title="Gateway 2: outline business case", due=g2,
                                  recommendation=outcomes[{"continue": 0, "continue_with_changes": 1, "pause": 2}[
                                      second]],
                                  decision=second, decided_by=self.cabinet[oref.split(".")[0]]["user"],
                                  decided_on=g2 + timedelta(days=14)),
                    DecisionPoint(project=project, title="Gateway 3: full business case and stop / continue review",
                                  due=g3, recommendation="Recommendation to be made at the gateway review.",
                                  decision="pending"),
                ]
                if pi == 3 and qi == 1:
                    rows[2] = DecisionPoint(
                        project=project, title="Stop / continue review: phase 2 vehicle replacement", due=g2 +
                        timedelta(days=120), recommendation="Stop phase 2: the grant funding was withdrawn and "
                        "the remaining vehicles are replaced through the normal fleet cycle.", decision="stop",
                        decided_by=sponsor, decided_on=g2 + timedelta(days=130))
                DecisionPoint.objects.bulk_create(rows)

    # ------------------------------------------------------------------------------------------ timestamps

    def fix_timestamps(self) -> None:
        """Overwrite the ``auto_now`` / ``auto_now_add`` stamps with fixed ones (update() does not touch them)."""
        council = self.council
        Specification.objects.filter(indicator__council=council, version=1).update(
            created_at=aware(date(self.y0, 3, 1), 10, 0))
        Specification.objects.filter(indicator__council=council, version__gt=1).update(
            created_at=aware(date(self.cy, 3, 1), 10, 0))
        Return.objects.filter(indicator__council=council).update(
            updated_at=Coalesce("approved_at", "submitted_at", Value(self.cutoff - timedelta(days=1))))
        Action.objects.filter(council=council).update(updated_at=self.cutoff - timedelta(days=3))


# ---------------------------------------------------------------------------------------------- entry points


def _illustration(colour: tuple[int, int, int], seed: int) -> bytes:
    """A simple, deterministic picture (shapes in the story's colour) for a demo case study."""
    image = Image.new("RGB", (480, 300), (243, 242, 241))
    draw = ImageDraw.Draw(image)
    for i in range(6):
        x = 40 + (i * 67 + seed * 31) % 360
        y = 40 + (i * 43 + seed * 17) % 200
        draw.ellipse([x, y, x + 70, y + 70], fill=tuple(max(0, c - i * 18) for c in colour))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def delete_demo(council: Council) -> None:
    """Delete the demo council and everything of it, people included (not the shared financial years)."""
    with maintenance_window(f"Remove the demo council {council}"):
        _delete_demo(council)


def _delete_demo(council: Council) -> None:
    users = list(User.objects.filter(role_assignments__council=council).values_list("pk", flat=True).distinct())
    directorates = list(Directorate.objects.filter(councils=council).values_list("pk", flat=True))
    delete_council_data(council)
    council.delete()
    delete_organisation(directorates, users)


def delete_council_data(council: Council) -> None:
    """Delete what belongs to one council (plans, measures, returns, reports, committees, roles, portfolios), but
    not its officer structure or its people, which councils sharing one officer team share."""
    for row in PackFile.objects.filter(pack__council=council):
        row.file.delete(save=False)
    PackFile.objects.filter(pack__council=council).delete()
    Pack.objects.filter(council=council).delete()
    for study in CaseStudy.objects.filter(council=council).exclude(picture=""):
        study.picture.delete(save=False)
    CaseStudy.objects.filter(council=council).delete()
    ReportDefinition.objects.filter(council=council).delete()
    ReturnReopening.objects.filter(ret__indicator__council=council).delete()
    Return.objects.filter(indicator__council=council).delete()
    Indicator.objects.filter(council=council).update(current_spec=None)
    Indicator.objects.filter(council=council).delete()
    Programme.objects.filter(council=council).delete()
    Action.objects.filter(council=council).delete()
    committees = Committee.objects.filter(councils=council)
    Committee.objects.filter(pk__in=list(committees.values_list("pk", flat=True))).delete()
    PlanItem.objects.filter(plan__council=council).update(parent=None)
    PlanItem.objects.filter(plan__council=council).delete()
    Plan.objects.filter(council=council).delete()
    PlanLevel.objects.filter(council=council).delete()
    CorporateRisk.objects.filter(council=council).delete()
    RoleAssignment.objects.filter(council=council).delete()
    Portfolio.objects.filter(council=council).delete()


def delete_organisation(directorates: list[int], users: list[int]) -> None:
    """Delete directorates with their services and teams, and people, once the councils that used them are gone."""
    Team.objects.filter(service__directorate__in=directorates).delete()
    Service.objects.filter(directorate__in=directorates).delete()
    Directorate.objects.filter(pk__in=directorates).delete()
    User.objects.filter(pk__in=users).delete()


def load_demo(*, as_of: date = DEMO_AS_OF, reset: bool = False) -> tuple[Council, bool]:
    """Load the demo council unless it exists (``reset`` deletes it first), and the pair of district councils run by
    one shared officer team beside it (demo/pair.py, likewise). Returns Harrowdale's (council, created). The removal
    is the database owner's work, in a transaction of its own (pmf.services.maintenance_window)."""
    from demo.pair import delete_pair, load_pair  # the pair builds on this module's loader

    if reset:
        if (existing := Council.objects.filter(slug=DEMO_SLUG).first()) is not None:
            delete_demo(existing)
        delete_pair()
    with transaction.atomic():
        existing = Council.objects.filter(slug=DEMO_SLUG).first()
        council, created = (existing, False) if existing is not None else (DemoLoader(as_of).load(), True)
        load_pair(as_of=as_of)
        return council, created
