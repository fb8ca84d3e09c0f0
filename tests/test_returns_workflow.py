"""The monthly cycle through its services: entry with B6 checks, draft and submission, sign-off, sending back,
reopening, locking, recovery plans (D4), period closing (D1), evidence, action updates, lost-update
protection, and the audit entries each step writes (E3)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from indicators import selectors, services
from indicators.models import Indicator, RecoveryPlan, Return, ReturnReopening
from indicators.plan_services import sign_off_action_update
from indicators.services import Conflict, Entry, Refused
from plans.models import Action
from plans.services import save_action_update
from pmf.models import AuditEntry, Period, User

pytestmark = pytest.mark.django_db


def user(name: str) -> User:
    return User.objects.get(username=name)


@pytest.fixture
def lead():
    return user("tom.ashworth")


@pytest.fixture
def director():
    return user("ruth.calloway")


@pytest.fixture
def stc03():
    return Indicator.objects.select_related("current_spec", "council", "service").get(ref="STC03")


@pytest.fixture
def october(stc03):
    return Period.objects.get(financial_year_id=2026, frequency=stc03.current_spec.frequency, number=7)


def entries(obj) -> list[str]:
    return list(AuditEntry.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk))
                .order_by("at", "pk").values_list("action", flat=True))


def test_numerator_above_denominator_is_refused_naming_the_field_and_nothing_is_saved(lead, stc03, october):
    before = AuditEntry.objects.count()
    with pytest.raises(Refused) as refused:
        services.save_return(user=lead, indicator=stc03, period=october, version=None, submit=False,
                             entry=Entry(numerator=Decimal(120), denominator=Decimal(100)))
    assert "numerator" in refused.value.message_dict
    assert "cannot exceed the denominator" in refused.value.message_dict["numerator"][0]
    assert not Return.objects.filter(indicator=stc03, period=october).exists()
    assert AuditEntry.objects.count() == before


def test_red_figure_saves_as_draft_but_needs_commentary_to_submit(lead, stc03, october):
    ret = services.save_return(user=lead, indicator=stc03, period=october, version=None, submit=False,
                               entry=Entry(numerator=Decimal(70), denominator=Decimal(100)))
    assert (ret.state, ret.value) == ("draft", Decimal("70.0"))
    with pytest.raises(Refused) as refused:
        services.save_return(user=lead, indicator=stc03, period=october, version=ret.version, submit=True,
                             entry=Entry(numerator=Decimal(70), denominator=Decimal(100)))
    assert any("red against its target" in m for m in refused.value.message_dict["commentary"])
    ret.refresh_from_db()
    assert ret.state == "draft"
    ret = services.save_return(user=lead, indicator=stc03, period=october, version=ret.version, submit=True,
                               entry=Entry(numerator=Decimal(70), denominator=Decimal(100),
                                           commentary="Two vehicles off the road all month."))
    assert ret.state == "submitted" and ret.submitted_by == lead
    assert ret.due_on == services.return_due(stc03, october)
    assert ret.is_late  # submitted after its due date (13 November 2026): recorded, not refused
    assert "late" in ret.quality
    assert entries(ret) == ["create", "update", "submit"]


def test_plausible_bounds_and_change_threshold(lead):
    ind = Indicator.objects.filter(council__slug="harrowdale", current_spec__calculation="value",
                                   current_spec__plausible_max__isnull=False,
                                   current_spec__change_threshold_pct__isnull=False,
                                   current_spec__frequency="monthly").select_related("current_spec").first()
    spec = ind.current_spec
    period = Period.objects.get(financial_year_id=2026, frequency="monthly", number=7)
    problems = services.preview(indicator=ind, period=period,
                                entry=Entry(value=spec.plausible_max + 1)).problems
    assert any(p.field == "value" and p.rule == "plausible_bounds" for p in problems)
    previous = Return.objects.get(indicator=ind, period__financial_year_id=2026, period__number=6,
                                  period__frequency="monthly").value
    jump = previous * (1 + (spec.change_threshold_pct + 10) / 100)
    if spec.plausible_max is None or jump <= spec.plausible_max:
        problems = services.preview(indicator=ind, period=period, entry=Entry(value=jump)).problems
        assert any(p.rule == "change_needs_commentary" for p in problems)


def test_third_consecutive_amber_or_red_needs_evidence():
    from tests import factories as f

    c = f.council()
    ind = f.indicator(c)
    f.target(ind, 2026, 100)
    f.ret(ind, 2026, 5, 80)
    f.ret(ind, 2026, 6, 97)  # amber, after a red
    period = Period.objects.get(financial_year_id=2026, frequency="monthly", number=7)
    ind = Indicator.objects.select_related("current_spec", "council").get(pk=ind.pk)
    problems = services.preview(indicator=ind, period=period, entry=Entry(value=Decimal(90), commentary="x")).problems
    assert [p.rule for p in problems if p.field == "evidence"] == ["third_amber_red_needs_evidence"]
    green = services.preview(indicator=ind, period=period, entry=Entry(value=Decimal(100))).problems
    assert not [p for p in green if p.field == "evidence"]


def test_sign_off_is_the_directorates_and_locks_the_return(lead, director, stc03, october):
    ret = services.save_return(user=lead, indicator=stc03, period=october, version=None, submit=True,
                               entry=Entry(numerator=Decimal(95), denominator=Decimal(100)))
    other_director = user("ruth.calloway").__class__.objects.filter(
        role_assignments__role="director").exclude(pk=director.pk).first()
    with pytest.raises(PermissionDenied):
        services.approve_return(user=other_director, ret=ret, version=ret.version)
    with pytest.raises(PermissionDenied):
        services.approve_return(user=lead, ret=ret, version=ret.version)
    ret = services.approve_return(user=director, ret=ret, version=ret.version)
    assert ret.state == "approved" and ret.approved_by == director
    with pytest.raises(Conflict):
        services.save_return(user=lead, indicator=stc03, period=october, version=ret.version, submit=True,
                             entry=Entry(numerator=Decimal(1), denominator=Decimal(100), commentary="x"))
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses too (B5)
        Return.objects.filter(pk=ret.pk).update(value=Decimal(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Return.objects.filter(pk=ret.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():  # leaving "approved" needs a recorded reopening
        Return.objects.filter(pk=ret.pk).update(state="submitted")
    with pytest.raises(IntegrityError), transaction.atomic():  # nor who signed it off, without a reopening
        Return.objects.filter(pk=ret.pk).update(approved_by=lead)
    with pytest.raises(IntegrityError), transaction.atomic():  # ... and figures never change in the same step
        Return.objects.filter(pk=ret.pk).update(state="submitted", value=Decimal(1))
    assert Return.objects.get(pk=ret.pk).value == Decimal("95.0")
    assert Return.objects.get(pk=ret.pk).state == "approved"


def test_send_back_needs_a_reason_and_returns_to_my_updates(lead, director, stc03, october):
    ret = services.save_return(user=lead, indicator=stc03, period=october, version=None, submit=True,
                               entry=Entry(numerator=Decimal(95), denominator=Decimal(100)))
    with pytest.raises(Refused):
        services.send_back_return(user=director, ret=ret, version=ret.version, reason="  ")
    ret = services.send_back_return(user=director, ret=ret, version=ret.version, reason="Check the denominator")
    assert (ret.state, ret.returned_reason) == ("returned", "Check the denominator")
    due = selectors.due_returns(lead, today=date(2026, 11, 16))
    assert any(d.ret and d.ret.pk == ret.pk and d.ret.returned_reason == "Check the denominator" for d in due)
    assert AuditEntry.objects.filter(object_id=str(ret.pk), action="return", reason="Check the denominator").exists()


def test_reopen_is_recorded_with_a_reason(lead, director, stc03, october):
    ret = services.save_return(user=lead, indicator=stc03, period=october, version=None, submit=True,
                               entry=Entry(numerator=Decimal(95), denominator=Decimal(100)))
    ret = services.approve_return(user=director, ret=ret, version=ret.version)
    with pytest.raises(PermissionDenied):
        services.reopen_return(user=lead, ret=ret, version=ret.version, reason="typo")
    ret = services.reopen_return(user=director, ret=ret, version=ret.version, reason="Supplier revised the data")
    assert ret.state == "returned" and ret.approved_by is None
    assert entries(ret)[-1] == "reopen"
    reopening = ret.reopenings.get()
    assert (reopening.reason, reopening.by, reopening.return_version) == (
        "Supplier revised the data", director, ret.version - 1)
    with pytest.raises(IntegrityError), transaction.atomic():  # the record of it is kept as written
        ReturnReopening.objects.filter(pk=reopening.pk).update(reason="nothing")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnReopening.objects.filter(pk=reopening.pk).delete()
    ret = services.save_return(user=lead, indicator=stc03, period=october, version=ret.version, submit=True,
                               entry=Entry(numerator=Decimal(93), denominator=Decimal(100)))
    assert ret.value == Decimal("93.0")


def test_a_stale_version_is_a_conflict_and_changes_nothing(lead, stc03, october):
    ret = services.save_return(user=lead, indicator=stc03, period=october, version=None, submit=False,
                               entry=Entry(numerator=Decimal(90), denominator=Decimal(100)))
    seen = ret.version
    services.save_return(user=lead, indicator=stc03, period=october, version=seen, submit=False,
                         entry=Entry(numerator=Decimal(91), denominator=Decimal(100)))
    with pytest.raises(Conflict) as conflict:
        services.save_return(user=lead, indicator=stc03, period=october, version=seen, submit=False,
                             entry=Entry(numerator=Decimal(80), denominator=Decimal(100)))
    assert conflict.value.current.value == Decimal("91.0")
    assert Return.objects.get(pk=ret.pk).value == Decimal("91.0")


def test_bulk_approval_reports_what_someone_else_changed(director):
    submitted = list(Return.objects.filter(state="submitted", indicator__service__directorate__director=director)
                     .select_related("indicator__service", "period")[:3])
    assert len(submitted) == 3
    stale = submitted[0]
    Return.objects.filter(pk=stale.pk).update(version=stale.version + 1)  # someone else saved meanwhile
    result = services.approve_returns(user=director, items=[(r, r.version) for r in submitted])
    assert [r.pk for r in result.approved] == [r.pk for r in submitted[1:]]
    assert [r.pk for r in result.conflicts] == [stale.pk]
    assert Return.objects.get(pk=stale.pk).state == "submitted"
    batchless = AuditEntry.objects.filter(action="approve", object_id__in=[str(r.pk) for r in submitted[1:]])
    assert batchless.count() == 2


def test_red_kpi_asks_for_a_recovery_plan_tracked_to_closure():
    from tests import factories as f

    c = f.council()
    kpi = f.indicator(c, kind="kpi")
    f.target(kpi, 2026, 100)
    officer = f.user(c, "performance_unit")
    kpi.current_spec.accountable_officer = officer
    kpi.current_spec.save()
    signer = f.user(c, "director", directorate=kpi.service.directorate)
    kpi = Indicator.objects.select_related("current_spec", "council", "service").get(pk=kpi.pk)
    october = Period.objects.get(financial_year_id=2026, frequency="monthly", number=7)
    ret = services.save_return(user=officer, indicator=kpi, period=october, version=None, submit=True,
                               entry=Entry(value=Decimal(50), commentary="Sickness in the team."))
    services.approve_return(user=signer, ret=ret, version=ret.version)
    plan = RecoveryPlan.objects.get(indicator=kpi)
    assert (plan.status, plan.owner, plan.trigger) == ("requested", officer, "Red at October 2026")
    with pytest.raises(Refused) as refused:
        services.provide_recovery_plan(user=officer, plan=plan, version=plan.version, causes="", actions="x",
                                       action_owner="", expected_on_target=date(2027, 3, 31))
    assert "causes" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.provide_recovery_plan(user=signer, plan=plan, version=plan.version, causes="a", actions="b",
                                       action_owner="", expected_on_target=date(2027, 3, 31))
    plan = services.provide_recovery_plan(user=officer, plan=plan, version=plan.version, causes="Sickness",
                                          actions="Agency cover", action_owner="Team leader",
                                          expected_on_target=date(2027, 3, 31))
    assert plan.status == "in_place"
    november = Period.objects.get(financial_year_id=2026, frequency="monthly", number=8)
    ret = services.save_return(user=officer, indicator=kpi, period=november, version=None, submit=True,
                               entry=Entry(value=Decimal(104), commentary="Recovered."))
    services.approve_return(user=signer, ret=ret, version=ret.version)
    plan.refresh_from_db()
    assert plan.status == "closed" and "November 2026" in plan.closing_note


def test_closed_period_needs_the_performance_unit_to_reopen_it(lead, stc03):
    september = Period.objects.get(financial_year_id=2026, frequency="monthly", number=6)
    Return.objects.filter(indicator=stc03, period=september).delete() if not Return.objects.filter(
        indicator=stc03, period=september, state="approved").exists() else None
    august = Period.objects.get(financial_year_id=2025, frequency="monthly", number=5)
    Return.objects.filter(indicator=stc03, period=august).exclude(state="approved").delete()
    if Return.objects.filter(indicator=stc03, period=august).exists():
        august = Period.objects.get(financial_year_id=2023, frequency="monthly", number=5)
    with pytest.raises(Refused) as refused:
        services.save_return(user=lead, indicator=stc03, period=august, version=None, submit=False,
                             entry=Entry(numerator=Decimal(90), denominator=Decimal(100)))
    assert "closed to entry" in refused.value.message_dict["period"][0]
    with pytest.raises(PermissionDenied):
        services.reopen_period(user=lead, indicator=stc03, period=august, until=date(2026, 11, 30), reason="late")
    services.reopen_period(user=user("helen.marsh"), indicator=stc03, period=august, until=date(2026, 11, 30),
                           reason="Supplier data arrived late")
    ret = services.save_return(user=lead, indicator=stc03, period=august, version=None, submit=False,
                               entry=Entry(numerator=Decimal(90), denominator=Decimal(100)))
    assert ret.pk


def test_evidence_type_and_size_limits(lead, stc03, october, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ret = services.save_return(user=lead, indicator=stc03, period=october, version=None, submit=False,
                               entry=Entry(numerator=Decimal(90), denominator=Decimal(100)))
    with pytest.raises(Refused) as refused:
        services.attach_evidence(user=lead, ret=ret, upload=SimpleUploadedFile("run.exe", b"MZ"))
    assert "not an accepted type" in refused.value.message_dict["evidence"][0]
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (services.MAX_EVIDENCE_BYTES + 1))
    with pytest.raises(Refused):
        services.attach_evidence(user=lead, ret=ret, upload=big)
    ok = services.attach_evidence(user=lead, ret=ret, upload=SimpleUploadedFile("note.pdf", b"%PDF-1.4 test"))
    assert ok.size == 13 and ok.content_type == "application/pdf"
    assert (tmp_path / ok.file.name).read_bytes() == b"%PDF-1.4 test"


def test_a_refused_file_saves_nothing_not_even_the_figure(lead, stc03, october, client, settings, tmp_path):
    """The return and its evidence are one save: a file refused on the form leaves no figure behind, submitted or
    draft, and no audit entry (the figure was saved before the file was checked, in two transactions)."""
    settings.MEDIA_ROOT = tmp_path
    assert not Return.objects.filter(indicator=stc03, period=october).exists()
    audit_before = AuditEntry.objects.count()
    client.force_login(lead)
    url = reverse("indicators:return", args=[stc03.pk, october.pk])
    response = client.post(url, {"numerator": "95", "denominator": "100", "commentary": "On track.", "submit": "1",
                                 "evidence": SimpleUploadedFile("run.exe", b"MZ")})
    assert response.status_code == 400
    assert "run.exe” is not an accepted type" in response.text
    assert not Return.objects.filter(indicator=stc03, period=october).exists()
    assert AuditEntry.objects.count() == audit_before
    assert not list(tmp_path.rglob("*"))  # no file stored either
    with pytest.raises(Refused):
        services.save_return(user=lead, indicator=stc03, period=october, version=None, submit=False,
                             entry=Entry(numerator=Decimal(95), denominator=Decimal(100)),
                             evidence=SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * services.MAX_EVIDENCE_BYTES))
    assert not Return.objects.filter(indicator=stc03, period=october).exists()
    response = client.post(url, {"numerator": "95", "denominator": "100", "commentary": "On track.", "submit": "1",
                                 "evidence": SimpleUploadedFile("count.pdf", b"%PDF-1.4 count")})
    assert response.status_code == 302
    ret = Return.objects.get(indicator=stc03, period=october)
    assert ret.state == "submitted" and [e.original_name for e in ret.evidence.all()] == ["count.pdf"]


def test_evidence_sent_with_a_third_amber_or_red_figure_is_the_evidence_it_needs(settings, tmp_path):
    from tests import factories as f

    settings.MEDIA_ROOT = tmp_path
    c = f.council()
    ind = f.indicator(c)
    lead = f.user(c, "performance_unit")
    f.target(ind, 2026, 100)
    f.ret(ind, 2026, 5, 80)
    f.ret(ind, 2026, 6, 97)  # amber, after a red
    period = Period.objects.get(financial_year_id=2026, frequency="monthly", number=7)
    ind = Indicator.objects.select_related("current_spec", "council").get(pk=ind.pk)
    entry = Entry(value=Decimal(90), commentary="Agency staff shortage.")
    with pytest.raises(Refused) as refused:
        services.save_return(user=lead, indicator=ind, period=period, entry=entry, version=None, submit=True)
    assert "evidence" in refused.value.message_dict
    ret = services.save_return(user=lead, indicator=ind, period=period, entry=entry, version=None, submit=True,
                               evidence=SimpleUploadedFile("rota.pdf", b"%PDF-1.4 rota"), today=date(2026, 11, 2))
    assert ret.state == "submitted" and ret.evidence.count() == 1


def test_action_update_sign_off_feeds_action_status_and_recovery(lead, director):
    action = Action.objects.filter(owner=lead, completed_on__isnull=True, no_longer_viable=False,
                                   service__directorate__director=director).select_related("service").first()
    late = action.approved_end + timedelta(days=200)
    update = save_action_update(user=lead, action=action, version=None, submit=True, data={
        "as_of": date(2026, 11, 16), "progress_pct": 40, "forecast_end": late, "completed_on": None,
        "no_longer_viable": False, "no_longer_viable_reason": "", "commentary": "Contractor went bust."})
    with pytest.raises(PermissionDenied):
        sign_off_action_update(user=lead, update=update, version=update.version, approve=True)
    sign_off_action_update(user=director, update=update, version=update.version, approve=True)
    action.refresh_from_db()
    assert (action.forecast_end, action.progress_pct) == (late, 40)
    assert action.status(date(2026, 11, 16)) == "slipped_gt3"
    assert RecoveryPlan.objects.filter(action=action, status="requested").exists()
    with pytest.raises(Refused):
        save_action_update(user=lead, action=action, version=None, submit=False, data={
            "as_of": date(2026, 11, 16), "progress_pct": 40, "no_longer_viable": True,
            "no_longer_viable_reason": ""})


def test_performance_unit_queries_a_figure_and_the_rating_shows_it(lead, client):
    ret = Return.objects.filter(indicator__council__slug="harrowdale", state="approved").first()
    assert ret.quality in (["complete"], ["late"], ["estimated"], ["late", "estimated"])
    with pytest.raises(PermissionDenied):
        services.query_return(user=lead, ret=ret, version=ret.version, reason="odd")
    ret = services.query_return(user=user("helen.marsh"), ret=ret, version=ret.version,
                                reason="Denominator looks too small")
    assert "queried" in ret.quality and ret.state == "approved"  # an approved figure can still be queried
    client.force_login(user("helen.marsh"))
    page = client.get(ret.indicator.get_absolute_url()).text
    assert "Denominator looks too small" in page and "queried" in page
