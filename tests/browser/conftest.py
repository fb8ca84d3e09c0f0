"""Browser tests: real people in Debian's Chromium (driven by Playwright) against pytest-django's live server.

The live server needs a transactional database, which is flushed after every test; so each browser test loads the
demo council itself (``demo``), and the browser tests run in their own pytest process (``scripts/test`` runs
``-m browser -n0`` after the main suite, whose tests share one demo load per worker and would lose it to a flush).

Every page a test visits is saved as a screenshot in ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DEMO_PASSWORD = "harrowdale-demo"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"Debian chromium is not installed ({CHROMIUM}): apt-get install -y chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


# -- the application --------------------------------------------------------------------------------------------

@pytest.fixture
def demo(transactional_db, settings):
    """The demo council, loaded into this test's (transactional) database, on the demo's "today". The settings
    are the process's, so the live server thread sees them too."""
    from demo import DEMO_AS_OF
    from pmf.models import Council

    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.PMF_TODAY = DEMO_AS_OF
    call_command("load_demo", verbosity=0)
    yield Council.objects.get(slug="harrowdale")
    _empty_database()


def _empty_database() -> None:
    """On SQLite, empty every table inside a maintenance window before pytest-django's flush after the test: that
    flush deletes row by row, which the integrity triggers refuse for approved targets and returns and for the
    audit trail (pmf/integrity.py). PostgreSQL's flush truncates, which row triggers do not see."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from pmf.models import MaintenanceWindow
    from pmf.services import maintenance_window

    if connection.vendor != "sqlite":
        return
    window = MaintenanceWindow._meta.db_table
    tables = [t for t in connection.introspection.django_table_names(only_existing=True, include_views=False)
              if t != window]
    with transaction.atomic(), maintenance_window("browser test: emptying the test database"):
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))


# -- the browser ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def _screenshot_dir():
    if "PYTEST_XDIST_WORKER" not in os.environ:  # with several workers, each keeps the others' screenshots
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio event loop in this thread, and Django then refuses ORM calls made here
    # (loading the demo, a test's own checks, the flush after each test) as if they came from async code. They do
    # not: the loop is idle whenever the test itself runs. The live server answers in its own thread.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Screenshots:
    """Numbered screenshots of one test, in the order its pages were visited."""

    def __init__(self, directory: Path, test_name: str):
        self.directory = directory
        self.prefix = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name).strip("-")
        self.count = 0

    def take(self, page, label: str) -> Path:
        self.count += 1
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", label).strip("-")
        path = self.directory / f"{self.prefix}-{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


class Visit:
    """One person at the browser: their own context (cookies, session), signing in through the login form, each
    click counted, and a screenshot of every page they see."""

    def __init__(self, browser, base_url: str, shots: Screenshots, who: str):
        self.context = browser.new_context(base_url=base_url, locale="en-GB", timezone_id="Europe/London",
                                           viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.shots = shots
        self.who = who
        self.clicks = 0

    def shot(self, label: str) -> None:
        self.page.wait_for_load_state("load")
        self.shots.take(self.page, f"{self.who}-{label}")

    def goto(self, path: str, label: str):
        response = self.page.goto(path)
        self.shot(label)
        return response

    def click(self, locator, label: str | None = None) -> None:
        """Click; with ``label`` the click loads a page, which is waited for and saved."""
        self.clicks += 1
        if label is None:
            locator.click()
            return
        with self.page.expect_navigation():
            locator.click()
        self.shot(label)

    def type_into(self, locator, text: str) -> None:
        """Click into a field and type, as a person does (one click, then keystrokes; htmx hears each one)."""
        self.click(locator)
        locator.press("ControlOrMeta+a")
        locator.press_sequentially(text)

    def log_in(self, username: str, password: str = DEMO_PASSWORD) -> None:
        self.goto("/accounts/login/", "login")
        self.type_into(self.page.get_by_label("Username"), username)
        self.type_into(self.page.get_by_label("Password"), password)
        self.click(self.page.get_by_role("button", name="Sign in"), "signed-in")
        heading = self.page.get_by_role("heading", level=1)
        assert heading.inner_text().startswith("Welcome"), f"{username} did not get in: {heading.inner_text()}"

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def browse(request, live_server, demo, chromium, _screenshot_dir):
    """``browse("tom.ashworth")`` opens a new browser context for that person and signs them in through the
    form (``log_in=False`` to stay signed out). Contexts are closed at the end of the test."""
    shots = Screenshots(_screenshot_dir, request.node.name)
    visits: list[Visit] = []

    def open_visit(username: str | None, *, log_in: bool = True) -> Visit:
        visit = Visit(chromium, live_server.url, shots, username or "visitor")
        visits.append(visit)
        if username and log_in:
            visit.log_in(username)
        return visit

    yield open_visit
    for visit in visits:
        visit.close()


# -- axe-core ---------------------------------------------------------------------------------------------------

def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.2 A and AA violations on the page as it is now."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return result["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} node(s)]")
        for node in v["nodes"][:3]:
            detail = (node.get("failureSummary") or "").strip().splitlines() or [""]
            lines.append(f"  {' '.join(map(str, node['target']))}: {detail[-1].strip()}")
    return "\n".join(lines)
