"""The second demo (issue 13): two district councils run by one shared officer team, with a joint scrutiny
committee (A5, frameworks/004). tests/conftest.py loads it with Harrowdale once per test database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from demo import DEMO_AS_OF, DEMO_LOGINS, DEMO_SLUG
from demo import organisation as org
from demo.catalogue import INDICATORS
from demo.counts import demo_counts
from demo.pair import JOINT_COMMITTEE, JOINT_REPORT, PAIR_SLUGS, SHARED_MEASURES, SURNAMES, pair_councils
from indicators.choices import ReturnState
from indicators.models import Indicator, Return, Specification
from indicators.selectors import due_returns
from plans.models import PlanItem
from pmf.choices import CommitteeKind, Role
from pmf.models import Committee, Council, Directorate, Period, RoleAssignment, Service, User
from reporting.models import ReportDefinition, ReportType, ScopeKind, TimetableEntry

pytestmark = pytest.mark.django_db

LEAD = DEMO_LOGINS["pair_service_lead"]
JOINT_MEMBER = DEMO_LOGINS["pair_joint_scrutiny"]
UNIT = DEMO_LOGINS["pair_performance_unit"]
LAST_MONTH = (2026, 7)  # October 2026: the last month closed by the demo's "today", 16 November 2026


@pytest.fixture
def pair() -> list[Council]:
    return pair_councils()


def test_three_councils_harrowdale_and_the_pair(pair):
    assert set(Council.objects.values_list("slug", flat=True)) >= {DEMO_SLUG, *PAIR_SLUGS}
    assert [c.name for c in pair] == ["Wyebridge District Council", "Vale of Ashcombe District Council"]
    assert {c.council_type for c in pair} == {"district"}


def test_the_pair_shares_its_officer_structure_and_nothing_with_harrowdale(pair):
    wyebridge, ashcombe = pair
    shared = set(Directorate.objects.filter(councils=wyebridge).values_list("pk", flat=True))
    assert len(shared) == 3
    assert shared == set(Directorate.objects.filter(councils=ashcombe).values_list("pk", flat=True))
    harrowdale = Council.objects.get(slug=DEMO_SLUG)
    assert not shared & set(Directorate.objects.filter(councils=harrowdale).values_list("pk", flat=True))
    # each council's measures are owned by the same shared services
    services = {c: set(Indicator.objects.filter(council=c).values_list("service", flat=True)) for c in pair}
    assert services[wyebridge] == services[ashcombe]
    assert services[wyebridge] <= set(Service.objects.filter(directorate__in=shared).values_list("pk", flat=True))


def test_each_council_has_its_plan_cabinet_scrutiny_and_20_to_30_measures(pair):
    for council in pair:
        counts = demo_counts(council)
        assert 20 <= counts["indicators"] <= 30
        assert counts["plans by level"]["Corporate Plan"] == 1
        assert counts["priorities"] == 4  # the Corporate Plan's themes
        kinds = set(Committee.objects.filter(councils=council).values_list("kind", flat=True))
        assert kinds == {CommitteeKind.CABINET, CommitteeKind.SCRUTINY, CommitteeKind.JOINT_SCRUTINY}
        assert counts["people by role"][Role.CABINET_MEMBER] == 4
        assert counts["actions"] > 0 and counts["returns"] > 0
        # the reporting timetable has the joint committee's meetings beside the council's own committees
        assert TimetableEntry.objects.filter(council=council, committee__kind=CommitteeKind.JOINT_SCRUTINY).count() == 4


def test_shared_definitions_have_one_specification_text_and_separate_figures(pair):
    wyebridge, ashcombe = pair
    refs = {m.ref for m in SHARED_MEASURES}
    for ref in ("WSS01", "RAB01", "DEV01"):
        assert ref in refs
        one, other = (Indicator.objects.select_related("current_spec").get(council=c, ref=ref) for c in pair)
        assert one.pk != other.pk and one.title == other.title
        assert one.current_spec.definition == other.current_spec.definition
        assert one.current_spec.frequency == other.current_spec.frequency
        figures = [list(Return.objects.filter(indicator=i).order_by("period__start").values_list("value", flat=True))
                   for i in (one, other)]
        assert figures[0] and figures[0] != figures[1]
    own = {c: set(Indicator.objects.filter(council=c).values_list("ref", flat=True)) - refs for c in pair}
    assert own[wyebridge] and own[ashcombe] and not own[wyebridge] & own[ashcombe]


def test_refs_names_and_people_never_clash_with_harrowdale():
    harrowdale_refs = {i.ref for i in INDICATORS}
    assert not {m.ref for m in SHARED_MEASURES} & harrowdale_refs
    assert not set(SURNAMES) & set(org.SURNAMES)
    assert Committee.objects.filter(name=JOINT_COMMITTEE).count() == 1


def test_a_shared_officer_holds_roles_in_both_councils(pair):
    lead = User.objects.get(username=LEAD)
    roles = RoleAssignment.objects.filter(user=lead)
    assert {r.council_id for r in roles} == {c.pk for c in pair}
    for council in pair:
        assert roles.filter(council=council, role=Role.SERVICE_LEAD, service__name="Waste and Street Scene").exists()
    director = Directorate.objects.get(code="WVA-PE").director
    assert {r.council_id for r in RoleAssignment.objects.filter(user=director, role=Role.DIRECTOR)} == {
        c.pk for c in pair}
    unit = User.objects.get(username=UNIT)
    assert {r.council_id for r in RoleAssignment.objects.filter(user=unit, role=Role.PERFORMANCE_UNIT)} == {
        c.pk for c in pair}


def test_the_shared_officer_sees_both_councils_returns_to_enter_on_my_updates(client, pair):
    lead = User.objects.get(username=LEAD)
    due = due_returns(lead, today=DEMO_AS_OF)
    assert {d.indicator.council_id for d in due} == {c.pk for c in pair}
    client.force_login(lead)
    page = client.get(reverse("home")).content.decode()
    for d in due:
        assert reverse("indicators:return", args=[d.indicator.pk, d.period.pk]) in page
    for council in pair:
        assert council.name in page  # each row says which council it is for
    # the return sent back in each council says why
    sent_back = [d for d in due if d.ret is not None and d.ret.state == ReturnState.RETURNED]
    assert {d.indicator.council_id for d in sent_back} == {c.pk for c in pair}
    assert "does not match the contractor" in page


def test_the_shared_officer_enters_a_return_in_each_council(client, pair):
    lead = User.objects.get(username=LEAD)
    client.force_login(lead)
    sent_back = [d for d in due_returns(lead, today=DEMO_AS_OF) if d.ret and d.ret.state == ReturnState.RETURNED]
    assert len(sent_back) == 2
    for d in sent_back:
        # sent back after the month closed to entry: the performance unit reopened it for the measure (D1)
        assert d.indicator.reopenings.filter(period=d.period, until__gte=DEMO_AS_OF).exists()
        url = reverse("indicators:return", args=[d.indicator.pk, d.period.pk])
        assert client.get(url).status_code == 200
        response = client.post(url, {"numerator": "95", "denominator": "100", "version": d.ret.version,
                                     "commentary": "Checked against the contractor's report.", "submit": ""})
        assert response.status_code == 302, response.content.decode()[:500]
        d.ret.refresh_from_db()
        assert (d.ret.state, d.ret.value, d.ret.submitted_by) == (ReturnState.SUBMITTED, 95, lead)
    # another council's measure with no role in it: Harrowdale's
    harrowdale = Indicator.objects.filter(council__slug=DEMO_SLUG).first()
    assert client.get(reverse("indicators:detail", args=[harrowdale.pk])).status_code == 404


def test_a_joint_committee_member_reads_both_councils_measures_and_not_harrowdales(client, pair):
    member = User.objects.get(username=JOINT_MEMBER)
    assert member.is_member
    roles = RoleAssignment.objects.filter(user=member, role=Role.SCRUTINY_MEMBER, committee__name=JOINT_COMMITTEE)
    assert {r.council_id for r in roles} == {c.pk for c in pair}
    client.force_login(member)
    page = client.get(reverse("reporting:dashboard"), {"year": 2026, "quarter": 2, "measures": "all"})
    assert page.status_code == 200
    text = page.content.decode()
    for council in pair:
        listed = Indicator.objects.filter(council=council, ref="WSS01").get()
        assert listed.get_absolute_url() in text
        assert council.name in text  # labelled with its council
        assert client.get(listed.get_absolute_url()).status_code == 200
    harrowdale = Indicator.objects.filter(council__slug=DEMO_SLUG, kind="kpi", is_headline=True).first()
    assert harrowdale.get_absolute_url() not in text
    assert client.get(harrowdale.get_absolute_url()).status_code == 404
    # a council's own scrutiny remit (planning, housing) is not the joint committee's
    own_remit = Indicator.objects.get(council=pair[0], ref="HSN02")  # a KPI, not a headline measure
    assert client.get(own_remit.get_absolute_url()).status_code == 404


def test_the_joint_committee_remit_spans_both_councils(pair):
    joint = Committee.objects.get(name=JOINT_COMMITTEE)
    assert joint.kind == CommitteeKind.JOINT_SCRUTINY
    assert set(joint.councils.values_list("pk", flat=True)) == {c.pk for c in pair}
    remit = PlanItem.objects.filter(committees=joint)
    assert set(remit.values_list("plan__council", flat=True)) == {c.pk for c in pair}


def test_the_joint_report_definition_covers_both_councils(pair):
    report = ReportDefinition.objects.get(name=JOINT_REPORT)
    assert report.council == pair[0]
    assert list(report.other_councils.all()) == [pair[1]]
    assert (report.report_type, report.scope, report.committee.name) == (
        ReportType.SCRUTINY, ScopeKind.COMMITTEE, JOINT_COMMITTEE)
    scrutiny = ReportDefinition.objects.get(council__slug=DEMO_SLUG, report_type=ReportType.SCRUTINY,
                                            name__contains="Place and Resources")
    assert report.sections == scrutiny.sections  # sections as Harrowdale's scrutiny reports
    report.full_clean()


def test_monthly_measures_are_entered_as_soon_as_the_month_closes(pair):
    month = Period.objects.get(financial_year_id=LAST_MONTH[0], frequency="monthly", number=LAST_MONTH[1])
    for council in pair:
        monthly = Indicator.objects.filter(council=council, current_spec__frequency="monthly")
        assert monthly.count() >= 8
        returns = Return.objects.filter(indicator__in=monthly, period=month)
        assert returns.count() == monthly.count()  # every monthly measure has its October return
        for ret in returns:
            assert ret.submitted_at is not None
            days = (timezone.localdate(ret.submitted_at) - month.end).days
            assert 1 <= days <= 4, (ret, days)
            assert not ret.is_late
        assert returns.filter(state__in=[ReturnState.SUBMITTED, ReturnState.APPROVED]).count() >= monthly.count() - 1
        quarterly = Indicator.objects.filter(council=council, current_spec__frequency="quarterly")
        assert quarterly.exists()


def test_qualitative_measures_have_narratives_and_a_self_assessed_status(pair):
    for council in pair:
        narrative = Indicator.objects.filter(council=council, is_qualitative=True)
        assert narrative.count() >= 2
        done = Return.objects.filter(indicator__in=narrative, state=ReturnState.APPROVED)
        assert done.exists()
        for ret in done:
            assert ret.commentary.strip()
            assert ret.self_assessed_rag in ("green", "amber", "red")


def test_targets_and_tolerances_are_set(pair):
    for council in pair:
        specs = Specification.objects.filter(indicator__council=council)
        assert specs.exists()
        rated = Indicator.objects.filter(council=council, is_qualitative=False).exclude(kind="contextual")
        for ind in rated:
            target = ind.targets.get(financial_year_id=2026)
            assert target.annual_target is not None or target.band_low is not None
            assert target.tolerance_pct is not None or target.tolerance_abs is not None


def test_returns_before_the_as_of_date_only(pair):
    for council in pair:
        latest = Return.objects.filter(indicator__council=council).order_by("-period__end").first()
        assert latest.period.end < DEMO_AS_OF
        assert not Return.objects.filter(indicator__council=council,
                                         submitted_at__gte=timezone.make_aware(
                                             timezone.datetime(2026, 11, 16, 8, 0))).exists()
        assert latest.period.end >= DEMO_AS_OF - timedelta(days=60)


def test_the_joint_committee_pack_for_q2_covers_both_councils(pair):
    """Done when: the joint committee's pack for Q2 2026/27 covers both councils of the pair (the pack engine,
    reporting/packs.py, lays each council's sections side by side)."""
    import json

    from reporting.packs import assemble

    report = ReportDefinition.objects.get(name=JOINT_REPORT)
    quarter = Period.objects.get(financial_year_id=2026, frequency="quarterly", number=2)
    snapshot = json.dumps(assemble(report, quarter, as_of=DEMO_AS_OF), default=str)
    for council in pair:
        assert council.name in snapshot
    for ref in ("WSS01", "RAB01"):  # joint remit measures of both councils
        assert snapshot.count(f'"{ref}"') >= 2


