"""The Harrowdale demo council (``manage.py load_demo``): scale, coverage, consistency, idempotency.

tests/conftest.py loads the demo once per test database, so every test here reads it; tests that reload it
run inside their own rolled-back transaction.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.test import RequestFactory
from django.utils import timezone

from demo import DEMO_AS_OF, DEMO_LOGINS, DEMO_PASSWORD, DEMO_SLUG
from demo.counts import demo_counts
from indicators.assessment import quantize, rag
from indicators.choices import Frequency, IndicatorKind, MeasureType, Polarity, ReturnState, Unit
from indicators.models import BenchmarkValue, Indicator, Return, Specification, Target, TrajectoryPoint
from plans.assessment import ActionStatus, action_status
from plans.models import Action, DecisionPoint, Milestone, Plan, PlanItem
from pmf.choices import CommitteeKind, Role
from pmf.models import Committee, Council, Directorate, Period, RoleAssignment, Service, Team, User
from pmf.periods import periods_per_year
from tests import dbroles

pytestmark = pytest.mark.django_db

YEARS = {2024, 2025, 2026}


@pytest.fixture
def council() -> Council:
    return Council.objects.get(slug=DEMO_SLUG)


def current_specs(council: Council) -> list[Specification]:
    return list(Specification.objects.filter(pk__in=Indicator.objects.filter(council=council).values("current_spec")))


def fingerprint(council: Council) -> list[tuple]:
    """Enough of the demo's content to show that two loads produced the same data."""
    return [
        *Return.objects.filter(indicator__council=council).order_by("indicator__ref", "period__start").values_list(
            "indicator__ref", "period__frequency", "period__number", "period__financial_year", "value",
            "numerator", "state", "submitted_at", "approved_at", "approved_by__username", "commentary"),
        *Action.objects.filter(council=council).order_by("ref").values_list(
            "ref", "title", "start", "approved_end", "forecast_end", "completed_on", "owner__username"),
        *User.objects.filter(role_assignments__council=council).distinct().order_by("username").values_list(
            "username", "first_name", "last_name", "job_title"),
        *TrajectoryPoint.objects.filter(target__indicator__council=council).order_by(
            "target__indicator__ref", "target__financial_year", "period_number").values_list(
            "target__indicator__ref", "period_number", "value"),
    ]


# ----------------------------------------------------------------------------------------------- organisation


def test_one_demo_council(council):
    assert Council.objects.filter(slug=DEMO_SLUG).count() == 1
    assert council.name == "Harrowdale Council"
    assert council.council_type == "unitary"


def test_organisation_at_cheshire_west_scale(council):
    directorates = Directorate.objects.filter(councils=council)
    assert directorates.count() == 5
    assert not directorates.filter(director__isnull=True).exists()
    services = Service.objects.filter(directorate__councils=council)
    assert 35 <= services.count() <= 45
    assert not services.filter(head__isnull=True).exists()
    teams = Team.objects.filter(service__directorate__councils=council)
    assert 70 <= teams.count() <= 90
    assert not teams.filter(manager__isnull=True).exists()


def test_people_hold_every_role(council):
    people = User.objects.filter(role_assignments__council=council).distinct()
    assert 230 <= people.count() <= 270
    held = set(RoleAssignment.objects.filter(council=council).values_list("role", flat=True))
    assert held == set(Role.values)
    per_role = dict(RoleAssignment.objects.filter(council=council).values("role")
                    .annotate(n=Count("user", distinct=True)).values_list("role", "n"))
    assert per_role[Role.DIRECTOR] == 5
    assert per_role[Role.DELEGATE] == 5
    assert per_role[Role.CABINET_MEMBER] == 10
    assert 50 <= per_role[Role.SERVICE_LEAD] <= 70
    assert 15 <= per_role[Role.SCRUTINY_MEMBER] <= 25
    # Delegates sign for their own directorate's director; members are councillors.
    for ra in RoleAssignment.objects.filter(council=council, role=Role.DELEGATE).select_related("directorate"):
        assert ra.delegate_for_id == ra.directorate.director_id
    members = RoleAssignment.objects.filter(council=council, role__in=[Role.CABINET_MEMBER, Role.SCRUTINY_MEMBER])
    assert all(ra.user.is_member for ra in members.select_related("user"))
    assert not RoleAssignment.objects.filter(council=council, role=Role.DIRECTOR, user__is_member=True).exists()


def test_usernames_are_firstname_lastname(council):
    for user in User.objects.filter(role_assignments__council=council).distinct():
        assert user.username == f"{user.first_name}.{user.last_name}".lower()


