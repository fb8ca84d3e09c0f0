"""Small builders for tests that need their own data beside the demo council."""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.utils import timezone

from indicators.models import Indicator, Return, Specification, Target, TrajectoryPoint
from pmf.models import Council, Directorate, Period, RoleAssignment, Service, User
from pmf.services import ensure_financial_year

__all__ = ["ensure_financial_year"]

_seq = itertools.count(1)


def council(name: str | None = None) -> Council:
    n = next(_seq)
    name = name or f"Testshire Council {n}"
    return Council.objects.create(name=name, slug=f"testshire-{n}", short_name=name.split()[0])


def service(c: Council) -> Service:
    n = next(_seq)
    d = Directorate.objects.create(name=f"Directorate {n}", code=f"T{n}")
    d.councils.add(c)
    return Service.objects.create(directorate=d, name=f"Service {n}")


def user(c: Council | None = None, role: str | None = None, **scope) -> User:
    n = next(_seq)
    u = User.objects.create_user(
        username=f"user{n}", password="test-password-1", first_name="Test", last_name=f"User{n}"
    )
    if c is not None and role is not None:
        RoleAssignment.objects.create(user=u, council=c, role=role, **scope)
    return u


def indicator(c: Council, *, frequency="monthly", measure_type="snapshot", polarity="higher", calculation="value",
              decimal_places=0, kind="kpi", multiplier="1", forecast_method="", **kwargs) -> Indicator:
    n = next(_seq)
    ind = Indicator.objects.create(council=c, ref=kwargs.pop("ref", f"T{n:03d}"),
                                   title=kwargs.pop("title", f"Test measure {n}"), kind=kind,
                                   service=kwargs.pop("service", None) or service(c), **kwargs)
    ensure_financial_year(2024)
    spec = Specification.objects.create(
        indicator=ind, valid_from_id=2024, definition="Test", data_source="Test system", frequency=frequency,
        measure_type=measure_type, polarity=polarity, calculation=calculation, decimal_places=decimal_places,
        multiplier=Decimal(multiplier), numerator_label="n" if calculation == "ratio" else "",
        denominator_label="d" if calculation == "ratio" else "", forecast_method=forecast_method,
    )
    ind.current_spec = spec
    ind.save(update_fields=["current_spec"])
    return ind


def target(ind: Indicator, year: int, annual=None, *, trajectory=None, **kwargs) -> Target:
    ensure_financial_year(year)
    t = Target.objects.create(indicator=ind, financial_year_id=year,
                              annual_target=None if annual is None else Decimal(str(annual)), **kwargs)
    for number, value in (trajectory or {}).items():
        TrajectoryPoint.objects.create(target=t, period_number=number, value=Decimal(str(value)))
    return t


def ret(ind: Indicator, year: int, number: int, value=None, *, numerator=None, denominator=None,
        state="approved", **kwargs) -> Return:
    ensure_financial_year(year)
    spec = ind.current_spec
    period = Period.objects.get(financial_year_id=year, frequency=spec.frequency, number=number)
    if numerator is not None:
        value = Decimal(str(numerator)) / Decimal(str(denominator)) * spec.multiplier
    who = kwargs.pop("by", None) or User.objects.filter(is_superuser=True).first() or user()
    now = timezone.now()
    extra = {}
    if state in ("submitted", "approved"):
        extra.update(submitted_by=who, submitted_at=now)
    if state == "approved":
        extra.update(approved_by=who, approved_at=now)
    return Return.objects.create(
        indicator=ind, period=period, value=None if value is None else Decimal(str(value)),
        numerator=None if numerator is None else Decimal(str(numerator)),
        denominator=None if denominator is None else Decimal(str(denominator)), state=state, **extra, **kwargs,
    )


def _copy(obj, **changes):
    """An unsaved copy of a model instance (every concrete field but the primary key), with changes."""
    fields = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}
    fields.update(changes)
    return type(obj)(**fields)


