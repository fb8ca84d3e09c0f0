"""Issue 13, E4: the corporate risk register. The flag rule (pure), the register and its filters, a risk's page, the
risk owner's page, the Cabinet pack's "Risks flagged" section in every format, the scope (another council's risk is
not found) and the query count, which stays flat whatever the number of risks."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from hypothesis import given
from hypothesis import strategies as st

from indicators.assessment import Direction, Rag
from indicators.models import CorporateRisk
from indicators.risk_rules import Flag, ScoreBand, band_range, measure_warning, risk_score, score_band
from plans.models import Action
from pmf.models import Council, Period
from reporting import packs, risk_register
from reporting.models import ReportDefinition
from reporting.rendering import excel, web, word
from tests import factories as f

# -- the pure rule -----------------------------------------------------------------------------------------------

R, A, G, M = Rag.RED, Rag.AMBER, Rag.GREEN, Rag.MEASURED
UP, SAME, DOWN, NM = Direction.IMPROVING, Direction.MAINTAINED, Direction.DECLINING, Direction.NOT_MEASURED


@pytest.mark.parametrize(("rag", "direction", "previous", "expected"), [
    (R, UP, UP, Flag.RED),  # red flags it, whatever the direction
    (R, NM, None, Flag.RED),
    ("red", "declining", "declining", Flag.RED),  # red is named first when both apply
    (G, DOWN, DOWN, Flag.DECLINING),  # two declines running, even when green
    (A, DOWN, DOWN, Flag.DECLINING),
    (M, DOWN, DOWN, Flag.DECLINING),  # measured, not rated, but worse twice
    (G, DOWN, UP, None),  # one decline alone
    (A, DOWN, SAME, None),
    (G, UP, DOWN, None),  # declined before, better now
    (G, DOWN, NM, None),  # the period before could not be compared
    (G, DOWN, None, None),
    (None, None, None, None),  # not measured at all
    (M, NM, NM, None),
    (A, SAME, SAME, None),
])
def test_when_a_linked_measure_flags_its_risk(rag, direction, previous, expected):
    assert measure_warning(rag=rag, direction=direction, previous_direction=previous) == expected


@given(st.sampled_from(list(Rag)), st.sampled_from(list(Direction)), st.sampled_from(list(Direction)))
def test_the_flag_is_red_or_two_declines_and_nothing_else(rag, direction, previous):
    flag = measure_warning(rag=rag, direction=direction, previous_direction=previous)
    assert (flag is not None) == (rag is Rag.RED or direction is previous is Direction.DECLINING)


@pytest.mark.parametrize(("likelihood", "impact", "score", "band"), [
    (1, 1, 1, ScoreBand.LOW), (2, 2, 4, ScoreBand.LOW), (1, 5, 5, ScoreBand.MEDIUM), (3, 3, 9, ScoreBand.MEDIUM),
    (2, 5, 10, ScoreBand.HIGH), (3, 5, 15, ScoreBand.HIGH), (4, 4, 16, ScoreBand.VERY_HIGH),
    (5, 5, 25, ScoreBand.VERY_HIGH), (None, 5, None, None), (3, None, None, None),
])
def test_score_and_band(likelihood, impact, score, band):
    assert risk_score(likelihood=likelihood, impact=impact) == score
    assert score_band(score=score) == band


def test_every_score_falls_in_exactly_one_band():
    for s in range(1, 26):
        assert sum(low <= s <= high for low, high in (band_range(b) for b in ScoreBand)) == 1
    for bad in (0, 26, True, 2.5):
        with pytest.raises(ValueError):
            score_band(score=bad)
    with pytest.raises(ValueError):
        risk_score(likelihood=6, impact=1)
    with pytest.raises(TypeError):
        risk_score(likelihood="3", impact=1)


# -- data: a council with measures that flag, and ones that do not -----------------------------------------------

def _measure(c, svc, values: dict[int, int], target=30):
    """A quarterly 'higher is better' measure with approved figures for 2026/27's quarters."""
    ind = f.indicator(c, frequency="quarterly", service=svc)
    f.target(ind, 2026, target)
    for quarter, value in values.items():
        f.ret(ind, 2026, quarter, value)
    return ind


