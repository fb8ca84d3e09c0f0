"""The second demo: two fictional district councils run by one shared officer team (A5; the South Oxfordshire and
Vale of White Horse framework, frameworks/004). Loaded by ``manage.py load_demo`` beside Harrowdale.

Wyebridge District Council and Vale of Ashcombe District Council (both invented) share their directorates, services
and officers: a shared officer holds the same role in each council. Each council has its own Corporate Plan (themes
and objectives), Cabinet, scrutiny committee and measures; a Joint Scrutiny Committee has both councils' shared-
service themes in its remit and members from both. Most measures are a shared catalogue (the same reference and
specification in each council, each council with its own figures); a few are one council's own. The monthly
measures are entered as soon as the month closes ("timeliness", frameworks/004 paragraph 12); a few measures are
narrative (qualitative) with a self-assessed status.

Built with Harrowdale's loader (``demo.loader.DemoLoader``): each council of the pair is a ``CouncilPart`` that
reuses its indicator, figure, return and action generators over the shared team built here. Deterministic: every
random number is seeded by the council's slug and what it is for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction

from demo import DEMO_AS_OF, DEMO_PASSWORD, text
from demo import organisation as org
from demo.catalogue import Ind
from demo.loader import (
    ACTION_STATUS_WEIGHTS,
    PASSWORD_SALT,
    DemoLoader,
    IndicatorPlan,
    aware,
    delete_council_data,
    delete_organisation,
    pick,
    username_for,
)
from demo.reports import ALL, make_report_definitions
from demo.timetable import CABINET_WEEKS, make_timetable
from indicators.models import EntryReopening, Return
from plans.approvals import apply_default_approval
from plans.models import Action, Plan, PlanItem, PlanLevel
from pmf import audit
from pmf.choices import CommitteeKind, Frequency, Role
from pmf.models import Committee, Council, Directorate, Period, Portfolio, RoleAssignment, Service, Team, User
from pmf.periods import financial_year_label, period_bounds
from pmf.services import maintenance_window, performance_unit_group
from reporting.models import ReportDefinition, ReportType, ScopeKind, TimetableEntry, TimetableKind
from reporting.schedule import ensure_schedule
from reporting.tracker import latest_quarter, track

# ---------------------------------------------------------------------------------------------- the councils


@dataclass(frozen=True)
class CouncilDef:
    key: str  # "w" or "v": which of the pair (the catalogue's "only" field)
    slug: str
    name: str
    short_name: str
    ons_code: str
    domain: str  # members' email addresses


WYEBRIDGE = CouncilDef("w", "wyebridge", "Wyebridge District Council", "Wyebridge", "E07099901", "wyebridge.example")
ASHCOMBE = CouncilDef("v", "vale-of-ashcombe", "Vale of Ashcombe District Council", "Vale of Ashcombe", "E07099902",
                      "valeofashcombe.example")
PAIR: tuple[CouncilDef, CouncilDef] = (WYEBRIDGE, ASHCOMBE)
PAIR_SLUGS: tuple[str, ...] = tuple(c.slug for c in PAIR)
JOINT_COMMITTEE = "Wyebridge and Vale of Ashcombe Joint Scrutiny Committee"
JOINT_REPORT = f"Joint scrutiny report: {JOINT_COMMITTEE}"
OFFICER_DOMAIN = "wyebridge-ashcombe.example"  # the shared officer team's email addresses

# ---------------------------------------------------------------------------------------------- the shared team
# Directorate keys match Harrowdale's (demo/text.py holds the officers' commentary by directorate).

DIRECTORATES: tuple[org.DirectorateDef, ...] = (
    org.DirectorateDef("pe", "WVA-PE", "Planning and Environment", "Strategic Director, Planning and Environment",
                       "Waste contractor and planning systems"),
    org.DirectorateDef("ch", "WVA-HW", "Housing and Wellbeing", "Strategic Director, Housing and Wellbeing",
                       "Housing, leisure and environmental health case systems"),
    org.DirectorateDef("rs", "WVA-CS", "Corporate Services", "Strategic Director, Corporate Services",
                       "Revenues, finance and customer systems"),
)

S = org.ServiceDef
SERVICES: tuple[org.ServiceDef, ...] = (
    S("waste", "pe", "Waste and Street Scene", "WSS", "T1.O1", ("Waste Contract Client Team", "Street Scene Team"),
      ("Keep bin collections reliable under the joint waste contract",
       "Raise recycling through food waste and garden waste services",
       "Clear fly-tipping promptly and prosecute offenders"),
      ("Re-let the joint waste collection contract", "Introduce weekly food waste collections",
       "Run a fly-tipping enforcement campaign")),
    S("climate", "pe", "Climate Action", "CLA", "T1.O2", ("Climate Action Team", "Energy and Buildings Team"),
      ("Cut the councils' own carbon emissions", "Help residents retrofit their homes",
       "Report progress on the climate action plans openly"),
      ("Install solar panels on the councils' depots and offices", "Launch the home retrofit advice service",
       "Publish the annual carbon emissions report")),
    S("devman", "pe", "Development Management", "DEV", "T2.O1",
      ("Major Applications Team", "Householder and Minor Applications Team"),
      ("Decide planning applications on time", "Improve the pre-application advice service",
       "Clear the backlog of planning enforcement cases"),
      ("Move planning applications to the new online planning system", "Review the pre-application charging scheme",
       "Adopt the joint design guide")),
    S("housing", "ch", "Housing Needs", "HSN", "T2.O2", ("Housing Options Team", "Housing Register Team"),
      ("Prevent homelessness earlier", "Reduce the use of temporary accommodation",
       "Work with housing associations to deliver affordable homes"),
      ("Open the shared homelessness prevention hub", "Procure council-owned temporary accommodation",
       "Review the joint housing allocations policy")),
    S("leisure", "ch", "Leisure and Communities", "LAC", "T3.O1", ("Leisure Contract Team", "Community Grants Team"),
      ("Increase visits to leisure centres", "Target community grants at the most active groups",
       "Deliver the health and wellbeing partnership plan"),
      ("Refurbish the leisure centre changing rooms", "Launch the community grants round",
       "Run the active ageing programme with the NHS")),
    S("envhealth", "ch", "Environmental Health and Licensing", "EHL", "T3.O2",
      ("Food and Safety Team", "Licensing Team"),
      ("Keep food businesses safe and hygienic", "Process licences promptly", "Respond quickly to noise and nuisance"),
      ("Clear the backlog of food hygiene inspections", "Adopt the joint taxi licensing policy",
       "Move licence applications online")),
    S("revenues", "rs", "Revenues and Benefits", "RAB", "T4.O1", ("Council Tax Team", "Benefits Team"),
      ("Collect council tax and business rates", "Pay benefit claims promptly and accurately",
       "Help households who fall behind with payments"),
      ("Introduce council tax e-billing", "Automate change of circumstances processing",
       "Review the council tax support schemes")),
    S("customer", "rs", "Customer Services", "CSC", "T4.O2", ("Contact Centre", "Digital Services Team"),
      ("Answer calls promptly", "Move simple transactions online", "Answer complaints on time"),
      ("Launch the residents' online account", "Replace the telephony system", "Publish customer service standards")),
    S("policy", "rs", "Policy, Performance and Insight", "PPI", "T4.O2",
      ("Performance and Insight Team", "Policy and Partnerships Team"),
      ("Run the performance management framework", "Publish performance openly", "Build a learning culture"),
      ("Introduce the corporate performance management system", "Publish the annual performance report",
       "Run the residents' survey")),
)
SERVICE_DEFS = {s.key: s for s in SERVICES}

# ---------------------------------------------------------------------------------------------- the Corporate Plans


@dataclass(frozen=True)
class ThemeDef:
    ref: str
    title: str
    portfolio: str
    directorate: str  # the lead director's directorate
    objectives: tuple[str, str]


THEMES: dict[str, tuple[ThemeDef, ...]] = {
    "w": (
        ThemeDef("T1", "Protect and restore our natural world", "Environment and Climate", "pe",
                 ("Less waste, more recycling and clean streets", "A council on the way to net zero by 2030")),
        ThemeDef("T2", "Homes and places people need", "Planning and Housing", "ch",
                 ("Planning decisions that are timely and shape good places",
                  "Homelessness is prevented and more affordable homes are built")),
        ThemeDef("T3", "Healthy and thriving communities", "Communities and Wellbeing", "ch",
                 ("More residents are active and well", "Residents and businesses are safe and well regulated")),
        ThemeDef("T4", "An open and well-run council", "Finance and Corporate Services", "rs",
                 ("Finances are sustainable and council tax is collected",
                  "Residents get easy, responsive customer service")),
    ),
    "v": (
        ThemeDef("T1", "Tackling the climate and ecological emergency", "Climate Emergency and Environment", "pe",
                 ("Waste is reduced and recycling stays among the best in the country",
                  "The council's own carbon emissions fall year on year")),
        ThemeDef("T2", "Affordable homes and great places", "Housing and Planning", "ch",
                 ("Development is well planned and decided on time",
                  "Fewer households are homeless or in temporary accommodation")),
        ThemeDef("T3", "Healthy, safe and inclusive communities", "Community Health and Leisure", "ch",
                 ("Leisure and community facilities help people stay active",
                  "Food businesses, homes and neighbourhoods are safe")),
        ThemeDef("T4", "Working in an open and inclusive way", "Corporate Services and Transformation", "rs",
                 ("Council tax and business rates are collected and spent wisely",
                  "Services are easy to reach, online and by phone")),
    ),
}
LEADER_THEME = "T4"  # the Leader holds the corporate portfolio
SCRUTINY_REMIT = ("T2", "T3")  # each council's own scrutiny committee
JOINT_REMIT = ("T1", "T4")  # the shared services' themes, in both councils: the joint committee's

# ---------------------------------------------------------------------------------------------- the measures
# The same references in both councils (the shared catalogue), then each council's own. Monthly measures are due
# five working days after the month ends and are entered within days of it closing.

K, CTX = "kpi", "contextual"
I = Ind  # noqa: E741
SHARED_MEASURES: tuple[Ind, ...] = (
    I("WSS01", "waste", "Percentage of household waste sent for reuse, recycling and composting", "%HMC", 58, 1,
      dp=1, ratio=("Tonnes reused, recycled or composted", "Tonnes of household waste collected", 4200), kind=K,
      hl=True, code="NI 192", stat=True, prof="garden_waste", wd=5),
    I("WSS02", "waste", "Missed bin collections per 100,000 collections", "rLMS", 45, -3, dp=1, per=100000,
      ratio=("Missed collections", "Scheduled collections", 260000), kind=K, wd=5),
    I("WSS03", "waste", "Percentage of fly-tipping incidents cleared within two working days", "%HMS", 92, 0, dp=1,
      ratio=("Incidents cleared within two working days", "Fly-tipping incidents reported", 85), wd=5),
    I("WSS04", "waste", "Fly-tipping incidents reported", "nLMC", 1000, 0, kind=CTX, wd=5),
    I("CLA01", "climate", "The council's own carbon emissions (tonnes CO2e)", "nLAS", 3200, -250, kind=K, hl=True,
      wd=40),
    I("CLA02", "climate", "Climate action plan: delivery on track", "yHQS", 1, qual=True, kind=K),
    I("DEV01", "devman", "Percentage of major planning applications decided within 13 weeks or agreed time", "%HQC",
      85, 1, dp=1, ratio=("Major applications decided in time", "Major applications decided", 9), kind=K, hl=True,
      code="PS1/PS2", stat=True),
    I("DEV02", "devman", "Percentage of non-major planning applications decided within 8 weeks or agreed time",
      "%HMC", 82, 1, dp=1, ratio=("Non-major applications decided in time", "Non-major applications decided", 95),
      code="PS1/PS2", stat=True, wd=5),
    I("DEV03", "devman", "Planning applications received", "nHMC", 1500, 0, kind=CTX, wd=5),
    I("HSN01", "housing", "Number of households in temporary accommodation", "nLMS", 60, -4, kind=K, hl=True,
      code="H-CLIC", stat=True, wd=5),
    I("HSN02", "housing", "Percentage of homelessness cases where homelessness was prevented or relieved", "%HQC",
      60, 2, dp=1, ratio=("Cases prevented or relieved", "Prevention and relief duties ended", 80), kind=K,
      code="H-CLIC", stat=True),
    I("HSN03", "housing", "Number of affordable homes delivered", "nHQC", 220, 20, kind=K, prof="backloaded"),
    I("LAC01", "leisure", "Number of visits to council leisure centres", "nHMC", 520000, 15000, prof="leisure", wd=5),
    I("LAC02", "leisure", "Health and wellbeing partnership plan: delivery on track", "yHQS", 1, qual=True),
    I("EHL01", "envhealth", "Percentage of food businesses rated 3 (generally satisfactory) or better", "%HQS", 95,
      0.3, dp=1, ratio=("Businesses rated 3 or better", "Rated food businesses", 850), code="FSA FHRS"),
    I("EHL02", "envhealth", "Percentage of licensing applications processed within 10 working days", "%HMS", 90, 1,
      dp=1, ratio=("Applications processed within 10 working days", "Licensing applications processed", 60), wd=5),
    I("RAB01", "revenues", "Percentage of council tax collected in year", "%HMC", 98, 0.05, dp=2, kind=K, hl=True,
      code="QRC4", stat=True, prof="ctax", tol=("pct", 1), char="steady", wd=5),
    I("RAB02", "revenues", "Percentage of business rates collected in year", "%HMC", 98.5, 0.1, dp=2, kind=K,
      code="QRC4", stat=True, prof="nndr", tol=("pct", 1), wd=5),
    I("RAB03", "revenues", "Average days to process new housing benefit and council tax support claims", "dLMS", 18,
      -1, dp=1, kind=K, tol=("abs", 2), code="DWP SHBE", wd=5),
    I("CSC01", "customer", "Average time to answer calls to the customer contact centre (seconds)", "nLMS", 120, -10,
      kind=K, prof="calls", wd=5),
    I("CSC02", "customer", "Percentage of stage 1 complaints answered within 10 working days", "%HMS", 90, 0, dp=1,
      ratio=("Complaints answered within 10 working days", "Stage 1 complaints closed", 45), wd=5),
    I("PPI01", "policy", "Percentage of performance returns submitted by the deadline", "%HQS", 92, 1, dp=1,
      ratio=("Returns submitted by the deadline", "Returns due", 60)),
)
OWN_MEASURES: dict[str, tuple[Ind, ...]] = {
    "w": (
        I("WYB01", "climate", "Number of homes retrofitted through the Warm Wyebridge scheme", "nHQC", 90, 15,
          prof="backloaded"),
        I("WYB02", "devman", "Wyebridge Riverside masterplan: delivery on track", "yHQS", 1, qual=True, kind=K),
        I("WYB03", "waste", "Percentage of streets inspected that meet the cleanliness standard", "%HQS", 94, 0,
          dp=1, ratio=("Streets meeting the standard", "Streets inspected", 300)),
    ),
    "v": (
        I("VOA01", "waste", "Number of garden waste subscriptions", "nHMS", 21000, 500, wd=5),
        I("VOA02", "housing", "Number of empty homes brought back into use", "nHQC", 40, 5),
        I("VOA03", "climate", "Vale of Ashcombe nature recovery plan: delivery on track", "yHQS", 1, qual=True),
    ),
}
SENT_BACK = "WSS03"  # the shared lead's latest month of this measure is sent back to them in each council
SENT_BACK_REASON = ("The number of incidents does not match the contractor's monthly report; please check the "
                    "figure and resubmit.")
REOPEN_REASON = "Sent back for a correction after the month closed to entry: reopened so the lead can resubmit it."

# ---------------------------------------------------------------------------------------------- people

#: Surnames of the pair's people: none of Harrowdale's (demo/organisation.py), so no username is ever taken twice.
SURNAMES: tuple[str, ...] = (
    "Abbott", "Ainsworth", "Allard", "Bramley", "Brockley", "Calder", "Corbett", "Danvers", "Dunstan", "Elwood",
    "Eversley", "Fairbairn", "Gostelow", "Hatherley", "Ingleby", "Jessop", "Kingsley", "Langford", "Marwood",
    "Northcott", "Oldroyd", "Penrose", "Quayle", "Redfern", "Stainton", "Tolley", "Upcott", "Verity", "Whitcombe",
    "Yeoman", "Ashdown", "Blakemore", "Cottrell", "Denholm", "Everard", "Fenton", "Grantham", "Hollis", "Ibbotson",
    "Kershaw", "Lambourne", "Merriman", "Nettleton", "Orchard", "Pemberton", "Rowntree", "Saltmarsh", "Tranter",
)
NAMED: dict[str, tuple[str, str]] = {
    "chloe.marwood": ("Chloe", "Marwood"),  # shared service lead, Waste and Street Scene, in both councils
    "fiona.langford": ("Fiona", "Langford"),  # the pair's performance unit
    "rhys.penrose": ("Rhys", "Penrose"),  # chair of the Joint Scrutiny Committee (a Wyebridge councillor)
}
PERFORMANCE_UNIT_TITLES = ("Performance and Insight Manager", "Performance Analyst", "Data and Insight Officer")
CABINET_SIZE, SCRUTINY_SIZE, JOINT_SIZE = 4, 7, 3  # the joint committee: this many councillors from each council


def catalogue_for(key: str) -> tuple[Ind, ...]:
    """A council of the pair's measures: the shared catalogue, then its own."""
    return SHARED_MEASURES + OWN_MEASURES[key]