def test_three_committees_with_remits(council):
    committees = Committee.objects.filter(councils=council).exclude(
        kind__in=[CommitteeKind.BOARD, CommitteeKind.SHAREHOLDER])
    assert committees.count() == 3
    kinds = Counter(committees.values_list("kind", flat=True))
    assert kinds == {CommitteeKind.CABINET: 1, CommitteeKind.SCRUTINY: 2}
    # A6: and one officer board, the Programme Board, which owns the programmes (tests/test_programmes.py)
    assert Committee.objects.filter(councils=council, kind=CommitteeKind.BOARD).count() == 1
    # A1: and the Shareholder Board, whose remit is the company's business plan (tests/test_companies.py)
    assert Committee.objects.filter(councils=council, kind=CommitteeKind.SHAREHOLDER).count() == 1
    cabinet = committees.get(kind=CommitteeKind.CABINET)
    assert cabinet.remit.count() == 10
    for committee in committees.filter(kind=CommitteeKind.SCRUTINY):
        assert committee.remit.exists()
        assert RoleAssignment.objects.filter(committee=committee, role=Role.SCRUTINY_MEMBER).exists()


# ----------------------------------------------------------------------------------------------- plans


def test_council_plan_priorities_have_owners_and_directors(council):
    plan = Plan.objects.get(council=council, level__rank=1)
    assert plan.status == "active" and plan.approved_by and plan.approval_note
    assert plan.end_year_id - plan.start_year_id == 3  # a four-year plan
    priorities = PlanItem.objects.filter(plan=plan, level__name="Priority")
    assert priorities.count() == 10
    for item in priorities:
        assert item.parent_id is None
        assert item.outcome_owner is not None and item.outcome_owner.is_member
        assert item.portfolio is not None and item.portfolio.holder_id == item.outcome_owner_id
        assert item.lead_director is not None
        assert RoleAssignment.objects.filter(user=item.lead_director, role=Role.DIRECTOR).exists()
    outcomes = PlanItem.objects.filter(plan=plan, level__name="Outcome")
    assert 25 <= outcomes.count() <= 35
    assert all(o.parent.level.name == "Priority" for o in outcomes.select_related("parent__level"))


def test_plans_at_every_level(council):
    by_level = dict(Plan.objects.filter(council=council).values("level__name").annotate(n=Count("pk"))
                    .values_list("level__name", "n"))
    assert by_level["Council Plan"] == 1
    assert by_level["Outcome delivery plan"] >= 2
    assert by_level["Directorate business plan"] == 5
    assert by_level["Service plan"] >= 40
    assert by_level["Team plan"] >= 70
    assert by_level["Individual objectives"] >= 100
    service_plans = Plan.objects.filter(council=council, level__name="Service plan")
    assert service_plans.filter(previous_version__isnull=False).exists()  # A4 yearly refresh keeps history
    assert {"active", "draft", "closed"} <= set(service_plans.values_list("status", flat=True))


def test_golden_thread_is_unbroken(council):
    """A2: every item below a priority links up; every individual objective reaches a Council Plan priority."""
    items = PlanItem.objects.filter(plan__council=council).select_related("level", "parent__level")
    for item in items:
        if item.level.name == "Priority":
            continue
        assert item.parent is not None, item
        assert item.parent.level.rank < item.level.rank, item
    council_plan = Plan.objects.get(council=council, level__rank=1)
    objectives = PlanItem.objects.filter(plan__council=council, level__name="Individual objectives")
    assert objectives.count() >= 200
    for objective in objectives.order_by("pk")[:50]:
        levels = []
        item = objective
        while item.parent_id is not None:
            item = item.parent
            levels.append(item.level.name)
        assert item.level.name == "Priority" and item.plan_id == council_plan.pk
        assert levels[0] == "Team plan" and "Service plan" in levels and "Outcome" in levels
        # The materialised path agrees with the walk.
        assert [a.level.name for a in objective.ancestors()] == list(reversed(levels))


def test_every_current_item_has_something_beneath_it(council):
    """Down the thread from any item of a current plan there is always more, down to individual objectives."""
    items = (PlanItem.objects.filter(plan__council=council).exclude(plan__status="closed")
             .exclude(level__name__in=["Individual objectives", "Partnership plan"])
             # a company's business plan and a contract plan end with the measures: no council teams beneath
             .exclude(plan__service__kind__in=["company", "partnership", "contract"]))
    assert not items.filter(children__isnull=True).exists()


