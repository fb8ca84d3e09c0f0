"""The sheets of the council workbook, in the order they are read (each refers only to sheets before it).

People are named by their username; plans by the workbook's own "plan key" (any text, unique in the workbook);
plan items by their plan key and reference; measures, actions and risks by their references; directorates by
their code and services by their directorate code and name. Years are financial years (2025/26)."""

from __future__ import annotations

from indicators.choices import (
    Calculation,
    Confidence,
    ForecastMethod,
    Frequency,
    IndicatorKind,
    MeasureType,
    Polarity,
    ReturnState,
    SelfAssessment,
    Stretch,
    Unit,
)
from plans.choices import PlanStatus
from pmf.choices import CommitteeKind, CouncilType, Role, ServiceKind
from pmf.imports import Column, Sheet

C = Column


def values(choices) -> tuple[str, ...]:
    return tuple(str(v) for v in choices.values)


PERSON = "A person's username (from the People sheet)."
DIRECTORATE = C("directorate", required=True, help="The directorate's code (from the Directorates sheet).",
                example="HAR-PE")
SERVICE = C("service", required=True, help="The service's name, in that directorate (from the Services sheet).",
            example="Waste and Recycling")

COUNCIL = Sheet("Council", (
    C("name", required=True, max_length=200, help="The council's full name.", example="Harrowdale Council"),
    C("short name", max_length=60, help="The short name shown in headings.", example="Harrowdale"),
    C("type", allowed=values(CouncilType), help="The kind of council.", example="unitary"),
    C("ONS code", max_length=9, help="The ONS (GSS) code of the area.", example="E06000050"),
    C("website", max_length=200, help="The council's website.", example="https://www.harrowdale.gov.uk"),
    C("default tolerance (%)", "decimal", help="The amber band where a target sets no tolerance.", example="5"),
    C("returns due after (working days)", "int", help="Returns are due this many working days after the period "
                                                      "ends, unless the measure says otherwise.", example="10"),
    C("period closes after (days)", "int", help="A period closes to entry this many days after its deadline.",
      example="5"),
), help="One row: the council's settings.")

DIRECTORATES = Sheet("Directorates", (
    C("code", required=True, max_length=20, help="A short code, unique across the whole system.", example="HAR-PE"),
    C("name", required=True, max_length=150, help="The directorate's name.", example="Place and Environment"),
    C("director", help=PERSON, example="ruth.calloway"),
), help="The directorates of the officer structure.", key=("code",))

SERVICES = Sheet("Services", (
    DIRECTORATE,
    C("name", required=True, max_length=150, help="The service's name, unique in its directorate.",
      example="Waste and Recycling"),
    C("head of service", help=PERSON, example="grace.okafor"),
    C("kind", allowed=values(ServiceKind), help="A council service (the default when blank), or a wholly-owned "
      "company, partnership or commissioned contract the directorate oversees.", example="service"),
    C("provider", max_length=150, help="Who delivers it: the company, the lead partner or the contractor. Required "
      "for a company, partnership or contract; blank for a council service.", example=""),
), help="The services of each directorate, and the companies, partnerships and contracts they oversee.",
   key=("directorate", "name"))

TEAMS = Sheet("Teams", (
    DIRECTORATE, SERVICE,
    C("name", required=True, max_length=150, help="The team's name, unique in its service.",
      example="Waste Collections"),
    C("manager", help=PERSON, example="liam.fenwick"),
    C("members", "list", help="The usernames of the team's members.", example="liam.fenwick; tom.ashworth"),
), help="The teams of each service.", key=("directorate", "service", "name"))

PEOPLE = Sheet("People", (
    C("username", required=True, max_length=150, help="How the person signs in: unique across the whole system.",
      example="tom.ashworth"),
    C("first name", max_length=150, help="Their first name.", example="Tom"),
    C("last name", max_length=150, help="Their last name.", example="Ashworth"),
    C("email", max_length=254, help="Their email address (for reminders).", example="tom.ashworth@harrowdale.gov.uk"),
    C("job title", max_length=150, help="Their job title.", example="Performance lead, Waste and Recycling"),
    C("elected member", "bool", help="yes for a councillor, no for an officer.", example="no"),
), help="The people who use the product. Accounts are made without a password: people sign in by single sign-on, "
        "or the performance unit sets a password.", key=("username",))

