"""B4: an approved target, its trajectory and tolerance never change in-year, whatever writes to the database;
a change is a recorded re-approval (who, when, why) and the original stays beside it."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import IntegrityError, transaction
from django.urls import reverse

from indicators import selectors
from indicators.formatting import figure
from indicators.models import Indicator, Target, TrajectoryPoint
from pmf.access import restrict
from pmf.choices import Role
from pmf.models import AuditEntry, User
from tests import factories as f
from tests.test_audit import admin_form_data

pytestmark = pytest.mark.django_db


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _locked(**filters) -> Target:
    """A current, approved demo target of a measure rated against a point target (not a band)."""
    return (Target.objects.filter(indicator__council__slug="harrowdale", approved_at__isnull=False,
                                  superseded_at__isnull=True, annual_target__isnull=False, **filters)
            .exclude(indicator__current_spec__polarity="band").select_related("indicator__current_spec")
            .order_by("pk").first())


def _locked_with_trajectory() -> Target:
    return _locked(pk__in=TrajectoryPoint.objects.values("target"))


def _refused(operation) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        operation()


# -- The database refuses (triggers) ------------------------------------------------------------------------

def test_an_approved_target_refuses_update_and_delete():
    target = _locked()
    before = target.annual_target
    _refused(lambda: Target.objects.filter(pk=target.pk).update(annual_target=before + 1))
    _refused(lambda: Target.objects.filter(pk=target.pk).update(tolerance_pct=Decimal("50"), tolerance_abs=None))
    _refused(lambda: Target.objects.filter(pk=target.pk).update(approved_at=None))
    _refused(lambda: Target.objects.filter(pk=target.pk).delete())
    target.refresh_from_db()
    assert target.annual_target == before and target.is_locked


def test_an_approved_targets_trajectory_refuses_update_insert_and_delete():
    target = _locked_with_trajectory()
    point = target.trajectory.order_by("period_number").first()
    count = target.trajectory.count()
    _refused(lambda: TrajectoryPoint.objects.filter(pk=point.pk).update(value=point.value + 1))
    _refused(lambda: TrajectoryPoint.objects.filter(pk=point.pk).delete())
    without = _locked(trajectory__isnull=True)  # so the insert is refused by B4, not by a duplicate period
    _refused(lambda: TrajectoryPoint.objects.create(target=without, period_number=1, value=Decimal("1")))
    assert TrajectoryPoint.objects.get(pk=point.pk).value == point.value
    assert target.trajectory.count() == count and not without.trajectory.exists()


def test_saving_a_changed_approved_target_is_refused():
    target = _locked()
    before = target.annual_target
    target.annual_target = before + 1
    _refused(target.save)
    assert Target.objects.get(pk=target.pk).annual_target == before


def test_an_unapproved_target_can_still_be_edited_and_deleted():
    council = f.council()
    target = f.target(f.indicator(council), 2025, 80, trajectory={1: 10})
    Target.objects.filter(pk=target.pk).update(annual_target=Decimal("85"))
    TrajectoryPoint.objects.filter(target=target).update(value=Decimal("12"))
    TrajectoryPoint.objects.create(target=target, period_number=2, value=Decimal("20"))
    target.refresh_from_db()
    assert target.annual_target == Decimal("85")
    assert sorted(target.trajectory.values_list("value", flat=True)) == [Decimal("12"), Decimal("20")]
    target.delete()
    assert not Target.objects.filter(pk=target.pk).exists()


# -- The admin shows locked targets read-only -----------------------------------------------------------------

def test_admin_change_page_of_a_locked_target_is_read_only_with_a_note(client):
    target = _locked_with_trajectory()
    client.force_login(_user("helen.marsh"))
    url = reverse("admin:indicators_target_change", args=[target.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "approved and locked" in page.text
    assert reverse("indicators:target_reapprove", args=[target.pk]) in page.text
    assert 'name="annual_target"' not in page.text
    assert 'name="_save"' not in page.text
    assert 'name="trajectory-0-value"' not in page.text
    assert 'name="post"' not in client.get(reverse("admin:indicators_target_delete", args=[target.pk])).text


def test_admin_post_to_a_locked_target_changes_nothing_and_does_not_500(client):
    target = _locked()
    before = target.annual_target
    client.force_login(_user("helen.marsh"))
    url = reverse("admin:indicators_target_change", args=[target.pk])
    response = client.post(url, {"indicator": target.indicator_id, "financial_year": target.financial_year_id,
                                 "annual_target": str(before + 10), "_save": "Save"}, follow=True)
    assert response.status_code == 200
    assert "Nothing was saved" in response.text
    assert Target.objects.get(pk=target.pk).annual_target == before
    assert client.post(reverse("admin:indicators_target_delete", args=[target.pk]), {"post": "yes"}).status_code == 403
    assert Target.objects.filter(pk=target.pk).exists()


def test_a_save_reaching_the_trigger_is_an_error_message_not_a_500(client, monkeypatch):
    """If the admin's own lock were bypassed, the database trigger refuses and the user sees why."""
    target = _locked()
    before = target.annual_target
    client.force_login(_user("helen.marsh"))
    url = reverse("admin:indicators_target_change", args=[target.pk])
    model_admin = admin.site._registry[Target]
    monkeypatch.setattr(type(model_admin), "locked_message", lambda self, obj: "")
    data = admin_form_data(client.get(url).text)
    data["annual_target"] = str(before + 10)
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "B4: an approved target cannot be changed" in response.text
    assert Target.objects.get(pk=target.pk).annual_target == before
    assert not AuditEntry.objects.filter(object_type="indicators.Target", object_id=str(target.pk),
                                         action="update").exists()