def test_first_item_beneath_leads_down_to_an_objective(council):
    """Following the first item beneath (by level, then reference; a closed plan's item first on a tie, as the
    worst case) from every priority ends at an individual objective."""
    for priority in PlanItem.objects.filter(plan__council=council, level__name="Priority"):
        item = priority
        while True:
            children = sorted(item.children.select_related("level", "plan"),
                              key=lambda c: (c.level.rank, c.ref, c.plan.status != "closed"))
            if not children:
                break
            item = children[0]
        assert item.level.name == "Individual objectives", (priority.ref, item)


# ----------------------------------------------------------------------------------------------- indicators


def test_indicators_cover_every_kind_unit_polarity_frequency_and_measure_type(council):
    indicators = Indicator.objects.filter(council=council)
    assert indicators.count() >= 160
    assert set(indicators.values_list("kind", flat=True)) == set(IndicatorKind.values)
    specs = current_specs(council)
    assert len(specs) == indicators.count()
    assert {s.unit for s in specs} == set(Unit.values)
    assert {s.polarity for s in specs} == set(Polarity.values)
    assert {s.frequency for s in specs} == set(Frequency.values)
    assert {s.measure_type for s in specs} == set(MeasureType.values)
    cumulative = {s.frequency for s in specs if s.measure_type == MeasureType.CUMULATIVE}
    assert {Frequency.MONTHLY, Frequency.QUARTERLY} <= cumulative
    assert 15 <= indicators.filter(is_headline=True).count() <= 25
    for flag in ("is_qualitative", "is_perception", "is_restricted"):
        assert indicators.filter(**{flag: True}).exists(), flag
    assert indicators.filter(risks__isnull=False).exists()
    assert not indicators.filter(plan_items__isnull=True).exists()


def test_specifications_are_complete_and_versioned(council):
    for spec in current_specs(council):
        assert spec.definition and spec.rationale and spec.data_source
        assert spec.accountable_officer and spec.deputy_accountable_officer
        assert spec.performance_lead and spec.deputy_performance_lead
        assert spec.performance_lead_id != spec.deputy_performance_lead_id
        if spec.unit == Unit.RATE:
            assert spec.rate_per
        if spec.calculation == "ratio":
            assert spec.numerator_label and spec.denominator_label
            if spec.unit == Unit.PERCENT:
                assert spec.multiplier == 100
    specs = Specification.objects.filter(indicator__council=council)
    assert specs.filter(version=2).exists()
    assert specs.filter(national_code__startswith="ASCOF").exists()
    assert specs.filter(national_code__startswith="PHOF").exists()
    assert specs.filter(is_statutory_return=True).exists()


def test_targets_for_rated_indicators_only(council):
    targets = Target.objects.filter(indicator__council=council)
    for indicator in Indicator.objects.filter(council=council):
        years = set(targets.filter(indicator=indicator).values_list("financial_year_id", flat=True))
        if indicator.is_rated:
            assert years == YEARS, indicator
        else:
            assert not years, indicator
    assert targets.filter(band_low__isnull=False, band_high__isnull=False, annual_target__isnull=True).exists()
    assert targets.filter(tolerance_pct=5).count() > targets.count() / 2
    assert targets.filter(tolerance_abs__isnull=False).exists()
    assert targets.exclude(tolerance_pct=5).filter(tolerance_pct__isnull=False).exists()
    assert targets.filter(needs_baseline=True, baseline__isnull=True).exists()


def test_cumulative_trajectories_run_to_the_annual_target(council):
    for spec in current_specs(council):
        if spec.measure_type != MeasureType.CUMULATIVE or spec.calculation != "value":
            continue
        for target in Target.objects.filter(indicator=spec.indicator).prefetch_related("trajectory"):
            points = [p.value for p in target.trajectory.all()]
            assert len(points) == periods_per_year(spec.frequency), spec.indicator
            assert points == sorted(points)
            assert points[-1] == target.annual_target
    assert TrajectoryPoint.objects.filter(target__indicator__current_spec__measure_type="snapshot",
                                          target__indicator__council=council).exists()


def test_benchmarks(council):
    rows = BenchmarkValue.objects.filter(indicator__council=council)
    assert 20 <= rows.values("indicator").distinct().count() <= 40
    per = rows.values("indicator", "financial_year").annotate(n=Count("pk"))
    assert all(8 <= row["n"] <= 15 for row in per)


# ----------------------------------------------------------------------------------------------- returns