PORTFOLIOS = Sheet("Portfolios", (
    C("name", required=True, max_length=150, help="The Cabinet portfolio.", example="Environment and Climate"),
    C("holder", help=PERSON + " The Cabinet member holding it.", example="owen.hartley"),
), help="Cabinet portfolios.", key=("name",))

COMMITTEES = Sheet("Committees", (
    C("name", required=True, max_length=150, help="The committee's name, unique across the whole system.",
      example="Cabinet"),
    C("kind", required=True, allowed=values(CommitteeKind), help="What kind of committee it is.", example="cabinet"),
    C("chair", help=PERSON, example="eleanor.pryce"),
), help="Cabinet, scrutiny and other committees.", key=("name",))

ROLES = Sheet("Roles", (
    C("username", required=True, help=PERSON, example="tom.ashworth"),
    C("role", required=True, allowed=values(Role), help="The role held.", example="service_lead"),
    C("directorate", help="The directorate it covers (its code), for a director, delegate or a narrower scope.",
      example="HAR-PE"),
    C("service", help="The service it covers (its name, in the directorate given).", example="Waste and Recycling"),
    C("team", help="The team it covers (its name, in the service given).", example="Waste Collections"),
    C("committee", help="The committee, for a scrutiny or Cabinet member.", example="Cabinet"),
    C("portfolio", help="The portfolio, for a Cabinet member.", example="Environment and Climate"),
    C("delegate for", help="For a sign-off delegate: the director's username.", example="ruth.calloway"),
), help="The roles people hold, each over a part of the council.",
    key=("username", "role", "directorate", "service", "team", "committee", "portfolio"))

PLAN_LEVELS = Sheet("Plan levels", (
    C("rank", "int", required=True, help="1 is the top of the golden thread.", example="1"),
    C("name", required=True, max_length=100, help="The level's name.", example="Council Plan"),
    C("is a plan", "bool", required=True, help="yes: a document with its own approval (a plan); no: an item "
                                               "inside one (a priority, an outcome).", example="yes"),
    C("typical years", "int", help="How many financial years a plan at this level usually covers.", example="4"),
    C("description", help="What the level is.", example="The four-year Council Plan."),
), help="The levels of the golden thread.", key=("rank",))

PLANS = Sheet("Plans", (
    C("plan key", required=True, max_length=250, help="Any text naming the plan in this workbook, unique in it: "
                                                      "other sheets use it.", example="Council Plan 2024-2028"),
    C("level", required=True, help="The plan level's name (a level that is a plan).", example="Council Plan"),
    C("title", required=True, max_length=200, help="The plan's title.", example="Harrowdale Council Plan 2024-2028"),
    C("first year", "year", required=True, help="The first financial year it covers.", example="2024/25"),
    C("last year", "year", required=True, help="The last financial year it covers.", example="2027/28"),
    C("status", required=True, allowed=values(PlanStatus), help="Where it is in its lifecycle. An approved, active "
                                                                "or closed plan needs who approved it and when.",
      example="active"),
    C("approved by", help=PERSON, example="eleanor.pryce"),
    C("approved at", "datetime", help="When it was approved.", example="2024-02-27 17:30:00"),
    C("decision reference", max_length=300, help="The decision or minute reference.",
      example="Council, 27 February 2024, minute 84"),
    C("owner", help=PERSON + " The officer accountable for it.", example="ruth.calloway"),
    C("directorate", help="The directorate it belongs to (its code).", example="HAR-PE"),
    C("service", help="The service it belongs to (its name, in that directorate).", example="Waste and Recycling"),
    C("team", help="The team it belongs to (its name, in that service).", example="Waste Collections"),
    C("person", help="For individual objectives: whose they are (username).", example="liam.fenwick"),
    C("previous version", help="The plan key of the plan this one was refreshed from.", example=""),
), help="Plan documents. Importing an approved plan brings it in approved, as it was in the old system.",
    key=("plan key",))