def copy_measures(indicators, *, copies: int = 2, actions=()) -> int:
    """More of the same data, for proving query counts flat as data grows: ``copies`` copies of each indicator
    (every specification, the targets in force with their trajectories and approval, returns, plan-item links)
    and of each action (with its plan-item links). Returns how many indicators were copied."""
    from indicators.models import Indicator, Return, Specification, Target, TrajectoryPoint
    from plans.models import Action

    indicators = list(indicators)
    actions = list(actions)
    specs = list(Specification.objects.filter(indicator__in=indicators))
    targets = list(Target.objects.filter(indicator__in=indicators, superseded_at__isnull=True))
    points = list(TrajectoryPoint.objects.filter(target__in=targets))
    returns = list(Return.objects.filter(indicator__in=indicators))
    links = list(Indicator.plan_items.through.objects.filter(indicator__in=indicators))
    action_links = list(Action.plan_items.through.objects.filter(action__in=actions))
    for n in range(1, copies + 1):
        new = {i.pk: _copy(i, ref=f"{i.ref}-c{n}", current_spec_id=None) for i in indicators}
        Indicator.objects.bulk_create(new.values())
        new_specs = {s.pk: _copy(s, indicator_id=new[s.indicator_id].pk) for s in specs}
        Specification.objects.bulk_create(new_specs.values())
        for i in indicators:
            new[i.pk].current_spec_id = new_specs[i.current_spec_id].pk if i.current_spec_id else None
        Indicator.objects.bulk_update(new.values(), ["current_spec"])
        # a copy is inserted as a draft and approved after its trajectory (B4 locks an approved target's)
        new_targets = {t.pk: _copy(t, indicator_id=new[t.indicator_id].pk, revision=1, revises_id=None,
                                   revision_reason="", approved_at=None, approved_by_id=None) for t in targets}
        Target.objects.bulk_create(new_targets.values())
        TrajectoryPoint.objects.bulk_create(_copy(p, target_id=new_targets[p.target_id].pk) for p in points)
        for t in targets:
            if t.approved_at is not None:
                Target.objects.filter(pk=new_targets[t.pk].pk).update(approved_at=t.approved_at,
                                                                      approved_by_id=t.approved_by_id)
        Return.objects.bulk_create((_copy(r, indicator_id=new[r.indicator_id].pk) for r in returns), batch_size=500)
        Indicator.plan_items.through.objects.bulk_create(
            Indicator.plan_items.through(indicator_id=new[link.indicator_id].pk, planitem_id=link.planitem_id)
            for link in links)
        new_actions = {a.pk: _copy(a, ref=f"{a.ref}-c{n}") for a in actions}
        Action.objects.bulk_create(new_actions.values())
        Action.plan_items.through.objects.bulk_create(
            Action.plan_items.through(action_id=new_actions[link.action_id].pk, planitem_id=link.planitem_id)
            for link in action_links)
    return len(indicators)


# -- two councils with one officer team and a joint committee (frameworks/004) ------------------------------------