@pytest.fixture
def world(db):
    c = f.council()
    svc = f.service(c)
    owner = f.user(c, "director", directorate=svc.directorate)
    other_owner = f.user(c, "performance_unit")
    red = _measure(c, svc, {1: 10})  # Red at Q1
    twice = _measure(c, svc, {1: 50, 2: 45, 3: 40})  # green, but worse at Q2 and again at Q3
    once = _measure(c, svc, {1: 50, 2: 55, 3: 50})  # worse at Q3 only
    unmeasured = _measure(c, svc, {})
    hidden = _measure(c, f.service(c), {1: 5})  # Red, in a directorate the owner cannot see
    risks = {
        "red": CorporateRisk.objects.create(council=c, ref="R1", title="Budget gap", owner=owner,
                                            directorate=svc.directorate, likelihood=4, impact=5,
                                            target_likelihood=2, target_impact=4),
        "twice": CorporateRisk.objects.create(council=c, ref="R2", title="Waste contract failure", owner=owner,
                                              likelihood=3, impact=3, target_likelihood=2, target_impact=2),
        "calm": CorporateRisk.objects.create(council=c, ref="R3", title="Cyber attack", owner=other_owner,
                                             directorate=svc.directorate, likelihood=2, impact=2),
        "hidden": CorporateRisk.objects.create(council=c, ref="R4", title="Safeguarding", owner=owner,
                                               likelihood=2, impact=5),
    }
    risks["red"].indicators.add(red, once)
    risks["twice"].indicators.add(twice)
    risks["calm"].indicators.add(once, unmeasured)
    risks["hidden"].indicators.add(hidden)
    act = Action.objects.create(council=c, ref="A1", title="Renegotiate the waste contract", owner=owner,
                                service=svc, approved_end=date(2027, 3, 31))
    risks["twice"].actions.add(act)
    return {"council": c, "owner": owner, "perf": other_owner, "risks": risks, "measures": {
        "red": red, "twice": twice, "once": once, "unmeasured": unmeasured, "hidden": hidden}, "action": act}


def _views(world, user):
    return {v.risk.ref: v for v in risk_register.risk_views(
        CorporateRisk.objects.filter(council=world["council"]), user)}


def test_flags_from_the_stored_figures(world):
    views = _views(world, world["perf"])
    assert views["R1"].flagged and [m.flag for m in views["R1"].flags] == [Flag.RED]
    assert views["R2"].flagged and [m.flag for m in views["R2"].flags] == [Flag.DECLINING]
    assert not views["R3"].flagged  # one decline, and a measure not measured
    unmeasured = next(m for m in views["R3"].measures if m.indicator == world["measures"]["unmeasured"])
    assert unmeasured.latest is None and unmeasured.flag is None
    assert views["R4"].flagged and views["R4"].hidden_flags == 0  # the performance unit sees everything
    twice = views["R2"].measures[0]
    assert (twice.rag, twice.direction, twice.previous_direction) == (Rag.GREEN, Direction.DECLINING,
                                                                      Direction.DECLINING)
    assert views["R1"].band == ScoreBand.VERY_HIGH and views["R1"].target_band == ScoreBand.MEDIUM


def test_a_flag_from_a_measure_the_reader_may_not_open_is_counted_not_shown(world):
    views = _views(world, world["owner"])
    assert views["R4"].flagged and views["R4"].hidden_flags == 1 and views["R4"].measures == []
    assert "1 measure(s) you may not open" in views["R4"].flag_summary


def test_a_target_score_above_the_current_score_is_refused_with_the_field_named(world):
    risk = world["risks"]["calm"]
    risk.target_likelihood, risk.target_impact = 5, 5
    with pytest.raises(ValidationError) as refused:
        risk.full_clean()
    assert "target_impact" in refused.value.message_dict