# ---------------------------------------------------------------------------------------------- the loader


@dataclass
class SharedTeam:
    """The shared officer team: the organisation, and its people, each with the roles they hold in both councils
    (``roles``); and each council's members, whose roles are the council's own."""

    directorates: dict[str, Directorate]
    services: dict[str, Service]
    teams: dict[str, list[Team]]
    people: list[dict]
    director_rec: dict[str, dict]
    delegate_rec: dict[str, dict]
    head_rec: dict[str, dict]
    lead_rec: dict[str, dict]
    second_lead: dict[str, dict]
    performance_unit: list[dict]
    members: dict[str, dict[str, list[dict]]]  # council key -> "cabinet" / "scrutiny" / "joint" -> people


class CouncilPart(DemoLoader):
    """One council of the pair, built with Harrowdale's generators over the shared team."""

    spec_changes: dict[str, str] = {}
    #: Harrowdale's workflow states, except that the latest month of a monthly measure is always in: entered as soon
    #: as the month closed, and submitted or already signed off.
    STATE_TABLES = {**DemoLoader.STATE_TABLES, ("monthly", 0): {"approved": 45, "submitted": 55}}

    def __init__(self, as_of: date, cdef: CouncilDef, team: SharedTeam, council: Council):
        super().__init__(as_of)
        self.cdef, self.team, self.council = cdef, team, council
        self.catalogue = catalogue_for(cdef.key)
        self.directorates, self.services, self.teams = team.directorates, team.services, team.teams
        self.service_defs = SERVICE_DEFS
        self.director_rec, self.delegate_rec = team.director_rec, team.delegate_rec
        self.head_rec, self.lead_rec, self.second_lead = team.head_rec, team.lead_rec, team.second_lead
        self.performance_unit = team.performance_unit
        self.themes = THEMES[cdef.key]

    def rng(self, *parts: object):  # each council's own figures, for the same measure
        return DemoLoader.rng(self.cdef.slug, *parts)

    # -------------------------------------------------------------------------------------- levels, committees

    def make_levels(self) -> None:
        rows = (
            (1, "Corporate Plan", True, 4, "The four-year Corporate Plan: the top of the golden thread."),
            (2, "Theme", False, 4, "One of the Corporate Plan's four themes, each with a Cabinet member and a lead "
                                   "director."),
            (3, "Objective", False, 4, "What the council wants to achieve under a theme."),
            (4, "Service plan", True, 1, "A shared service's annual plan for this council."),
        )
        levels = [PlanLevel(council=self.council, rank=rank, name=name, is_plan=is_plan, typical_years=years,
                            description=desc) for rank, name, is_plan, years, desc in rows]
        for level in levels:
            if level.is_plan:
                apply_default_approval(level)
        self.level = {lv.rank: lv for lv in PlanLevel.objects.bulk_create(levels)}

    def make_committees(self, joint: Committee) -> None:
        """Portfolios, Cabinet, the council's scrutiny committee, and every role held in this council: the shared
        officers', its members' and the joint committee's members'."""
        members = self.team.members[self.cdef.key]
        self.portfolios = {
            t.ref: Portfolio.objects.create(council=self.council, name=t.portfolio, holder=rec["user"])
            for t, rec in zip(self.themes, members["cabinet"], strict=True)}
        self.cabinet = dict(zip((t.ref for t in self.themes), members["cabinet"], strict=True))
        self.leader = self.cabinet[LEADER_THEME]["user"]
        name = self.cdef.short_name
        self.cabinet_committee = Committee.objects.create(name=f"{name} Cabinet", kind=CommitteeKind.CABINET,
                                                          chair=self.leader)
        self.scrutiny_committee = Committee.objects.create(
            name=f"{name} Overview and Scrutiny Committee", kind=CommitteeKind.SCRUTINY,
            chair=members["scrutiny"][0]["user"])
        for committee in (self.cabinet_committee, self.scrutiny_committee):
            committee.councils.add(self.council)

        rows = []
        for p in self.team.people:
            for role, scope in p["roles"]:
                scope = dict(scope)
                if "delegate_for" in scope:
                    scope["delegate_for"] = self.director_rec[scope["delegate_for"]]["user"]
                rows.append(RoleAssignment(user=p["user"], council=self.council, role=role, **scope))
        for ref, rec in self.cabinet.items():
            rows.append(RoleAssignment(user=rec["user"], council=self.council, role=Role.CABINET_MEMBER,
                                       portfolio=self.portfolios[ref], committee=self.cabinet_committee))
        rows += [RoleAssignment(user=rec["user"], council=self.council, role=Role.SCRUTINY_MEMBER,
                                committee=self.scrutiny_committee) for rec in members["scrutiny"]]
        # The joint committee's members, from both councils, read both councils' measures in its remit.
        rows += [RoleAssignment(user=rec["user"], council=self.council, role=Role.SCRUTINY_MEMBER, committee=joint)
                 for key in ("w", "v") for rec in self.team.members[key]["joint"]]
        RoleAssignment.objects.bulk_create(rows)

    # -------------------------------------------------------------------------------------- plans

    def make_plans(self) -> None:
        rng = self.rng("plans")
        y0, cy = self.y0, self.cy
        council_day = date(y0, 2, 22)
        ceo = self.team.people[0]["user"]
        self.council_plan = self.make_plan(
            1, f"{self.cdef.short_name} Corporate Plan {y0}-{y0 + 4}", y0, y0 + 3, "active", self.leader,
            council_day, note=f"Adopted by full Council on {council_day:%d %B %Y}.", owner=ceo)
        self.priority_item: dict[str, PlanItem] = {}
        self.outcome_item: dict[str, PlanItem] = {}
        self.outcome_title: dict[str, str] = {}
        for pi, t in enumerate(self.themes, start=1):
            director = self.director_rec[t.directorate]["user"]
            item = self.add_item(
                self.council_plan, 2, t.ref, t.title, position=pi, portfolio=self.portfolios[t.ref],
                outcome_owner=self.cabinet[t.ref]["user"], lead_director=director, owner=director,
                description=f"Theme {pi} of the Corporate Plan. Cabinet member: the Cabinet Member for "
                            f"{t.portfolio}. Lead director: the shared {self.directorates[t.directorate].name} "
                            "director.")
            self.priority_item[t.ref] = item
            for oi, title in enumerate(t.objectives, start=1):
                ref = f"{t.ref}.O{oi}"
                self.outcome_item[ref] = self.add_item(self.council_plan, 3, ref, title, parent=item, position=oi,
                                                       owner=director, portfolio=self.portfolios[t.ref])
                self.outcome_title[ref] = title

        # Each shared service's plan for this council this year.
        self.service_items: dict[str, list[PlanItem]] = {}
        for s in SERVICES:
            status = pick(rng, {"active": 75, "approved": 10, "draft": 15})
            plan = self.make_plan(
                4, f"{s.name} Service Plan {self.fy(cy)} ({self.cdef.short_name})", cy, cy, status,
                self.director_rec[s.directorate]["user"], date(cy, 3, 10 + rng.randint(0, 18)),
                note="Approved by the director.", owner=self.head_rec[s.key]["user"],
                directorate=self.directorates[s.directorate], service=self.services[s.key])
            self.service_items[s.key] = [
                self.add_item(plan, 4, f"{s.prefix}.{n}", title, parent=self.outcome_item[s.outcome], position=n,
                              owner=self.lead_rec[s.key]["user"])
                for n, title in enumerate(s.objectives, start=1)]

        self.cabinet_committee.remit.set(self.priority_item.values())
        self.scrutiny_committee.remit.set([self.priority_item[r] for r in SCRUTINY_REMIT])

    def submit_some_plans(self) -> None:
        """A4: one draft service plan submitted and waiting for its director."""
        plan = Plan.objects.filter(council=self.council, status="draft", level__rank=4).order_by("pk").first()
        if plan is not None:
            Plan.objects.filter(pk=plan.pk).update(status="submitted", submitted_by=plan.owner, submissions=1,
                                                   submitted_at=aware(self.as_of - timedelta(days=6), 10, 15))

    # -------------------------------------------------------------------------------------- measures

    def rationale(self, ind: Ind) -> str:
        return super().rationale(ind).replace("the Council Plan outcome", "the Corporate Plan objective")

    def data_source(self, ind: Ind) -> str:
        source = next(d.source for d in DIRECTORATES if d.key == SERVICE_DEFS[ind.service].directorate)
        return f"{source}; {ind.code} return" if ind.code else source

    def returns_for(self, ip: IndicatorPlan) -> list[Return]:
        """Harrowdale's returns, and for a monthly measure every month entered as soon as it closed: submitted
        within four days of the month's end (timeliness, frameworks/004), the latest month included. The shared
        lead's latest month of one measure has been sent back to them for a correction."""
        rows = super().returns_for(ip)
        if ip.ind.frequency != Frequency.MONTHLY:
            return rows
        rng = self.rng("prompt", ip.ind.ref)
        latest = self.latest_month
        for ret in rows:
            if ret.state == "draft" or ret.submitted_at is None:
                continue
            submitted = aware(ret.period.end + timedelta(days=rng.randint(1, 4)), 8, 30) + timedelta(
                minutes=rng.randint(0, 480))
            ret.submitted_at = min(submitted, self.cutoff - timedelta(hours=1))
            if ret.approved_at is not None and ret.approved_at <= ret.submitted_at:
                ret.approved_at = ret.submitted_at + timedelta(hours=3)
        for ret in rows:
            if ret.period.pk == latest.pk and ip.ind.ref == SENT_BACK:
                ret.state, ret.returned_reason, ret.version = "returned", SENT_BACK_REASON, 3
                ret.approved_by = ret.approved_at = None
                ret.verified_by = ret.verified_at = None
                ret.submitted_by = ret.submitted_by or ip.specs[-1].performance_lead
        return rows

    def reopen_sent_back(self) -> None:
        """D1: the return sent back came back after its month closed to entry, so the performance unit reopened the
        month for that measure (recorded, with the audit entry dated when it was done)."""
        ip = next(ip for ip in self.plans if ip.ind.ref == SENT_BACK)
        by, at = self.performance_unit[0]["user"], aware(self.as_of - timedelta(days=3), 11, 20)
        until = self.as_of + timedelta(days=7)
        reopening = EntryReopening.objects.create(indicator=ip.obj, period=self.latest_month, until=until,
                                                  reason=REOPEN_REASON, by=by)
        EntryReopening.objects.filter(pk=reopening.pk).update(at=at)
        audit.record_many(user=by, action="reopen", objects=[reopening], reason=REOPEN_REASON, council=self.council,
                          changes={"open_until": [None, until.isoformat()]}, at=at)

    @property
    def latest_month(self) -> Period:
        ended = [key for key, p in self.periods.items() if key[1] == Frequency.MONTHLY and p.end < self.as_of]
        return self.periods[max(ended, key=lambda k: (k[0], k[2]))]

    # -------------------------------------------------------------------------------------- actions

    def make_actions(self) -> None:
        """A few actions per shared service, for this council, each in a believable state at the as-of date (C3)."""
        actions, links = [], []
        for s in SERVICES:
            rng = self.rng("actions", s.key)
            for n, title in enumerate(s.actions, start=1):
                status = pick(rng, ACTION_STATUS_WEIGHTS)
                dates = self.dates_for_status(status, rng)
                update = rng.choice(text.ACTION_UPDATES[status])
                if status == "no_longer_viable":
                    update = f"{update} {dates['no_longer_viable_reason']}"
                owner = rng.choice((self.head_rec[s.key], self.lead_rec[s.key]))["user"]
                action = Action(council=self.council, ref=f"{s.prefix}-A{n:02d}", title=title,
                                description=f"{title}. Part of the {s.name} service plan for {self.cdef.short_name}, "
                                            f"supporting the objective “{self.outcome_title[s.outcome]}”.",
                                service=self.services[s.key], owner=owner, is_key=n == 1, latest_update=update,
                                **dates)
                actions.append(action)
                links.append((action, [self.outcome_item[s.outcome], self.service_items[s.key][n - 1]]))
        Action.objects.bulk_create(actions)
        through = Action.plan_items.through
        through.objects.bulk_create([through(action_id=a.pk, planitem_id=i.pk) for a, items in links for i in items])

    # -------------------------------------------------------------------------------------- timetable

    def joint_meetings(self, joint: Committee) -> None:
        """D1: the Joint Scrutiny Committee's quarterly meetings in this council's timetable, three weeks after
        Cabinet."""
        periods = {p.number: p for p in Period.objects.filter(financial_year_id=self.cy, frequency="quarterly")}
        rows = []
        for quarter in range(1, 5):
            _, end = period_bounds(frequency=Frequency.QUARTERLY, year_start=self.cy, period_number=quarter)
            cabinet = end + timedelta(weeks=CABINET_WEEKS)
            cabinet += timedelta(days=(3 - cabinet.weekday()) % 7)  # the Thursday Cabinet meets
            label = f"Q{quarter} {financial_year_label(self.cy)}"
            rows.append(TimetableEntry(council=self.council, financial_year_id=self.cy, period=periods[quarter],
                                       kind=TimetableKind.SCRUTINY, committee=joint,
                                       title=f"{joint.name}: {label} performance report of both councils",
                                       date=cabinet + timedelta(days=21)))
        TimetableEntry.objects.bulk_create(rows)

    def build(self, joint: Committee) -> None:
        self.make_levels()
        self.make_committees(joint)
        self.make_plans()
        self.make_indicators()
        self.make_returns()
        self.reopen_sent_back()
        self.make_actions()
        # C 3.1: each council's own budgets and forecasts for the shared services (the same services, each council's
        # figures: its own random stream), so the finance section of the reports it inherits has figures.
        self.make_finance()
        self.fix_timestamps()


