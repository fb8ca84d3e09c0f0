"""Harrowdale's indicators (B1-B3): what each measures and how the demo generates believable figures.

``fmt`` is four characters: unit, polarity, frequency, measure type.

- unit: ``n`` number, ``%`` percentage, ``r`` rate per N, ``£`` money, ``d`` days, ``x`` ratio, ``y`` yes / no
- polarity: ``H`` higher is better, ``L`` lower is better, ``B`` within a band is best
- frequency: ``M`` monthly, ``Q`` quarterly, ``6`` half-yearly, ``A`` annual
- measure type: ``S`` snapshot, ``C`` cumulative year to date

``target`` is the first demo year's annual target (for a cumulative count: the year-end total; for a
contextual statistic: the level it is generated around) and ``step`` how it moves each year after.
``ratio`` = (numerator label, denominator label, typical denominator per period) makes the specification
a numerator / denominator calculation. ``prof`` names a seasonal profile below.
"""

from __future__ import annotations

from dataclasses import dataclass

UNITS = {"n": "number", "%": "percent", "r": "rate", "£": "money", "d": "days", "x": "ratio", "y": "yes_no"}
POLARITIES = {"H": "higher", "L": "lower", "B": "band"}
FREQUENCIES = {"M": "monthly", "Q": "quarterly", "6": "half_yearly", "A": "annual"}
MEASURES = {"S": "snapshot", "C": "cumulative"}


@dataclass(frozen=True)
class Ind:
    ref: str
    service: str
    title: str
    fmt: str
    target: float
    step: float = 0.0
    dp: int = 0
    ratio: tuple[str, str, float] | None = None
    per: int | None = None
    band: tuple[float, float] | None = None
    kind: str = "pi"  # kpi, pi or contextual
    hl: bool = False  # headline
    qual: bool = False  # qualitative (narrative with an on-track flag)
    perc: bool = False  # perception / survey
    restr: bool = False  # restricted (never published)
    code: str = ""  # national code
    stat: bool = False  # statutory return
    prof: str = ""  # seasonal profile
    out: str = ""  # outcome, when not the service's own
    risks: tuple[str, ...] = ()
    tol: tuple[str, float] = ("pct", 5.0)
    nb: bool = False  # target needs a baseline; none in the first year
    char: str = ""  # performance character (see loader); chosen at random when blank
    bench: bool = False  # has comparator benchmarks
    wd: int = 10  # due working days

    @property
    def unit(self) -> str:
        return UNITS[self.fmt[0]]

    @property
    def polarity(self) -> str:
        return POLARITIES[self.fmt[1]]

    @property
    def frequency(self) -> str:
        return FREQUENCIES[self.fmt[2]]

    @property
    def measure(self) -> str:
        return MEASURES[self.fmt[3]]

    @property
    def is_contextual(self) -> bool:
        return self.kind == "contextual"

    @property
    def is_rated(self) -> bool:
        return not self.is_contextual and not self.qual

    @property
    def multiplier(self) -> int:
        if self.unit == "percent":
            return 100
        if self.unit == "rate":
            return self.per or 1
        return 1


KPI, CTX = "kpi", "contextual"
I = Ind  # noqa: E741

