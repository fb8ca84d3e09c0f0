"""The REST API (issue 12): each resource read by the performance unit, a service lead and a scrutiny member, each
scoped like the pages; personal tokens (shown once, stored hashed, refused when expired or revoked); writes through
the services (audit trail, the director's sign-off page, a stale version 409); one error shape; the assessment
equal to the scorecard's; query counts flat whatever the page size."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators import selectors
from indicators.models import Indicator, Return, Specification, Target
from plans.models import Action, Plan, PlanItem
from pmf import access, api_tokens, clock
from pmf.models import ApiToken, AuditEntry, User
from reporting.scorecard import Params, build_scorecard

pytestmark = pytest.mark.django_db

PERF, LEAD, SCRUTINY, DIRECTOR = "helen.marsh", "tom.ashworth", "gareth.whitlow", "ruth.calloway"
RESOURCES = {
    "plans": Plan, "plan-items": PlanItem, "indicators": Indicator, "specifications": Specification,
    "targets": Target, "returns": Return, "actions": Action, "assessments": Indicator,
}


def person(username: str) -> User:
    return User.objects.get(username=username)


def token_for(username: str) -> str:
    return api_tokens.create_token(user=person(username), name="tests").secret


class Api:
    def __init__(self, client, username: str):
        self.client = client
        self.header = {"HTTP_AUTHORIZATION": f"Bearer {token_for(username)}"}

    def get(self, path: str, **params):
        return self.client.get(path, params, **self.header)

    def post(self, path: str, data: dict):
        return self.client.post(path, json.dumps(data), content_type="application/json", **self.header)

    def patch(self, path: str, data: dict):
        return self.client.patch(path, json.dumps(data), content_type="application/json", **self.header)

    def all_ids(self, resource: str, **params) -> set[int]:
        ids, url = set(), f"/api/{resource}/"
        params = {"page_size": 200, **params}
        while url:
            response = self.get(url, **params) if params else self.client.get(url, **self.header)
            assert response.status_code == 200, response.content
            body = response.json()
            ids |= {row["indicator"] if resource == "assessments" else row["id"] for row in body["results"]}
            url, params = body["next"], None
        return ids


def indicator(ref: str) -> Indicator:
    return Indicator.objects.select_related("current_spec").get(council__slug="harrowdale", ref=ref)


# -- reading, scoped -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", [PERF, LEAD, SCRUTINY])
@pytest.mark.parametrize("resource", ["plans", "plan-items", "indicators", "specifications", "targets", "actions"])
def test_each_resource_lists_exactly_what_the_person_may_read(client, username, resource):
    api = Api(client, username)
    model = RESOURCES[resource]
    allowed = set(access.restrict(model.objects.all(), person(username)).values_list("pk", flat=True))
    assert allowed
    first = api.get(f"/api/{resource}/", page_size=5).json()
    assert first["count"] == len(allowed)
    assert len(first["results"]) == min(5, len(allowed))
    one = first["results"][0]["id"]
    assert api.get(f"/api/{resource}/{one}/").status_code == 200


@pytest.mark.parametrize("username", [PERF, LEAD, SCRUTINY])
def test_returns_and_assessments_are_scoped_like_the_pages(client, username):
    api = Api(client, username)
    me = person(username)
    measures = Indicator.objects.filter(current_spec__isnull=False)
    visible = set(access.restrict(measures, me).values_list("pk", flat=True))
    assert api.all_ids("assessments", year=2026, quarter=2) == visible
    returns = access.restrict(Return.objects.filter(period__financial_year_id=2026, state="approved"), me)
    body = api.get("/api/returns/", year=2026, state="approved", page_size=1).json()
    assert body["count"] == returns.count()


def test_a_service_lead_cannot_read_or_write_outside_their_scope(client):
    api = Api(client, LEAD)
    other = indicator("ASC01")  # Adults and Health, not headline
    assert api.get(f"/api/indicators/{other.pk}/").status_code == 404
    assert api.get(f"/api/assessments/{other.pk}/").status_code == 404
    ret = Return.objects.filter(indicator=other).order_by("-period__start").first()
    assert api.get(f"/api/returns/{ret.pk}/").status_code == 404
    response = api.post("/api/returns/", {"indicator": other.pk, "period": ret.period_id, "value": "5",
                                          "version": ret.version})
    assert response.status_code == 404
    assert set(response.json()) == {"errors"}
    assert api.patch(f"/api/returns/{ret.pk}/", {"value": "5", "version": ret.version}).status_code == 404
    # headline measure of another directorate: readable, but not theirs to enter
    headline = indicator("ASC02")
    hret = Return.objects.filter(indicator=headline).order_by("-period__start").first()
    assert api.get(f"/api/returns/{hret.pk}/").status_code == 200
    refused = api.patch(f"/api/returns/{hret.pk}/", {"value": "5", "version": hret.version})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["message"]
    other_action = Action.objects.get(council__slug="harrowdale", ref="ASC-A01")
    assert api.get(f"/api/actions/{other_action.pk}/").status_code == 404
    assert api.post("/api/action-updates/", {"action": other_action.pk,
                                             "as_of": clock.today().isoformat()}).status_code == 404


def test_a_scrutiny_member_reads_but_never_writes(client):
    api = Api(client, SCRUTINY)
    readable = access.restrict(Return.objects.filter(state="draft"), person(SCRUTINY)).first()
    assert readable is not None
    assert api.get(f"/api/returns/{readable.pk}/").status_code == 200
    response = api.patch(f"/api/returns/{readable.pk}/", {"value": "5", "version": readable.version})
    assert response.status_code == 403


# -- tokens ---------------------------------------------------------------------------------------------------------

def test_a_token_is_shown_once_and_stored_hashed(client):
    client.force_login(person(LEAD))
    response = client.post(reverse("api_tokens"), {"name": "Power BI", "days": "30"})
    assert response.status_code == 200
    secret = response.context["made"].secret
    assert secret in response.text
    token = ApiToken.objects.get(user__username=LEAD, name="Power BI")
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps(list(ApiToken.objects.filter(pk=token.pk).values()), default=str)
    assert (token.expires_at - token.created_at).days == 30
    page = client.get(reverse("api_tokens"))
    assert "Power BI" in page.text and secret not in page.text
    assert client.get("/api/plans/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_lasts_at_most_a_year(client):
    client.force_login(person(LEAD))
    assert client.post(reverse("api_tokens"), {"name": "Too long", "days": "400"}).status_code == 400
    made = api_tokens.create_token(user=person(LEAD), name="Default")
    assert (made.token.expires_at - made.token.created_at).days == 90


def test_expired_and_revoked_tokens_and_nonsense_are_refused(client):
    made = api_tokens.create_token(user=person(LEAD), name="Old")
    header = {"HTTP_AUTHORIZATION": f"Bearer {made.secret}"}
    assert client.get("/api/plans/", **header).status_code == 200
    ApiToken.objects.filter(pk=made.token.pk).update(created_at=timezone.now() - timedelta(days=91),
                                                     expires_at=timezone.now() - timedelta(days=1))
    refused = client.get("/api/plans/", **header)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["message"].startswith("That token is not valid")
    again = api_tokens.create_token(user=person(LEAD), name="Revoked")
    client.force_login(person(LEAD))
    assert client.post(reverse("api_tokens_revoke", args=[again.token.pk])).status_code == 302
    client.logout()
    assert client.get("/api/plans/", HTTP_AUTHORIZATION=f"Bearer {again.secret}").status_code == 401
    assert client.get("/api/plans/", HTTP_AUTHORIZATION="Bearer pmf_nonsense").status_code == 401
    assert client.get("/api/plans/").status_code == 401
    # someone else's token cannot be revoked by another person
    mine = api_tokens.create_token(user=person(PERF), name="Mine")
    client.force_login(person(LEAD))
    assert client.post(reverse("api_tokens_revoke", args=[mine.token.pk])).status_code == 404


def test_the_session_works_with_its_csrf_token(client):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(person(LEAD))
    assert browser.get("/api/plans/").status_code == 200
    refused = browser.post("/api/returns/", "{}", content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["errors"][0]["message"]


# -- writing --------------------------------------------------------------------------------------------------------

def _open_period(username: str):
    """A return the lead owes, open for entry (the home page's "My updates")."""
    due = selectors.due_returns(person(username), today=clock.today())
    assert due, "the demo's lead owes no returns"
    return due[0]


def figures(due, n: int) -> dict:
    """A figure of ``n`` for the owed return, as its measure takes it (a value, or numerator and denominator)."""
    base = {"indicator": due.indicator.pk, "period": due.period.pk, "commentary": "Entered through the API."}
    if due.indicator.current_spec.calculation == "ratio":
        return {**base, "numerator": str(n), "denominator": "100"}
    return {**base, "value": str(n)}


def test_an_api_written_return_is_audited_and_reaches_the_directors_sign_off_page(client):
    api = Api(client, LEAD)
    due = _open_period(LEAD)
    ret = due.ret
    data = {**figures(due, 42), "version": ret.version if ret else None}
    saved = api.post("/api/returns/", data)
    assert saved.status_code in (200, 201), saved.content
    body = saved.json()
    assert body["state"] == "draft" and body["value"] is not None
    submitted = api.post(f"/api/returns/{body['id']}/submit/", {"version": body["version"]})
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["state"] == "submitted"
    entries = AuditEntry.objects.filter(object_type="indicators.Return", object_id=str(body["id"]),
                                        user__username=LEAD)
    assert {"submit"} <= set(entries.values_list("action", flat=True))
    director = due.indicator.service.directorate
    signer = User.objects.filter(role_assignments__directorate=director,
                                 role_assignments__role="director").first()
    client.force_login(signer)
    page = client.get(reverse("indicators:sign_off"))
    assert page.status_code == 200
    assert any(row[0].pk == body["id"] for row in page.context["rows"])


def test_a_stale_version_is_a_409_with_the_current_return(client):
    api = Api(client, LEAD)
    due = _open_period(LEAD)
    first = api.post("/api/returns/", {**figures(due, 10), "version": due.ret.version if due.ret else None}).json()
    ok = api.patch(f"/api/returns/{first['id']}/", {**figures(due, 11), "version": first["version"]})
    assert ok.status_code == 200
    stale = api.patch(f"/api/returns/{first['id']}/", {**figures(due, 12), "version": first["version"]})
    assert stale.status_code == 409
    body = stale.json()
    assert body["errors"][0]["field"] == "version"
    assert body["current"]["value"] == ok.json()["value"]
    assert body["current"]["version"] == first["version"] + 1


def test_bad_input_names_the_field_and_the_rule(client):
    api = Api(client, LEAD)
    due = _open_period(LEAD)
    wrong = api.post("/api/returns/", {**figures(due, 1), "value": "abc"})
    assert wrong.status_code == 400
    assert wrong.json() == {"errors": [{"field": "value", "message": "A valid number is required."}]}
    missing = api.post("/api/returns/", {"value": "1"})
    assert {e["field"] for e in missing.json()["errors"]} == {"indicator", "period"}
    # a data-quality rule of the entry form (B6): submitting with no value and no reason
    refused = api.post("/api/returns/", {"indicator": due.indicator.pk, "period": due.period.pk, "submit": True,
                                         "version": due.ret.version if due.ret else None})
    assert refused.status_code == 400
    assert refused.json()["errors"] and all(e["message"] for e in refused.json()["errors"])
    assert api.get("/api/assessments/", quarter=7).json()["errors"][0]["field"] == "quarter"
    assert api.get("/api/returns/", state="nonsense").status_code == 400
    assert api.get("/api/returns/999999999/").status_code == 404


def test_an_action_update_through_the_api_is_audited_and_locked_by_version(client):
    api = Api(client, LEAD)
    act = Action.objects.get(council__slug="harrowdale", ref="WAS-A04")  # owned by tom
    current = act.updates.filter(state__in=["draft", "submitted", "returned"]).first()
    data = {"action": act.pk, "as_of": clock.today().isoformat(), "progress_pct": 55, "commentary": "API.",
            "version": current.version if current else None}
    saved = api.post("/api/action-updates/", data)
    assert saved.status_code in (200, 201), saved.content
    update = saved.json()
    assert update["progress_pct"] == 55
    assert AuditEntry.objects.filter(object_type="plans.ActionUpdate", object_id=str(update["id"])).exists()
    stale = api.post("/api/action-updates/", {**data, "version": update["version"] - 1 or 999})
    assert stale.status_code == 409
    assert stale.json()["current"]["id"] == update["id"]


# -- assessments equal the scorecard's -------------------------------------------------------------------------------

def test_assessments_equal_the_scorecards(client):
    api = Api(client, PERF)
    plan = Plan.objects.get(council__slug="harrowdale", level__rank=1)
    card = build_scorecard(plan, person(PERF), Params(year=2026, quarter=2))
    rows = {r.indicator.pk: r for r in card.rows}
    body = api.get("/api/assessments/", year=2026, quarter=2, plan=plan.pk, page_size=200).json()
    assert body["count"] == len(rows)
    compared = 0
    for measure in body["results"]:
        a = measure["assessments"][0]
        row = rows[measure["indicator"]].assessment
        assert a["rag"] == row.rag.value and a["direction"] == row.direction.value, measure["ref"]
        assert (a["value"] is None) == (row.value is None)
        if row.value is not None:
            assert float(a["value"]) == float(row.value)
        assert [a["comparison_year"], a["comparison_period_number"]] == list(row.comparison_key)
        compared += 1
    assert compared >= 20


def test_every_period_of_a_year_is_assessed(client):
    api = Api(client, PERF)
    ind = indicator("WAS02")
    body = api.get(f"/api/assessments/{ind.pk}/", year=2025, figures="all").json()
    (series,) = selectors.load_series(Indicator.objects.filter(pk=ind.pk))
    expected = selectors.assess_all(series, years=[2025])
    assert [(a["year"], a["period_number"], a["rag"]) for a in body["assessments"]] == [
        (a.key[0], a.key[1], a.rag.value) for a in expected]


# -- query counts do not grow with the page size ----------------------------------------------------------------------

@pytest.mark.parametrize("resource", [*RESOURCES, "action-updates"])
def test_query_counts_do_not_grow_with_the_page_size(client, resource):
    api = Api(client, LEAD)
    assert api.get(f"/api/{resource}/").status_code == 200  # the token's first use records it: not counted
    counts = []
    for size in (2, 40):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"/api/{resource}/", page_size=size, year=2026)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 14


