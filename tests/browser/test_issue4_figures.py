"""Issue 4 in a real browser, figure by figure: what the dashboard, the scorecard, an indicator's chart, the golden
thread and the public site show for the demo council equals what the test computes itself from the assessment
functions (``indicators.selectors.load_series`` with ``reporting.selectors.quarter_assessment`` or
``indicators.selectors.latest``, ``plans.assessment.action_status``), scoped by ``pmf.access.restrict``: never
through the views' own helpers. Every page visited has no axe-core WCAG 2.2 A / AA violation, and every coloured
status badge carries its word.

One demo load per test (each costs seconds): the dashboard; the scorecard, chart and golden thread; the public site.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.db.models import Q
from playwright.sync_api import expect

from indicators.choices import Direction, IndicatorKind, Rag, ReturnState
from indicators.formatting import figure
from indicators.models import Indicator, Return
from indicators.selectors import APPROVED_ONLY, figure_at, latest, load_series, target_at
from plans.assessment import action_status
from plans.choices import ActionStatus
from plans.models import Action, Plan, PlanItem
from pmf import clock
from pmf.access import restrict
from pmf.models import Directorate, User
from pmf.periods import period_label, periods_per_year
from reporting.selectors import quarter_assessment
from tests.browser.conftest import axe_violations, describe_violations

pytestmark = pytest.mark.browser

PERFORMANCE_UNIT = "helen.marsh"
DASHBOARD = "/reporting/dashboard/"
YEAR, QUARTER = 2026, 2  # the latest complete quarter on the demo's "today" (16 November 2026)
QUARTER_END = date(2026, 9, 30)
SUBMITTED_AND_APPROVED = frozenset({ReturnState.SUBMITTED, ReturnState.APPROVED})
CHART_REF = "REA04"  # monthly, snapshot, a trajectory, one figure awaiting sign-off

# Every coloured status badge must say in words what its colour says (colour is never the only signal).
BADGE_WORDS = {
    "status-green": ("green", "on target"),
    "status-amber": ("amber", "slipped (less than 3 months)", "slipped <3m"),
    "status-red": ("red", "slipped (more than 3 months)", "slipped >3m"),
    "status-measured": ("measured (not rated)", "not rated"),
    "status-delivered": ("delivered",),
    "status-nlv": ("no longer viable",),
    "status-scheduled": ("scheduled",),
}


# -- what the pages show ----------------------------------------------------------------------------------------

def assert_accessible(page, exclude: list[str] = ()) -> None:
    """No axe-core WCAG 2.2 A / AA violation on the page (outside the ``exclude`` selectors)."""
    violations = axe_violations(page, exclude=list(exclude))
    assert not violations, f"{page.url}:\n{describe_violations(violations)}"


def assert_badges_say_their_status(page) -> int:
    """Every badge coloured by status has the word for that colour in its text; returns how many were checked."""
    badges = page.evaluate("""classes => [...document.querySelectorAll(classes.map(c => '.' + c).join(','))]
        .map(el => ({cls: [...el.classList].filter(c => classes.includes(c)), text: el.innerText.trim()}))""",
                           list(BADGE_WORDS))
    wrong = [b for b in badges if len(b["cls"]) != 1
             or not any(word in b["text"].lower() for word in BADGE_WORDS[b["cls"][0]])]
    assert not wrong, f"{page.url}: status colour without its word: {wrong[:5]}"
    return len(badges)


def _count(page, selector: str) -> int:
    """The number a count cell or link shows (its visually hidden words after it left out)."""
    text = page.locator(selector).inner_text().strip()
    match = re.match(r"\d+", text)
    assert match, f"{selector}: {text!r}"
    return int(match.group())


def _words(text: str) -> str:
    """A cell's text without the symbol before a direction word or after a sorted heading (aria-hidden, but in
    innerText)."""
    return re.sub(r"^[▲▼▶●–] (?=[A-Z])| [▲▼]$", "", " ".join(text.split()))


def _dashboard_rows(page) -> list[tuple[str, str, str]]:
    """(ref, RAG word, direction word) of each measure listed on this page of the dashboard."""
    rows = page.evaluate("""() => [...document.querySelectorAll('#measures-table tbody tr')]
        .filter(tr => tr.querySelector('a'))
        .map(tr => [tr.cells[0].innerText, tr.cells[4].innerText, tr.cells[5].innerText])""")
    return [(ref_title.split()[0], _words(rag), _words(direction)) for ref_title, rag, direction in rows]


def _all_dashboard_rows(visit, label: str) -> list[tuple[str, str, str]]:
    """The measures listed, page after page by the 'Next' link."""
    page = visit.page
    rows = _dashboard_rows(page)
    n = 1
    while (following := page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next page")).count():
        n += 1
        visit.click(following, f"{label}-page-{n}")
        assert_badges_say_their_status(page)
        rows += _dashboard_rows(page)
    return rows


# -- what the assessment functions say ----------------------------------------------------------------------------

def _under(path: str):
    """The lookup for indicators or actions linked to a plan item at or beneath ``path``."""
    return {"plan_items__path__startswith": path}


SELF_ASSESSED = " (self-assessed)"


def rag_words(assessed) -> str:
    """The status in words as pages show it: a narrative measure's status its officer chose is marked so."""
    return Rag(assessed.rag).label + (SELF_ASSESSED if assessed.self_assessed else "")