def test_indicator_admin_shows_locked_target_rows_disabled_and_ignores_posted_changes(client):
    target = _locked()
    indicator = target.indicator
    client.force_login(_user("helen.marsh"))
    url = reverse("admin:indicators_indicator_change", args=[indicator.pk])
    page = client.get(url).text
    assert "approved and locked" in page
    data = admin_form_data(page)
    assert not [k for k in data if k.startswith("targets-") and k.endswith("-annual_target")
                and data.get(k.replace("annual_target", "id")) == str(target.pk)]  # disabled: not posted
    everything = admin_form_data(page, include_disabled=True)
    prefix = next(k for k, v in everything.items()
                  if k.startswith("targets-") and k.endswith("-id") and v == str(target.pk)).removesuffix("-id")
    data.update({f"{prefix}-id": str(target.pk), f"{prefix}-annual_target": str(target.annual_target + 5),
                 f"{prefix}-DELETE": "on"})
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    target.refresh_from_db()
    assert Target.objects.filter(pk=target.pk).exists()
    assert target.annual_target == _locked(pk=target.pk).annual_target


def test_an_approved_return_is_read_only_and_not_deletable_in_admin(client):
    from indicators.models import Return

    ret = Return.objects.filter(indicator__council__slug="harrowdale", state="approved").first()
    client.force_login(_user("helen.marsh"))
    page = client.get(reverse("admin:indicators_return_change", args=[ret.pk]))
    assert page.status_code == 200
    assert "approved and locked" in page.text and 'name="value"' not in page.text
    assert client.post(reverse("admin:indicators_return_delete", args=[ret.pk]), {"post": "yes"}).status_code == 403
    assert Return.objects.filter(pk=ret.pk, state="approved").exists()


# -- Re-approval --------------------------------------------------------------------------------------------

def _reapprove_url(target: Target) -> str:
    return reverse("indicators:target_reapprove", args=[target.pk])


def _good_post(target: Target, **changes) -> dict:
    data = {"annual_target": "" if target.annual_target is None else str(target.annual_target + 1),
            "tolerance_pct": "", "tolerance_abs": "",
            "reason": "Cabinet 12 November 2026 agreed a stretch target after the service redesign.",
            "confirm": "yes"}
    if target.tolerance_pct is not None:
        data["tolerance_pct"] = str(target.tolerance_pct)
    if target.tolerance_abs is not None:
        data["tolerance_abs"] = str(target.tolerance_abs)
    for point in target.trajectory.all():
        data[f"period_{point.period_number}"] = str(point.value)
    data.update(changes)
    return data


