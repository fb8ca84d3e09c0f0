"""Issue 4 by keyboard alone, in a real browser: on the dashboard, the scorecard, an indicator's page, the golden
thread and the public home, Tab from the top reaches first a skip link (Enter on it moves focus to the main
content), then every control on the page, each showing a visible focus indicator (its computed outline, box shadow
or border differs from its unfocused look); the dashboard's filters, the scorecard's sorting and the chart's year
are worked with Tab, the arrow keys and Enter; and every coloured status badge carries its word.

The pages are the ones ``test_issue4_figures`` checks with axe-core (after sorting and filtering too, in
``test_scorecard_pages`` and ``test_dashboard_pages``); not run again here, to keep the suite quick.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from indicators.models import Indicator
from plans.models import Plan
from tests.browser.test_issue4_figures import CHART_REF, assert_badges_say_their_status, choose_by_keyboard, tab_to

pytestmark = pytest.mark.browser

PERFORMANCE_UNIT = "helen.marsh"

# Every control a keyboard user should reach (a link or form control whatever its tabindex, or anything given a
# tabindex of 0 or more), each given an index; its unfocused look is kept to compare with.
MARK_CONTROLS = """() => {
    const props = ['outline-style', 'outline-width', 'outline-color', 'box-shadow', 'border-top-color',
                   'border-bottom-color'];
    const look = el => { const s = getComputedStyle(el); return props.map(p => s.getPropertyValue(p)); };
    document.activeElement.blur();
    const controls = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea,'
        + ' summary, [tabindex]:not([tabindex^="-"])')]
        .filter(el => !el.disabled && el.checkVisibility({visibilityProperty: true}));
    controls.forEach((el, i) => { el.dataset.kb = i; });
    window.__kb = {look, baseline: controls.map(look)};
    return controls.map(el => `${el.tagName.toLowerCase()} ${(el.innerText || el.id || el.name || '').trim()
        .split('\\n')[0].slice(0, 50)}`);
}"""

# Each element focused from now on, as focus arrives: its index and whether it looks different from unfocused.
RECORD_FOCUS = """() => {
    const kb = window.__kb;
    kb.seen = [];
    document.addEventListener('focusin', event => {
        const el = event.target;
        const i = el.dataset.kb === undefined ? -1 : Number(el.dataset.kb);
        const now = kb.look(el), was = i >= 0 ? kb.baseline[i] : now;
        const outlined = now[0] !== 'none' && parseFloat(now[1]) > 0
            && now.slice(0, 3).join() !== was.slice(0, 3).join();
        const shadowed = now[3] !== 'none' && now[3] !== was[3];
        const bordered = now[4] !== was[4] || now[5] !== was[5];
        kb.seen.push({i, id: el.id, cls: String(el.className), text: (el.innerText || '').trim().slice(0, 60),
                      indicator: outlined || shadowed || bordered});
    });
}"""


def walk_by_tab(page) -> None:
    """From the top of the page: the skip link first, then every control by Tab, each with a visible focus
    indicator; then, Tab having come round to the skip link again, Enter on it moves focus to the main content."""
    controls = page.evaluate(MARK_CONTROLS)
    assert controls, page.url
    page.evaluate(RECORD_FOCUS)
    for _ in range(len(controls) + 2):  # every control once, then out of the page, then round to the skip link
        page.keyboard.press("Tab")
    seen = page.evaluate("window.__kb.seen")
    first = seen[0]
    assert "skip-link" in first["cls"] and first["text"] == "Skip to main content", first
    reached = {s["i"] for s in seen}
    missed = [c for i, c in enumerate(controls) if i not in reached]
    assert not missed, f"{page.url}: not reached by Tab: {missed[:10]}"
    unmarked = [s for s in seen if s["i"] < 0]
    assert not unmarked, f"{page.url}: focus went to something that is not a control: {unmarked[:5]}"
    invisible = [s for s in seen if not s["indicator"]]
    assert not invisible, f"{page.url}: no visible focus indicator: {invisible[:5]}"
    assert seen[-1] == first, f"{page.url}: Tab did not come round to the skip link: {seen[-3:]}"
    expect(page.locator(".skip-link")).to_be_focused()
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_issue4_pages_work_by_keyboard_alone(browse, demo):
    visit = browse(PERFORMANCE_UNIT)
    page = visit.page

    # the dashboard: from the main content (where the skip link left focus), a status chosen with the arrow keys
    # and the form submitted by Enter on "Show"
    visit.goto("/reporting/dashboard/", "dashboard")
    walk_by_tab(page)
    assert_badges_say_their_status(page)
    choose_by_keyboard(page, "f-rag", "red")
    tab_to(page, lambda a: a["tag"] == "button" and a["text"] == "Show")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    visit.shot("dashboard-reds")
    assert parse_qs(urlparse(page.url).query)["rag"] == ["red"]
    words = [w.strip() for w in page.locator("#measures-table tbody td:nth-child(5)").all_inner_texts()]
    assert words and set(words) == {"Red"}
    assert_badges_say_their_status(page)

    # the Council Plan's scorecard: sorted by RAG with Enter on its column heading
    plan = Plan.objects.get(council=demo, level__rank=1)
    visit.goto(f"/reporting/scorecard/{plan.pk}/?measures=kpi", "scorecard")  # its KPIs: fewer rows to Tab past
    walk_by_tab(page)
    assert_badges_say_their_status(page)
    tab_to(page, lambda a: a["tag"] == "a" and a["text"] == "RAG", limit=40)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    visit.shot("scorecard-by-rag")
    assert "sort=rag" in page.url
    expect(page.locator("#scorecard thead th[aria-sort='ascending']")).to_contain_text("RAG")
    words = [w.strip() for w in page.locator("#scorecard tbody td .badge.rag").all_inner_texts()]
    order = {"Red": 0, "Amber": 1, "Green": 2, "Measured (not rated)": 3}
    assert words[0] == "Red" and words == sorted(words, key=order.__getitem__)

    # an indicator's page: last year's chart, chosen with the arrow keys and shown by Enter
    indicator = Indicator.objects.get(council=demo, ref=CHART_REF)
    visit.goto(f"/indicators/{indicator.pk}/", "indicator")
    expect(page.locator("#charts .js-plotly-plot")).to_have_count(1)
    walk_by_tab(page)
    assert_badges_say_their_status(page)
    choose_by_keyboard(page, "chart-year", "2025")
    tab_to(page, lambda a: a["tag"] == "button" and a["text"] == "Show year", limit=5)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    visit.shot("indicator-2025")
    expect(page.get_by_role("heading", name="Chart: 2025/26 against target")).to_be_visible()

    # the golden thread
    visit.goto("/plans/thread/", "thread")
    walk_by_tab(page)
    assert_badges_say_their_status(page)

    # the public home, signed out
    visitor = browse(None)
    visitor.goto(f"/public/{demo.slug}/", "public-home")
    walk_by_tab(visitor.page)
    assert assert_badges_say_their_status(visitor.page) >= 4