def test_returns_in_three_financial_years_up_to_the_as_of_date(council):
    returns = Return.objects.filter(indicator__council=council)
    assert set(returns.values_list("period__financial_year_id", flat=True)) == YEARS
    assert not returns.filter(period__end__gte=DEMO_AS_OF).exists()
    assert returns.filter(period__frequency=Frequency.MONTHLY, period__financial_year_id=2026,
                          period__number=7).exists()  # October 2026
    assert not returns.filter(period__frequency=Frequency.ANNUAL, period__financial_year_id=2026).exists()


def test_returns_in_every_state(council):
    states = Counter(Return.objects.filter(indicator__council=council).values_list("state", flat=True))
    # every state but "verified": Harrowdale's heads of service do not verify returns (verification is tested where
    # a council asks for it, tests/test_yearly.py)
    assert not council.verification_required
    assert set(states) == set(ReturnState.values) - {ReturnState.VERIFIED}
    assert states[ReturnState.APPROVED] > sum(states.values()) * 0.8
    assert not Return.objects.filter(indicator__council=council, state=ReturnState.RETURNED, returned_reason="")


def test_workflow_timestamps(council):
    cutoff = timezone.make_aware(timezone.datetime.combine(DEMO_AS_OF, timezone.datetime.min.time()))
    for r in Return.objects.filter(indicator__council=council, state=ReturnState.APPROVED).select_related(
            "indicator__service__directorate", "period"):
        assert r.submitted_at < r.approved_at < cutoff
        assert timezone.localdate(r.submitted_at) > r.period.end
        directorate = r.indicator.service.directorate
        assert r.approved_by_id == directorate.director_id or RoleAssignment.objects.filter(
            user=r.approved_by_id, role=Role.DELEGATE, directorate=directorate).exists()


def test_some_returns_late(council):
    submitted = Return.objects.filter(indicator__council=council, submitted_at__isnull=False)
    late = [r for r in submitted if timezone.localdate(r.submitted_at) > r.due_on]
    assert 0.03 * len(submitted) <= len(late) <= 0.15 * len(submitted)
    assert all(r.is_late for r in late)


def test_some_periods_missing(council):
    gaps = 0
    for spec in current_specs(council):
        ended = Period.objects.filter(frequency=spec.frequency, financial_year_id__in=YEARS, end__lt=DEMO_AS_OF)
        gaps += ended.count() - Return.objects.filter(indicator=spec.indicator).count()
    assert gaps > 0
    assert demo_counts(Council.objects.get(slug=DEMO_SLUG))["missing returns"] > 0
    assert Return.objects.filter(indicator__council=council).exclude(no_data_reason="").filter(value=None).exists()


def test_ratio_returns_consistent(council):
    rows = Return.objects.filter(indicator__council=council, numerator__isnull=False).select_related(
        "indicator__current_spec")
    assert rows.count() > 1000
    for r in rows:
        spec = r.indicator.current_spec
        assert spec.calculation == "ratio"
        assert r.value == quantize(r.numerator / r.denominator * spec.multiplier, spec.decimal_places)
        if spec.unit == Unit.PERCENT:
            assert 0 <= r.numerator <= r.denominator


def test_commentary_and_forecasts(council):
    returns = Return.objects.filter(indicator__council=council)
    assert returns.exclude(commentary="").count() > returns.count() / 5
    current = returns.filter(period__financial_year_id=2026, forecast__isnull=False)
    assert current.exists() and not current.filter(forecast_confidence="").exists()
    assert not returns.filter(forecast__isnull=False).exclude(period__financial_year_id=2026).exists()


def test_rag_mix_is_believable(council):
    """C1 on the stored data: year to date for cumulative measures, against the profiled target where one exists."""
    targets = {(t.indicator_id, t.financial_year_id): t
               for t in Target.objects.filter(indicator__council=council).prefetch_related("trajectory")}
    counted = Counter()
    persistently_red = 0
    for indicator in Indicator.objects.filter(council=council).select_related("current_spec"):
        if not indicator.is_rated:
            continue
        spec = indicator.current_spec
        running: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0)])
        seen = []
        for r in indicator.returns.select_related("period").order_by("period__start"):
            if r.value is None:
                continue
            year = r.period.financial_year_id
            value = r.value
            if spec.measure_type == MeasureType.CUMULATIVE:
                acc = running[year]
                acc[0] += r.value
                if r.numerator is not None:
                    acc[1] += r.numerator
                    acc[2] += r.denominator
                    value = quantize(acc[1] / acc[2] * spec.multiplier, spec.decimal_places)
                else:
                    value = acc[0]
            target = targets[(indicator.pk, year)]
            profile = {p.period_number: p.value for p in target.trajectory.all()}
            if target.needs_baseline and target.baseline is None:
                continue
            status = rag(value=value, target=profile.get(r.period.number, target.annual_target),
                         polarity=spec.polarity, tolerance_pct=target.tolerance_pct,
                         tolerance_abs=target.tolerance_abs, band_low=target.band_low, band_high=target.band_high,
                         decimal_places=spec.decimal_places)
            counted[status.value] += 1
            seen.append(status.value)
        persistently_red += bool(seen) and seen.count("red") >= 0.8 * len(seen)
    total = sum(counted.values())
    assert 0.55 <= counted["green"] / total <= 0.80
    assert 0.08 <= counted["amber"] / total <= 0.25
    assert 0.08 <= counted["red"] / total <= 0.25
    assert persistently_red >= 3


