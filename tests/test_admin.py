"""The Django admin is usable by the performance unit and stays inside their councils."""

import pytest
from django.contrib import admin
from django.urls import reverse

from indicators.models import Indicator
from plans.models import Plan, PlanItem
from pmf.choices import Role
from pmf.services import performance_unit_group
from tests import factories as f

pytestmark = pytest.mark.django_db

PlanItemCommittees = PlanItem.committees.through

MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.mark.parametrize("model", MODELS, ids=[m._meta.label for m in MODELS])
def test_every_changelist_search_and_add_page_renders(admin_client, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert admin_client.get(changelist).status_code == 200
    assert admin_client.get(changelist, {"q": "a"}).status_code == 200
    assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200
    obj = model._default_manager.order_by("pk").first()
    if obj is not None:
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert admin_client.get(change).status_code == 200


def _staff_of_another_council(client):
    other = f.council("Otherton Council")
    user = f.user(other, Role.PERFORMANCE_UNIT)
    user.is_staff = True
    user.save()
    user.groups.add(performance_unit_group())
    client.force_login(user)
    return other


def test_another_councils_performance_unit_cannot_reach_demo_objects_in_admin(client):
    _staff_of_another_council(client)
    indicator = Indicator.objects.filter(council__slug="harrowdale").first()
    listing = client.get(reverse("admin:indicators_indicator_changelist"))
    assert listing.status_code == 200
    assert indicator.title not in listing.text
    change = client.get(reverse("admin:indicators_indicator_change", args=[indicator.pk]), follow=True)
    assert indicator.title not in change.text
    assert "doesn’t exist" in change.text or "does not exist" in change.text


def test_admin_form_offers_only_own_council_choices(client):
    other = _staff_of_another_council(client)
    page = client.get(reverse("admin:plans_plan_add"))
    assert page.status_code == 200
    assert "Harrowdale" not in page.text
    assert other.name in page.text


def test_demo_performance_unit_can_configure_indicators(client):
    from pmf.models import RoleAssignment

    user = RoleAssignment.objects.filter(role=Role.PERFORMANCE_UNIT, council__slug="harrowdale").first().user
    client.force_login(user)
    response = client.get(reverse("admin:indicators_indicator_changelist"))
    assert response.status_code == 200
    assert Indicator.objects.filter(council__slug="harrowdale").order_by("ref").first().ref in response.text
    assert client.get(reverse("admin:plans_plan_changelist"), {"q": Plan.objects.first().title[:10]}).status_code == 200


def test_a_committees_remit_is_edited_on_its_page_and_audited(client):
    """The remit (plan items the committee oversees) belongs to the plans app, which adds it to the committee's
    admin page: the performance unit sees it there, adds an item to it, and the change is in the audit trail."""
    from pmf.models import AuditEntry, Committee, RoleAssignment

    user = RoleAssignment.objects.filter(role=Role.PERFORMANCE_UNIT, council__slug="harrowdale").first().user
    user.groups.add(performance_unit_group())
    client.force_login(user)
    committee = Committee.objects.get(name="Harrowdale Place and Resources Overview and Scrutiny Committee")
    before = set(committee.remit.values_list("ref", flat=True))
    url = reverse("admin:pmf_committee_change", args=[committee.pk])
    page = client.get(url)
    assert page.status_code == 200 and "plan items the committee oversees" in page.text
    extra = Plan.objects.get(council__slug="harrowdale", level__rank=1).items.get(ref="P1")
    assert extra.ref not in before
    form = page.context["adminform"].form
    inline = page.context["inline_admin_formsets"][0].formset
    data = {name: value for name, value in form.initial.items() if value is not None and name != "councils"}
    data["councils"] = [c.pk for c in committee.councils.all()]
    data["chair"] = committee.chair_id or ""
    prefix = inline.prefix
    rows = list(PlanItemCommittees.objects.filter(committee=committee))
    data.update({f"{prefix}-TOTAL_FORMS": len(rows) + 1, f"{prefix}-INITIAL_FORMS": len(rows),
                 f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-id": row.pk, f"{prefix}-{i}-committee": committee.pk,
                     f"{prefix}-{i}-planitem": row.planitem_id})
    data.update({f"{prefix}-{len(rows)}-committee": committee.pk, f"{prefix}-{len(rows)}-planitem": extra.pk})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert set(committee.remit.values_list("ref", flat=True)) == before | {"P1"}
    assert AuditEntry.objects.filter(object_type="plans.PlanItem_committees", action="create").exists()