PLAN_ITEMS = Sheet("Plan items", (
    C("plan key", required=True, help="The plan holding the item (its plan key).", example="Council Plan 2024-2028"),
    C("ref", required=True, max_length=30, help="The item's reference, unique in its plan.", example="P3.O2"),
    C("level", required=True, help="The item's level (its name).", example="Outcome"),
    C("title", required=True, max_length=250, help="The item's title.", example="Less waste goes to landfill"),
    C("description", help="What it means.", example=""),
    C("position", "int", help="Its order among its siblings.", example="2"),
    C("parent plan key", help="The plan of the item above it (blank: the same plan).", example=""),
    C("parent ref", help="The reference of the item above it in the golden thread.", example="P3"),
    C("portfolio", help="The Cabinet portfolio (its name).", example="Environment and Climate"),
    C("committees", "list", help="The committees whose remit it is in (their names).", example="Cabinet"),
    C("outcome owner", help=PERSON + " The councillor outcome owner.", example="owen.hartley"),
    C("lead director", help=PERSON, example="ruth.calloway"),
    C("owner", help=PERSON + " The officer responsible.", example="sanjay.mistry"),
), help="The items of each plan, each linked to the item above it. Parents come before their children.",
    key=("plan key", "ref"))

RISKS = Sheet("Risks", (
    C("ref", required=True, max_length=20, aliases=("reference",), help="The risk's reference, unique in the council.",
      example="CR04"),
    C("title", required=True, max_length=250, help="The risk.", example="Failure of the waste contract"),
    C("owner", help=PERSON, example="ruth.calloway"),
    C("likelihood", "int", allowed=("1", "2", "3", "4", "5"), help="How likely, 1 (rare) to 5 (almost certain).",
      example="3"),
    C("impact", "int", allowed=("1", "2", "3", "4", "5"), help="How severe, 1 (minimal) to 5 (severe).",
      example="4"),
    C("target likelihood", "int", allowed=("1", "2", "3", "4", "5"),
      help="How likely once the planned actions are done, 1 to 5.", example="2"),
    C("target impact", "int", allowed=("1", "2", "3", "4", "5"),
      help="How severe once the planned actions are done, 1 to 5.", example="3"),
    C("directorate", help="The directorate that manages the risk (its code).", example="HAR-PE"),
    C("measures", "list", aliases=("linked measures",),
      help="The measures linked to the risk (their references). Blank: the links are left as they are (or as the "
           "Measures sheet says).", example="WAS01; WAS02"),
    C("actions", "list", aliases=("linked actions",),
      help="The plan actions that reduce the risk (their references). Blank: the links are left as they are.",
      example="A123"),
), help="The corporate risk register. On its own, as a CSV file named Risks.csv, it updates the register.",
    key=("ref",))

MEASURES = Sheet("Measures", (
    C("ref", required=True, max_length=30, help="The measure's reference, unique in the council.", example="WR01"),
    C("title", required=True, max_length=250, help="The measure's title.",
      example="Household waste sent for reuse, recycling or composting"),
    C("kind", required=True, allowed=values(IndicatorKind), help="KPI, PI or contextual statistic.", example="kpi"),
    DIRECTORATE, SERVICE,
    C("headline", "bool", help="In the corporate headline set.", example="yes"),
    C("qualitative", "bool", help="Narrative only, never rated.", example="no"),
    C("restricted", "bool", help="Never published on the public site.", example="no"),
    C("perception", "bool", help="A survey measure.", example="no"),
    C("risks", "list", help="The linked corporate risks (their references).", example="CR04"),
    C("plan items", "list", help="The plan items it evidences, each as plan key / ref.",
      example="Council Plan 2024-2028 / P3.O2"),
), help="Measures (indicators): KPIs, PIs and contextual statistics.", key=("ref",))