# ----------------------------------------------------------------------------------------------- actions


def test_actions_in_every_status(council):
    actions = Action.objects.filter(council=council)
    assert actions.count() >= 370
    statuses = Counter(action_status(as_of=DEMO_AS_OF, start=a.start, approved_end=a.approved_end,
                                     forecast_end=a.forecast_end, completed_on=a.completed_on,
                                     no_longer_viable=a.no_longer_viable) for a in actions)
    assert set(statuses) == set(ActionStatus)
    assert statuses[ActionStatus.ON_TARGET] + statuses[ActionStatus.DELIVERED] > actions.count() / 2
    assert not actions.filter(plan_items__isnull=True).exists()
    assert not actions.filter(no_longer_viable=True, no_longer_viable_reason="").exists()
    assert Milestone.objects.filter(action__council=council).count() >= 100


def test_programmes_with_decision_points(council):
    points = DecisionPoint.objects.filter(project__programme__council=council)
    assert points.filter(decision="pending").exists()
    decided = points.exclude(decision="pending")
    assert decided.exists() and not decided.filter(decided_by__isnull=True).exists()


# ----------------------------------------------------------------------------------------------- logins, command


def test_demo_password_works_for_every_named_login(council, settings):
    # The demo is loaded once per session with the configured (PBKDF2) hasher; conftest switches tests to MD5
    # only, so let the PBKDF2 hashes be checked here.
    settings.PASSWORD_HASHERS = [*settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    request = RequestFactory().post("/accounts/login/")  # as the sign-in page asks (django-axes needs a request)
    for role, username in DEMO_LOGINS.items():
        user = authenticate(request, username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        if role in Role.values:
            assert RoleAssignment.objects.filter(user=user, council=council, role=role).exists(), role
    assert authenticate(request, username="admin", password=DEMO_PASSWORD).is_superuser
    assert authenticate(request, username=DEMO_LOGINS["director"], password="wrong") is None


def test_loading_again_changes_nothing(council):
    before = demo_counts(council)
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert Council.objects.get(slug=DEMO_SLUG).pk == council.pk
    assert demo_counts(council) == before


@pytest.mark.skipif(dbroles.two_roles(), reason="with two database roles the reset is the owner's, committed for "
                    "real: tests/test_owner_maintenance.py")
def test_reset_reloads_the_same_data(council):
    before_counts, before = demo_counts(council), fingerprint(council)
    call_command("load_demo", "--reset", verbosity=0)
    reloaded = Council.objects.get(slug=DEMO_SLUG)
    assert reloaded.pk != council.pk
    assert demo_counts(reloaded) == before_counts
    assert fingerprint(reloaded) == before


def test_output_contains_the_counts_and_logins(council):
    out = StringIO()
    call_command("load_demo", verbosity=1, stdout=out)
    text = out.getvalue()
    counts = demo_counts(council)
    assert f"  indicators: {counts['indicators']}" in text
    assert f"  people: {counts['people']}" in text
    assert f"  actions: {counts['actions']}" in text
    assert f"    {Role.DIRECTOR}: 5" in text
    assert f"    {ReturnState.SUBMITTED}: {counts['returns by state'][ReturnState.SUBMITTED]}" in text
    assert f"  late returns: {counts['late returns']}" in text
    assert f"  missing returns: {counts['missing returns']}" in text
    assert DEMO_PASSWORD in text
    assert all(username in text for username in DEMO_LOGINS.values())


def test_verbosity_zero_prints_nothing():
    out = StringIO()
    call_command("load_demo", verbosity=0, stdout=out)
    assert out.getvalue() == ""


def test_bad_as_of_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("load_demo", "--as-of", "16/11/2026", verbosity=0)