def test_reapproval_page_is_403_for_a_service_lead_and_404_for_another_council():
    from django.test import Client

    tom = _user("tom.ashworth")
    target = restrict(Target.objects.filter(approved_at__isnull=False, superseded_at__isnull=True), tom).first()
    client = Client()
    client.force_login(tom)
    assert client.get(_reapprove_url(target)).status_code == 403
    assert client.post(_reapprove_url(target), _good_post(target)).status_code == 403
    audit_user = _user("nadia.holloway")
    client.force_login(audit_user)
    assert client.get(_reapprove_url(target)).status_code == 403
    outsider = f.user(f.council("Otherton Council"), Role.PERFORMANCE_UNIT)
    client.force_login(outsider)
    assert client.get(_reapprove_url(target)).status_code == 404
    assert client.post(_reapprove_url(target), _good_post(target)).status_code == 404
    client.logout()
    assert client.get(_reapprove_url(target)).status_code == 302
    assert not Target.objects.filter(revises=target).exists()


def test_reapproval_page_shows_the_form_the_current_values_and_the_warning(client):
    target = _locked_with_trajectory()
    client.force_login(_user("helen.marsh"))
    page = client.get(_reapprove_url(target))
    assert page.status_code == 200
    assert "recorded in the audit trail" in page.text
    assert 'name="reason"' in page.text and 'name="annual_target"' in page.text
    assert f"Now: {figure(target.annual_target, target.indicator.current_spec)}" in page.text
    assert 'name="period_1"' in page.text


def test_reapproval_without_a_reason_names_the_reason_field_and_changes_nothing(client):
    target = _locked()
    client.force_login(_user("helen.marsh"))
    typed = str(target.annual_target + 3)
    response = client.post(_reapprove_url(target), _good_post(target, reason="  ", annual_target=typed))
    assert response.status_code == 400
    assert "Give the reason for the re-approval" in response.text
    assert "is-invalid" in response.text and 'id="id_reason"' in response.text
    assert f'value="{typed}"' in response.text  # what the user typed is kept
    target.refresh_from_db()
    assert target.superseded_at is None
    assert not Target.objects.filter(revises=target).exists()


def test_reapproval_with_both_tolerances_or_no_change_is_refused(client):
    target = _locked()
    client.force_login(_user("helen.marsh"))
    both = client.post(_reapprove_url(target), _good_post(target, tolerance_pct="5", tolerance_abs="2"))
    assert both.status_code == 400 and "not both" in both.text
    same = client.post(_reapprove_url(target), _good_post(target, annual_target=str(target.annual_target)))
    assert same.status_code == 400 and "These are the figures approved now" in same.text
    assert not Target.objects.filter(revises=target).exists()


def test_reapproval_asks_for_confirmation_before_recording(client):
    target = _locked()
    client.force_login(_user("helen.marsh"))
    data = _good_post(target)
    del data["confirm"]
    check = client.post(_reapprove_url(target), data)
    assert check.status_code == 200
    assert "Check the re-approval" in check.text and 'name="confirm"' in check.text
    assert not Target.objects.filter(revises=target).exists()
    confirmed = admin_form_data(check.text)  # the hidden fields carry what was typed
    confirmed.pop("_save")
    confirmed["confirm"] = "yes"
    assert client.post(_reapprove_url(target), confirmed).status_code == 302
    assert Target.objects.get(revises=target).annual_target == target.annual_target + 1


