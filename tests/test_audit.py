"""E3: the audit trail. Internal audit and the performance unit search and export it; nobody can change it;
everything done in the admin, bulk deletes included, is written to it."""

import csv
import io
from html.parser import HTMLParser

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from indicators.models import CorporateRisk, Indicator
from pmf.choices import Role
from pmf.models import AuditEntry, Council, User
from tests import factories as f

pytestmark = pytest.mark.django_db


class _FormParser(HTMLParser):
    """What a browser would post from each form with method="post" on a page."""

    def __init__(self, include_disabled: bool):
        super().__init__()
        self.include_disabled = include_disabled
        self.forms: list[dict[str, list[str]]] = []
        self.data: dict[str, list[str]] = {}
        self.in_form = False
        self.select: str | None = None
        self.textarea: str | None = None

    def _add(self, name, value):
        if name and "__prefix__" not in name:
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.in_form, self.data = True, {}
            self.forms.append(self.data)
        if not self.in_form:
            return
        if "disabled" in a and not self.include_disabled and tag in ("input", "select", "textarea"):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._add(a.get("name"), a.get("value", "on" if kind in ("checkbox", "radio") else ""))
        elif tag == "select":
            self.select = a.get("name")
            self.multiple, self.options, self.chosen = "multiple" in a, [], False
        elif tag == "option" and self.select:
            self.options.append(a.get("value", ""))
            if "selected" in a:
                self.chosen = True
                self._add(self.select, a.get("value", ""))
        elif tag == "textarea" and a.get("name") and "__prefix__" not in a["name"]:
            self.textarea = a["name"]
            self._add(self.textarea, "")

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            if self.select and not self.chosen and not self.multiple and self.options:
                self._add(self.select, self.options[0])  # a browser posts the first option
            self.select = None
        elif tag == "textarea":
            if self.textarea:
                self.data[self.textarea][-1] = self.data[self.textarea][-1].removeprefix("\n")
            self.textarea = None
        elif tag == "form":
            self.in_form = False


def admin_form_data(html: str, *, include_disabled: bool = False) -> dict:
    """The fields of a page's main form (the post form with most fields, not the sign-out button) as the browser
    posts them (single values as strings), plus "_save"."""
    parser = _FormParser(include_disabled)
    parser.feed(html)
    fields = max(parser.forms, key=len)
    data = {k: v[0] if len(v) == 1 else v for k, v in fields.items()}
    data["_save"] = "Save"
    return data


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _harrowdale() -> Council:
    return Council.objects.get(slug="harrowdale")


def _rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


# -- Who may read it ----------------------------------------------------------------------------------------

def test_internal_audit_sees_the_trail_newest_first(client):
    client.force_login(_user("nadia.holloway"))
    response = client.get(reverse("audit"))
    assert response.status_code == 200
    total = AuditEntry.objects.filter(council=_harrowdale()).count()
    assert total > 50
    assert response.context["page_obj"].paginator.count == total
    assert len(response.context["rows"]) == 50
    shown = [entry.at for entry, _, _ in response.context["rows"]]
    assert shown == sorted(shown, reverse=True)
    assert "<caption>" in response.text and 'for="id_date_from"' in response.text
    newest = AuditEntry.objects.filter(council=_harrowdale()).order_by("-at", "-id").first()
    assert newest.object_repr in response.text


def test_performance_unit_sees_the_trail(client):
    client.force_login(_user("helen.marsh"))
    assert client.get(reverse("audit")).status_code == 200


@pytest.mark.parametrize("username", ["tom.ashworth", "ruth.calloway"])
def test_other_roles_get_403(client, username):
    client.force_login(_user(username))
    assert client.get(reverse("audit")).status_code == 403
    assert client.get(reverse("audit_export")).status_code == 403