SPECIFICATIONS = Sheet("Specifications", (
    C("measure", required=True, help="The measure's reference.", example="WR01"),
    C("version", "int", required=True, help="1, 2 ...: a change of definition is a new version.", example="1"),
    C("valid from", "year", required=True, help="The first financial year this version applies to.",
      example="2024/25"),
    C("in force", "bool", help="yes for the version in force (at most one per measure; blank: the latest).",
      example="yes"),
    C("definition", required=True, help="What is measured, exactly.", example="Tonnes recycled / tonnes collected"),
    C("rationale", help="Why it matters.", example=""),
    C("data source", required=True, max_length=250, help="Where the figure comes from.",
      example="WasteDataFlow"),
    C("unit", required=True, allowed=values(Unit), help="The unit of the figure.", example="percent"),
    C("rate per", "int", help="For a rate: per how many.", example=""),
    C("calculation", required=True, allowed=values(Calculation), help="A value entered, or numerator / "
                                                                      "denominator × multiplier.", example="ratio"),
    C("numerator", max_length=200, help="What the numerator counts.", example="Tonnes recycled"),
    C("denominator", max_length=200, help="What the denominator counts.", example="Tonnes collected"),
    C("multiplier", "decimal", help="100 for a percentage.", example="100"),
    C("decimal places", "int", help="0 to 6.", example="1"),
    C("polarity", required=True, allowed=values(Polarity), help="Which way is better.", example="higher"),
    C("frequency", required=True, allowed=values(Frequency), help="How often it reports.", example="quarterly"),
    C("measure type", required=True, allowed=values(MeasureType), help="A snapshot, or cumulative year to date.",
      example="snapshot"),
    C("due after (working days)", "int", help="Data due this many working days after the period ends.",
      example="10"),
    C("accountable officer", help=PERSON, example="grace.okafor"),
    C("deputy accountable officer", help=PERSON, example="sanjay.mistry"),
    C("performance lead", help=PERSON + " Enters the returns.", example="tom.ashworth"),
    C("deputy performance lead", help=PERSON, example=""),
    C("comparator group", max_length=150, help="Who it is compared with.", example="CIPFA nearest neighbours"),
    C("national code", max_length=30, help="e.g. ASCOF 2A.", example=""),
    C("statutory return", "bool", help="A statutory return.", example="no"),
    C("stretch", allowed=values(Stretch), help="The level of stretch.", example="moderate"),
    C("forecast method", allowed=values(ForecastMethod), help="How a year-end forecast is computed.",
      example="latest"),
    C("plausible minimum", "decimal", help="Figures below this are refused.", example="0"),
    C("plausible maximum", "decimal", help="Figures above this are refused.", example="100"),
    C("change threshold (%)", "decimal", help="A change beyond this needs commentary.", example="15"),
), help="The technical specification of each measure, by version.", key=("measure", "version"))

TARGETS = Sheet("Targets", (
    C("measure", required=True, help="The measure's reference.", example="WR01"),
    C("year", "year", required=True, help="The financial year.", example="2026/27"),
    C("revision", "int", help="1 for the original; each re-approval adds one.", example="1"),
    C("annual target", "decimal", help="The target for the year (blank for a band).", example="52.5"),
    C("band low", "decimal", help="For 'within a band is best'.", example=""),
    C("band high", "decimal", help="For 'within a band is best'.", example=""),
    C("baseline", "decimal", help="The baseline.", example="50.1"),
    C("needs baseline", "bool", help="The target waits for a baseline year.", example="no"),
    C("tolerance (%)", "decimal", help="The amber band as a percentage (or give the absolute one).", example="5"),
    C("tolerance (absolute)", "decimal", help="The amber band as an amount.", example=""),
    C("note", max_length=300, help="A note.", example="Target agreed in the Council Plan."),
    C("approved at", "datetime", help="When it was approved (blank: not approved). Approved targets are locked.",
      example="2026-03-10 17:30:00"),
    C("approved by", help=PERSON, example="ruth.calloway"),
    C("revision reason", help="Why it was re-approved.", example=""),
    C("superseded at", "datetime", help="When a later revision replaced it.", example=""),
    C("trajectory", "list", help="The target by period (1 is the first period of the year), in order.",
      example="48; 50; 51; 52.5"),
), help="Targets with their tolerances and trajectories, one row per measure, year and revision.",
    key=("measure", "year", "revision"))

RETURNS = Sheet("Returns", (
    C("measure", required=True, help="The measure's reference.", example="WR01"),
    C("year", "year", required=True, help="The financial year.", example="2026/27"),
    C("period", "int", required=True, help="The period in the year: months 1-12 from April, quarters 1-4, "
                                           "half-years 1-2, or 1 for the year.", example="2"),
    C("value", "decimal", help="The figure (computed from numerator and denominator where the measure has them).",
      example="51.2"),
    C("numerator", "decimal", help="The numerator.", example="5120"),
    C("denominator", "decimal", help="The denominator.", example="10000"),
    C("forecast", "decimal", help="The year-end forecast.", example=""),
    C("forecast confidence", allowed=values(Confidence), help="How sure the forecast is.", example=""),
    C("commentary", help="What the figure means.", example="Up on last quarter."),
    C("self-assessed status", allowed=values(SelfAssessment),
      help="A narrative measure's status as its officer judged it (green, amber or red), instead of a figure.",
      example=""),
    C("no data reason", max_length=300, help="Why there is no figure this period.", example=""),
    C("estimate", "bool", help="An estimated figure.", example="no"),
    C("queried", "bool", help="Under query by the performance unit.", example="no"),
    C("query note", help="What is queried.", example=""),
    C("state", required=True, allowed=values(ReturnState), help="draft, submitted, verified, approved or "
                                                                "returned. Approved returns are locked.",
      example="approved"),
    C("returned reason", help="Why it was sent back.", example=""),
    C("submitted by", help=PERSON, example="tom.ashworth"),
    C("submitted at", "datetime", help="When it was submitted.", example="2026-07-14 10:12:00"),
    C("verified by", help=PERSON, example=""),
    C("verified at", "datetime", help="When it was verified.", example=""),
    C("approved by", help=PERSON, example="ruth.calloway"),
    C("approved at", "datetime", help="When it was approved.", example="2026-07-20 16:00:00"),
    C("due on", "date", help="When it was due.", example="2026-07-14"),
), help="Returns: one figure per measure and period, with its state and sign-off.",
    key=("measure", "year", "period"))

