"""E2: every URL of the product against every role (pretix ``test_permissions.py``).

One table says who may do what. For each URL (with concrete objects from the demo council Harrowdale) and
each role it gives a code, and the test checks the status of a GET and, for every write, of a POST:

    R  may read it                     page 200; a write (POST) is refused with 403
    W  may read it and do what it does page 200; the POST is done (302 to the next page; 200 for the preview)
    B  may do it, but not with this    page 200; the POST is refused for its data (400, the form with its errors):
       data                            a rule of the data, not of the role (an empty name, a closed period)
    C  may do it, but it changed       page 200; the POST meets someone else's change or a lock (409)
    -  may not see the object          404 for GET and POST (outsiders and other parts of the organisation)
    N  may not use the page at all     403 for GET and POST (pages with no object, e.g. the sign-off queue)
    L  signed out                      302 to the sign-in page
    P  public                          200 for everybody (signing out: POST only, so GET 405 and POST 302)

Decision pages (send back, reopen, query, decide an action update, re-approve a target, the sign-off queue)
show their form only to those who may act, so their GET is 403 for R as well. No request returns a 500.
The expectations come from the access rules (the read scope each app registers in its ``access.py``;
``can_configure`` and ``can_read_audit`` in ``pmf/access.py``, ``can_enter_return``, ``can_sign_off`` and
``can_reopen`` in ``indicators/access.py``, ``can_update_action`` and ``can_sign_off_action`` in
``plans/access.py``) and the views that apply them. Cells where the product disagrees with the rule are
known bugs, marked ``xfail(strict=True)`` with the reason, so they stay visible until fixed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from demo.pair import JOINT_REPORT, SENT_BACK
from indicators import services as ind_services
from indicators.models import CorporateRisk, Evidence, Indicator, RecoveryPlan, Return, ServiceFinance, Target
from plans.models import Action, ActionUpdate, DecisionPoint, Plan, PlanItem, Programme
from plans.services import save_action_update
from pmf import api_tokens, clock
from pmf.access import restrict
from pmf.choices import Role
from pmf.models import AuditEntry, Council, Period, ScheduledJob, User
from reporting.models import CaseStudy, Pack, PackFile, ReportDefinition
from tests import factories as f

pytestmark = pytest.mark.django_db

#: The demo's people, one per role (password ``harrowdale-demo``; the grid signs in with ``force_login``).
USERNAMES = {
    "perf": "helen.marsh",  # performance unit: reads everything, configures, enters on behalf of leads
    "lead": "tom.ashworth",  # service lead, Waste and Recycling + Street Cleansing; performance lead of WAS01-05
    "head": "grace.okafor",  # head of service, Waste and Recycling
    "director": "ruth.calloway",  # director, Place and Environment: signs off
    "delegate": "sanjay.mistry",  # sign-off delegate, Place and Environment
    "cabinet": "owen.hartley",  # Cabinet member, portfolio Environment and Climate Emergency (P5)
    "scrutiny": "gareth.whitlow",  # Place and Resources scrutiny committee (P5, P6, P7, P8, P10)
    "audit": "nadia.holloway",  # internal audit: reads everything, the audit trail; changes nothing
    "staff": "liam.fenwick",  # staff, team Waste Collections (Waste and Recycling)
}
#: The council pair's people (demo/pair.py): a service lead of the shared officer team (roles in both councils) and
#: a member of the Joint Scrutiny Committee (a scrutiny member of both councils, the joint committee's remit).
PAIR_USERNAMES = {
    "shared": "chloe.marwood",
    "joint": "rhys.penrose",
}
#: The grid's columns: the demo roles, a performance-unit user of another council, and nobody signed in; then the
#: pair's two people, whose codes a row gives in ``pair`` or, when it does not, follow from the others (``Row.code``).
ROLES = [*USERNAMES, "outsider", "anon", *PAIR_USERNAMES]
#: Columns written in each row's ``codes``.
CODED = [*USERNAMES, "outsider", "anon"]

# -- The objects the grid visits -----------------------------------------------------------------------------


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% permissions grid\n%%EOF\n", content_type="application/pdf")


def user(username: str) -> User:
    return User.objects.get(username=username)


def indicator(ref: str) -> Indicator:
    return Indicator.objects.select_related("current_spec").get(council__slug="harrowdale", ref=ref)


def latest_return(ref: str, state: str) -> Return:
    ret = (Return.objects.select_related("period").filter(indicator=indicator(ref), state=state)
           .order_by("-period__start").first())
    assert ret is not None, f"the demo has no {state} return of {ref}"
    return ret


def action(ref: str) -> Action:
    return Action.objects.get(council__slug="harrowdale", ref=ref)


def submitted_update(act: Action, by: User) -> ActionUpdate:
    """The action's open update, submitted for sign-off by ``by`` (through the service, as the owner would)."""
    current = act.updates.filter(state__in=["draft", "submitted", "returned"]).first()
    return save_action_update(user=by, action=act, version=current.version if current else None, submit=True,
                              data={"as_of": clock.today(), "progress_pct": 40, "commentary": "On track."})


def recovery_plan(ind: Indicator, owner: User) -> RecoveryPlan:
    return RecoveryPlan.objects.create(indicator=ind, trigger="Red at Q2 2026/27 (grid)", owner=owner,
                                       due_on=clock.today() + timedelta(days=14))


def current_target(ref: str, year: int = 2026) -> Target:
    target = Target.objects.get(indicator=indicator(ref), financial_year_id=year, superseded_at__isnull=True)
    assert target.is_locked
    return target


def _reminders_job() -> ScheduledJob:
    return ScheduledJob.objects.get(council__slug="harrowdale", kind="reminders")


def objective(username: str) -> Plan:
    return Plan.objects.get(person__username=username, level__name="Individual objectives",
                            start_year_id=2026)


def _snapshot(title: str) -> dict:
    """A small but complete pack snapshot (see reporting/snapshot.py): the grid is about who may see, not what."""
    return {"schema": 1, "title": title, "council": "Harrowdale Council", "report_type": "cabinet",
            "report_type_label": "Cabinet report (tier 1)", "scope_label": "All plans",
            "measures_label": "Key performance indicators", "year_label": "2026/27", "quarter": 2,
            "period_label": "Q2 2026/27: July to September 2026", "as_of": "2026-11-16",
            "generated_at": "2026-11-16T09:00:00+00:00", "sections": ["overview", "plans"],
            "overview": {"rag_counts": {"green": 1, "amber": 0, "red": 0, "not_rated": 0, "missing": 0},
                         "direction_counts": {"improving": 1, "maintained": 0, "declining": 0, "not_comparable": 0},
                         "actions_by_status": {}, "by_priority": []},
            "plans": [], "exception_rule": "", "exceptions": {"measures": [], "actions": []}, "benchmarking": [],
            "missing": []}