def expected_dashboard(user, *, kpi_only: bool, priority: PlanItem | None = None,
                       directorate: Directorate | None = None) -> dict:
    indicators = restrict(Indicator.objects.all(), user).filter(current_spec__isnull=False)
    actions = restrict(Action.objects.all(), user)
    if kpi_only:
        indicators = indicators.filter(kind=IndicatorKind.KPI)
        actions = actions.filter(is_key=True)
    if directorate is not None:
        indicators = indicators.filter(service__directorate=directorate)
        actions = actions.filter(service__directorate=directorate)
    if priority is not None:
        indicators = indicators.filter(pk__in=Indicator.objects.filter(**_under(priority.path)).values("pk"))
        actions = actions.filter(pk__in=Action.objects.filter(**_under(priority.path)).values("pk"))
    measures = {}
    for series in load_series(indicators, states=SUBMITTED_AND_APPROVED):
        assessed = quarter_assessment(series, year_start=YEAR, quarter=QUARTER)
        measures[series.indicator.ref] = (rag_words(assessed), Direction(assessed.direction).label)
    year_start = date(YEAR, 4, 1)
    statuses = Counter(
        action_status(as_of=QUARTER_END, start=a.start, approved_end=a.approved_end, forecast_end=a.forecast_end,
                      completed_on=a.completed_on, no_longer_viable=a.no_longer_viable).value
        for a in actions if a.completed_on is None or a.completed_on >= year_start)
    return {"measures": measures, "actions": statuses}


def assert_dashboard_shows(visit, expected: dict, label: str) -> list[str]:
    """The counts by RAG, by direction and of actions by status are those expected, the list holds every measure
    counted (page after page) with the same RAG and direction, and every badge says its word. Leaves the visit on
    the list's last page; returns the refs listed on the first."""
    page = visit.page
    measures = expected["measures"]
    rags = Counter(rag.removesuffix(SELF_ASSESSED) for rag, _ in measures.values())
    directions = Counter(d for _, d in measures.values())
    shown_rags = {r.label: _count(page, f"#rag-count-{r.value}") for r in Rag}
    shown_directions = {d.label: _count(page, f"#direction-count-{d.value}") for d in Direction}
    shown_actions = {s.value: _count(page, f"#action-count-{s.value}") for s in ActionStatus}
    assert shown_rags == {r.label: rags.get(r.label, 0) for r in Rag}, label
    assert shown_directions == {d.label: directions.get(d.label, 0) for d in Direction}, label
    assert shown_actions == {s.value: expected["actions"].get(s.value, 0) for s in ActionStatus}, label
    assert _count(page, "#rag-count-total") == len(measures) > 0, label
    expect(page.locator("#measures-summary")).to_contain_text(f"{len(measures)} of {len(measures)} listed")
    # each count sits beside its word
    for rag in Rag:
        expect(page.locator("#rag-heading + table tr").filter(has=page.locator(f"#rag-count-{rag.value}"))
               ).to_contain_text(rag.label)
    assert assert_badges_say_their_status(page) >= len(Rag) + len(ActionStatus)
    assert_accessible(page)
    first_page = [ref for ref, _, _ in _dashboard_rows(page)]
    rows = _all_dashboard_rows(visit, label)
    assert len(rows) == len(measures), f"{label}: {len(rows)} rows listed, {len(measures)} counted"
    assert {ref: (rag, d) for ref, rag, d in rows} == measures, label
    return first_page