# -- the pages ---------------------------------------------------------------------------------------------------

def _refs(response) -> list[str]:
    return [v.risk.ref for v in response.context["page_obj"]]


def test_the_register_lists_the_risks_highest_score_first_with_their_flags(client, world):
    client.force_login(world["perf"])
    response = client.get(reverse("reporting:risks"))
    assert response.status_code == 200
    assert _refs(response) == ["R1", "R4", "R2", "R3"]  # 20, 10, 9, 4
    text = response.content.decode()
    assert text.count("Flagged</span>") == 3 and "Not flagged" in text  # the word, not only the colour
    assert "declined two periods running" in text


@pytest.mark.parametrize(("query", "expected"), [
    ("flagged=yes", ["R1", "R4", "R2"]),
    ("flagged=no", ["R3"]),
    ("band=very_high", ["R1"]),
    ("band=medium", ["R2"]),
    ("band=low", ["R3"]),
    ("q=waste", ["R2"]),
    ("q=r4", ["R4"]),
    ("band=high&flagged=yes", ["R4"]),
    ("band=nonsense&flagged=maybe&owner=abc&directorate=x&page=99", ["R1", "R4", "R2", "R3"]),
])
def test_register_filters(client, world, query, expected):
    client.force_login(world["perf"])
    response = client.get(reverse("reporting:risks") + "?" + query)
    assert response.status_code == 200
    assert _refs(response) == expected


def test_register_filters_by_owner_and_directorate(client, world):
    client.force_login(world["perf"])
    url = reverse("reporting:risks")
    assert _refs(client.get(url, {"owner": world["perf"].pk})) == ["R3"]
    assert _refs(client.get(url, {"directorate": world["risks"]["red"].directorate_id})) == ["R1", "R3"]


def test_the_register_pages(client, world):
    c = world["council"]
    CorporateRisk.objects.bulk_create([CorporateRisk(council=c, ref=f"Z{n:02d}", title=f"Risk {n}")
                                       for n in range(30)])
    client.force_login(world["perf"])
    first = client.get(reverse("reporting:risks"))
    second = client.get(reverse("reporting:risks"), {"page": 2})
    assert len(first.context["page_obj"]) == 25 and len(second.context["page_obj"]) == 9
    assert "Page 1 of 2" in first.content.decode()