INDICATORS: tuple[Ind, ...] = (
    # ================================ Adults and Health
    I("ASC01", "asc", "Percentage of new requests for support resolved at the first point of contact", "%HMS", 68,
      1, dp=1, ratio=("Requests resolved at first contact", "New requests for support", 950), kind=KPI),
    I("ASC02", "asc", "Average days from first contact to a completed Care Act assessment", "dLMS", 28, -2, dp=1,
      kind=KPI, hl=True, tol=("abs", 3), risks=("CR02",), char="recovering"),
    I("ASC03", "asc", "Number of people waiting for a Care Act assessment", "nLMS", 180, -20, prof="winter_up",
      risks=("CR02",)),
    I("ASC04", "asc", "Percentage of people in long-term support reviewed in the last 12 months", "%HQS", 75, 3,
      dp=1, ratio=("People reviewed in the last 12 months", "People in long-term support for 12 months or more",
                   2100)),
    I("ASC05", "asc", "Proportion of people who use services who receive self-directed support", "%HQS", 92, 0,
      dp=1, ratio=("People receiving self-directed support", "People receiving long-term community support", 2600),
      code="ASCOF 1C(1A)", stat=True, bench=True),
    I("REA01", "reablement",
      "Proportion of older people still at home 91 days after discharge from hospital into reablement", "%HQS",
      84, 1, dp=1, ratio=("Older people still at home after 91 days", "Older people discharged into reablement",
                          160), kind=KPI, hl=True, code="ASCOF 2B(1)", stat=True, bench=True),
    I("REA02", "reablement", "Hours of home care commissioned per week", "nHMS", 14500, 500, kind=CTX),
    I("REA03", "reablement", "Percentage of reablement episodes ending with no ongoing support", "%HMS", 62, 2,
      dp=1, ratio=("Episodes ending with no ongoing support", "Reablement episodes completed", 110), kind=KPI),
    I("REA04", "reablement", "Average days from discharge-ready date to discharge for people needing social care",
      "dLMS", 2.2, -0.1, dp=1, kind=KPI, tol=("abs", 0.5), prof="winter_up", risks=("CR02",),
      out="P3.O2"),
    I("LDM01", "ld_mh", "Proportion of adults with a learning disability in paid employment", "%HQS", 6.5, 0.5,
      dp=1, ratio=("Adults with a learning disability in paid employment",
                   "Adults with a learning disability receiving long-term support", 720),
      code="ASCOF 1E", stat=True, bench=True),
    I("LDM02", "ld_mh", "Proportion of adults with a learning disability who live in their own home or with family",
      "%HQS", 78, 1, dp=1, ratio=("Adults living in their own home or with family",
                                  "Adults with a learning disability receiving long-term support", 720),
      code="ASCOF 1G", stat=True),
    I("LDM03", "ld_mh", "Permanent admissions to residential and nursing care of people aged 18-64, per 100,000",
      "rLAS", 14.0, -0.5, dp=1, per=100000, ratio=("Permanent admissions aged 18-64", "Population aged 18-64",
                                                   205000), code="ASCOF 2A(1)", stat=True, bench=True, wd=20),
    I("LDM04", "ld_mh", "Mental Health Act assessments completed", "nHMC", 720, 30, kind=CTX),
    I("SGA01", "safeguarding_adults",
      "Percentage of safeguarding enquiries where the person's desired outcomes were fully or partly met", "%HQS",
      92, 0, dp=1, ratio=("Enquiries with outcomes fully or partly met",
                          "Concluded enquiries where outcomes were expressed", 140), kind=KPI,
      code="SAC", stat=True),
    I("SGA02", "safeguarding_adults", "Safeguarding concerns received", "nHMC", 3600, 200, kind=CTX,
      risks=("CR04",)),
    I("SGA03", "safeguarding_adults", "Number of Deprivation of Liberty Safeguards applications awaiting a decision",
      "nLMS", 420, -60, restr=True, risks=("CR04",), char="recovering"),
    I("SGA04", "safeguarding_adults", "Percentage of safeguarding enquiries completed within 60 working days",
      "%HMS", 80, 2, dp=1, ratio=("Enquiries completed within 60 working days", "Enquiries completed", 75)),
    I("COM01", "commissioning", "Percentage of registered care providers in Harrowdale rated good or outstanding",
      "%HQS", 82, 1, dp=1, ratio=("Providers rated good or outstanding", "Providers with a CQC rating", 118),
      kind=KPI, hl=True, bench=True, risks=("CR02",)),
    I("COM02", "commissioning",
      "Permanent admissions to residential and nursing care of people aged 65 and over, per 100,000", "rLQC", 560,
      -15, dp=1, per=100000, kind=KPI, code="ASCOF 2A(2)", stat=True, bench=True, risks=("CR02",), out="P3.O1"),
    I("COM03", "commissioning", "Care home bed occupancy", "%BMS", 0, 0, dp=1, band=(88, 94),
      ratio=("Occupied care home beds", "Registered care home beds", 2350), tol=("abs", 2)),
    I("COM04", "commissioning", "Average weekly cost of a residential care placement for an older person", "£LQS",
      1050, 55, dp=2, tol=("pct", 3), risks=("CR01",)),
    I("COM05", "commissioning", "Overall satisfaction of people who use services with their care and support",
      "%HAS", 64, 1, dp=1, perc=True, kind=KPI, code="ASCOF 3A", stat=True, bench=True, wd=40),
    I("PHE01", "public_health", "Percentage of people offered an NHS Health Check who received one", "%HQC", 48, 2,
      dp=1, ratio=("NHS Health Checks received", "NHS Health Checks offered", 2400), code="PHOF C26b"),
    I("PHE02", "public_health",
      "Gap in life expectancy at birth between the most and least deprived areas (female, years)", "nLAS", 8.1,
      0.1, dp=1, kind=CTX, code="PHOF A02a", wd=40),
    I("PHE03", "public_health", "Life expectancy at birth (male, years)", "nHAS", 79.1, 0.1, dp=1, kind=CTX,
      code="PHOF A01b", wd=40),
    I("PHE04", "public_health", "Flu vaccination uptake among people aged 65 and over", "%HAS", 80, 1, dp=1,
      kind=KPI, code="UKHSA seasonal flu", wd=20),
    I("PHE05", "public_health", "Percentage of children who have had two doses of MMR vaccine by age five", "%HQS",
      90, 1, dp=1, ratio=("Children with two MMR doses by age five", "Children reaching age five", 890),
      code="COVER MMR2", bench=True, char="poor"),
    I("HLS01", "healthy_lifestyles", "Number of people who quit smoking at four weeks", "nHQC", 620, 30, kind=KPI,
      prof="new_year"),
    I("HLS02", "healthy_lifestyles", "Smoking prevalence in adults", "%LAS", 12.0, -0.5, dp=1, kind=KPI,
      code="PHOF C18", bench=True, wd=40),
    I("HLS03", "healthy_lifestyles", "Percentage of adults completing weight management who lose 5% of body weight",
      "%HQC", 35, 1, dp=1, ratio=("Adults losing 5% of body weight", "Adults completing the programme", 90),
      nb=True),
    I("HLS04", "healthy_lifestyles", "Percentage of drug and alcohol clients who successfully complete treatment",
      "%HQS", 18, 0.5, dp=1, ratio=("Successful completions not re-presenting", "Clients in treatment", 1100),
      code="PHOF C19"),
    I("HLS05", "healthy_lifestyles", "Prevalence of obesity (including severe obesity) in Year 6 children", "%LAS",
      22.5, -0.3, dp=1, kind=KPI, code="PHOF C09b", bench=True, wd=40, char="poor"),
    I("OTE01", "ot_equipment", "Percentage of standard equipment delivered within 7 days", "%HMS", 95, 0, dp=1,
      ratio=("Items delivered within 7 days", "Standard equipment items delivered", 1800)),
    I("OTE02", "ot_equipment", "Number of people waiting for an occupational therapy assessment", "nLMS", 240, -30,
      char="recovering"),
    I("OTE03", "ot_equipment", "Average days from referral to completed Disabled Facilities Grant adaptation",
      "dLQS", 180, -10, tol=("abs", 15)),
    I("OTE04", "ot_equipment", "Number of people using technology-enabled care", "nHQS", 2100, 250, kind=KPI),
    # ================================ Children and Families
    I("CFD01", "front_door", "Percentage of contacts with a decision within one working day", "%HMS", 95, 0, dp=1,
      ratio=("Contacts decided within one working day", "Contacts received", 1650), risks=("CR03",)),
    I("CFD02", "front_door", "Percentage of children and family assessments completed within 45 working days",
      "%HMS", 88, 1, dp=1, ratio=("Assessments completed within 45 working days", "Assessments completed", 210),
      kind=KPI, hl=True, code="CIN census", stat=True, bench=True, risks=("CR03",)),
    I("CFD03", "front_door", "Percentage of referrals that are re-referrals within 12 months", "%LMS", 18, -1, dp=1,
      ratio=("Re-referrals within 12 months", "Referrals", 260), code="CIN census", stat=True),
    I("CFD04", "front_door", "Contacts received by children's social care", "nHMC", 19500, 600, kind=CTX),
    I("CPN01", "cp_cin", "Rate of children subject to a child protection plan, per 10,000 children", "rBMS", 0, 0,
      dp=1, per=10000, band=(38, 46), ratio=("Children subject to a child protection plan",
                                             "Population aged 0-17", 70500),
      kind=KPI, hl=True, tol=("pct", 10), bench=True, risks=("CR03",)),
    I("CPN02", "cp_cin", "Percentage of child protection plans that were a second or subsequent plan", "%LQC", 20,
      -0.5, dp=1, ratio=("Second or subsequent plans started", "Child protection plans started", 85),
      restr=True, code="CIN census", stat=True),
    I("CPN03", "cp_cin", "Average caseload of children's social workers", "nBMS", 0, 0, dp=1, band=(15, 18),
      tol=("abs", 1.5), risks=("CR06",)),
    I("CPN04", "cp_cin", "Percentage of child protection visits completed within timescale", "%HMS", 90, 1, dp=1,
      ratio=("Visits completed within timescale", "Visits due", 700)),
    I("CPN05", "cp_cin", "Ratio of agency to permanent children's social workers", "xLQS", 0.25, -0.03, dp=2,
      ratio=("Agency social workers (FTE)", "Permanent social workers (FTE)", 160), risks=("CR06",),
      char="declining"),
    I("CPN06", "cp_cin", "Children's services improvement plan: delivery on track", "yHQS", 1, qual=True, kind=KPI),
    I("CIC01", "children_in_care", "Rate of children in care, per 10,000 children", "rLMS", 72, -2, dp=1,
      per=10000, ratio=("Children in care", "Population aged 0-17", 70500), kind=KPI, hl=True,
      code="SSDA903", stat=True, bench=True, risks=("CR03",)),
    I("CIC02", "children_in_care", "Percentage of children in care with three or more placements in the year",
      "%LQS", 9, -0.5, dp=1, ratio=("Children with three or more placements", "Children in care", 510),
      code="SSDA903", stat=True),
    I("CIC03", "children_in_care", "Percentage of care leavers aged 19-21 in education, employment or training",
      "%HQS", 60, 2, dp=1, ratio=("Care leavers in education, employment or training", "Care leavers aged 19-21",
                                  210), kind=KPI, code="SSDA903", stat=True, bench=True),
    I("CIC04", "children_in_care", "Percentage of care leavers aged 19-21 in suitable accommodation", "%HQS", 90, 1,
      dp=1, ratio=("Care leavers in suitable accommodation", "Care leavers aged 19-21", 210), code="SSDA903"),
    I("CIC05", "children_in_care", "Percentage of children in care with an up-to-date health assessment", "%HMS",
      92, 1, dp=1, ratio=("Children with an up-to-date health assessment", "Children in care", 500)),
    I("FOS01", "fostering", "Number of new in-house fostering households approved", "nHQC", 22, 2, kind=KPI,
      tol=("abs", 2), char="poor"),
    I("FOS02", "fostering", "Average days between entering care and moving in with an adoptive family", "dLAS", 420,
      -20, code="Adoption scorecard A1", bench=True, wd=20),
    I("FOS03", "fostering", "Percentage of children in care placed with in-house foster carers", "%HQS", 42, 2,
      dp=1, ratio=("Children placed with in-house foster carers", "Children in care", 510)),
    I("FOS04", "fostering", "Average weekly cost of an external residential placement", "£LQS", 6200, 300,
      restr=True, risks=("CR01",)),
    I("EHF01", "early_help", "Number of families supported by early help", "nHQC", 2600, 100, kind=KPI),
    I("EHF02", "early_help", "Percentage of early help cases closed with outcomes achieved", "%HQS", 75, 1, dp=1,
      ratio=("Cases closed with outcomes achieved", "Early help cases closed", 450)),
    I("EHF03", "early_help", "Percentage of eligible two-year-olds taking up funded early education", "%H6S", 78,
      1, dp=1, ratio=("Two-year-olds taking up a funded place", "Eligible two-year-olds", 1100),
      code="DfE early years census", bench=True),
    I("EHF04", "early_help", "Number of visits to family hubs", "nHMC", 52000, 4000, prof="summer_dip"),
    I("EDU01", "education", "Overall absence rate in primary and secondary schools", "%LQS", 6.2, -0.2, dp=1,
      ratio=("Sessions missed", "Possible sessions", 2600000), kind=KPI, hl=True, code="DfE school absence",
      bench=True, out="P2.O1"),
    I("EDU02", "education", "Percentage of pupils attending a good or outstanding school", "%HQS", 85, 1, dp=1,
      ratio=("Pupils in good or outstanding schools", "Pupils", 46000), kind=KPI),
    I("EDU03", "education",
      "Percentage of pupils meeting the expected standard in reading, writing and maths at key stage 2", "%HAS", 60,
      1, kind=KPI, code="DfE KS2", bench=True, wd=40),
    I("EDU04", "education", "Percentage of families offered their first-preference primary school", "%HAS", 92, 0,
      dp=1, ratio=("Families offered their first preference", "On-time primary applications", 3600)),
    I("EDU05", "education", "Surplus primary school places", "%BAS", 0, 0, dp=1, band=(2, 5), tol=("abs", 1)),
    I("EDU06", "education", "Number of children electively home educated", "nLMS", 560, 40, kind=CTX),
    I("SEN01", "send", "Percentage of new Education, Health and Care plans issued within 20 weeks", "%HMC", 60, 8,
      dp=1, ratio=("EHC plans issued within 20 weeks", "New EHC plans issued", 55), kind=KPI, hl=True,
      code="SEN2", stat=True, bench=True, risks=("CR08",), char="recovering"),
    I("SEN02", "send", "Children and young people with an Education, Health and Care plan", "nHQS", 2900, 250,
      kind=CTX, code="SEN2"),
    I("SEN03", "send", "Forecast high needs block deficit at year end", "£LQS", 3800000, -800000, kind=KPI,
      risks=("CR08", "CR01"), char="poor", restr=True),
    I("SEN04", "send", "Percentage of children with an EHC plan educated in mainstream settings", "%HQS", 42, 1,
      dp=1, ratio=("Children with an EHC plan in mainstream settings", "Children with an EHC plan", 2900)),
    I("SEN05", "send", "Average days to complete educational psychology advice", "dLMS", 38, -2, tol=("abs", 3)),
    I("YJS01", "youth", "First-time entrants to the youth justice system, per 100,000 young people aged 10-17",
      "rLQC", 170, -5, dp=1, per=100000, code="YJB FTE", bench=True),
    I("YJS02", "youth", "Percentage of young people who reoffend within 12 months", "%LQS", 30, -1, dp=1,
      ratio=("Young people who reoffended", "Young people in the cohort", 95), code="YJB reoffending"),
    I("YJS03", "youth", "Percentage of 16-17 year olds not in education, employment or training, or not known",
      "%LMS", 5.2, -0.2, dp=1, ratio=("16-17 year olds NEET or not known", "16-17 year olds", 7600), kind=KPI,
      prof="neet_autumn", code="DfE NCCIS"),
    I("YJS04", "youth", "Number of young people attending youth work sessions", "nHQC", 4200, 200, prof="summer"),
    # ================================ Place and Environment
    I("WAS01", "waste", "Percentage of household waste sent for reuse, recycling and composting", "%HMC", 47, 1.5,
      dp=1, ratio=("Tonnes reused, recycled or composted", "Tonnes of household waste collected", 11500),
      kind=KPI, hl=True, code="NI 192", stat=True, bench=True, prof="garden_waste"),
    I("WAS02", "waste", "Residual household waste per household (kg)", "nLQC", 480, -10, dp=1, code="NI 191",
      stat=True, bench=True, prof="christmas"),
    I("WAS03", "waste", "Missed bin collections per 100,000 collections", "rLMS", 55, -5, dp=1, per=100000,
      ratio=("Missed collections", "Scheduled collections", 640000), kind=KPI),
    I("WAS04", "waste", "Visits to household waste recycling centres", "nHMC", 310000, 0, kind=CTX),
    I("WAS05", "waste", "Percentage of missed bins collected by the end of the next working day", "%HMS", 95, 0,
      dp=1, ratio=("Missed bins collected by the next working day", "Missed bins reported", 300)),
    I("STC01", "cleansing", "Percentage of relevant land and highways with unacceptable levels of litter", "%L6S",
      4, 0, dp=1, tol=("abs", 1), code="LEQ survey"),
    I("STC02", "cleansing", "Number of fly-tipping incidents", "nLMC", 3200, -150, kind=KPI, prof="summer",
      code="WasteDataFlow fly-tipping", stat=True),
    I("STC03", "cleansing", "Percentage of fly-tipping incidents cleared within two working days", "%HMS", 92, 0,
      dp=1, ratio=("Incidents cleared within two working days", "Incidents reported", 270)),
    I("STC04", "cleansing", "Number of parks with Green Flag status", "nHAS", 4, 1, tol=("abs", 1)),
    I("STC05", "cleansing", "Percentage of residents satisfied with parks and open spaces", "%HAS", 72, 1,
      perc=True, wd=20),
    I("HWY01", "highways", "Percentage of the principal road network where maintenance should be considered",
      "%LAS", 4, 0, dp=1, tol=("abs", 1), kind=KPI, code="SCANNER (former NI 168)", stat=True,
      bench=True, wd=20),
    I("HWY02", "highways", "Percentage of dangerous (category 1) highway defects made safe within 24 hours",
      "%HMS", 97, 0, dp=1, ratio=("Category 1 defects made safe within 24 hours", "Category 1 defects", 180),
      risks=("CR09",)),
    I("HWY03", "highways", "Number of potholes repaired", "nHMC", 14000, 500, prof="winter"),
    I("HWY04", "highways", "Bus passenger journeys (thousands)", "nHQC", 9800, 200, dp=1, kind=KPI, out="P8.O2",
      code="DfT BUS01", prof="bus"),
    I("HWY05", "highways", "Kilometres of new or improved cycle routes", "nHQC", 12, 2, dp=1, tol=("abs", 1),
      out="P8.O2"),
    I("HWY06", "highways", "People killed or seriously injured in road collisions", "nLQC", 150, -8,
      code="DfT STATS19"),
    I("PLN01", "planning", "Percentage of major planning applications decided within 13 weeks or agreed time",
      "%HQC", 80, 2, dp=1, ratio=("Major applications decided in time", "Major applications decided", 20),
      kind=KPI, hl=True, code="PS1/PS2", stat=True, bench=True),
    I("PLN02", "planning", "Percentage of non-major planning applications decided within 8 weeks or agreed time",
      "%HMC", 80, 2, dp=1, ratio=("Non-major applications decided in time", "Non-major applications decided",
                                  140), code="PS1/PS2", stat=True, bench=True),
    I("PLN03", "planning", "Percentage of planning appeals allowed", "%LQS", 28, 0, dp=1,
      ratio=("Appeals allowed", "Appeals decided", 15)),
    I("PLN04", "planning", "Local Plan submitted for examination to the agreed timetable", "yHAS", 1, kind=KPI,
      tol=("abs", 0)),
    I("PLN05", "planning", "Percentage of building control applications checked within 15 working days", "%HMS",
      90, 0, dp=1, ratio=("Applications checked within 15 working days", "Applications received", 120)),
    I("PLN06", "planning", "Number of open planning enforcement cases", "nLMS", 320, -40, char="recovering"),
    I("REG01", "regulatory", "Percentage of food businesses rated 3 (generally satisfactory) or better", "%HQS",
      94, 0.5, dp=1, ratio=("Businesses rated 3 or better", "Rated food businesses", 1900),
      code="FSA FHRS"),
    I("REG02", "regulatory", "Percentage of high-risk food hygiene inspections completed on time", "%HQC", 100, 0,
      dp=1, ratio=("High-risk inspections completed on time", "High-risk inspections due", 60)),
    I("REG03", "regulatory", "Annual mean nitrogen dioxide concentration at roadside monitors (µg/m³)", "nLAS", 30,
      -1, dp=1, code="Defra ASR", wd=40),
    I("REG04", "regulatory", "Scam victims supported by trading standards", "nHQC", 180, 10, kind=CTX),
    I("REG05", "regulatory", "Percentage of noise complaints responded to within five working days", "%HMS", 90, 0,
      dp=1, ratio=("Complaints responded to within five working days", "Noise complaints received", 150)),
    I("CLI01", "climate", "Council's own carbon emissions (tonnes CO2e)", "nLAS", 14500, -1200, kind=KPI, hl=True,
      risks=("CR09",), wd=40),
    I("CLI02", "climate", "Number of public electric vehicle charge points", "nHQS", 260, 60),
    I("CLI03", "climate", "Percentage of the council fleet that is ultra-low or zero emission", "%HQS", 18, 8,
      dp=1, ratio=("Ultra-low or zero-emission vehicles", "Fleet vehicles", 410), char="declining"),
    I("CLI04", "climate", "Climate emergency action plan: delivery on track", "yHQS", 1, qual=True),
    I("CLI05", "climate", "Number of homes retrofitted through council energy schemes", "nHQC", 240, 60,
      prof="backloaded"),
    I("ECO01", "economy", "Number of businesses supported by the business support service", "nHQC", 650, 50,
      kind=KPI),
    I("ECO02", "economy", "Claimant count as a percentage of residents aged 16-64", "%LMS", 3.6, 0, dp=1, kind=CTX,
      code="ONS claimant count"),
    I("ECO03", "economy", "Harrowdale town centre vacancy rate", "%LQS", 14, -1, dp=1,
      ratio=("Vacant ground-floor units", "Ground-floor units", 540), kind=KPI, out="P7.O2"),
    I("ECO04", "economy", "Number of residents supported into work", "nHQC", 380, 40, nb=True),
    I("ECO05", "economy", "Median gross weekly pay of full-time employees living in Harrowdale", "£HAS", 710, 25,
      kind=CTX, code="ONS ASHE", wd=40),
    I("ECO06", "economy", "Harrowdale town centre footfall (thousands)", "nHMS", 620, 10, kind=CTX, out="P7.O2"),
    I("PKG01", "parking", "Percentage of penalty charge notices cancelled on appeal", "%LQS", 6, 0, dp=1,
      ratio=("Penalty charge notices cancelled on appeal", "Penalty charge notices issued", 8000)),
    I("PKG02", "parking", "Parking income", "£HQC", 3400000, 100000, prof="parking", risks=("CR01",)),
    I("PKG03", "parking", "Percentage of street works inspections passed", "%HQS", 85, 1, dp=1,
      ratio=("Inspections passed", "Street works inspections", 350)),
    I("PKG04", "parking", "Percentage of parking transactions paid by phone or card", "%HMS", 78, 5, dp=1,
      ratio=("Transactions paid by phone or card", "Parking transactions", 95000)),
    # ================================ Communities and Housing
    I("HOM01", "housing_options", "Number of households in temporary accommodation", "nLMS", 310, -20, kind=KPI,
      hl=True, code="H-CLIC", stat=True, risks=("CR07",), char="poor"),
    I("HOM02", "housing_options", "Number of families with children in bed and breakfast for more than six weeks",
      "nLMS", 0, 0, kind=KPI, tol=("abs", 3), restr=True, risks=("CR07",)),
    I("HOM03", "housing_options", "Percentage of homelessness cases where homelessness was prevented or relieved",
      "%HQC", 62, 2, dp=1, ratio=("Cases prevented or relieved", "Prevention and relief duties ended", 290),
      kind=KPI, hl=True, code="H-CLIC", stat=True, bench=True),
    I("HOM04", "housing_options", "Number of people sleeping rough on a single night", "nLMS", 8, -2,
      tol=("abs", 2)),
    I("HOM05", "housing_options", "Households on the housing register", "nLQS", 7400, 350, kind=CTX),
    I("HOM06", "housing_options", "Average weekly cost of temporary accommodation per household", "£LQS", 290, 10,
      dp=2, risks=("CR07", "CR01")),
    I("HSG01", "housing_strategy", "Number of new affordable homes delivered", "nHQC", 320, 20, kind=KPI, hl=True,
      prof="backloaded", code="MHCLG live table 1008", bench=True),
    I("HSG02", "housing_strategy", "Number of long-term empty homes brought back into use", "nHQC", 120, 10,
      out="P6.O3"),
    I("HSG03", "housing_strategy", "Net additional homes delivered", "nHAS", 1250, 50, kind=KPI,
      code="MHCLG live table 122", wd=40),
    I("HSG04", "housing_strategy",
      "Percentage of private rented licence applications determined within 12 weeks", "%HQS", 85, 1, dp=1,
      ratio=("Applications determined within 12 weeks", "Applications determined", 80), out="P6.O3"),
    I("HSG05", "housing_strategy", "Number of Disabled Facilities Grant adaptations completed", "nHQC", 310, 10),
    I("HSG06", "housing_strategy", "Median house price to median earnings ratio", "xLAS", 7.4, 0.1, dp=2, kind=CTX,
      code="ONS housing affordability", wd=40),
    I("HSG07", "housing_strategy", "Housing Strategy action plan: delivery on track", "yHQS", 1, qual=True),
    I("LIB01", "libraries", "Number of physical visits to libraries", "nHMC", 720000, 20000, kind=KPI,
      prof="library"),
    I("LIB02", "libraries", "Number of library loans (physical and digital)", "nHMC", 1050000, 20000,
      prof="library"),
    I("LIB03", "libraries", "Number of visits to museums and heritage sites", "nHQC", 95000, 5000, prof="summer"),
    I("LIB04", "libraries", "Number of residents helped by digital champions", "nHQC", 2600, 300),
    I("LIB05", "libraries", "Percentage of residents' panel members satisfied with libraries", "%H6S", 78, 1,
      perc=True),
    I("LEI01", "leisure", "Number of visits to council leisure centres", "nHMC", 1450000, 50000, kind=KPI,
      prof="leisure"),
    I("LEI02", "leisure", "Percentage of adults who are physically active (150 minutes or more a week)", "%HAS", 64,
      1, dp=1, perc=True, kind=KPI, hl=True, code="PHOF C17a", bench=True, wd=40),
    I("LEI03", "leisure", "Net cost of the leisure contract to the council", "£LQC", 1200000, -100000),
    I("LEI04", "leisure", "Number of concessionary leisure memberships", "nHQS", 3100, 200),
    # ---- A1: Harrowdale Homes Ltd (wholly-owned housing company) and the leisure centres management contract
    I("HHL01", "homes_co", "Number of new homes completed by Harrowdale Homes", "nHQC", 60, 10, kind=KPI),
    I("HHL02", "homes_co", "Percentage of the company's new homes let at an affordable rent", "%HQS", 40, 0, dp=1,
      kind=KPI, tol=("abs", 2)),
    I("HHL03", "homes_co", "Rent collected as a percentage of rent due", "%HQC", 97.5, 0.2, dp=1,
      ratio=("Rent collected", "Rent due", 1900000), kind=KPI),
    I("HHL04", "homes_co", "Average days to re-let an empty home", "dLQS", 28, -1, dp=1, kind=KPI),
    I("HHL05", "homes_co", "Net operating surplus of Harrowdale Homes (£)", "£HQC", 450000, 50000, kind=KPI),
    I("LMC01", "leisure_contract", "Percentage of scheduled opening hours the leisure centres were open", "%HMS",
      99, 0, dp=1, kind=KPI, tol=("abs", 1)),
    I("LMC02", "leisure_contract", "Percentage of leisure centre customers satisfied with the service", "%HQS", 85,
      1, dp=1, kind=KPI),
    I("LMC03", "leisure_contract", "Number of children on the learn-to-swim programme", "nHQS", 2400, 100, kind=KPI),
    I("LMC04", "leisure_contract", "Percentage of leisure centre complaints answered within 10 working days",
      "%HMS", 95, 0, dp=1, ratio=("Complaints answered within 10 working days", "Complaints received", 40),
      kind=KPI),
    I("LMC05", "leisure_contract", "Percentage of monthly health and safety inspections passed", "%HMS", 98, 0,
      dp=1, kind=KPI),
    I("CSF01", "community_safety", "Number of anti-social behaviour incidents reported to the police", "nLMC",
      6400, -250, kind=KPI, hl=True, prof="summer"),
    I("CSF02", "community_safety", "Percentage of residents who feel safe outside in their area after dark", "%HAS",
      62, 1, perc=True, kind=KPI, wd=20),
    I("CSF03", "community_safety", "Domestic abuse incidents reported to the police", "nHQC", 4100, 100, kind=CTX,
      restr=True),
    I("CSF04", "community_safety",
      "Percentage of cases heard at the Multi-Agency Risk Assessment Conference that were repeats", "%BQS", 0, 0,
      dp=1, band=(28, 40), ratio=("Repeat cases", "Cases heard", 120), tol=("abs", 3), restr=True),
    I("CSF05", "community_safety", "Recorded crime per 1,000 population (rolling 12 months)", "rLQS", 78, 0, dp=1,
      per=1000, ratio=("Recorded crimes in the last 12 months", "Population", 342000), kind=CTX),
    I("CUS01", "customer", "Average time to answer calls to the contact centre (seconds)", "nLMS", 150, -15,
      kind=KPI, prof="calls"),
    I("CUS02", "customer", "Percentage of calls abandoned", "%LMS", 8, -0.5, dp=1,
      ratio=("Calls abandoned", "Calls offered", 38000)),
    I("CUS03", "customer", "Percentage of transactions completed online", "%HQS", 62, 4, dp=1,
      ratio=("Transactions completed online", "Transactions", 210000), kind=KPI),
    I("CUS04", "customer", "Percentage of stage 1 complaints answered within 10 working days", "%HMS", 90, 0, dp=1,
      ratio=("Complaints answered within 10 working days", "Stage 1 complaints closed", 180)),
    I("CUS05", "customer", "Number of complaints upheld by the Local Government and Social Care Ombudsman", "nLAS",
      30, -2, tol=("abs", 3), code="LGSCO annual review", bench=True, wd=40),
    I("CUS06", "customer", "Percentage of residents satisfied with the way the council runs things", "%HAS", 55, 1,
      perc=True, kind=KPI, hl=True, code="LGA residents' survey", bench=True, wd=20),
    I("RBS01", "registration", "Percentage of deaths registered within five days", "%HMS", 90, 0, dp=1,
      ratio=("Deaths registered within five days", "Deaths registered", 330), code="GRO", stat=True),
    I("RBS02", "registration", "Percentage of births registered within 42 days", "%HMS", 98, 0, dp=1,
      ratio=("Births registered within 42 days", "Births registered", 300), code="GRO", stat=True),
    I("RBS03", "registration", "Ceremonies income", "£HQC", 640000, 20000, prof="weddings"),
    I("RBS04", "registration", "Cremations carried out", "nHQC", 2300, 0, kind=CTX),
    I("CVS01", "communities", "Number of voluntary and community groups funded by the Community Fund", "nH6C", 60,
      5, tol=("abs", 5)),
    I("CVS02", "communities", "Number of active registered volunteers", "nH6S", 1450, 100),
    I("CVS03", "communities", "Percentage of the Household Support Fund allocation spent", "%HQC", 100, 0, dp=1,
      prof="hsf", tol=("pct", 2)),
    I("CVS04", "communities", "Number of community hubs open", "nHQS", 9, 3, tol=("abs", 1)),
    # ================================ Resources
    I("RVB01", "revenues", "Percentage of council tax collected in year", "%HMC", 96.5, 0.1, dp=2, kind=KPI,
      hl=True, code="QRC4", stat=True, bench=True, prof="ctax", risks=("CR01",), tol=("pct", 1), char="steady"),
    I("RVB02", "revenues", "Percentage of business rates collected in year", "%HMC", 97.5, 0.1, dp=2, kind=KPI,
      code="QRC4", stat=True, bench=True, prof="nndr", tol=("pct", 1)),
    I("RVB03", "revenues", "Average days to process new housing benefit and council tax support claims", "dLMS",
      20, -1, dp=1, kind=KPI, tol=("abs", 2), code="DWP SHBE"),
    I("RVB04", "revenues", "Average days to process changes of circumstances", "dLMS", 8, -0.5, dp=1,
      tol=("abs", 1)),
    I("RVB05", "revenues", "Housing benefit overpayments recovered", "£HQC", 1100000, 0),
    I("FIN01", "finance", "Forecast revenue outturn variance as a percentage of the net budget", "%BMS", 0, 0,
      dp=1, band=(-1, 1), tol=("abs", 1), kind=KPI, hl=True, risks=("CR01",), char="declining"),
    I("FIN02", "finance", "Percentage of undisputed invoices paid within 30 days", "%HMS", 95, 0, dp=1,
      ratio=("Invoices paid within 30 days", "Undisputed invoices paid", 9500)),
    I("FIN03", "finance", "Approved savings delivered", "£HQC", 12000000, -2000000, kind=KPI, prof="backloaded",
      risks=("CR01",)),
    I("FIN04", "finance", "General fund reserves as a percentage of the net revenue budget", "%BQS", 0, 0, dp=1,
      band=(5, 8), tol=("abs", 1), risks=("CR01",)),
    I("FIN05", "finance", "Statement of accounts published by the statutory deadline", "yHAS", 1, tol=("abs", 0),
      stat=True, wd=40),
    I("FIN06", "finance", "Sundry debt more than 90 days old", "£LQS", 4200000, -300000),
    I("HRD01", "hr", "Average working days lost to sickness absence per full-time equivalent", "dLMC", 9.5, -0.3,
      dp=2, kind=KPI, hl=True, prof="sickness", risks=("CR06",), code="LGA workforce survey",
      char="marginal"),
    I("HRD02", "hr", "Staff turnover (rolling 12 months)", "%LQS", 12, 0, dp=1,
      ratio=("Leavers in the last 12 months", "Average headcount", 4300), risks=("CR06",)),
    I("HRD03", "hr", "Percentage of staff who would recommend the council as a place to work", "%HAS", 60, 2,
      perc=True, wd=20),
    I("HRD04", "hr", "Number of apprenticeship starts", "nHQC", 85, 5, prof="september"),
    I("HRD05", "hr", "Percentage of posts filled by agency workers", "%LMS", 7, -0.5, dp=1,
      ratio=("Posts filled by agency workers", "Established posts", 4300), risks=("CR06",)),
    I("HRD06", "hr", "Median gender pay gap", "%LAS", 6.5, -0.3, dp=1, kind=CTX, wd=40),
    I("ICT01", "ict", "Availability of core ICT systems", "%HMS", 99.5, 0, dp=2, tol=("abs", 0.3)),
    I("ICT02", "ict", "Percentage of ICT incidents resolved within the agreed service level", "%HMS", 90, 1, dp=1,
      ratio=("Incidents resolved within the service level", "Incidents resolved", 2400)),
    I("ICT03", "ict", "Number of cyber security incidents needing escalation", "nLQS", 1, 0, tol=("abs", 2),
      restr=True, risks=("CR05",)),
    I("ICT04", "ict", "Percentage of staff who have completed cyber security training", "%HQS", 95, 0, dp=1,
      ratio=("Staff who have completed the training", "Staff with a network account", 4300),
      risks=("CR05", "CR11")),
    I("ICT05", "ict", "Cyber Essentials Plus accreditation held", "yHAS", 1, tol=("abs", 0), risks=("CR05",)),
    I("LDS01", "legal_dem", "Percentage of freedom of information requests answered within 20 working days",
      "%HMC", 90, 0, dp=1, ratio=("Requests answered within 20 working days", "Requests answered", 110),
      risks=("CR11",), code="ICO FOI statistics"),
    I("LDS02", "legal_dem", "Percentage of committee decisions published within five working days", "%HQS", 98, 0,
      dp=1, ratio=("Decisions published within five working days", "Committee decisions", 160)),
    I("LDS03", "legal_dem", "Percentage of eligible residents registered to vote", "%HAS", 93, 0, dp=1, kind=CTX),
    I("LDS04", "legal_dem", "Number of data breaches reported to the Information Commissioner", "nLQS", 1, 0,
      tol=("abs", 1), restr=True, risks=("CR11",)),
    I("PRC01", "procurement", "Percentage of third-party spend with Harrowdale-based suppliers", "%HQC", 38, 1,
      dp=1, ratio=("Spend with Harrowdale-based suppliers (£)", "Third-party spend (£)", 45000000), kind=KPI,
      out="P7.O1"),
    I("PRC02", "procurement", "Percentage of contracts over £100,000 with social value commitments", "%HQS", 70, 5,
      dp=1, ratio=("Contracts with social value commitments", "Contracts over £100,000", 60)),
    I("PRC03", "procurement", "Procurement savings achieved", "£HQC", 1500000, 0, risks=("CR01",)),
    I("PRC04", "procurement", "Number of contract waivers approved", "nLQC", 24, -2, tol=("abs", 2),
      risks=("CR10",)),
    I("PRA01", "property", "Percentage of the commercial property portfolio let", "%H6S", 92, 0, dp=1,
      ratio=("Units let", "Commercial units", 240)),
    I("PRA02", "property", "Commercial property rental income", "£HQC", 4800000, 100000, risks=("CR01",)),
    I("PRA03", "property", "Percentage of operational buildings with an in-date fire risk assessment", "%HQS", 100,
      0, dp=1, ratio=("Buildings with an in-date assessment", "Operational buildings", 145), tol=("pct", 2),
      risks=("CR12",)),
    I("PRA04", "property", "Energy used in council buildings (MWh)", "nLQC", 21000, -800, prof="winter",
      out="P5.O3"),
    I("PPC01", "policy_perf", "Percentage of performance returns submitted by the deadline", "%HQS", 90, 1, dp=1,
      ratio=("Returns submitted by the deadline", "Returns due", 180)),
    I("PPC02", "policy_perf", "Number of residents taking part in consultations", "nHQC", 6000, 500),
    I("PPC03", "policy_perf", "Percentage of residents who feel well informed about council services", "%HAS", 52,
      1, perc=True, wd=20),
    I("PPC04", "policy_perf", "Corporate peer challenge action plan: delivery on track", "yHQS", 1, qual=True,
      kind=KPI),
)