class JointPair:
    """Two councils sharing a directorate (one officer team) and a joint scrutiny committee, each with its own
    Council Plan (a priority in the committee's remit) and service plan (an objective beneath it), and for Q2
    2026/27: ``shared`` (a measure both councils measure the same way, ref "JS-01"), ``own`` (each council's own
    measure in the remit), ``outside`` (each council's measure outside the remit), all approved; ``member`` a
    scrutiny member of the joint committee in both councils; ``definition`` the joint committee's quarterly
    report, issued by ``a`` and also covering ``b``."""

    def __init__(self, *, year: int = 2026):
        from plans.models import Action, Plan, PlanItem, PlanLevel
        from pmf.models import Committee
        from reporting.models import ReportDefinition

        n = next(_seq)
        self.a = council(f"Northvale District Council {n}")
        self.b = council(f"Southmere District Council {n}")
        ensure_financial_year(year - 1)
        ensure_financial_year(year)
        self.directorate = Directorate.objects.create(name=f"Shared directorate {n}", code=f"SD{n}")
        self.directorate.councils.add(self.a, self.b)
        self.service = Service.objects.create(directorate=self.directorate, name=f"Shared service {n}")
        self.committee = Committee.objects.create(name=f"Joint Scrutiny Committee {n}", kind="joint_scrutiny")
        self.committee.councils.add(self.a, self.b)
        approver = user()
        now = timezone.now()
        self.plans, self.priority, self.objective = {}, {}, {}
        self.shared, self.own, self.outside, self.actions = {}, {}, {}, {}
        for c, code in ((self.a, "NV"), (self.b, "SM")):
            top = PlanLevel.objects.create(council=c, name="Council Plan", rank=1)
            service_level = PlanLevel.objects.create(council=c, name="Service plan", rank=2)
            council_plan = Plan.objects.create(council=c, level=top, title=f"{c.short_name} Council Plan",
                                               start_year_id=year - 1, end_year_id=year, status="active",
                                               approved_by=approver, approved_at=now)
            service_plan = Plan.objects.create(council=c, level=service_level, title=f"{c.short_name} service plan",
                                               start_year_id=year, end_year_id=year, status="active",
                                               directorate=self.directorate, service=self.service,
                                               approved_by=approver, approved_at=now)
            self.plans[c.pk] = service_plan
            priority = PlanItem.objects.create(plan=council_plan, level=top, ref="P1", title=f"{code} green places")
            priority.committees.add(self.committee)
            objective = PlanItem.objects.create(plan=service_plan, level=service_level, ref="S1", parent=priority,
                                                title=f"{code} cleaner streets")
            elsewhere = PlanItem.objects.create(plan=council_plan, level=top, ref="P2", title=f"{code} housing")
            self.priority[c.pk], self.objective[c.pk] = priority, objective
            shared = indicator(c, frequency="quarterly", service=self.service, ref="JS-01",
                               title="Household waste recycled")
            own = indicator(c, frequency="quarterly", service=self.service, ref=f"{code}-02",
                            title=f"{code} fly-tipping cleared in 2 days")
            outside = indicator(c, frequency="quarterly", service=self.service, ref=f"{code}-09",
                                title=f"{code} homes built")
            for ind in (shared, own):
                ind.plan_items.add(objective)
            outside.plan_items.add(elsewhere)
            self.shared[c.pk], self.own[c.pk], self.outside[c.pk] = shared, own, outside
            action = Action.objects.create(council=c, ref=f"{code}-A1", title=f"{code} new street bins", is_key=True,
                                           service=self.service, approved_end=timezone.datetime(year + 1, 3, 31).date())
            action.plan_items.add(objective)
            self.actions[c.pk] = action
        for c, (shared_value, own_value) in ((self.a, (52, 90)), (self.b, (38, 70))):
            for ind, value, target_value in ((self.shared[c.pk], shared_value, 50), (self.own[c.pk], own_value, 80),
                                             (self.outside[c.pk], 10, 100)):
                target(ind, year, target_value, approved_at=now, approved_by=approver)
                ret(ind, year, 2, value, by=approver)
        self.member = user(self.a, "scrutiny_member", committee=self.committee)
        RoleAssignment.objects.create(user=self.member, council=self.b, role="scrutiny_member",
                                      committee=self.committee)
        self.perf_a = user(self.a, "performance_unit")
        self.definition = ReportDefinition.objects.create(
            council=self.a, name="Joint Scrutiny Committee quarterly report", report_type="scrutiny",
            scope="committee", committee=self.committee, kpis_only=True,
            sections=["overview", "plans", "exceptions", "missing"])
        self.definition.other_councils.add(self.b)

    @property
    def councils(self):
        return [self.a, self.b]


def joint_pair(**kwargs) -> JointPair:
    return JointPair(**kwargs)