def test_a_risk_page_shows_scores_measures_actions_and_the_flag(client, world):
    client.force_login(world["owner"])
    response = client.get(reverse("reporting:risk", args=[world["risks"]["twice"].pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "This risk is flagged." in text
    assert "likelihood 3 × impact 3" in text and "likelihood 2 × impact 2" in text
    assert world["measures"]["twice"].ref in text and "Yes: declined two periods running" in text
    assert "A1 Renegotiate the waste contract" in text


def test_my_risks_shows_the_measures_on_the_owners_risks_flagged_first(client, world):
    client.force_login(world["owner"])
    response = client.get(reverse("reporting:my_risks"))
    assert response.status_code == 200
    views = response.context["views"]
    assert [v.risk.ref for v in views] == ["R1", "R4", "R2"]  # all flagged; the other owner's R3 is not here
    text = response.content.decode()
    assert "3 risks, 3 flagged." in text
    for key in ("red", "once", "twice"):
        assert world["measures"][key].ref in text
    assert world["measures"]["hidden"].ref not in text  # outside what the owner may open: counted, not shown
    assert "1 linked measure you may not open flags this risk." in text
    assert ">Red</span>" in text and "Declining" in text  # the latest RAG and direction, as words


def test_another_councils_risk_is_not_found_and_not_listed(client, world):
    stranger = f.user(f.council(), "performance_unit")
    client.force_login(stranger)
    assert client.get(reverse("reporting:risk", args=[world["risks"]["red"].pk])).status_code == 404
    assert _refs(client.get(reverse("reporting:risks"))) == []
    assert client.get(reverse("reporting:my_risks")).context["views"] == []


def test_the_query_count_stays_flat_as_risks_grow(world, django_assert_num_queries):
    c, svc = world["council"], world["measures"]["red"].service
    user = world["owner"]
    risk_register.risk_views(CorporateRisk.objects.filter(council=c), user)  # the reader's roles, once a request
    with CaptureQueriesContext(connection) as few:
        risk_register.risk_views(CorporateRisk.objects.filter(council=c), user)
    for n in range(10):
        risk = CorporateRisk.objects.create(council=c, ref=f"M{n}", title=f"More {n}", owner=user,
                                            likelihood=3, impact=3)
        risk.indicators.add(_measure(c, svc, {1: 50, 2: 40 + n}))
    with django_assert_num_queries(len(few.captured_queries)):
        views = risk_register.risk_views(CorporateRisk.objects.filter(council=c), user)
    assert len(views) == 14
    # the risks, their measures, their actions; the measures' series (specifications, targets, returns); what the
    # reader may open of the measures and of the actions
    assert len(few.captured_queries) == 10


# -- the Cabinet pack ----------------------------------------------------------------------------------------------

def _pack(world, quarter=3):
    definition, _ = ReportDefinition.objects.get_or_create(
        council=world["council"], name="Cabinet",
        defaults={"report_type": "cabinet", "kpis_only": False, "sections": ["overview", "risks", "missing"]})
    period = Period.objects.get(financial_year_id=2026, frequency="quarterly", number=quarter)
    return packs.assemble(definition, period, as_of=date(2026, 11, 16))


def test_the_pack_lists_the_risks_flagged_at_its_period(world):
    snap = _pack(world)
    rows = {r["ref"]: r for r in snap["risks_flagged"]}
    assert list(rows) == ["R2"]  # Q3: the Red measures (R1's, R4's) had no Q3 figure: not Red in this pack
    assert rows["R2"]["measures"][0]["reason"] == "Declined two periods running"
    assert rows["R2"]["score_label"] == "9 (Medium (5 to 9))" and rows["R2"]["target_label"].startswith("4 ")
    q1 = {r["ref"] for r in _pack(world, quarter=1)["risks_flagged"]}
    assert q1 == {"R1", "R4"}  # Red at Q1


def test_the_pack_section_in_every_format(world):
    snap = _pack(world)
    assert {"anchor": "pack-risks", "title": "Risks flagged", "level": 1} in web.contents(snap)
    html = str(web.render_html_body(snap))
    assert 'id="pack-risks"' in html and "Waste contract failure" in html and "Declined two periods running" in html
    document = Document(io.BytesIO(word.render_docx(snap)))
    texts = [p.text for p in document.paragraphs]
    assert "Risks flagged" in texts and "R2 Waste contract failure" in texts
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "Declined two periods running" in cells
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(excel.render_xlsx(snap)))
    assert "Risks flagged" in wb.sheetnames
    from reporting.rendering import pdf

    assert "Risks flagged" in pdf.render_pdf_html(snap)


def test_a_pack_not_asking_for_risks_has_none_and_an_old_snapshot_still_renders(world):
    snap = _pack(world)
    del snap["risks_flagged"]
    assert not web.parts_shown(snap)["risks_flagged"]
    assert "pack-risks" not in str(web.render_html_body(snap))
    word.render_docx(snap)


@pytest.mark.django_db
def test_the_demo_cabinet_pack_has_the_section():
    council = Council.objects.get(slug="harrowdale")
    cabinet = ReportDefinition.objects.get(council=council, report_type="cabinet")
    assert "risks" in cabinet.sections
    snap = packs.assemble(cabinet, Period.objects.get(financial_year_id=2026, frequency="quarterly", number=2),
                          as_of=date(2026, 11, 16))
    assert isinstance(snap["risks_flagged"], list)
    for row in snap["risks_flagged"]:
        assert row["measures"] and all(m["reason"] in (Flag.RED.label, Flag.DECLINING.label)
                                       for m in row["measures"])