@pytest.mark.parametrize("username", [LEAD, JOINT_MEMBER, UNIT])
def test_the_pairs_people_see_their_pages(client, pair, username):
    """Every main page works for the pair's people, who hold roles in two councils at once (never a 500 from
    the shared directorates or the joint committee)."""
    client.force_login(User.objects.get(username=username))
    wyebridge = pair[0]
    plan = wyebridge.plans.get(level__rank=1)
    measure = Indicator.objects.get(council=wyebridge, ref="WSS01")  # a headline measure in the joint remit
    pages = [reverse("home"), reverse("plans:thread"), reverse("plans:list"), plan.get_absolute_url(),
             reverse("indicators:list"), measure.get_absolute_url(), reverse("reporting:dashboard"),
             reverse("reporting:dashboard") + "?measures=all", reverse("reporting:scorecard", args=[plan.pk]),
             reverse("reporting:archive"), reverse("reporting:risks")]
    if username == UNIT:
        pages.append(reverse("reporting:definition", args=[ReportDefinition.objects.get(name=JOINT_REPORT).pk]))
    for url in pages:
        assert client.get(url).status_code == 200, url
    for council in pair:
        assert client.get(reverse("public:home", args=[council.slug])).status_code == 200
        assert client.get(reverse("public:measure", args=[council.slug, "WSS01"])).status_code == 200