# -- keyboard ---------------------------------------------------------------------------------------------------

def _active(page) -> dict:
    return page.evaluate("""() => { const el = document.activeElement;
        return {tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || '').trim().slice(0, 60)}; }""")


def tab_to(page, predicate, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if predicate(_active(page)):
            return
    raise AssertionError(f"not reached by Tab in {limit} presses")


def choose_by_keyboard(page, select_id: str, value: str) -> None:
    """Tab to a select and move to the option with the arrow keys."""
    tab_to(page, lambda a: a["id"] == select_id)
    steps = page.evaluate("([id, value]) => { const s = document.getElementById(id);"
                          " return [...s.options].findIndex(o => o.value === value) - s.selectedIndex; }",
                          [select_id, value])
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    expect(page.locator(f"#{select_id}")).to_have_value(value)


# -- the tests --------------------------------------------------------------------------------------------------

def test_dashboard_counts_equal_the_assessments_and_a_keyboard_filter_changes_the_list(browse, demo):
    user = User.objects.get(username=PERFORMANCE_UNIT)
    visit = browse(PERFORMANCE_UNIT)
    page = visit.page

    # the default view: KPIs at the latest complete quarter, over two pages of the list
    visit.goto(DASHBOARD, "dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quarterly performance dashboard: Q2 2026/27")
    default = expected_dashboard(user, kpi_only=True)
    assert len(default["measures"]) > 50  # more than a page: the list is counted across its pages
    before = assert_dashboard_shows(visit, default, "dashboard")

    # a filter chosen by keyboard alone (from the list's last page, where the form is the same), submitted with
    # Enter on "Show": every measure under P5
    priority = PlanItem.objects.get(plan__council=demo, plan__level__rank=1, parent__isnull=True, ref="P5")
    choose_by_keyboard(page, "f-measures", "all")
    choose_by_keyboard(page, "f-priority", str(priority.pk))
    tab_to(page, lambda a: a["tag"] == "button" and a["text"] == "Show")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    visit.shot("dashboard-p5-all")
    query = parse_qs(urlparse(page.url).query)
    assert query["priority"] == [str(priority.pk)] and query["measures"] == ["all"], page.url
    expect(page.locator("#selection")).to_contain_text(f"under {priority.ref} {priority.title}")
    under_p5 = set(Indicator.objects.filter(council=demo, **_under(priority.path)).values_list("ref", flat=True))
    filtered = expected_dashboard(user, kpi_only=False, priority=priority)
    listed = assert_dashboard_shows(visit, filtered, "dashboard-p5-all")
    assert listed != before
    assert set(listed) <= under_p5, f"listed but not under {priority.ref}: {set(listed) - under_p5}"
    assert any(Indicator.objects.get(council=demo, ref=ref).kind != IndicatorKind.KPI for ref in listed)

    # a directorate's KPIs, from the URL
    directorate = Directorate.objects.get(councils=demo, name="Resources")
    visit.goto(f"{DASHBOARD}?directorate={directorate.pk}&measures=kpi", "dashboard-resources")
    expect(page.get_by_label("Directorate")).to_have_value(str(directorate.pk))
    resources = expected_dashboard(user, kpi_only=True, directorate=directorate)
    listed = assert_dashboard_shows(visit, resources, "dashboard-resources")
    in_resources = set(Indicator.objects.filter(council=demo, service__directorate=directorate, kind="kpi")
                       .values_list("ref", flat=True))
    assert set(listed) <= in_resources


def _scorecard_table(page) -> list[list[str]]:
    return page.evaluate("""() => [...document.querySelectorAll('#scorecard tbody tr')]
        .map(tr => [...tr.cells].map(c => c.innerText))""")


TEXT_COLUMNS = {1, 8, 9, 10}  # data source, reporting period, accountable officer, comments: '–' when blank


def _normalise(cells: list[str]) -> list[str]:
    """A scorecard row as words: no arrows, no 'awaiting sign-off' note, a blank text cell's '–' as blank."""
    out = []
    for i, cell in enumerate(cells):
        text = _words(cell.replace("awaiting sign-off", ""))
        out.append("" if text == "–" and i in TEXT_COLUMNS else text)
    return out


def _unguard(text: str) -> str:
    """The CSV's formula guard taken off (a leading apostrophe before = + - @)."""
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") else text


def test_scorecard_chart_and_golden_thread_show_the_assessed_figures(browse, demo):
    user = User.objects.get(username=PERFORMANCE_UNIT)
    visit = browse(PERFORMANCE_UNIT)
    page = visit.page

    # -- the scorecard of the Council Plan: its measures, each with the RAG word of its approved figure ----------
    plan = Plan.objects.get(council=demo, level__rank=1)
    visit.goto(f"/reporting/scorecard/{plan.pk}/", "scorecard")
    beneath = Q(pk__in=[])
    for path in plan.items.values_list("path", flat=True):  # the plan's items, and every plan's items beneath
        beneath |= Q(**_under(path))
    linked = Indicator.objects.filter(beneath).values("pk")
    measures = restrict(Indicator.objects.filter(pk__in=linked), user).filter(current_spec__isnull=False)
    expected = {}
    for series in load_series(measures, states=APPROVED_ONLY):
        assessed = quarter_assessment(series, year_start=YEAR, quarter=QUARTER)
        expected[series.indicator.ref] = (rag_words(assessed), figure(assessed.value, series.spec_for(YEAR)))
    table = [_normalise(row) for row in _scorecard_table(page)]
    shown = {row[0].split()[0]: (row[6], row[5]) for row in table}  # RAG, year-to-date performance
    assert len(table) == len(shown) == len(expected) > 100
    assert shown == expected
    expect(page.locator("p.lead")).to_contain_text(f"Q2 2026/27: {len(expected)} measures")
    assert {rag for rag, _ in expected.values()} >= {"Red", "Amber", "Green"}
    assert_badges_say_their_status(page)
    assert_accessible(page)

    # the CSV download holds the same rows, cell for cell, in the same order
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    body = download.value.path().read_bytes().decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(body)))
    headings = page.evaluate("() => [...document.querySelectorAll('#scorecard thead th')].map(th => th.innerText)")
    assert header == _normalise(headings)
    assert [_normalise([_unguard(c) for c in row]) for row in rows] == table

    # -- an indicator's chart: its data table and the plotted lines carry the series' figures and targets --------
    indicator = Indicator.objects.get(council=demo, ref=CHART_REF)
    (series,) = load_series(restrict(Indicator.objects.filter(pk=indicator.pk), user))
    spec = series.spec_for(YEAR)
    assert spec.frequency == "monthly" and spec.measure_type == "snapshot"
    assert Return.objects.filter(indicator=indicator, period__financial_year_id=YEAR, state="submitted").exists()
    last = max(n for y, n in series.returns if y == YEAR)
    periods = range(1, periods_per_year(spec.frequency) + 1)
    actual = {n: figure_at(series, (YEAR, n)) if n <= last else None for n in periods}
    target = {n: target_at(series.targets[YEAR], n) for n in periods}
    assert None not in target.values() and len(set(target.values())) > 1  # a trajectory, not one annual figure
    visit.goto(f"/indicators/{indicator.pk}/", "indicator")
    expect(page.locator("#charts .js-plotly-plot .scatterlayer .trace").first).to_be_attached()
    chart_table = page.evaluate("""() => [...document.querySelectorAll('#charts table tbody tr')]
        .map(tr => [...tr.cells].map(c => c.innerText.trim()))""")
    assert [row[:3] for row in chart_table[:-1]] == [
        [period_label(frequency=spec.frequency, year_start=YEAR, period_number=n),
         figure(actual[n], spec), figure(target[n], spec)] for n in periods]
    assert chart_table[-1][0] == "Year-end forecast"
    plotted = page.evaluate("""() => Object.fromEntries(document.querySelector('#charts .js-plotly-plot').data
        .map(t => [t.name, t.y]))""")
    assert plotted["Actual"] == [None if actual[n] is None else float(actual[n]) for n in periods]
    assert plotted["Target (trajectory)"] == [float(target[n]) for n in periods]
    # the RAG markers of the chart are named by their word, and the table gives each period's word
    assert all(name.endswith("(RAG)") and name.split()[0] in {"Red", "Amber", "Green"}
               for name in plotted if "(RAG)" in name)
    assert_badges_say_their_status(page)
    assert_accessible(page)

    # -- the golden thread: each Council Plan priority's roll-up of measures (latest RAG) and actions (status) ---
    visit.goto("/plans/thread/", "thread")
    shown = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.thread-tree li')].map(li => {
        const parts = {measures: [], actions: []}; let part = 'measures';
        for (const node of li.querySelector('.rollup').childNodes) {
            if (node.nodeType === Node.TEXT_NODE && node.textContent.includes('Actions:')) part = 'actions';
            else if (node.nodeType === Node.ELEMENT_NODE) parts[part].push(node.innerText.trim());
        }
        return [li.querySelector('a').innerText.trim(), parts];
    }))""")
    today = clock.today()
    measure_words = {Rag.RED: "red", Rag.AMBER: "amber", Rag.GREEN: "green", Rag.MEASURED: "not rated"}
    action_words = {ActionStatus.SLIPPED_GT3: "slipped >3m", ActionStatus.SLIPPED_LT3: "slipped <3m",
                    ActionStatus.ON_TARGET: "on target", ActionStatus.SCHEDULED: "scheduled",
                    ActionStatus.DELIVERED: "delivered", ActionStatus.NO_LONGER_VIABLE: "no longer viable"}
    visible_items = restrict(PlanItem.objects.all(), user)
    priorities = PlanItem.objects.filter(plan=plan, parent__isnull=True).order_by("position")
    assert priorities.count() == 10
    for item in priorities:
        beneath = visible_items.filter(path__startswith=item.path)
        rags = Counter()
        for s in load_series(restrict(Indicator.objects.filter(plan_items__in=beneath).distinct(), user)):
            assessed = latest(s)
            rags[measure_words[assessed.rag if assessed is not None else Rag.MEASURED]] += 1
        statuses = Counter(
            action_words[action_status(as_of=today, start=a.start, approved_end=a.approved_end,
                                       forecast_end=a.forecast_end, completed_on=a.completed_on,
                                       no_longer_viable=a.no_longer_viable)]
            for a in restrict(Action.objects.filter(plan_items__in=beneath).distinct(), user))
        expected_parts = {
            "measures": [f"{rags[w]} {w}" for w in measure_words.values() if rags[w]],
            "actions": [f"{statuses[w]} {w}" for w in action_words.values() if statuses[w]],
        }
        assert shown[f"{item.ref} {item.title}"] == expected_parts, item.ref
        assert sum(rags.values()) and sum(statuses.values())
    assert_badges_say_their_status(page)
    assert_accessible(page)


def test_public_site_shows_approved_figures_only(browse, demo):
    published = Indicator.objects.filter(council=demo, is_restricted=False)
    approved = Return.objects.filter(indicator__in=published, state=ReturnState.APPROVED)

    # a figure awaiting sign-off on a published snapshot measure, whose figure (as the page would write it)
    # matches none of that measure's approved figures or targets, so it cannot appear by coincidence
    def known_figures(indicator) -> set[str]:
        spec = indicator.current_spec
        values = set(approved.filter(indicator=indicator).values_list("value", flat=True))
        for t in indicator.targets.all():
            values |= {t.annual_target, t.band_low, t.band_high, *t.trajectory.values_list("value", flat=True)}
        return {figure(v, spec) for v in values if v is not None}

    pending = None
    for ret in (Return.objects.filter(indicator__in=published, state=ReturnState.SUBMITTED, value__isnull=False,
                                      indicator__current_spec__measure_type="snapshot")
                .select_related("indicator__current_spec", "period").order_by("indicator__ref", "period__start")):
        if figure(ret.value, ret.indicator.current_spec) not in known_figures(ret.indicator):
            pending = ret
            break
    assert pending is not None
    indicator, spec = pending.indicator, pending.indicator.current_spec
    pending_figure = figure(pending.value, spec)
    shown_approved = approved.filter(indicator=indicator, value__isnull=False).select_related("period").order_by(
        "-period__start").first()
    approved_figure = figure(shown_approved.value, spec)
    secret = Indicator.objects.filter(council=demo, is_restricted=True, returns__state=ReturnState.APPROVED
                                      ).distinct().order_by("ref").first()
    assert secret is not None
    names = [secret.ref, secret.title]  # the restricted measure, nowhere
    pending_words = [pending_figure] + ([pending.commentary] if len(pending.commentary) > 20 else [])

    # signed in, the performance unit sees that figure, written just so, marked as awaiting sign-off
    officer = browse(PERFORMANCE_UNIT)
    officer.goto(f"/indicators/{indicator.pk}/", "indicator-with-pending-figure")
    pending_internal = officer.page.locator("tbody tr").filter(
        has=officer.page.get_by_role("rowheader", name=pending.period.label, exact=True)).filter(has_text="Submitted")
    expect(pending_internal.first).to_contain_text(pending_figure)

    visitor = browse(None)
    page = visitor.page
    base = f"/public/{demo.slug}/"

    def assert_nothing_unapproved(where: str, *, measure_parts=None, charts: bool = True) -> None:
        """No restricted name on the page; no pending figure or commentary in what the page says of the measure
        (``measure_parts``; other measures' figures may coincide with it)."""
        text = page.locator("body").inner_text()
        assert not [n for n in names if n in text], f"{where} names the restricted measure {secret.ref}"
        for part in measure_parts or []:
            for i in range(part.count()):
                shown = part.nth(i).inner_text()
                leaked = [w for w in pending_words if w in shown]
                assert not leaked, f"{where} shows {indicator.ref}'s figure awaiting sign-off: {leaked}"
        assert_badges_say_their_status(page)
        assert_accessible(page, exclude=[] if charts else [".public-chart"])

    visitor.goto(base, "public-home")
    assert_nothing_unapproved("the public home")
    priorities = PlanItem.objects.filter(plan__council=demo, plan__level__rank=1, parent__isnull=True)
    serving = [p for p in priorities.order_by("position")
               if indicator.plan_items.filter(path__startswith=p.path).exists()
               or secret.plan_items.filter(path__startswith=p.path).exists()]
    assert any(indicator.plan_items.filter(path__startswith=p.path).exists() for p in serving)
    for item in serving:
        visitor.goto(f"{base}priorities/{item.pk}/", f"public-{item.ref}")
        row = page.locator("tbody tr").filter(has=page.get_by_role("link", name=f"{indicator.ref} {indicator.title}"))
        trend = page.locator(f"section[aria-labelledby='trend-{indicator.ref}']")
        # axe leaves out the plotly drawings here (seconds each; test_public_pages checks a priority's drawn charts)
        assert_nothing_unapproved(f"priority {item.ref}", measure_parts=[row, trend], charts=False)
        if row.count():
            expect(row).to_contain_text(approved_figure)  # its latest approved figure is the one listed
            plotted = {c["id"]: c for c in json.loads(page.locator("#public-charts").text_content())}
            assert pending.period.label not in plotted[f"chart-{indicator.ref}"]["labels"]

    # the measure's own page: its latest approved figure is there, in its period's row; the pending one is not
    visitor.goto(f"{base}measures/{indicator.ref}/", "public-measure")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{indicator.ref} {indicator.title}")
    approved_row = page.locator("tbody tr").filter(
        has=page.get_by_role("rowheader", name=shown_approved.period.label, exact=True))
    expect(approved_row.first).to_contain_text(approved_figure)
    pending_row = page.locator("tbody tr").filter(
        has=page.get_by_role("rowheader", name=pending.period.label, exact=True))
    if pending_row.count():
        expect(pending_row).to_contain_text("No approved figure")
    assert_nothing_unapproved(f"{indicator.ref}'s page", measure_parts=[page.locator("main")])
    assert visitor.goto(f"{base}measures/{secret.ref}/", "public-restricted").status == 404

    # the open data: exactly the approved figures of the published measures, in the CSV and in the JSON
    visitor.goto(f"{base}open-data/", "public-open-data")
    assert_nothing_unapproved("the open data page")
    with page.expect_download() as download:
        page.get_by_role("link", name="Performance measures, approved figures (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8-sig"))))
    expected = {(r.indicator.ref, r.period.start.isoformat()) for r in approved.select_related("indicator", "period")}
    assert {(r["ref"], r["period_start"]) for r in rows} == expected
    assert len(rows) == len(expected)
    by_key = {(r["ref"], r["period_start"]): r for r in rows}
    assert (indicator.ref, pending.period.start.isoformat()) not in by_key
    approved_value = by_key[(indicator.ref, shown_approved.period.start.isoformat())]["value"]
    assert figure(Decimal(approved_value), spec) == approved_figure
    assert secret.ref not in {r["ref"] for r in rows}
    document = json.loads(page.request.get(f"{base}open-data.json").text())
    assert {(r["ref"], r["period_start"]) for r in document["data"]} == expected
    assert secret.title not in json.dumps(document, ensure_ascii=False)