# Seasonal profiles, April to March.
# Cumulative counts: relative weight of each month (the year-to-date target is the running share).
# Cumulative ratios and snapshots: factor on the annual target for that month (March is 1).
PROFILES: dict[str, tuple[float, ...]] = {
    "flat": (1,) * 12,
    "ctax": (10.6, 9.6, 9.5, 9.4, 9.3, 9.2, 9.2, 9.1, 9.0, 8.9, 2.4, 1.3),
    "nndr": (11.5, 9.4, 9.3, 9.2, 9.0, 9.0, 8.9, 8.9, 8.8, 8.7, 3.5, 1.8),
    "winter": (0.7, 0.7, 0.7, 0.7, 0.7, 0.8, 0.9, 1.0, 1.3, 1.5, 1.4, 1.1),
    "summer": (0.9, 1.0, 1.1, 1.2, 1.3, 1.0, 1.0, 0.9, 0.8, 0.8, 0.9, 1.0),
    "summer_dip": (1.05, 1.05, 1.0, 0.8, 0.75, 1.05, 1.1, 1.1, 0.9, 1.05, 1.05, 1.1),
    "backloaded": (0.5, 0.5, 0.6, 0.7, 0.7, 0.9, 0.9, 1.0, 1.1, 1.2, 1.3, 2.6),
    "library": (1.0, 1.0, 0.95, 1.15, 1.15, 0.95, 1.0, 1.0, 0.8, 1.0, 0.95, 1.05),
    "leisure": (0.95, 0.95, 0.85, 0.85, 0.85, 0.95, 1.0, 1.0, 0.8, 1.3, 1.2, 1.1),
    "sickness": (0.85, 0.85, 0.8, 0.8, 0.8, 0.9, 1.05, 1.15, 1.25, 1.25, 1.15, 1.15),
    "weddings": (0.6, 1.1, 1.4, 1.5, 1.6, 1.4, 0.9, 0.5, 0.5, 0.5, 0.6, 0.7),
    "september": (0.6, 0.6, 0.7, 0.8, 1.0, 2.6, 1.3, 0.9, 0.8, 0.9, 0.9, 0.9),
    "new_year": (0.9, 0.9, 0.8, 0.8, 0.8, 0.9, 1.0, 0.9, 0.8, 1.6, 1.3, 1.3),
    "christmas": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 1.25, 1.0, 0.85, 0.9),
    "bus": (1.0, 1.0, 1.0, 0.9, 0.85, 1.05, 1.05, 1.05, 1.0, 0.95, 1.0, 1.05),
    "parking": (1.0, 1.05, 1.05, 1.1, 1.1, 1.0, 1.0, 1.0, 1.2, 0.8, 0.85, 0.95),
    "hsf": (1.6, 1.4, 1.2, 1.0, 1.0, 0.9, 0.9, 0.9, 0.8, 0.8, 0.7, 0.8),
    # cumulative ratio (year-to-date rate) profile
    "garden_waste": (1.08, 1.09, 1.10, 1.10, 1.09, 1.08, 1.06, 1.04, 1.02, 1.01, 1.00, 1.00),
    # snapshot profiles
    "winter_up": (0.95, 0.92, 0.9, 0.9, 0.92, 0.95, 1.0, 1.05, 1.15, 1.2, 1.1, 1.0),
    "neet_autumn": (0.9, 0.9, 0.95, 1.0, 1.0, 1.6, 1.4, 1.2, 1.05, 1.0, 1.0, 1.0),
    "calls": (1.4, 1.1, 1.0, 0.9, 0.9, 1.0, 1.0, 1.0, 1.1, 1.2, 1.0, 1.0),
}

# Indicators whose specification gets a second version from the current demo year (B2 versioning).
SPEC_V2: dict[str, str] = {
    "ASC02": "Clock now starts at the first contact recorded in the new case management system, not at referral.",
    "CFD02": "Definition aligned with the revised Children in Need census guidance.",
    "WAS01": "Now includes incinerator bottom ash sent for recycling, as in the national WasteDataFlow return.",
    "RVB03": "Data now taken from the new benefits system; returns due eight working days after the month end.",
    "HOM01": "Now counts households placed out of borough as well as within Harrowdale.",
    "HRD01": "Sickness now measured against contracted full-time equivalents rather than paid hours.",
}