def test_a_good_reapproval_creates_revision_2_and_keeps_the_original(client):
    target = _locked_with_trajectory()
    indicator = target.indicator
    spec = indicator.current_spec
    original = {"annual_target": target.annual_target, "tolerance_pct": target.tolerance_pct,
                "tolerance_abs": target.tolerance_abs, "approved_at": target.approved_at,
                "approved_by_id": target.approved_by_id}
    points = list(target.trajectory.values_list("period_number", "value"))
    helen = _user("helen.marsh")
    client.force_login(helen)
    new_value = target.annual_target + 1
    response = client.post(_reapprove_url(target), _good_post(target, annual_target=str(new_value)))
    assert response.status_code == 302
    assert response.url == indicator.get_absolute_url()

    new = Target.objects.get(revises=target)
    assert new.revision == 2 and new.annual_target == new_value
    assert new.approved_by == helen and new.approved_at is not None
    assert new.revision_reason.startswith("Cabinet 12 November 2026")
    assert list(new.trajectory.values_list("period_number", "value")) == points
    target.refresh_from_db()
    assert target.superseded_at is not None
    assert {k: getattr(target, k) for k in original} == original
    assert list(target.trajectory.values_list("period_number", "value")) == points
    entry = AuditEntry.objects.get(action="reapprove", object_id=str(new.pk))
    assert entry.user == helen and entry.reason == new.revision_reason
    assert "annual_target" in entry.changes and entry.changes["annual_target"][0] != entry.changes["annual_target"][1]

    page = client.get(indicator.get_absolute_url())
    assert "re-approved" in page.text
    assert figure(new_value, spec) in page.text
    assert "Re-approved target" in page.text

    series = selectors.load_series(Indicator.objects.filter(pk=indicator.pk))[0]
    year = target.financial_year_id
    assert series.targets[year].pk == new.pk
    assert series.original_targets[year].pk == target.pk

    # The replaced target's page sends the user on to the one in force; the new one is locked too.
    follow = client.get(_reapprove_url(target))
    assert follow.status_code == 302 and follow.url == _reapprove_url(new)
    _refused(lambda: Target.objects.filter(pk=new.pk).update(annual_target=new_value + 1))


def test_a_band_target_is_reapproved_with_its_band(client):
    target = (Target.objects.filter(indicator__council__slug="harrowdale", approved_at__isnull=False,
                                    superseded_at__isnull=True, indicator__current_spec__polarity="band",
                                    band_low__isnull=False).order_by("pk").first())
    if target is None:
        pytest.skip("the demo has no band target")
    client.force_login(_user("helen.marsh"))
    page = client.get(_reapprove_url(target))
    assert 'name="band_low"' in page.text and 'name="annual_target"' not in page.text
    data = _good_post(target, band_low=str(target.band_high), band_high=str(target.band_low - 1))
    data.pop("annual_target")
    assert client.post(_reapprove_url(target), data).status_code == 400
    data.update(band_low=str(target.band_low - 1), band_high=str(target.band_high))
    assert client.post(_reapprove_url(target), data).status_code == 302
    new = Target.objects.get(revises=target)
    assert new.band_low == target.band_low - 1 and new.band_high == target.band_high


def test_a_target_not_yet_approved_needs_no_reapproval(client):
    council = f.council()
    unit = f.user(council, Role.PERFORMANCE_UNIT)
    target = f.target(f.indicator(council), 2025, 80)
    client.force_login(unit)
    response = client.get(_reapprove_url(target))
    assert response.status_code == 302 and response.url == target.indicator.get_absolute_url()


def test_admin_bulk_delete_of_locked_targets_is_refused(client):
    targets = list(Target.objects.filter(indicator__council__slug="harrowdale", approved_at__isnull=False)
                   .order_by("pk")[:2])
    client.force_login(_user("helen.marsh"))
    response = client.post(reverse("admin:indicators_target_changelist"), {
        "action": "delete_selected", "_selected_action": [t.pk for t in targets], "post": "yes", "index": "0",
    })
    assert response.status_code == 403  # the admin's own check: no permission to delete a locked target
    assert Target.objects.filter(pk__in=[t.pk for t in targets]).count() == 2
    assert not AuditEntry.objects.filter(object_type="indicators.Target", action="delete").exists()