ACTIONS = Sheet("Actions", (
    C("ref", required=True, max_length=30, help="The action's reference, unique in the council.", example="A123"),
    C("title", required=True, max_length=250, help="What will be done.", example="Roll out food waste collections"),
    C("description", help="More about it.", example=""),
    C("directorate", help="The directorate of its service (code).", example="HAR-PE"),
    C("service", help="The service delivering it (its name).", example="Waste and Recycling"),
    C("owner", help=PERSON, example="grace.okafor"),
    C("key action", "bool", help="Reported to members.", example="yes"),
    C("start", "date", help="When it starts.", example="2026-04-01"),
    C("approved end", "date", required=True, help="The approved end date.", example="2027-03-31"),
    C("forecast end", "date", help="The forecast end date.", example=""),
    C("completed on", "date", help="When it was completed.", example=""),
    C("no longer viable", "bool", help="Stopped: no longer viable.", example="no"),
    C("no longer viable reason", help="Why.", example=""),
    C("progress (%)", "int", help="0 to 100.", example="40"),
    C("latest update", help="The latest update.", example=""),
    C("plan items", "list", help="The plan items it delivers, each as plan key / ref.",
      example="Council Plan 2024-2028 / P3.O2"),
), help="Actions (deliverables) of the plans.", key=("ref",))

MILESTONES = Sheet("Milestones", (
    C("action", required=True, help="The action's reference.", example="A123"),
    C("title", required=True, max_length=250, help="The milestone.", example="Contract signed"),
    C("approved date", "date", required=True, help="When it is due.", example="2026-09-30"),
    C("forecast date", "date", help="When it is now expected.", example=""),
    C("completed on", "date", help="When it was met.", example=""),
), help="The milestones of each action.", key=("action", "title", "approved date"))

BENCHMARKS = Sheet("Benchmarks", (
    C("measure", required=True, help="The measure's reference.", example="WR01"),
    C("year", "year", required=True, help="The financial year.", example="2025/26"),
    C("comparator", required=True, max_length=150, help="The comparator council or group average.",
      example="CIPFA nearest neighbours average"),
    C("value", "decimal", required=True, help="Its value.", example="48.2"),
    C("source", max_length=200, help="Where the value comes from.", example="LG Inform"),
), help="Comparator values for the measures.", key=("measure", "year", "comparator"))

SHEETS: tuple[Sheet, ...] = (COUNCIL, PEOPLE, DIRECTORATES, SERVICES, TEAMS, PORTFOLIOS, COMMITTEES, ROLES,
                             PLAN_LEVELS, PLANS, PLAN_ITEMS, RISKS, MEASURES, SPECIFICATIONS, TARGETS, RETURNS,
                             ACTIONS, MILESTONES, BENCHMARKS)

GUIDANCE = """Council workbook: how to fill it in
Each sheet below holds one kind of thing; the first row of each sheet is its column names (keep them as they are).
This sheet lists every column: what it means, its type, whether it is required, the values allowed and an example.
Things refer to each other by their codes and references: people by username, plans by the plan key you give them,
plan items by plan key and reference, measures, actions and risks by reference, directorates by code.
Importing is all or nothing: a dry run lists every problem by sheet, row and column, and nothing is stored until
there are none. Importing the same workbook again changes nothing. Approved returns and targets come in approved and
locked, recorded in the audit trail as imported, by whom and from which file; they cannot be changed by a later
import.
The same sheets may be sent as CSV files in a ZIP, one file per sheet named after it (e.g. "Plan items.csv")."""
