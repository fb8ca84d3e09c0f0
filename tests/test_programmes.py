"""A6: programmes and projects, their decision points, and the board's decisions (issue 13, point 4).

The demo's Programme Board owns Harrowdale's four programmes; its members are the sponsoring directors. On the
demo's "today" (16 November 2026) one decision is due: the third gateway of the Home First discharge model
project (Adult Social Care Transformation Programme), dated 31 October 2026, with no decision yet."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from indicators.models import Indicator
from plans.models import DecisionPoint, Milestone, Programme, Project
from plans.selectors import project_status
from plans.services import record_decision
from pmf.choices import CommitteeKind
from pmf.errors import Conflict
from pmf.models import AuditEntry, Committee, Period, User
from reporting import packs
from reporting.models import ReportDefinition
from reporting.rendering import excel, web, word
from tests import factories as f

pytestmark = pytest.mark.django_db


def _programme(name: str = "Adult Social Care Transformation Programme") -> Programme:
    return Programme.objects.select_related("board", "sponsor").get(council__slug="harrowdale", name=name)


def _due() -> DecisionPoint:
    return DecisionPoint.objects.get(project__programme__council__slug="harrowdale",
                                     project__name="Home First discharge model", title__startswith="Gateway 3")


def _board_member() -> User:
    return _programme().sponsor  # the Adults and Health director, who sponsors the programme


def test_the_demo_programmes_belong_to_a_board_of_their_sponsors():
    programme = _programme()
    assert programme.board is not None and programme.board.kind == CommitteeKind.BOARD
    members = set(User.objects.filter(role_assignments__committee=programme.board).values_list("pk", flat=True))
    assert {p.sponsor_id for p in Programme.objects.filter(council__slug="harrowdale")} == members
    assert _due().decision == "pending" and _due().due <= date(2026, 11, 16)


def test_programme_list_and_programme_page(client):
    client.force_login(User.objects.get(username="liam.fenwick"))  # staff: programmes are read council-wide
    page = client.get(reverse("plans:programmes"))
    assert page.status_code == 200
    text = page.content.decode()
    for programme in Programme.objects.filter(council__slug="harrowdale"):
        assert programme.name in text
    assert "Programme Board" in text
    detail = client.get(reverse("plans:programme", args=[_programme("Net Zero 2030 Programme").pk]))
    text = detail.content.decode()
    assert detail.status_code == 200
    assert "Fleet electrification" in text and "Stopped" in text  # the demo's stop decision sets its status
    assert "Stop phase 2: the grant funding was withdrawn" in text  # its recommendation


def test_project_page_shows_milestones_actions_measures_status_and_decisions(client):
    project = Project.objects.get(programme__council__slug="harrowdale", name="Home First discharge model")
    client.force_login(User.objects.get(username="helen.marsh"))
    response = client.get(reverse("plans:project", args=[project.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    action = project.actions.order_by("ref").first()
    assert action.ref in text and action.title in text
    milestone = Milestone.objects.filter(action__projects=project).first()
    assert milestone is not None and milestone.title in text
    measure = Indicator.objects.filter(plan_items__actions__projects=project).order_by("ref").first()
    assert measure is not None and f"{measure.ref} {measure.title}" in text
    assert "Gateway 1: strategic outline case" in text and "Decision due" in text
    assert "Continuing" in text  # the latest decision made (gateway 2) was to continue, possibly with changes
    # the plan item page the programme serves links to it
    item = project.programme.plan_item
    item_page = client.get(reverse("plans:item", args=[item.pk])).content.decode()
    assert reverse("plans:programme", args=[project.programme.pk]) in item_page
    assert reverse("plans:project", args=[project.pk]) in item_page


def test_project_status_in_words():
    assert project_status([]) == "Awaiting its first decision"
    assert project_status([(date(2026, 1, 1), "pending")]) == "Awaiting its first decision"
    assert project_status([(date(2026, 1, 1), "continue"), (date(2026, 6, 1), "stop"),
                           (date(2026, 9, 1), "pending")]) == "Stopped"
    assert project_status([(date(2026, 6, 1), "continue_with_changes"),
                           (date(2026, 1, 1), "pause")]) == "Continuing with changes"


def test_a_board_member_records_a_stop_decision_audited_and_shown(client):
    point, member = _due(), _board_member()
    client.force_login(member)
    url = reverse("plans:decision", args=[point.pk])
    form = client.get(url)
    assert form.status_code == 200 and "Record the decision" in form.content.decode()
    response = client.post(url, {"decision": "stop", "reason": "The new discharge model is not affordable.",
                                 "version": point.version})
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:project", args=[point.project_id])
    point.refresh_from_db()
    assert (point.decision, point.decided_by, point.decided_on) == ("stop", member, date(2026, 11, 16))
    assert point.reason == "The new discharge model is not affordable." and point.version == 2
    entry = AuditEntry.objects.get(object_type="plans.DecisionPoint", object_id=str(point.pk))
    assert entry.user == member and entry.action == "update"
    assert entry.changes["decision"] == ["pending", "stop"]
    assert entry.reason == "The new discharge model is not affordable."
    page = client.get(response["Location"]).content.decode()
    assert "Decision recorded: Stop." in page
    assert "The new discharge model is not affordable." in page and member.display_name in page
    assert "Stopped" in page


def test_a_non_member_is_refused_and_an_outsider_sees_nothing(client):
    point = _due()
    data = {"decision": "stop", "reason": "Not mine to decide.", "version": point.version}
    client.force_login(User.objects.get(username="helen.marsh"))  # performance unit: reads, is not on the board
    assert client.get(reverse("plans:decision", args=[point.pk])).status_code == 200
    assert client.post(reverse("plans:decision", args=[point.pk]), data).status_code == 403
    outsider = f.user(f.council("Elsewhere"), role="performance_unit")
    client.force_login(outsider)
    for url in (reverse("plans:decision", args=[point.pk]), reverse("plans:project", args=[point.project_id]),
                reverse("plans:programme", args=[point.project.programme_id])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("plans:decision", args=[point.pk]), data).status_code == 404
    point.refresh_from_db()
    assert point.decision == "pending"
    assert not AuditEntry.objects.filter(object_type="plans.DecisionPoint", object_id=str(point.pk)).exists()


def test_a_stale_version_is_refused_with_a_message(client):
    point, member = _due(), _board_member()
    record_decision(user=member, point=point, decision="continue", reason="First decision.", version=point.version,
                    today=date(2026, 11, 16))
    client.force_login(member)
    response = client.post(reverse("plans:decision", args=[point.pk]),
                           {"decision": "stop", "reason": "Loaded before the first.", "version": 1})
    assert response.status_code == 409
    assert "Someone else recorded a decision here" in response.content.decode()
    point.refresh_from_db()
    assert (point.decision, point.reason) == ("continue", "First decision.")
    with pytest.raises(Conflict):
        record_decision(user=member, point=point, decision="stop", reason="Stale.", version=1,
                        today=date(2026, 11, 16))


def test_a_decision_needs_a_reason_and_one_of_the_choices(client):
    point, member = _due(), _board_member()
    client.force_login(member)
    url = reverse("plans:decision", args=[point.pk])
    response = client.post(url, {"decision": "stop", "reason": "  ", "version": point.version})
    assert response.status_code == 400
    assert "Reason: say why the board decided this." in response.content.decode()
    response = client.post(url, {"decision": "maybe", "reason": "Why not.", "version": point.version})
    assert response.status_code == 400
    assert "Decision: choose stop, continue, or continue with changes." in response.content.decode()
    point.refresh_from_db()
    assert point.decision == "pending"


def test_decisions_due_on_a_board_members_home_page(client):
    point = _due()
    client.force_login(_board_member())
    text = client.get(reverse("home")).content.decode()
    assert "Decisions due from your boards" in text
    assert point.title in text and reverse("plans:decision", args=[point.pk]) in text
    not_yet_due = DecisionPoint.objects.filter(project__programme__council__slug="harrowdale", decision="pending",
                                               due__gt=date(2026, 11, 16)).first()
    assert reverse("plans:decision", args=[not_yet_due.pk]) not in text
    client.force_login(User.objects.get(username="liam.fenwick"))  # not on the board
    assert "Decisions due from your boards" not in client.get(reverse("home")).content.decode()


def test_decisions_due_in_the_boards_pack_and_not_in_others():
    board = Committee.objects.get(kind=CommitteeKind.BOARD, councils__slug="harrowdale")
    definition = ReportDefinition.objects.create(council=board.councils.get(), name="Programme Board report",
                                                 report_type="cabinet", scope="committee", committee=board)
    q2 = Period.objects.get(financial_year_id=2026, frequency="quarterly", number=2)
    snap = packs.assemble(definition, q2, as_of=date(2026, 11, 16))
    assert [d["title"] for d in snap["decisions_due"]] == [_due().title]
    assert snap["decisions_due"][0]["project"] == "Home First discharge model"
    html = web.render_html_body(snap)
    assert "Decisions due" in html and "Home First discharge model" in html
    assert any(e["anchor"] == "pack-decisions-due" for e in web.contents(snap))
    document = Document(io.BytesIO(word.render_docx(snap)))
    assert "Decisions due" in [p.text for p in document.paragraphs]
    assert "Decisions due" in load_workbook(io.BytesIO(excel.render_xlsx(snap))).sheetnames
    # once decided, it is no longer due
    record_decision(user=_board_member(), point=_due(), decision="continue", reason="Go on.", version=1,
                    today=date(2026, 11, 16))
    assert packs.assemble(definition, q2, as_of=date(2026, 11, 16))["decisions_due"] == []
    cabinet = ReportDefinition.objects.filter(council__slug="harrowdale", report_type="cabinet").exclude(
        pk=definition.pk).first()
    assert "decisions_due" not in packs.assemble(cabinet, q2, as_of=date(2026, 11, 16))


#: Each page's queries once warmed up: the session, the user and their roles, then the page's own shape (the
#: project page: its actions, milestones, measures with their series, decision points and the board check).
EXPECTED_QUERIES = {"list": 4, "programme": 6, "project": 13}


def test_programme_and_project_pages_keep_a_fixed_number_of_queries(client, django_assert_num_queries):
    """Each page reads in a fixed shape: adding projects and decision points adds no queries."""
    client.force_login(User.objects.get(username="helen.marsh"))
    programme = _programme()
    project = Project.objects.get(programme=programme, name="Home First discharge model")
    urls = {"list": reverse("plans:programmes"), "programme": reverse("plans:programme", args=[programme.pk]),
            "project": reverse("plans:project", args=[project.pk])}
    for url in urls.values():  # warm up what is cached once per process (the CSP and nav settings, templates)
        client.get(url)
    counts = {}
    for name, url in urls.items():
        with django_assert_num_queries(EXPECTED_QUERIES[name]) as captured:
            assert client.get(url).status_code == 200
        counts[name] = len(captured)
    extra = Project.objects.create(programme=programme, name="Another project")
    for n in range(3):
        DecisionPoint.objects.create(project=extra, title=f"Gateway {n}", due=date(2026, 10, n + 1))
        DecisionPoint.objects.create(project=project, title=f"Extra {n}", due=date(2026, 10, n + 1))
    for name, url in urls.items():
        with django_assert_num_queries(counts[name]):
            assert client.get(url).status_code == 200