def test_signed_out_goes_to_login(client):
    response = client.get(reverse("audit"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_another_councils_audit_sees_none_of_harrowdales_entries(client):
    other = f.council("Otherton Council")
    client.force_login(f.user(other, Role.INTERNAL_AUDIT))
    response = client.get(reverse("audit"))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 0
    assert "No entries match" in response.text
    some = AuditEntry.objects.filter(council=_harrowdale()).first()
    assert client.get(reverse("audit"), {"q": some.object_repr}).context["page_obj"].paginator.count == 0
    export = client.get(reverse("audit_export"))
    assert _rows(export)[1:] == []


# -- Searching and filtering --------------------------------------------------------------------------------

def _count(client, **params) -> int:
    response = client.get(reverse("audit"), params)
    assert response.status_code == 200
    return response.context["page_obj"].paginator.count


@pytest.fixture
def some_entries():
    """Entries of other kinds beside the demo's target approvals: two returns submitted by the service lead in
    January (one batch), and a change by the performance unit with a reason."""
    from datetime import datetime

    from indicators.models import Return
    from pmf import audit

    returns = list(Return.objects.filter(indicator__council__slug="harrowdale").order_by("pk")[:2])
    when = timezone.make_aware(datetime(2026, 1, 15, 10, 30))
    audit.record_many(user=_user("tom.ashworth"), action="submit", objects=returns, at=when,
                      changes={"state": ["draft", "submitted"]})
    risk = CorporateRisk.objects.create(council=_harrowdale(), ref="R-Q", title="Probe risk")
    audit.record(user=_user("helen.marsh"), action="update", obj=risk, reason="Xyzzy review of the register",
                 changes={"title": ["Old probe", "Probe risk"]})
    return returns, risk


def test_search_and_filters_narrow_the_list(client, some_entries):
    returns, risk = some_entries
    client.force_login(_user("nadia.holloway"))
    entries = AuditEntry.objects.filter(council=_harrowdale())
    total = entries.count()
    assert _count(client) == total
    assert _count(client, action="submit") == entries.filter(action="submit").count() >= 2
    assert _count(client, object_type="indicators.CorporateRisk") == entries.filter(
        object_type="indicators.CorporateRisk").count() >= 1
    assert _count(client, q="xyzzy") == 1
    assert _count(client, q="Probe risk") == 1
    tom = _user("tom.ashworth")
    assert _count(client, user=str(tom.pk)) == entries.filter(user=tom).count() >= 2
    assert _count(client, q=tom.get_full_name()) >= 2
    assert _count(client, date_from="2026-01-15", date_to="2026-01-15") == entries.filter(
        at__date="2026-01-15").count() >= 2
    assert _count(client, date_from="2026-01-16") < total
    assert _count(client, action="submit", user=str(tom.pk), date_to="2026-01-15") >= 2
    assert _count(client, action="submit", q="xyzzy") == 0
    page = client.get(reverse("audit"), {"q": "xyzzy"})
    assert "Xyzzy review of the register" in page.text
    assert "title: Old probe" in page.text and "Probe risk" in page.text
    assert 'value="xyzzy"' in page.text
    listing = client.get(reverse("audit"), {"action": "approve"})
    assert 'value="approve" selected' in listing.text
    assert "action=approve&amp;page=2" in listing.text
    assert "export.csv?action=approve" in listing.text


@pytest.mark.parametrize("params, field", [
    ({"date_from": "not-a-date"}, "Date from"),
    ({"date_to": "yesterday"}, "Date to"),
    ({"date_from": "2026-13-40"}, "Date from"),
    ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, "Date to"),
])
def test_a_bad_date_gives_a_message_naming_the_field_not_a_500(client, params, field):
    client.force_login(_user("nadia.holloway"))
    response = client.get(reverse("audit"), params)
    assert response.status_code == 200
    assert f"{field}: " in response.text
    assert "Some filters were not applied" in response.text
    export = client.get(reverse("audit_export"), params)
    assert export.status_code == 302 and export.url.startswith(reverse("audit"))


def test_unknown_filter_values_are_reported_not_a_500(client):
    client.force_login(_user("nadia.holloway"))
    response = client.get(reverse("audit"), {"action": "explode", "user": "abc", "page": "999"})
    assert response.status_code == 200
    assert "What: " in response.text and "Who: " in response.text


def test_query_count_is_flat(client, django_assert_num_queries):
    nadia = _user("nadia.holloway")
    client.force_login(nadia)
    # session, user, the user's roles, types and people for the filters, count, page
    with django_assert_num_queries(7):
        response = client.get(reverse("audit"))
    assert len(response.context["rows"]) == 50
    with django_assert_num_queries(7):
        client.get(reverse("audit"), {"action": "approve", "page": 3})


# -- Export -------------------------------------------------------------------------------------------------

def test_csv_export_has_the_header_and_all_the_filtered_rows(client):
    client.force_login(_user("nadia.holloway"))
    response = client.get(reverse("audit_export"), {"action": "approve"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response)
    assert rows[0] == ["When", "Who", "What", "Object type", "Object id", "Object", "Changes", "Reason", "Batch"]
    expected = AuditEntry.objects.filter(council=_harrowdale(), action="approve")
    assert len(rows) - 1 == expected.count() > 50  # every page, not one
    assert {r[2] for r in rows[1:]} == {"Approved"}
    assert {r[4] for r in rows[1:]} == {str(pk) for pk in expected.values_list("object_id", flat=True)}
    assert any("→" in r[6] for r in rows[1:])


def test_csv_export_does_not_let_free_text_become_a_formula(client):
    helen = _user("helen.marsh")
    risk = CorporateRisk.objects.create(council=_harrowdale(), ref="=HYPERLINK(1)", title="Injected")
    from pmf import audit

    audit.record(user=helen, action="update", obj=risk, reason="=1+2")
    client.force_login(_user("nadia.holloway"))
    rows = _rows(client.get(reverse("audit_export"), {"q": "Injected"}))
    assert len(rows) == 2
    assert rows[1][5].startswith("'=") and rows[1][7] == "'=1+2"


# -- Nobody can change it -----------------------------------------------------------------------------------

def test_audit_entries_cannot_be_updated_or_deleted():
    entry = AuditEntry.objects.filter(council=_harrowdale()).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="tampered")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.reason = "tampered"
        entry.save()
    entry.refresh_from_db()
    assert entry.reason != "tampered"


def test_the_audit_trail_is_not_editable_in_the_admin(admin_client):
    from django.contrib import admin

    assert AuditEntry not in admin.site._registry


# -- The admin writes it ------------------------------------------------------------------------------------

def test_admin_change_of_an_indicator_title_is_audited_from_and_to(client):
    helen = _user("helen.marsh")
    indicator = Indicator.objects.filter(council=_harrowdale()).order_by("ref").first()
    old = indicator.title
    client.force_login(helen)
    url = reverse("admin:indicators_indicator_change", args=[indicator.pk])
    data = admin_form_data(client.get(url).text)
    data["title"] = old + " (revised wording)"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    indicator.refresh_from_db()
    assert indicator.title == old + " (revised wording)"
    entry = AuditEntry.objects.get(object_type="indicators.Indicator", object_id=str(indicator.pk), action="update")
    assert entry.user == helen and entry.council == _harrowdale()
    assert entry.changes == {"title": [old, old + " (revised wording)"]}

    client.force_login(_user("nadia.holloway"))
    page = client.get(reverse("audit"), {"object_type": "indicators.Indicator"})
    assert f"{old} <span aria-hidden=\"true\">→</span>" in page.text


def test_admin_save_without_changes_writes_nothing(client):
    indicator = Indicator.objects.filter(council=_harrowdale()).order_by("ref").first()
    client.force_login(_user("helen.marsh"))
    url = reverse("admin:indicators_indicator_change", args=[indicator.pk])
    before = AuditEntry.objects.count()
    assert client.post(url, admin_form_data(client.get(url).text)).status_code == 302
    assert AuditEntry.objects.count() == before


def test_admin_add_and_delete_are_audited(client):
    helen = _user("helen.marsh")
    client.force_login(helen)
    response = client.post(reverse("admin:indicators_corporaterisk_add"),
                           {"council": _harrowdale().pk, "ref": "R-NEW", "title": "Supplier failure", "_save": "Save"})
    assert response.status_code == 302
    risk = CorporateRisk.objects.get(ref="R-NEW")
    created = AuditEntry.objects.get(object_type="indicators.CorporateRisk", object_id=str(risk.pk), action="create")
    assert created.changes["title"] == [None, "Supplier failure"] and created.user == helen
    assert client.post(reverse("admin:indicators_corporaterisk_delete", args=[risk.pk]),
                       {"post": "yes"}).status_code == 302
    assert not CorporateRisk.objects.filter(pk=risk.pk).exists()
    deleted = AuditEntry.objects.get(object_type="indicators.CorporateRisk", object_id=str(risk.pk), action="delete")
    assert deleted.object_repr == "R-NEW Supplier failure" and deleted.council == _harrowdale()


def test_admin_bulk_delete_writes_one_entry_per_object_with_one_batch(client):
    helen = _user("helen.marsh")
    risks = [CorporateRisk.objects.create(council=_harrowdale(), ref=f"R-B{n}", title=f"Bulk risk {n}")
             for n in range(3)]
    client.force_login(helen)
    response = client.post(reverse("admin:indicators_corporaterisk_changelist"), {
        "action": "delete_selected", "_selected_action": [r.pk for r in risks], "post": "yes", "index": "0",
    })
    assert response.status_code == 302
    assert not CorporateRisk.objects.filter(pk__in=[r.pk for r in risks]).exists()
    entries = AuditEntry.objects.filter(object_type="indicators.CorporateRisk", action="delete",
                                        object_id__in=[str(r.pk) for r in risks])
    assert entries.count() == 3
    assert len({e.batch for e in entries}) == 1 and entries[0].batch is not None
    assert {e.user_id for e in entries} == {helen.pk}
    assert {e.object_repr for e in entries} == {str(r) for r in risks}


def test_admin_inline_changes_are_audited_with_the_parent_in_one_batch(client):
    council = _harrowdale()
    indicator = f.indicator(council)
    target = f.target(indicator, 2027, 50)
    client.force_login(_user("helen.marsh"))
    url = reverse("admin:indicators_indicator_change", args=[indicator.pk])
    data = admin_form_data(client.get(url).text)
    row = next(k for k, v in data.items() if k.startswith("targets-") and k.endswith("-id") and v == str(target.pk))
    prefix = row.removesuffix("-id")
    data[f"{prefix}-annual_target"] = "55"
    data["title"] = indicator.title + " v2"
    assert client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert str(target.annual_target.normalize()) == "55"
    parent = AuditEntry.objects.get(object_type="indicators.Indicator", object_id=str(indicator.pk))
    child = AuditEntry.objects.get(object_type="indicators.Target", object_id=str(target.pk), action="update")
    assert child.changes == {"annual_target": ["50", "55"]}
    assert parent.batch is not None and parent.batch == child.batch


def test_admin_many_to_many_changes_are_audited(client):
    indicator = Indicator.objects.filter(council=_harrowdale()).order_by("ref").first()
    risk = CorporateRisk.objects.create(council=_harrowdale(), ref="R-M2M", title="Linked risk")
    before = sorted(str(r) for r in indicator.risks.all())
    client.force_login(_user("helen.marsh"))
    url = reverse("admin:indicators_indicator_change", args=[indicator.pk])
    data = admin_form_data(client.get(url).text)
    current = data.get("risks", [])
    data["risks"] = [*(current if isinstance(current, list) else [current]), str(risk.pk)]
    assert client.post(url, data).status_code == 302
    entry = AuditEntry.objects.get(object_type="indicators.Indicator", object_id=str(indicator.pk), action="update")
    assert entry.changes == {"risks": [before, sorted([*before, str(risk)])]}