# -- open data, and the docs -----------------------------------------------------------------------------------------

def test_open_data_has_a_stable_address_per_council_and_year(client):
    body = client.get("/public/harrowdale/open-data/2025.json").json()
    assert body["metadata"]["financial_year"] == 2025
    assert body["data"] and all(r["period"] and r["period_start"] >= "2025-04-01" for r in body["data"])
    assert all(r["period_start"] < "2026-04-01" for r in body["data"])
    csv = client.get("/public/harrowdale/open-data/2025.csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().count("\r\n") == len(body["data"]) + 1
    assert client.get("/public/nowhere/open-data/2025.json").status_code == 404


def test_the_schema_describes_every_resource_and_the_open_data(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for resource in [*RESOURCES, "action-updates"]:
        assert f"/api/{resource}/" in paths
    assert "/public/{council_slug}/open-data/{year}.json" in paths
    assert "/public/{council_slug}/open-data/{year}.csv" in paths
    assert "409" in paths["/api/returns/{id}/"]["patch"]["responses"]


def test_the_docs_page_is_served_from_our_own_static_files_without_inline_script(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.text
    assert "swagger-ui-bundle.js" in html and "/static/" in html
    assert "<script>" not in html and "<style" not in html and "style=" not in html
    assert "cdn" not in html.lower()
    assert "script-src 'self'" in page["Content-Security-Policy"]


def test_the_filters_select_what_they_say(client):
    api = Api(client, PERF)
    ind = indicator("WAS02")
    directorate = ind.service.directorate_id
    body = api.get("/api/returns/", directorate=directorate, year=2025, period=2, page_size=200).json()
    assert body["count"] > 0
    rows = [Return.objects.select_related("indicator__service", "period").get(pk=r["id"]) for r in body["results"]]
    assert all(r.indicator.service.directorate_id == directorate and r.period.financial_year_id == 2025
               and r.period.number == 2 for r in rows)
    specs = api.get("/api/specifications/", year=2026, indicator=ind.pk).json()
    assert specs["count"] == 1  # the version in force that year, one per measure
    plan = Plan.objects.get(council__slug="harrowdale", level__rank=1)
    in_plan = api.all_ids("indicators", plan=plan.pk)
    assert in_plan and ind.pk in in_plan
    approved = api.get("/api/targets/", year=2026, state="approved", indicator=ind.pk).json()
    assert approved["count"] == 1 and approved["results"][0]["approved"] is True
    assert approved["results"][0]["trajectory"] or approved["results"][0]["annual_target"] is not None