class PairLoader:
    """Builds the pair: the councils, the shared team, then each council with ``CouncilPart``, the joint committee
    with its remit across both, and each council's timetable, schedule and reports."""

    def __init__(self, as_of: date):
        self.as_of = as_of

    @staticmethod
    def rng(*parts: object):
        return DemoLoader.rng("pair", *parts)

    def load(self) -> list[Council]:
        councils = [Council.objects.create(
            name=c.name, short_name=c.short_name, slug=c.slug, council_type="district", ons_code=c.ons_code,
            website=f"https://{c.domain}", default_tolerance_pct=5, default_due_working_days=10, period_close_days=5,
        ) for c in PAIR]
        team = self.make_team(councils)
        joint = Committee.objects.create(name=JOINT_COMMITTEE, kind=CommitteeKind.JOINT_SCRUTINY,
                                         chair=next(p["user"] for p in team.people if p["username"] == "rhys.penrose"))
        joint.councils.set(councils)
        parts = [CouncilPart(self.as_of, cdef, team, council) for cdef, council in zip(PAIR, councils, strict=True)]
        for part in parts:
            part.make_years()
            part.build(joint)
        joint.remit.set([part.priority_item[ref] for part in parts for ref in JOINT_REMIT])
        for part in parts:
            make_timetable(part.council, year_start=part.cy)
            part.joint_meetings(joint)
            ensure_schedule(part.council)
            make_report_definitions(part.council)
            track(part.council, up_to=latest_quarter(self.as_of), since=(part.cy - 1, 1))
        # The joint committee's report: issued by the first council, covering the other as well, each council's
        # measures in its own section (sections as Harrowdale's scrutiny reports).
        report, _ = ReportDefinition.objects.get_or_create(
            council=councils[0], name=JOINT_REPORT,
            defaults={"report_type": ReportType.SCRUTINY, "scope": ScopeKind.COMMITTEE, "committee": joint,
                      "kpis_only": False, "is_public": True, "sections": [str(s) for s in ALL]})
        report.other_councils.set(councils[1:])
        return councils

    # -------------------------------------------------------------------------------------- the shared team

    def make_team(self, councils: list[Council]) -> SharedTeam:
        rng = self.rng("people")
        used = set(NAMED)
        people: list[dict] = []

        def person(title: str, *, named: str | None = None, member: str = "", team: Team | None = None,
                   roles: tuple = ()) -> dict:
            if named:
                first, last = NAMED[named]
                username = named
            else:
                while True:
                    first, last = rng.choice(org.FIRST_NAMES), rng.choice(SURNAMES)
                    username = username_for(first, last)
                    if username not in used:
                        break
            used.add(username)
            rec = {"username": username, "first": first, "last": last, "title": title, "member": member,
                   "team": team, "roles": list(roles)}
            people.append(rec)
            return rec

        directorates = Directorate.objects.bulk_create([Directorate(name=d.name, code=d.code) for d in DIRECTORATES])
        dirs = {d.key: obj for d, obj in zip(DIRECTORATES, directorates, strict=True)}
        Directorate.councils.through.objects.bulk_create([
            Directorate.councils.through(directorate_id=d.pk, council_id=c.pk) for d in directorates for c in councils])
        services = {s.key: obj for s, obj in zip(SERVICES, Service.objects.bulk_create([
            Service(directorate=dirs[s.directorate], name=s.name) for s in SERVICES]), strict=True)}
        teams: dict[str, list[Team]] = {}
        key_of = {v.pk: k for k, v in services.items()}
        for team in Team.objects.bulk_create([Team(service=services[s.key], name=n) for s in SERVICES
                                              for n in s.teams]):
            teams.setdefault(key_of[team.service_id], []).append(team)

        person("Chief Executive of both councils", roles=((Role.STAFF, {}),))
        director_rec, delegate_rec, head_rec, lead_rec = {}, {}, {}, {}
        for d in DIRECTORATES:
            director_rec[d.key] = person(d.director_title, roles=((Role.DIRECTOR, {"directorate": dirs[d.key]}),))
            delegate_rec[d.key] = person(f"Deputy Director, {d.name}", roles=(
                (Role.DELEGATE, {"directorate": dirs[d.key], "delegate_for": d.key}),))
        for s in SERVICES:
            head_rec[s.key] = person(f"Head of {s.name}", roles=((Role.HEAD_OF_SERVICE, {"service": services[s.key]}),))
            lead_rec[s.key] = person(f"Service Lead (Performance), {s.name}",
                                     named="chloe.marwood" if s.key == "waste" else None, team=teams[s.key][0],
                                     roles=((Role.SERVICE_LEAD, {"service": services[s.key]}),))
        # Every service has a deputy performance lead: the lead of the service before it covers it.
        second_lead = {}
        for i, s in enumerate(SERVICES):
            cover = lead_rec[SERVICES[i - 1].key]
            cover["roles"].append((Role.SERVICE_LEAD, {"service": services[s.key]}))
            second_lead[s.key] = cover
        unit = [person(title, named="fiona.langford" if i == 0 else None, team=teams["policy"][0],
                       roles=((Role.PERFORMANCE_UNIT, {}),)) for i, title in enumerate(PERFORMANCE_UNIT_TITLES)]
        person("Shared Internal Audit Manager", roles=((Role.INTERNAL_AUDIT, {}),))

        members: dict[str, dict[str, list[dict]]] = {}
        for c in PAIR:
            themes = {t.ref: t for t in THEMES[c.key]}
            cabinet = [person("Leader of the Council and Cabinet Member for " + themes[ref].portfolio
                              if ref == LEADER_THEME else f"Cabinet Member for {themes[ref].portfolio}", member=c.key)
                       for ref in themes]
            scrutiny = [person(f"Councillor, {c.short_name}; {'Chair, ' if i == 0 else ''}"
                               f"{c.short_name} Overview and Scrutiny Committee", member=c.key)
                        for i in range(SCRUTINY_SIZE)]
            chair = c.key == "w"  # a Wyebridge councillor chairs the joint committee
            joint = [person(f"Councillor, {c.short_name}; {'Chair, ' if chair and i == 0 else ''}Joint Scrutiny "
                            "Committee", named="rhys.penrose" if chair and i == 0 else None, member=c.key)
                     for i in range(JOINT_SIZE)]
            members[c.key] = {"cabinet": cabinet, "scrutiny": scrutiny, "joint": joint}

        password = make_password(DEMO_PASSWORD, salt=PASSWORD_SALT)
        joined = aware(date(self.as_of.year - 4, 9, 1), 9, 0)
        domains = {c.key: c.domain for c in PAIR}
        units = {id(p) for p in unit}
        users = User.objects.bulk_create([
            User(username=p["username"], first_name=p["first"], last_name=p["last"], job_title=p["title"],
                 is_member=bool(p["member"]), email=f"{p['username']}@{domains.get(p['member'], OFFICER_DOMAIN)}",
                 password=password, date_joined=joined + timedelta(minutes=i), is_staff=id(p) in units)
            for i, p in enumerate(people)])
        for p, user in zip(people, users, strict=True):
            p["user"] = user
        group = performance_unit_group()
        User.groups.through.objects.bulk_create([
            User.groups.through(user_id=p["user"].pk, group_id=group.pk) for p in unit])
        Team.members.through.objects.bulk_create([
            Team.members.through(team_id=p["team"].pk, user_id=p["user"].pk) for p in people if p["team"]])

        for d in DIRECTORATES:
            dirs[d.key].director = director_rec[d.key]["user"]
        Directorate.objects.bulk_update(dirs.values(), ["director"])
        for s in SERVICES:
            services[s.key].head = head_rec[s.key]["user"]
        Service.objects.bulk_update(services.values(), ["head"])
        for key, ts in teams.items():
            for t in ts:
                t.manager = lead_rec[key]["user"]
        Team.objects.bulk_update([t for ts in teams.values() for t in ts], ["manager"])
        return SharedTeam(directorates=dirs, services=services, teams=teams, people=people, director_rec=director_rec,
                     delegate_rec=delegate_rec, head_rec=head_rec, lead_rec=lead_rec, second_lead=second_lead,
                     performance_unit=unit, members=members)


# ---------------------------------------------------------------------------------------------- entry points


def pair_councils() -> list[Council]:
    """The pair's councils, in their order (empty when the pair is not loaded)."""
    found = {c.slug: c for c in Council.objects.filter(slug__in=PAIR_SLUGS)}
    return [found[s] for s in PAIR_SLUGS if s in found]


def delete_pair() -> None:
    """Delete both councils of the pair, their shared officer structure and their people."""
    councils = pair_councils()
    if not councils:
        return
    with maintenance_window("Remove the demo pair of district councils"):
        users = list(User.objects.filter(role_assignments__council__in=councils).values_list("pk", flat=True)
                     .distinct())
        directorates = list(Directorate.objects.filter(councils__in=councils).values_list("pk", flat=True).distinct())
        for council in councils:
            delete_council_data(council)
        for council in councils:
            council.delete()
        delete_organisation(directorates, users)


def load_pair(*, as_of: date = DEMO_AS_OF, reset: bool = False) -> tuple[list[Council], bool]:
    """Load the pair unless it is there (``reset`` deletes it first). Returns (councils, created)."""
    if reset:
        delete_pair()
    with transaction.atomic():
        existing = pair_councils()
        if existing:
            return existing, False
        return PairLoader(as_of).load(), True