def grid_pack(report_type: str, *, issued: bool, failed: bool = False, name: str = "") -> Pack:
    """A ready draft, an issued pack or a failed job, of one of the demo's reports for Q2 2026/27, with a PDF (a
    Harrowdale report of the type; ``name``: the report of that name, in any council)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    definition = (ReportDefinition.objects.get(name=name) if name
                  else ReportDefinition.objects.get(council__slug="harrowdale", report_type=report_type))
    number = {"quarterly": 2, "monthly": 6}[definition.frequency]  # Q2, or its last month
    period = Period.objects.get(financial_year_id=2026, frequency=definition.frequency, number=number)
    pack = Pack.objects.create(definition=definition, council=definition.council, period=period,
                               title=f"{definition.name}: Q2 2026/27", status="ready",
                               snapshot=_snapshot(definition.name), as_of=clock.today())
    row = PackFile(pack=pack, format="pdf", size=9, sha256="0" * 64, pages=1, seconds=1)
    row.file.save("grid.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    row.save()
    if failed:
        Pack.objects.filter(pk=pack.pk).update(status="failed", error="ValueError: the grid's template is damaged")
        pack.refresh_from_db()
    if issued:
        Pack.objects.filter(pk=pack.pk).update(status="issued", issued_at=timezone.now(), issue_number=1,
                                               issued_by=user("helen.marsh"), is_public=True)
        pack.refresh_from_db()
    return pack


class Objects:
    """What each row visits, looked up (or made) on first use inside the test's transaction.

    Place and Environment is the director's directorate; Waste and Recycling (WAS) the service lead's, head of
    service's and staff member's service, beneath priority P5 (the Cabinet member's portfolio, in the scrutiny
    member's remit). Adults and Health (ASC, beneath P3) is outside all of them but the council-wide roles."""

    own = cached_property(lambda self: indicator("WAS02"))  # tom is its performance lead; not headline
    other = cached_property(lambda self: indicator("ASC01"))  # Adults and Health, not headline, beneath P3
    headline = cached_property(lambda self: indicator("ASC02"))  # Adults and Health, headline: council-wide
    own_submitted = cached_property(lambda self: latest_return("WAS02", "submitted"))
    own_approved = cached_property(lambda self: latest_return("WAS02", "approved"))
    other_submitted = cached_property(lambda self: latest_return("ASC01", "submitted"))
    other_approved = cached_property(lambda self: latest_return("ASC01", "approved"))
    headline_approved = cached_property(lambda self: latest_return("ASC02", "approved"))
    own_evidence = cached_property(lambda self: ind_services.attach_evidence(
        user=user("tom.ashworth"), ret=self.own_submitted, upload=_pdf("own.pdf")))
    other_evidence = cached_property(lambda self: ind_services.attach_evidence(
        user=user("helen.marsh"), ret=self.other_submitted, upload=_pdf("other.pdf")))
    own_recovery = cached_property(lambda self: recovery_plan(self.own, user("tom.ashworth")))
    other_recovery = cached_property(lambda self: recovery_plan(self.other, self.other.current_spec.performance_lead))
    own_target = cached_property(lambda self: current_target("WAS02"))
    other_target = cached_property(lambda self: current_target("ASC01"))
    own_action = cached_property(lambda self: action("WAS-A04"))  # owner tom, Waste, not key
    colleague_action = cached_property(lambda self: action("WAS-A03"))  # owner grace, Waste, not key
    other_action = cached_property(lambda self: action("ASC-A01"))  # Adults and Health, not key
    own_update = cached_property(lambda self: submitted_update(self.own_action, user("tom.ashworth")))
    other_update = cached_property(lambda self: submitted_update(self.other_action, user("helen.marsh")))
    council_plan = cached_property(lambda self: Plan.objects.get(council__slug="harrowdale", level__rank=1))
    outcome = cached_property(lambda self: PlanItem.objects.get(plan=self.council_plan, ref="P5.O1"))
    # Another staff member's individual objective in the same service (team Household Waste Recycling Centres).
    peer_objective = cached_property(lambda self: objective("victoria.begum"))
    peer_objective_item = cached_property(lambda self: self.peer_objective.items.order_by("pk").first())
    # An individual objective in Adults and Health.
    other_objective = cached_property(lambda self: objective("alan.blackwood"))
    # Issue 5: the Cabinet report (published), a ready draft of the exception report, an issued Cabinet pack.
    report = cached_property(lambda self: ReportDefinition.objects.get(council__slug="harrowdale",
                                                                       report_type="cabinet"))
    draft_pack = cached_property(lambda self: grid_pack("exception", issued=False))
    issued_pack = cached_property(lambda self: grid_pack("cabinet", issued=True))
    failed_pack = cached_property(lambda self: grid_pack("management_team", issued=False, failed=True))
    # Issue 10: a draft team plan in Place and Environment (owned by its team's manager, not a grid user), and next
    # year's draft target of the service lead's measure, as the yearly refresh makes it.
    draft_plan = cached_property(lambda self: Plan.objects.get(council__slug="harrowdale",
                                                               title="Transport Planning Team Plan 2026/27"))
    draft_target = cached_property(lambda self: draft_target("WAS02", 2027))
    # Case studies: one approved with a picture (read council-wide), one waiting for the performance unit.
    published_study = cached_property(lambda self: stored_picture(CaseStudy.objects.filter(
        council__slug="harrowdale", status="approved").exclude(picture="").order_by("pk").first()))
    waiting_study = cached_property(lambda self: CaseStudy.objects.get(council__slug="harrowdale",
                                                                      status="submitted"))
    # Internal audit's spot check of Q2 2026/27 (three returns).
    spot_check = cached_property(lambda self: draw_spot_check())
    # Issue 12: the service lead's own personal API token; the specification of the other measure.
    own_token = cached_property(lambda self: api_tokens.create_token(user=user("tom.ashworth"), name="grid").token)
    other_spec = cached_property(lambda self: self.other.current_spec)
    # Issue 13: a corporate risk of Harrowdale (Adults and Health; read council-wide, as the register is).
    risk = cached_property(lambda self: CorporateRisk.objects.get(council__slug="harrowdale", ref="CR02"))
    # Issue 13 (C 3.1): Waste and Recycling's finance figures at Q2 2026/27 (the demo's).
    finance = cached_property(lambda self: ServiceFinance.objects.get(
        council__slug="harrowdale", service__name="Waste and Recycling", plan_item=None,
        period__financial_year_id=2026, period__frequency="quarterly", period__number=2))
    # Issue 13 (A5): the council pair's objects, and the joint committee's Q2 2026/27 pack, issued.
    joint_pack = cached_property(lambda self: grid_pack("scrutiny", issued=True, name=JOINT_REPORT))

    @staticmethod
    def pair_indicator(slug: str, ref: str) -> Indicator:
        return Indicator.objects.get(council__slug=slug, ref=ref)

    @staticmethod
    def pair_sent_back(slug: str) -> Return:
        return Return.objects.get(indicator__council__slug=slug, indicator__ref=SENT_BACK, state="returned")

    # Issue 13 (A6): the Net Zero programme (Place and Environment's), its fleet project, and the decision due at
    # the Home First project's third gateway (its date has come), which the Programme Board's members record.
    programme = cached_property(lambda self: Programme.objects.get(council__slug="harrowdale",
                                                                   name="Net Zero 2030 Programme"))
    project = cached_property(lambda self: self.programme.projects.get(name="Fleet electrification"))
    due_decision = cached_property(lambda self: DecisionPoint.objects.get(
        project__programme__council__slug="harrowdale", project__name="Home First discharge model",
        title__startswith="Gateway 3", decision="pending"))


def _risk_workbook() -> SimpleUploadedFile:
    """A workbook with one sheet, a risk: what the grid's dry run checks."""
    from pmf import imports
    from reporting.workbook import layout

    data = imports.write_xlsx([(layout.RISKS, [{"ref": "GRID1", "title": "A risk for the grid"}])])
    return SimpleUploadedFile("risks.xlsx", data)


def _finance_file() -> SimpleUploadedFile:
    """The finance system's export with one row, Waste and Recycling at Q3 2026/27: what the grid's check reads."""
    return SimpleUploadedFile("finance.csv", b"service,year,quarter,budget,forecast outturn\n"
                                             b"Waste and Recycling,2026/27,Q3,\"\xc2\xa34,250,000\",4390000\n")


def _new_finance(o) -> dict:
    q3 = Period.objects.get(financial_year_id=2026, frequency="quarterly", number=3)
    return {"service": o.finance.service_id, "period": q3.pk, "budget": "£4,250,000", "forecast_outturn": "4390000"}


def _empty_bulk_sheet() -> SimpleUploadedFile:
    from indicators import bulk
    from pmf import imports

    return SimpleUploadedFile("returns.xlsx", imports.write_xlsx([(bulk.SHEET, [])]))


def _u(name: str, *args) -> str:
    return reverse(name, args=args)


def _return_data(ret: Return | None) -> dict:
    return {"value": "50", "numerator": "50", "denominator": "100", "commentary": "Checked for the grid.",
            "version": ret.version if ret else ""}


def _reason(ret) -> dict:
    return {"reason": "Checked for the permissions grid.", "version": ret.version}


def _plan_data(plan: RecoveryPlan) -> dict:
    return {"causes": "Fewer crews.", "actions": "Recruit.", "action_owner": "Tom Ashworth",
            "expected_on_target": (clock.today() + timedelta(days=90)).isoformat(), "version": plan.version}


def _action_data(act: Action) -> dict:
    current = act.updates.filter(state__in=["draft", "submitted", "returned"]).first()
    return {"as_of": clock.today().isoformat(), "progress_pct": "50", "commentary": "Grid.",
            "version": current.version if current else ""}


def stored_picture(study: CaseStudy) -> CaseStudy:
    """The study's picture in this test's media folder (the grid's storage is a temporary one)."""
    from django.core.files.base import ContentFile

    study.picture.save("grid.png", ContentFile(b"\x89PNG\r\n\x1a\n grid"), save=True)
    return study


def draw_spot_check():
    from indicators.spot_checks import draw

    q2 = Period.objects.get(financial_year_id=2026, frequency="quarterly", number=2)
    return draw(user=user("nadia.holloway"), council=Council.objects.get(slug="harrowdale"), quarter=q2, size=3,
                by_directorate=False)


def _outcome_data(check) -> dict:
    item = check.items.order_by("pk").first()
    return {"item": item.pk, f"i{item.pk}-outcome": "verified", f"i{item.pk}-notes": "",
            f"i{item.pk}-version": item.version}


def draft_target(ref: str, year: int) -> Target:
    f.ensure_financial_year(year)
    return Target.objects.create(indicator=indicator(ref), financial_year_id=year, annual_target=50,
                                 note="Rolled forward: review before approval.")


def _target_data(target: Target) -> dict:
    return {"annual_target": "55", "tolerance_pct": "5", "version": target.version}


def _reapprove_data(target: Target) -> dict:
    return {"annual_target": str((target.annual_target or 0) + 1), "tolerance_pct": "5",
            "reason": "Cabinet 12 November 2026, minute 40.", "confirm": "yes"}


# -- The grid ------------------------------------------------------------------------------------------------

# What a URL does, which decides how a code becomes a status (see ``expected``).
PUBLIC = "public"  # health: 200 for everybody
LOGIN = "login"  # the sign-in page: 200, and 200 again for a wrong password
LOGOUT = "logout"  # POST only: GET 405, POST 302 to the sign-in page
PAGE = "page"  # read with GET
FORM = "form"  # read with GET (read-only for R), write with POST
DECISION = "decision"  # GET and POST both need the right to act
PREVIEW = "preview"  # POST only, and only computes: whoever reads may use it
REPORT = "report"  # POST only, from anybody's browser (a Content Security Policy report): 204, GET 405
API = "api"  # the REST API, read with GET: signed out 401 (no redirect); "-" 404, "N" 403, "R" 200
API_POST = "api_post"  # a REST API write, POST only: GET 405; the POST is done (200), refused (403) or not found (404)
ACT = "act"  # POST only, on an object: GET 405 (404 for "-"); the POST is done (302)


@dataclass(frozen=True)
class Row:
    id: str
    name: str  # the URL's name
    kind: str  # PUBLIC, LOGIN, LOGOUT, PAGE, FORM, DECISION, PREVIEW or REPORT
    codes: str  # one code per role, in the order of CODED
    url: Callable[[Objects], str]
    post: Callable[[Objects], dict] | None = None  # the data a write sends
    bugs: dict[str, str] = field(default_factory=dict)  # role -> why that cell is a known bug
    done: int = 302  # what a done write answers: 302 to the next page, or 200 for a page that shows what was done
    pair: str = ""  # the codes of the pair's shared officer and joint member, where they do not follow (see code)

    def code(self, role: str) -> str:
        codes = self.codes.split()
        assert len(codes) == len(CODED), self.id
        if role not in PAIR_USERNAMES:
            return codes[CODED.index(role)]
        if self.pair:
            return self.pair.split()[list(PAIR_USERNAMES).index(role)]
        # The pair's people hold no role in Harrowdale: its objects are hidden from them as from the outsider (404),
        # public pages and the sign-in are the same for everybody, and a page of no object (home, the sign-off
        # queue, the workbook) answers them as it answers Harrowdale's service lead and scrutiny member.
        outsider = codes[CODED.index("outsider")]
        if outsider in ("-", "P", "L"):
            return outsider
        return codes[CODED.index("lead" if role == "shared" else "scrutiny")]


GRID = [
    #                                                      perf lead head dir del cab scr aud stf out anon
    Row("health", "health", PUBLIC,                        "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("health")),
    Row("csp report", "csp_report", REPORT,                "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("csp_report")),
    Row("login", "login", LOGIN,                           "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("login")),
    Row("logout", "logout", LOGOUT,                        "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("logout")),
    # The admin's own sign-in form would skip two-factor and the lock-out count: it sends everybody to ours.
    Row("admin login", "admin_login", PAGE,                "L    L    L   L   L   L   L   L   L   L   L",
        lambda o: _u("admin_login")),
    # Single sign-on: 404 for everybody while it is off, as here (tests/test_sso.py signs in with it on).
    Row("sso start", "sso_start", PAGE,                    "-    -    -   -   -   -   -   -   -   -   -",
        lambda o: _u("sso_start")),
    Row("sso callback", "oidc_authentication_callback", PAGE, "-  -    -   -   -   -   -   -   -   -   -",
        lambda o: _u("oidc_authentication_callback")),
    # The public site (D9) and the accessibility statement: no sign-in, the same for everybody.
    Row("accessibility", "accessibility", PUBLIC,          "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("accessibility")),
    Row("public home", "public:home", PUBLIC,              "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("public:home", "harrowdale")),
    Row("public priority", "public:priority", PUBLIC,      "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("public:priority", "harrowdale", o.council_plan.items.get(ref="P5").pk)),
    Row("public measure", "public:measure", PUBLIC,        "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("public:measure", "harrowdale", o.headline.ref)),
    Row("public timetable", "public:timetable", PUBLIC,    "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("public:timetable", "harrowdale")),
    Row("public open data", "public:open_data", PUBLIC,    "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("public:open_data", "harrowdale")),
    Row("public csv", "public:open_data_csv", PUBLIC,      "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("public:open_data_csv", "harrowdale")),
    Row("public json", "public:open_data_json", PUBLIC,    "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("public:open_data_json", "harrowdale")),
    Row("home", "home", PAGE,                              "R    R    R   R   R   R   R   R   R   R   L",
        lambda o: _u("home")),
    Row("audit", "audit", PAGE,                            "R    N    N   N   N   N   N   R   N   R   L",
        lambda o: _u("audit")),
    Row("sign-in log", "sign_in_log", PAGE,                "R    N    N   N   N   N   N   R   N   R   L",
        lambda o: _u("sign_in_log")),
    Row("audit_export", "audit_export", PAGE,              "R    N    N   N   N   N   N   R   N   R   L",
        lambda o: _u("audit_export")),
    # E5: everybody chooses their own reminders; the performance unit runs its own council's schedule (the
    # outsider's /schedule/ is their own council's; Harrowdale's jobs are not found by them).
    Row("reminder preferences", "reminder_preferences", FORM,
                                                           "W    W    W   W   W   W   W   W   W   W   L",
        lambda o: _u("reminder_preferences"), lambda o: {"returns_due": "on", "sign_offs": "on"}),
    # Everybody changes their own password (their current one first, then the validators).
    Row("password change", "password_change", FORM,      "W    W    W   W   W   W   W   W   W   W   L",
        lambda o: _u("password_change"),
        lambda o: {"old_password": "harrowdale-demo", "new_password1": "Kestrel-Harbour-19",
                   "new_password2": "Kestrel-Harbour-19"}),
    Row("password changed", "password_change_done", PAGE, "R    R    R   R   R   R   R   R   R   R   L",
        lambda o: _u("password_change_done")),
    # Two-factor authentication (tests/test_two_factor.py has the flows; here nobody has an app set up and the
    # requirement is off): the code step answers everybody (it says there is nothing to do); everybody opens their
    # account security and set-up (a wrong code is refused, 400) and the recovery codes page (which has none to show,
    # nor to download: 404); the performance unit lists its councils' people and resets one (audited).
    Row("two-factor code", "two_factor_code", PUBLIC,      "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("two_factor_code")),
    Row("account security", "two_factor", PAGE,           "R    R    R   R   R   R   R   R   R   R   L",
        lambda o: _u("two_factor")),
    Row("two-factor set-up", "two_factor_set_up", FORM,   "B    B    B   B   B   B   B   B   B   B   L",
        lambda o: _u("two_factor_set_up"), lambda o: {"code": "12345x"}),
    Row("recovery codes", "two_factor_recovery_codes", FORM,
                                                           "W    W    W   W   W   W   W   W   W   W   L",
        lambda o: _u("two_factor_recovery_codes"), lambda o: {}),
    Row("recovery codes txt", "two_factor_recovery_codes_txt", PAGE,
                                                           "-    -    -   -   -   -   -   -   -   -   L",
        lambda o: _u("two_factor_recovery_codes_txt")),
    Row("two-factor people", "two_factor_people", PAGE,   "R    N    N   N   N   N   N   N   N   R   L",
        lambda o: _u("two_factor_people")),
    Row("two-factor reset", "two_factor_reset", DECISION, "W    N    N   N   N   N   N   N   N   -   L",
        lambda o: _u("two_factor_reset", user("ruth.calloway").pk), lambda o: {"reason": "Lost phone (grid)."},
        pair="N N"),  # not the performance unit anywhere: the page is not theirs, whoever the person is
    Row("schedule", "schedule", FORM,                      "W    N    N   N   N   N   N   N   N   W   L",
        lambda o: _u("schedule"), lambda o: {"enabled": "on", "days_before_due": "5", "repeat_every_days": "7"}),
    Row("schedule job", "schedule_job", FORM,              "W    N    N   N   N   N   N   N   N   -   L",
        lambda o: _u("schedule_job", _reminders_job().pk),
        lambda o: {f"job{_reminders_job().pk}-{k}": v for k, v in
                   {"hour": "7", "minute": "0", "days": ["1", "2", "3", "4", "5"], "enabled": "on"}.items()}),
    Row("schedule send now", "schedule_send_now", DECISION,
                                                           "W    N    N   N   N   N   N   N   N   W   L",
        lambda o: _u("schedule_send_now"), lambda o: {"confirm": "yes"}),
    # Issue 12: the council workbook, the performance unit's (the outsider's is their own council's): the page, a
    # dry run of an uploaded workbook (200, its outcome shown), the blank template and the council's own workbook.
    Row("workbook", "reporting:workbook", FORM,           "W    N    N   N   N   N   N   N   N   W   L",
        lambda o: _u("reporting:workbook"), lambda o: {"file": _risk_workbook()}, done=200),
    Row("workbook template", "reporting:workbook_template", PAGE,
                                                           "R    N    N   N   N   N   N   N   N   R   L",
        lambda o: _u("reporting:workbook_template")),
    Row("workbook export", "reporting:workbook_export", PAGE,
                                                           "R    N    N   N   N   N   N   N   N   R   L",
        lambda o: _u("reporting:workbook_export")),
    # Issue 12: bulk returns: everybody signed in opens the page and downloads the sheet of the returns due from
    # them (none for most roles); an uploaded sheet's rows go through the entry form's service, which decides who
    # may enter each measure (an empty sheet saves nothing: 200, its outcome shown).
    Row("bulk returns", "reporting:bulk_returns", FORM,     "W    W    W   W   W   W   W   W   W   W   L",
        lambda o: _u("reporting:bulk_returns"), lambda o: {"file": _empty_bulk_sheet(), "submit": "no"}, done=302),
    Row("bulk returns sheet", "reporting:bulk_returns_sheet", PAGE,
                                                           "R    R    R   R   R   R   R   R   R   R   L",
        lambda o: _u("reporting:bulk_returns_sheet")),
    # Issue 4: dashboards and scorecards, read by every signed-in role within what it may read (GET only).
    # Issue 5: reports. The performance unit sets them up, prepares and issues packs; internal audit reads every
    # report and pack; everybody signed in reads issued packs; the public reads issued packs of published reports.
    # Issue 13: the corporate risk register (E4): everybody signed in reads their councils' risks (the outsider's
    # register and "My risks" are their own council's, empty; Harrowdale's risk is not found by them).
    Row("risk register", "reporting:risks", PAGE,          "R    R    R   R   R   R   R   R   R   R   L",
        lambda o: _u("reporting:risks")),
    Row("my risks", "reporting:my_risks", PAGE,            "R    R    R   R   R   R   R   R   R   R   L",
        lambda o: _u("reporting:my_risks")),
    Row("risk", "reporting:risk", PAGE,                    "R    R    R   R   R   R   R   R   R   -   L",
        lambda o: _u("reporting:risk", o.risk.pk)),
    # Issue 13 (C 3.1): finance beside performance. Everybody signed in opens the finance page (the figures listed
    # are those they may read; the outsider's is their own council's); the performance unit enters, changes and
    # imports figures (the outsider's are their own council's, so Harrowdale's service is refused for its data: a
    # check of the file lists the problems). A set of figures is read as its service's measures are (staff read no
    # budgets) and changed by the performance unit only.
    Row("finance", "reporting:finance", PAGE,              "R    R    R   R   R   R   R   R   R   R   L",
        lambda o: _u("reporting:finance")),
    Row("finance new", "reporting:finance_add", FORM,      "W    N    N   N   N   N   N   N   N   B   L",
        lambda o: _u("reporting:finance_add"), _new_finance),
    Row("finance import", "reporting:finance_import", FORM, "W    N    N   N   N   N   N   N   N   B   L",
        lambda o: _u("reporting:finance_import"), lambda o: {"file": _finance_file()}, done=200),
    Row("finance template", "reporting:finance_template", PAGE,
                                                           "R    N    N   N   N   N   N   N   N   R   L",
        lambda o: _u("reporting:finance_template")),
    Row("finance edit", "reporting:finance_edit", DECISION, "W    R    R   R   R   R   R   R   -   -   L",
        lambda o: _u("reporting:finance_edit", o.finance.pk),
        lambda o: {"budget": "1000000", "forecast_outturn": "1200000", "version": o.finance.version}),
    Row("reports archive", "reporting:archive", PAGE,      "R    R    R   R   R   R   R   R   R   R   L",
        lambda o: _u("reporting:archive")),
    Row("report set-up", "reporting:definitions", PAGE,    "R    N    N   N   N   N   N   R   N   R   L",
        lambda o: _u("reporting:definitions")),
    Row("report new", "reporting:definition_add", FORM,    "B    N    N   N   N   N   N   N   N   B   L",
        lambda o: _u("reporting:definition_add"), lambda o: {"name": "", "report_type": "cabinet"}),
    Row("report", "reporting:definition", FORM,            "B    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("reporting:definition", o.report.pk), lambda o: {"period": ""}),
    Row("report edit", "reporting:definition_edit", FORM,  "B    -    -   -   -   -   -   N   -   -   L",
        lambda o: _u("reporting:definition_edit", o.report.pk), lambda o: {"name": ""}),
    Row("report delete", "reporting:definition_delete", DECISION,
        #                                                   perf lead head dir del cab scr aud stf out anon
                                                           "W    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("reporting:definition_delete", o.report.pk), lambda o: {}),
    Row("pack issued", "reporting:pack", PAGE,             "R    R    R   R   R   R   R   R   R   -   L",
        lambda o: _u("reporting:pack", o.issued_pack.pk)),
    Row("pack draft", "reporting:pack", PAGE,              "R    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("reporting:pack", o.draft_pack.pk)),
    Row("pack progress", "reporting:pack_progress", PAGE,  "R    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("reporting:pack_progress", o.draft_pack.pk)),
    Row("pack file issued", "reporting:pack_file", PAGE,   "R    R    R   R   R   R   R   R   R   -   L",
        lambda o: _u("reporting:pack_file", o.issued_pack.pk, "pdf")),
    Row("pack file draft", "reporting:pack_file", PAGE,    "R    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("reporting:pack_file", o.draft_pack.pk, "pdf")),
    Row("pack issue", "reporting:pack_issue", DECISION,    "W    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("reporting:pack_issue", o.draft_pack.pk), lambda o: {"version": o.draft_pack.version}),
    Row("pack retry", "reporting:pack_retry", DECISION,    "W    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("reporting:pack_retry", o.failed_pack.pk), lambda o: {}),
    Row("pack again", "reporting:pack_regenerate", DECISION,
        #                                                   perf lead head dir del cab scr aud stf out anon
                                                           "W    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("reporting:pack_regenerate", o.draft_pack.pk), lambda o: {"version": "0"}),
    Row("public reports", "public:reports", PUBLIC,        "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("public:reports", "harrowdale")),
    Row("public report", "public:report", PUBLIC,          "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("public:report", "harrowdale", o.issued_pack.pk)),
    Row("public report file", "public:report_file", PUBLIC, "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("public:report_file", "harrowdale", o.issued_pack.pk, "pdf")),
    Row("dashboard", "reporting:dashboard", PAGE,          "R    R    R   R   R   R   R   R   R   R   L",
        lambda o: _u("reporting:dashboard")),
    Row("scorecard", "reporting:scorecard", PAGE,          "R    R    R   R   R   R   R   R   R   -   L",
        lambda o: _u("reporting:scorecard", o.council_plan.pk)),
    Row("scorecard csv", "reporting:scorecard_csv", PAGE,  "R    R    R   R   R   R   R   R   R   -   L",
        lambda o: _u("reporting:scorecard_csv", o.council_plan.pk)),
    Row("scorecard xlsx", "reporting:scorecard_xlsx", PAGE, "R    R    R   R   R   R   R   R   R   -   L",
        lambda o: _u("reporting:scorecard_xlsx", o.council_plan.pk)),
    # The golden thread: plans and their items are read council-wide, except individual objectives.
    Row("plans", "plans:list", PAGE,                       "R    R    R   R   R   R   R   R   R   R   L",
        lambda o: _u("plans:list")),
    Row("thread", "plans:thread", PAGE,                    "R    R    R   R   R   R   R   R   R   R   L",
        lambda o: _u("plans:thread")),
    Row("plan council", "plans:plan", PAGE,                "R    R    R   R   R   R   R   R   R   -   L",
        lambda o: _u("plans:plan", o.council_plan.pk)),
    Row("plan peer objective", "plans:plan", PAGE,         "R    R    R   R   R   -   -   R   -   -   L",
        lambda o: _u("plans:plan", o.peer_objective.pk)),
    Row("plan other objective", "plans:plan", PAGE,        "R    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("plans:plan", o.other_objective.pk)),
    Row("item outcome", "plans:item", PAGE,                "R    R    R   R   R   R   R   R   R   -   L",
        lambda o: _u("plans:item", o.outcome.pk)),
    Row("item peer objective", "plans:item", PAGE,         "R    R    R   R   R   -   -   R   -   -   L",
        lambda o: _u("plans:item", o.peer_objective_item.pk)),
    # Programmes and projects (A6): read council-wide; only members of the programme's board (the sponsoring
    # directors, the director among them) record a decision.
    Row("programmes", "plans:programmes", PAGE,            "R    R    R   R   R   R   R   R   R   R   L",
        lambda o: _u("plans:programmes")),
    Row("programme", "plans:programme", PAGE,              "R    R    R   R   R   R   R   R   R   -   L",
        lambda o: _u("plans:programme", o.programme.pk)),
    Row("project", "plans:project", PAGE,                  "R    R    R   R   R   R   R   R   R   -   L",
        lambda o: _u("plans:project", o.project.pk)),
    Row("decision point", "plans:decision", FORM,          "R    R    R   W   R   R   R   R   R   -   L",
        lambda o: _u("plans:decision", o.due_decision.pk),
        lambda o: {"decision": "stop", "reason": "Decided for the grid.", "version": o.due_decision.version}),
    # Actions: the owner or the performance unit updates; the directorate's director or delegate decides.
    Row("action own", "plans:action", FORM,                "W    W    R   R   R   R   R   R   -   -   L",
        lambda o: _u("plans:action", o.own_action.pk), lambda o: _action_data(o.own_action)),
    Row("action colleague", "plans:action", FORM,          "W    R    W   R   R   R   R   R   -   -   L",
        lambda o: _u("plans:action", o.colleague_action.pk), lambda o: _action_data(o.colleague_action)),
    Row("action other", "plans:action", FORM,              "W    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("plans:action", o.other_action.pk), lambda o: _action_data(o.other_action)),
    Row("decide own update", "plans:decide_update", DECISION,
                                                           "R    R    R   W   W   R   R   R   -   -   L",
        lambda o: _u("plans:decide_update", o.own_update.pk),
        lambda o: {"decision": "approve", "version": o.own_update.version}),
    Row("decide other update", "plans:decide_update", DECISION,
                                                           "R    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("plans:decide_update", o.other_update.pk),
        lambda o: {"decision": "approve", "version": o.other_update.version}),
    # Issue 10: plans awaiting my approval (a list of what waits for each person), a plan's approval page (a draft:
    # its owner or the performance unit submits it), the yearly refresh (the performance unit; the outsider's is
    # their own council's; a year in which no plan ends, so the write is quick and shows what it did).
    Row("plan approvals", "plans:approvals", PAGE,         "R    R    R   R   R   R   R   R   R   R   L",
        lambda o: _u("plans:approvals")),
    Row("plan approval", "plans:approval", FORM,           "W    R    R   R   R   R   R   R   R   -   L",
        lambda o: _u("plans:approval", o.draft_plan.pk),
        lambda o: {"action": "submit", "version": o.draft_plan.version}),
    Row("yearly refresh", "plans:refresh", FORM,           "W    N    N   N   N   N   N   N   N   W   L",
        lambda o: _u("plans:refresh"), lambda o: {"year": "2040", "confirm": "yes"}, done=200),
    # Case studies: anyone in a council shares one (the outsider, in their own council); the performance unit
    # reviews; one waiting is read by its author, the performance unit and internal audit only.
    Row("case studies", "reporting:case_studies", PAGE,    "R    R    R   R   R   R   R   R   R   R   L",
        lambda o: _u("reporting:case_studies")),
    Row("case study new", "reporting:case_study_add", FORM, "W    W    W   W   W   W   W   W   W   W   L",
        lambda o: _u("reporting:case_study_add"),
        lambda o: {"title": "Grid story", "story": "What changed.", "financial_year": "2026"}),
    Row("case study waiting", "reporting:case_study", FORM, "W    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("reporting:case_study", o.waiting_study.pk),
        lambda o: {"decision": "approve", "publish": "on", "version": o.waiting_study.version}),
    Row("case study picture", "reporting:case_study_picture", PAGE,
                                                           "R    R    R   R   R   R   R   R   R   -   L",
        lambda o: _u("reporting:case_study_picture", o.published_study.pk)),
    # Spot checks: internal audit draws and records them; the performance unit reads them (the outsider, their own
    # council's, where there are none).
    Row("spot checks", "spot_checks", FORM,                "R    N    N   N   N   N   N   W   N   R   L",
        lambda o: _u("spot_checks"), lambda o: {"period": Period.objects.get(
            financial_year_id=2026, frequency="quarterly", number=2).pk, "size": "2"}),
    Row("spot check", "spot_check", FORM,                  "R    -    -   -   -   -   -   W   -   -   L",
        lambda o: _u("spot_check", o.spot_check.pk), lambda o: _outcome_data(o.spot_check)),
    Row("spot check csv", "spot_check_export", PAGE,       "R    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("spot_check_export", o.spot_check.pk)),
    # Indicators: the service's own, another directorate's, and a headline one (read council-wide).
    Row("indicators", "indicators:list", PAGE,             "R    R    R   R   R   R   R   R   R   R   L",
        lambda o: _u("indicators:list")),
    Row("indicator own", "indicators:detail", PAGE,        "R    R    R   R   R   R   R   R   -   -   L",
        lambda o: _u("indicators:detail", o.own.pk)),
    Row("indicator other", "indicators:detail", PAGE,      "R    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("indicators:detail", o.other.pk)),
    Row("indicator headline", "indicators:detail", PAGE,   "R    R    R   R   R   R   R   R   R   -   L",
        lambda o: _u("indicators:detail", o.headline.pk)),
    # A1: a company's KPI (Harrowdale Homes Ltd, business plan under P6.O2: in the Place and Resources scrutiny
    # committee's remit) and a contract's SLA KPI (under P4.O3: the People committee's); the Shareholder Board's
    # member is in tests/test_companies.py.
    Row("indicator company", "indicators:detail", PAGE,    "R    -    -   -   -   -   R   R   -   -   L",
        lambda o: _u("indicators:detail", indicator("HHL01").pk)),
    Row("indicator contract", "indicators:detail", PAGE,   "R    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("indicators:detail", indicator("LMC01").pk)),
    # Returns: the performance lead (or deputy) and the performance unit enter; readers see the form read-only.
    # The period of the lead's submitted return has closed to entry: only the performance unit may still change it
    # (B for the lead); an approved return is locked for everybody (C for the performance unit).
    Row("return own", "indicators:return", FORM,           "W    B    R   R   R   R   R   R   -   -   L",
        lambda o: _u("indicators:return", o.own.pk, o.own_submitted.period_id),
        lambda o: _return_data(o.own_submitted)),
    Row("return other", "indicators:return", FORM,         "W    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("indicators:return", o.other.pk, o.other_submitted.period_id),
        lambda o: _return_data(o.other_submitted)),
    Row("return headline", "indicators:return", FORM,      "C    R    R   R   R   R   R   R   R   -   L",
        lambda o: _u("indicators:return", o.headline.pk, o.headline_approved.period_id),
        lambda o: _return_data(o.headline_approved)),
    # The live preview only computes (POST only, no write): whoever reads the indicator may use it.
    Row("preview own", "indicators:return_preview", PREVIEW,
                                                           "R    R    R   R   R   R   R   R   -   -   L",
        lambda o: _u("indicators:return_preview", o.own.pk, o.own_submitted.period_id),
        lambda o: _return_data(None)),
    Row("preview other", "indicators:return_preview", PREVIEW,
                                                           "R    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("indicators:return_preview", o.other.pk, o.other_submitted.period_id),
        lambda o: _return_data(None)),
    Row("evidence own", "indicators:evidence", PAGE,       "R    R    R   R   R   R   R   R   -   -   L",
        lambda o: _u("indicators:evidence", o.own_evidence.pk)),
    Row("evidence other", "indicators:evidence", PAGE,     "R    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("indicators:evidence", o.other_evidence.pk)),
    # Sign-off: the director and delegate of the indicator's directorate (not the performance unit).
    # Verifying returns: heads of service, in a council that asks for it (Harrowdale does not: tests/test_yearly.py).
    Row("verify queue", "indicators:verify", DECISION,     "N    N    N   N   N   N   N   N   N   N   L",
        lambda o: _u("indicators:verify"), lambda o: {"approve": f"{o.own_submitted.pk}:{o.own_submitted.version}"}),
    Row("sign-off queue", "indicators:sign_off", DECISION, "N    N    N   W   W   N   N   N   N   N   L",
        lambda o: _u("indicators:sign_off"),
        lambda o: {"approve": f"{o.own_submitted.pk}:{o.own_submitted.version}"}),
    Row("send back own", "indicators:send_back", DECISION, "R    R    R   W   W   R   R   R   -   -   L",
        lambda o: _u("indicators:send_back", o.own_submitted.pk), lambda o: _reason(o.own_submitted)),
    Row("send back other", "indicators:send_back", DECISION,
                                                           "R    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("indicators:send_back", o.other_submitted.pk), lambda o: _reason(o.other_submitted),
        ),
    # Reopening an approved return: the performance unit, or whoever signs it off.
    Row("reopen own", "indicators:reopen", DECISION,       "W    R    R   W   W   R   R   R   -   -   L",
        lambda o: _u("indicators:reopen", o.own_approved.pk), lambda o: _reason(o.own_approved)),
    Row("reopen other", "indicators:reopen", DECISION,     "W    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("indicators:reopen", o.other_approved.pk), lambda o: _reason(o.other_approved)),
    Row("reopen headline", "indicators:reopen", DECISION,  "W    R    R   R   R   R   R   R   R   -   L",
        lambda o: _u("indicators:reopen", o.headline_approved.pk), lambda o: _reason(o.headline_approved)),
    # Querying a figure's data quality: the performance unit only.
    Row("query own", "indicators:query", DECISION,         "W    R    R   R   R   R   R   R   -   -   L",
        lambda o: _u("indicators:query", o.own_approved.pk), lambda o: _reason(o.own_approved)),
    Row("query other", "indicators:query", DECISION,       "W    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("indicators:query", o.other_submitted.pk), lambda o: _reason(o.other_submitted)),
    # Recovery plans: their owner (here the service lead) or the performance unit provides them.
    Row("recovery own", "indicators:recovery_plan", FORM,  "W    W    R   R   R   R   R   R   -   -   L",
        lambda o: _u("indicators:recovery_plan", o.own_recovery.pk), lambda o: _plan_data(o.own_recovery)),
    Row("recovery other", "indicators:recovery_plan", FORM,
                                                           "W    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("indicators:recovery_plan", o.other_recovery.pk), lambda o: _plan_data(o.other_recovery),
        ),
    # Setting a draft target: the performance unit only (others who read the measure get a 403).
    Row("target draft", "indicators:target_edit", FORM,    "W    N    N   N   N   N   N   N   -   -   L",
        lambda o: _u("indicators:target_edit", o.draft_target.pk), lambda o: _target_data(o.draft_target)),
    # Re-approving a locked target: the performance unit only.
    Row("reapprove own", "indicators:target_reapprove", DECISION,
                                                           "W    R    R   R   R   R   R   R   -   -   L",
        lambda o: _u("indicators:target_reapprove", o.own_target.pk), lambda o: _reapprove_data(o.own_target)),
    Row("reapprove other", "indicators:target_reapprove", DECISION,
                                                           "W    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("indicators:target_reapprove", o.other_target.pk),
        lambda o: _reapprove_data(o.other_target)),
    # Issue 12: personal API tokens (each person's own), the REST API (signed out: 401), its schema and docs, and
    # a council's open data for one year.
    Row("api tokens", "api_tokens", FORM,                  "W    W    W   W   W   W   W   W   W   W   L",
        lambda o: _u("api_tokens"), lambda o: {"name": "grid", "days": "30"}, done=200),
    Row("api token revoke", "api_tokens_revoke", ACT,      "-    W    -   -   -   -   -   -   -   -   L",
        lambda o: _u("api_tokens_revoke", o.own_token.pk)),
    Row("api schema", "api:schema", PUBLIC,                "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("api:schema")),
    Row("api docs", "api:docs", PUBLIC,                    "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("api:docs")),
    Row("open data year json", "open_data_year_json", PUBLIC, "P P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("open_data_year_json", "harrowdale", "2026")),
    Row("open data year csv", "open_data_year_csv", PUBLIC, "P  P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("open_data_year_csv", "harrowdale", "2026")),
    *[Row(f"api {name} list", f"api:{name}-list", API,     "R    R    R   R   R   R   R   R   R   R   L",
          lambda o, name=name: _u(f"api:{name}-list"))
      for name in ("plan", "plan_item", "indicator", "specification", "target", "return", "action", "action_update",
                   "assessment")],
    Row("api not found", "api:not_found", API,            "-    -    -   -   -   -   -   -   -   -   -",
        lambda o: "/api/no-such-resource/"),
    Row("api plan", "api:plan-detail", API,                "R    R    R   R   R   R   R   R   R   -   L",
        lambda o: _u("api:plan-detail", o.council_plan.pk)),
    Row("api plan item", "api:plan_item-detail", API,      "R    R    R   R   R   R   R   R   R   -   L",
        lambda o: _u("api:plan_item-detail", o.outcome.pk)),
    Row("api indicator own", "api:indicator-detail", API,  "R    R    R   R   R   R   R   R   -   -   L",
        lambda o: _u("api:indicator-detail", o.own.pk)),
    Row("api indicator other", "api:indicator-detail", API, "R   -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("api:indicator-detail", o.other.pk)),
    Row("api specification", "api:specification-detail", API,
                                                           "R    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("api:specification-detail", o.other_spec.pk)),
    Row("api target", "api:target-detail", API,            "R    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("api:target-detail", o.other_target.pk)),
    Row("api return own", "api:return-detail", API,        "R    R    R   R   R   R   R   R   -   -   L",
        lambda o: _u("api:return-detail", o.own_submitted.pk)),
    Row("api return other", "api:return-detail", API,      "R    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("api:return-detail", o.other_approved.pk)),
    # submitting the lead's submitted return again: the entry form's data-quality checks refuse it for its data
    Row("api return submit", "api:return-submit", API_POST, "B   B    R   R   R   R   R   R   -   -   L",
        lambda o: _u("api:return-submit", o.own_submitted.pk), lambda o: {"version": o.own_submitted.version}),
    Row("api action", "api:action-detail", API,            "R    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("api:action-detail", o.other_action.pk)),
    Row("api action update", "api:action_update-detail", API,
                                                           "R    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("api:action_update-detail", o.other_update.pk)),
    Row("api assessment", "api:assessment-detail", API,    "R    -    -   -   -   -   -   R   -   -   L",
        lambda o: _u("api:assessment-detail", o.other.pk)),
    # Issue 13 (A5): the council pair (demo/pair.py), Wyebridge and Vale of Ashcombe, one officer team. Nobody of
    # Harrowdale sees them. The shared service lead (Waste and Street Scene in both councils) reads and enters the
    # fly-tipping measure of each council; the Joint Scrutiny Committee's member reads both councils' measures in
    # the joint remit (waste and climate, corporate services) and not planning (each council's own committee's), and
    # reads the joint pack, as does everyone of either council.                                            shared joint
    Row("pair measure wyebridge", "indicators:detail", PAGE, "-  -    -   -   -   -   -   -   -   -   L",
        lambda o: _u("indicators:detail", o.pair_indicator("wyebridge", "WSS03").pk), pair="R R"),
    Row("pair measure vale", "indicators:detail", PAGE,    "-    -    -   -   -   -   -   -   -   -   L",
        lambda o: _u("indicators:detail", o.pair_indicator("vale-of-ashcombe", "WSS03").pk), pair="R R"),
    Row("pair measure planning", "indicators:detail", PAGE, "-   -    -   -   -   -   -   -   -   -   L",
        lambda o: _u("indicators:detail", o.pair_indicator("wyebridge", "DEV02").pk), pair="- -"),
    # The lead's October return, sent back and reopened in each council: she enters it; the joint member reads it.
    Row("pair return wyebridge", "indicators:return", FORM, "-  -    -   -   -   -   -   -   -   -   L",
        lambda o: _u("indicators:return", o.pair_sent_back("wyebridge").indicator_id,
                     o.pair_sent_back("wyebridge").period_id),
        lambda o: _return_data(o.pair_sent_back("wyebridge")), pair="W R"),
    Row("pair return vale", "indicators:return", FORM,     "-    -    -   -   -   -   -   -   -   -   L",
        lambda o: _u("indicators:return", o.pair_sent_back("vale-of-ashcombe").indicator_id,
                     o.pair_sent_back("vale-of-ashcombe").period_id),
        lambda o: _return_data(o.pair_sent_back("vale-of-ashcombe")), pair="W R"),
    Row("pair joint pack", "reporting:pack", PAGE,         "-    -    -   -   -   -   -   -   -   -   L",
        lambda o: _u("reporting:pack", o.joint_pack.pk), pair="R R"),
    Row("pair joint pack file", "reporting:pack_file", PAGE, "-  -    -   -   -   -   -   -   -   -   L",
        lambda o: _u("reporting:pack_file", o.joint_pack.pk, "pdf"), pair="R R"),
    Row("pair public measure", "public:measure", PUBLIC,   "P    P    P   P   P   P   P   P   P   P   P",
        lambda o: _u("public:measure", "vale-of-ashcombe", "WSS01"), pair="P P"),
]

#: What a permitted write answers: done (302), refused for its data (400), or met by a change or a lock (409).
WRITES = {"W": 302, "B": 400, "C": 409}


def expected(row: Row, role: str, method: str) -> int:
    """The status a GET or POST should get, from the row's kind and the role's code."""
    code = row.code(role)
    if row.kind in (API, API_POST):
        if code == "L":
            return 401
        if row.kind == API_POST and method == "GET":
            return 405
        return {"-": 404, "N": 403, "R": 200 if method == "GET" else 403, "W": 200, "B": 400, "C": 409}[code]
    if row.kind == ACT and code != "L":
        return 404 if code == "-" else (405 if method == "GET" else 302)
    if code == "L":
        return 302
    if row.kind == PUBLIC:
        return 200
    if row.kind == LOGIN:
        return 200  # the page; a POST with a wrong password shows it again
    if row.kind == LOGOUT:
        return 405 if method == "GET" else 302
    if row.kind == REPORT:
        return 405 if method == "GET" else 204
    if code == "-":
        return 405 if row.kind == PREVIEW and method == "GET" else 404
    if code == "N":
        return 403
    if row.kind == PREVIEW:
        return 405 if method == "GET" else 200
    if method == "GET":
        return 403 if row.kind == DECISION and code == "R" else 200
    return row.done if code == "W" else WRITES.get(code, 403)


def _cells():
    for row in GRID:
        for role in ROLES:
            marks = []
            if role in row.bugs:
                marks.append(pytest.mark.xfail(strict=True, reason=row.bugs[role]))
            yield pytest.param(row, role, id=f"{row.id}-{role}", marks=marks)


def outsider() -> User:
    """A performance-unit user of another council: everything in Harrowdale is outside their councils."""
    person = f.user(f.council("Elsewhere Council"), Role.PERFORMANCE_UNIT)
    person.set_password("harrowdale-demo")  # the demo's password, so the grid's password change works for them too
    person.save(update_fields=["password"])
    return person


def sign_in(client: Client, role: str) -> Client:
    client.raise_request_exception = False
    if role == "outsider":
        client.force_login(outsider())
    elif role in PAIR_USERNAMES:
        client.force_login(user(PAIR_USERNAMES[role]))
    elif role != "anon":
        client.force_login(user(USERNAMES[role]))
    return client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _check(response, want: int, what: str, *, to_login: bool) -> None:
    status = response.status_code
    assert status != 500, f"{what}: 500"
    assert status == want, f"{what}: {status}, expected {want}"
    if to_login:
        assert response["Location"].startswith(reverse("login")), f"{what}: to {response['Location']}"


@pytest.mark.parametrize(("row", "role"), list(_cells()))
def test_grid(client, row: Row, role: str):
    objects = Objects()
    url = row.url(objects)
    data = row.post(objects) if row.post else None
    sign_in(client, role)

    to_login = row.code(role) == "L" and row.kind not in (API, API_POST)
    _check(client.get(url), expected(row, role, "GET"), f"{role} GET {url}", to_login=to_login)
    if row.kind in (FORM, DECISION, PREVIEW, LOGIN, LOGOUT, REPORT, ACT, API_POST):
        if row.kind == LOGIN:
            data = {"username": "nobody", "password": "wrong"}
        if row.kind == API_POST:
            response = client.post(url, json.dumps(data or {}), content_type="application/json")
        else:
            response = client.post(url, data or {})
        _check(response, expected(row, role, "POST"), f"{role} POST {url}", to_login=to_login)
        if row.code(role) == "W":  # done, not refused with a message on the next page
            refusals = [m.message for m in get_messages(response.wsgi_request) if m.level >= messages.WARNING]
            assert not refusals, f"{role} POST {url}: {refusals}"


# -- The grid covers every URL ---------------------------------------------------------------------------------

def _url_routes(patterns=None, prefix: str = "", route: str = "") -> dict[str, str]:
    """Every named URL of the project (the admin and static files aside) -> its full route."""
    routes = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                routes |= _url_routes(pattern.url_patterns, namespace, route + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            full = route + str(pattern.pattern)
            if not full.startswith(("static/", "media/", "^static/", "^media/")):
                routes[prefix + (pattern.name or f"<unnamed {full}>")] = full
    return routes


def test_the_grid_has_a_row_for_every_url():
    """A new URL without a row here fails: add it to GRID with who may read and do what."""
    names = set(_url_routes())
    rows = {row.name for row in GRID}
    assert names - rows == set(), "URLs without a row in the grid"
    assert rows - names == set(), "rows for URLs that no longer exist"
    assert len({row.id for row in GRID}) == len(GRID)


# -- Direct checks of the read scope -----------------------------------------------------------------------------

def _status(client: Client, username: str, ind: Indicator) -> int:
    client.force_login(user(username))
    return client.get(ind.get_absolute_url()).status_code


def test_service_lead_sees_their_own_and_headline_indicators_but_not_another_directorates(client):
    assert _status(client, "tom.ashworth", indicator("WAS02")) == 200
    assert _status(client, "tom.ashworth", indicator("ASC02")) == 200  # headline, Adults and Health
    assert _status(client, "tom.ashworth", indicator("ASC01")) == 404  # not headline, Adults and Health


def _beneath(ind: Indicator, priorities: set[str]) -> bool:
    return any(ref.split(".")[0] in priorities for ref in
               ind.plan_items.filter(plan__level__rank=1).values_list("ref", flat=True))


def test_scrutiny_member_sees_what_is_beneath_their_committees_remit(client):
    remit = {"P5", "P6", "P7", "P8", "P10"}  # Place and Resources Overview and Scrutiny Committee
    resources = Indicator.objects.filter(council__slug="harrowdale", is_headline=False,
                                         service__directorate__name="Resources").order_by("ref")
    inside = next(i for i in resources if _beneath(i, remit))  # beneath P10, another directorate
    assert _status(client, "gareth.whitlow", inside) == 200
    assert _status(client, "gareth.whitlow", indicator("ASC01")) == 404  # beneath P3
    readable = restrict(Indicator.objects.filter(council__slug="harrowdale"), user("gareth.whitlow"))
    assert all(i.is_headline or _beneath(i, remit) for i in readable)


def test_cabinet_member_sees_what_is_beneath_their_portfolio(client):
    assert _status(client, "owen.hartley", indicator("STC03")) == 200  # beneath P5.O2, Street Cleansing


def test_cabinet_member_does_not_see_indicators_outside_their_portfolio(client):
    assert _status(client, "owen.hartley", indicator("ASC01")) == 404  # beneath P3, not headline


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anon"])
def test_indicator_list_shows_only_the_indicators_the_role_may_read(client, role):
    sign_in(client, role)
    me = User.objects.get(pk=client.session["_auth_user_id"])
    allowed = set(restrict(Indicator.objects.all(), me).values_list("pk", flat=True))
    response = client.get(reverse("indicators:list"))
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert set(page.paginator.object_list) == allowed
    shown = {int(pk) for pk in re.findall(r'href="/indicators/(\d+)/"', response.text)}
    assert shown <= allowed
    assert bool(shown) == bool(allowed)
    if role == "outsider":
        assert not Indicator.objects.filter(pk__in=allowed, council__slug="harrowdale").exists()


def test_outsider_sees_none_of_harrowdales_audit_trail(client):
    harrowdale = Council.objects.get(slug="harrowdale")
    assert AuditEntry.objects.filter(council=harrowdale).exists()
    sign_in(client, "outsider")
    response = client.get(reverse("audit"))
    assert response.status_code == 200
    assert not set(response.context["page_obj"].paginator.object_list) & set(
        AuditEntry.objects.filter(council=harrowdale))
    export = client.get(reverse("audit_export"))
    assert export.status_code == 200
    assert "Harrowdale" not in b"".join(export.streaming_content).decode()


def test_evidence_is_attached_and_downloaded_by_those_who_read_the_return(client):
    """The grid's evidence rows download a real file (not a 404 for a missing file)."""
    evidence = Objects().own_evidence
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    sign_in(client, "director")
    response = client.get(reverse("indicators:evidence", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_one_councils_performance_unit_covers_the_other_council_only_in_the_joint_committees_remit(client):
    """Issue 13 (A5): Wyebridge's performance unit may not set up a whole-council report that also covers Vale of
    Ashcombe (its measures, risks and finance would reach Wyebridge's draft readers and Vale's public site); a
    report of the Joint Scrutiny Committee's remit may cover it, as the demo's joint report does."""
    wyebridge, vale = Council.objects.get(slug="wyebridge"), Council.objects.get(slug="vale-of-ashcombe")
    joint = ReportDefinition.objects.get(name=JOINT_REPORT)
    assert joint.council == wyebridge and list(joint.other_councils.all()) == [vale]
    perf = f.user(wyebridge, Role.PERFORMANCE_UNIT)
    client.force_login(perf)
    url = reverse("reporting:definition_add") + f"?council={wyebridge.pk}"
    data = {"name": "Grid joint report", "report_type": "scrutiny", "scope": "all", "other_councils": [vale.pk],
            "kpis_only": "on", "sections": ["overview", "plans"], "is_active": "on"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert any(f"cannot also cover {vale.name}" in e for e in response.context["form"].errors["other_councils"])
    assert not ReportDefinition.objects.filter(name="Grid joint report").exists()
    response = client.post(url, {**data, "scope": "committee", "committee": joint.committee_id})
    assert response.status_code == 302
    assert list(ReportDefinition.objects.get(name="Grid joint report").other_councils.all()) == [vale]
    # and the demo's own joint report, edited by that performance unit, still saves
    edit = client.post(reverse("reporting:definition_edit", args=[joint.pk]), {
        "name": joint.name, "report_type": joint.report_type, "scope": joint.scope, "committee": joint.committee_id,
        "other_councils": [vale.pk], "sections": joint.sections, "is_public": "on", "is_active": "on",
        "version": joint.version})
    assert edit.status_code == 302


# -- Nonsense in the URL: 404 or a message, never a 500 --------------------------------------------------------

HUGE = "9" * 23  # beyond any database integer


@pytest.mark.parametrize("name", sorted(name for name, route in _url_routes().items() if "<int:" in route))
def test_an_id_that_does_not_exist_is_a_404_for_the_performance_unit(client, name):
    row = next(r for r in GRID if r.name == name)
    url = re.sub(r"(?<=/)\d+(?=/)", HUGE, row.url(Objects()))
    sign_in(client, "perf")
    assert client.get(url).status_code == (405 if row.kind == PREVIEW else 404)
    assert client.post(url, {}).status_code in (404, 405)  # 405: a read-only view refuses the method first


@pytest.mark.parametrize(("name", "query"), [
    ("indicators:list", f"?directorate={HUGE}"),
    ("reporting:risks", f"?owner={HUGE}&directorate=x&band=nonsense&flagged=maybe&q=%25&page=abc"),
    ("reporting:finance", f"?year={HUGE}&quarter=x&directorate={HUGE}&variance=nope&q=%25&page=abc"),
    ("plans:list", f"?year={HUGE}"),
    ("plans:list", f"?level={HUGE}&status=nonsense&page=abc"),
    ("indicators:list", "?kind=nonsense&frequency=nonsense&headline=2&page=-1"),
    ("audit", f"?user={HUGE}&date_from=2026-13-01&date_to=yesterday&object_type=nope&action=nope&page=999"),
])
def test_list_filters_with_nonsense_never_give_a_500(client, name, query):
    sign_in(client, "perf")
    assert client.get(reverse(name) + query).status_code == 200
