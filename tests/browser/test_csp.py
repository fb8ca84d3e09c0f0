"""The Content Security Policy in a real browser. Every browser test fails on any violation on any page it opens
(conftest.py); these visit what the others do not (the Django admin and its widgets, which the performance unit
uses), and check that plotly's stylesheets, served as static files, are those the installed bundle would add."""

from __future__ import annotations

import importlib.util

import pytest
from playwright.sync_api import expect

from plans.models import Action
from pmf.models import Directorate
from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser

PERFORMANCE_UNIT = "helen.marsh"


def _plotly_css_script():
    spec = importlib.util.spec_from_file_location("plotly_css", ROOT / "scripts" / "plotly_css.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_plotly_stylesheets_are_those_the_installed_bundle_adds(chromium):
    script = _plotly_css_script()
    styles = script.bundle_styles(chromium)
    assert "plotly.js-style-global" in styles
    served = {path.stem: path.read_text(encoding="utf-8") for path in script.CSS_DIR.glob("*.css")}
    assert served == styles, "plotly.js changed: run .venv/bin/python scripts/plotly_css.py"
    assert script.INCLUDE.read_text(encoding="utf-8") == script.include(list(styles)), \
        "plotly.js changed: run .venv/bin/python scripts/plotly_css.py"


def test_chart_page_has_no_style_element_and_plotly_styles_its_charts(browse, demo):
    """plotly.js finds its stylesheets already linked, adds no <style>, and its rules apply (the mode bar is placed
    by them: absolutely, at the top right of the chart)."""
    visit = browse(PERFORMANCE_UNIT)
    indicator = demo.indicators.order_by("ref").first()
    visit.goto(indicator.get_absolute_url(), "indicator")
    page = visit.page
    expect(page.locator("#charts .js-plotly-plot").first).to_be_attached()
    assert page.locator("style").count() == 0
    modebar = page.locator("#charts .modebar-container").first
    expect(modebar).to_be_attached()
    assert modebar.evaluate("el => getComputedStyle(el).position") == "absolute"
    # the mode bar's "Download plot as a PNG" draws the chart as an image (a data: URI) and saves it
    page.locator("#charts .js-plotly-plot").first.hover()
    with page.expect_download() as download:
        page.locator("#charts .modebar-btn[data-title^='Download plot']").first.click()
    assert download.value.suggested_filename.endswith(".png")


def test_admin_pages_and_their_widgets_keep_to_the_policy(browse, demo):
    visit = browse(PERFORMANCE_UNIT)
    page = visit.page
    visit.goto("/admin/", "admin")
    expect(page.locator("#site-name")).to_be_visible()

    # a list with its filters, search and actions
    visit.goto("/admin/plans/action/?q=a", "admin-actions")
    expect(page.locator("#result_list")).to_be_visible()

    # a form with an autocomplete, a two-list chooser, inline rows and their "add another"
    directorate = Directorate.objects.filter(councils=demo).order_by("pk").first()
    visit.goto(f"/admin/pmf/directorate/{directorate.pk}/change/", "admin-directorate")
    page.locator("#select2-id_director-container").click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".selector-available, .selector").first).to_be_attached()
    rows = page.locator(".inline-group tbody tr.form-row")
    before = rows.count()
    page.get_by_role("button", name="Add another Service").click()
    expect(rows).to_have_count(before + 1)
    visit.shot("admin-directorate-another-service")

    # a form with dates: the calendar and the "Today" shortcut
    action = Action.objects.filter(council=demo).order_by("pk").first()
    visit.goto(f"/admin/plans/action/{action.pk}/change/", "admin-action")
    page.locator("#calendarlink0").click()
    expect(page.locator("#calendarbox0")).to_be_visible()
    page.locator(".datetimeshortcuts a").first.click()  # "Today"
    visit.shot("admin-action-calendar")


def test_a_violation_is_caught(browse, demo):
    """The check every browser test gets: an inline style and an inline script on a page are both reported (and
    then forgotten here, so that this test passes)."""
    visitor = browse(None, log_in=False)
    visitor.goto("/accessibility/", "accessibility")
    visitor.page.evaluate("""() => {
        document.body.insertAdjacentHTML('beforeend', '<p style="color: red">inline style</p>');
        const script = document.createElement('script');
        script.textContent = 'window.__ran = true';
        document.body.appendChild(script);
    }""")
    violations = visitor.collect_csp_violations()
    assert any("style-src" in v for v in violations), violations
    assert any("script-src" in v for v in violations), violations
    assert visitor.page.evaluate("window.__ran === undefined")
    violations.clear()
