"""Browser tests: real people in Debian's Chromium (driven by Playwright) against pytest-django's live server.

The live server needs a transactional database, which is flushed after every test; so each browser test gets the
demo council from a copy of the database made once a session (``demo``), and the browser tests run in their own
pytest process (``scripts/test`` runs ``-m browser`` after the main suite, whose tests share one demo load per worker
and would lose it to a flush).

Every page a test visits is saved as a screenshot in ``test-artifacts/screenshots/``, and every breach of the
Content Security Policy on any of them (an inline script or style, eval, a resource from elsewhere) fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.templatetags.static import static

from tests import dbroles

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DEMO_PASSWORD = "harrowdale-demo"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TIMEOUT_MS = 15_000
# Every page of every visit reports each Content Security Policy violation (the browser's securitypolicyviolation
# event) to the test; ``pytest_runtest_call`` fails the test with them.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__pmfCspViolation([e.effectiveDirective, e.blockedURI, e.documentURI, e.sourceFile, e.lineNumber, e.sample]);
}, true);
"""


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"Debian chromium is not installed ({CHROMIUM}): apt-get install -y chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


# -- the application --------------------------------------------------------------------------------------------
# The live server needs a transactional database, which pytest-django empties after every test. Loading the demo
# council for every test would cost seconds each, so it is loaded once per session and its database copied:
# before each test the copy is put back, and after it an empty copy (so that pytest-django's flush has nothing to
# delete: on SQLite it deletes row by row, which the integrity triggers refuse for the audit trail and approved
# figures). SQLite: the database file is copied. PostgreSQL: databases made from a template.

class Snapshots:
    """Named copies of the test database, made and put back while no connection is open."""

    def __init__(self):
        from django.db import connection

        self.vendor = connection.vendor
        self.name = connection.settings_dict["NAME"]
        self.made: list[str] = []
        if self.vendor not in ("sqlite", "postgresql") or (self.vendor == "sqlite" and ":memory:" in self.name):
            raise RuntimeError(f"browser tests need a file SQLite or a PostgreSQL database, not {self.name!r}")

    def _copy(self, label: str) -> str:
        return f"{self.name}.{label}" if self.vendor == "sqlite" else f"{self.name}_{label}"

    def _admin(self, *statements: str) -> None:
        from django.db import connection

        # the server's maintenance database, not the test one; as the database owner where there are two roles
        with dbroles.default_as_owner(), connection._nodb_cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def save(self, label: str) -> None:
        from django.db import connections

        connections.close_all()
        copy = self._copy(label)
        if self.vendor == "sqlite":
            shutil.copyfile(self.name, copy)
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{copy}"', f'CREATE DATABASE "{copy}" TEMPLATE "{self.name}"')
        self.made.append(copy)

    def restore(self, label: str) -> None:
        from django.db import connections

        connections.close_all()
        copy = self._copy(label)
        if self.vendor == "sqlite":
            shutil.copyfile(copy, self.name)
        else:
            self._drop(self.name)
            self._admin(f'CREATE DATABASE "{self.name}" TEMPLATE "{copy}"')

    def _drop(self, name: str, attempts: int = 10) -> None:
        """DROP ... WITH (FORCE) ends the owner's connections; with two roles the live server's are the app role's,
        which that role ends itself just before (the owner may not), again if one opened in between."""
        from django.db import connection
        from django.db.utils import ProgrammingError

        for attempt in range(attempts):
            if dbroles.two_roles():
                with connection._nodb_cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                                   "AND usename = current_user AND pid <> pg_backend_pid()", [name])
            try:
                self._admin(f'DROP DATABASE "{name}" WITH (FORCE)')
                return
            except ProgrammingError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.2)

    def remove(self) -> None:
        for copy in self.made:
            if self.vendor == "sqlite":
                Path(copy).unlink(missing_ok=True)
            else:
                self._admin(f'DROP DATABASE IF EXISTS "{copy}"')


@pytest.fixture(scope="session")
def _demo_snapshots(django_db_setup, django_db_blocker):
    """The test database as created (``empty``) and with the demo council loaded (``demo``), once a session."""
    from django.test import override_settings

    with django_db_blocker.unblock():
        snapshots = Snapshots()
        snapshots.save("empty")
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            call_command("load_demo", verbosity=0)
        snapshots.save("demo")
        snapshots.restore("empty")
        yield snapshots
        snapshots.remove()


@pytest.fixture
def demo(_demo_snapshots, transactional_db, settings):
    """The demo council in this test's (transactional) database, on the demo's "today". The settings are the
    process's, so the live server thread sees them too."""
    from demo import DEMO_AS_OF
    from pmf.models import Council

    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.PMF_TODAY = DEMO_AS_OF
    _demo_snapshots.restore("demo")
    yield Council.objects.get(slug="harrowdale")
    _demo_snapshots.restore("empty")


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
        path = self.directory / f"{self.prefix}-{self.count:02d}-{name}.jpg"
        # The whole page, as JPEG: a long page (a pack, a scorecard) takes half the time PNG takes to encode.
        # A screenshot is a record of the run, not a check: when headless Chromium cannot capture a whole page (it
        # sometimes refuses a very tall one on a loaded machine), the visible part is kept instead.
        from playwright.sync_api import Error as PlaywrightError

        try:
            page.screenshot(path=str(path), full_page=True, type="jpeg", quality=75)
        except PlaywrightError as error:
            if "Unable to capture screenshot" not in str(error):
                raise
            page.screenshot(path=str(path), type="jpeg", quality=75)
        return path


class Visit:
    """One person at the browser: their own context (cookies, session), signing in through the login form, each
    click counted, and a screenshot of every page they see."""

    def __init__(self, browser, base_url: str, shots: Screenshots, who: str):
        self.context = browser.new_context(base_url=base_url, locale="en-GB", timezone_id="Europe/London",
                                           viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.csp_violations: list[str] = []
        self.context.expose_binding("__pmfCspViolation", self._csp_violation)
        self.context.add_init_script(CSP_LISTENER)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.shots = shots
        self.who = who
        self.clicks = 0

    def _csp_violation(self, source, details: list) -> None:
        directive, blocked, document, file, line, sample = details
        where = f" at {file}:{line}" if file else ""
        self.csp_violations.append(f"{self.who}: {directive} refused {blocked or 'inline'!r} on {document}{where}"
                                   + (f" ({sample!r})" if sample else ""))

    def _console(self, message) -> None:
        # Chromium also says so on the console; this catches what no event reaches (a worker, a frame).
        if "Content Security Policy" in message.text:
            self.csp_violations.append(f"{self.who}: console: {message.text[:300]}")

    def collect_csp_violations(self) -> list[str]:
        """The violations reported so far (a round trip to each page first, after the events the browser has queued,
        so none is still on its way)."""
        for page in self.context.pages:
            try:
                page.evaluate("() => new Promise(done => setTimeout(done, 0))")
            except Exception:  # noqa: BLE001 - a page closing or navigating: nothing left to wait for
                pass
        return self.csp_violations

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
    request.node.pmf_visits = visits  # read by pytest_runtest_call for the Content Security Policy check

    def open_visit(username: str | None, *, log_in: bool = True) -> Visit:
        visit = Visit(chromium, live_server.url, shots, username or "visitor")
        visits.append(visit)
        if username and log_in:
            visit.log_in(username)
        return visit

    yield open_visit
    for visit in visits:
        visit.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Fails a browser test (as its own failure, not a teardown error) when any page it opened reported a breach of
    the Content Security Policy, unless it failed already."""
    outcome = yield
    visits = getattr(item, "pmf_visits", None)
    if not visits or outcome.excinfo is not None:
        return
    violations = [v for visit in visits for v in visit.collect_csp_violations()]
    if violations:
        outcome.force_exception(AssertionError(
            "Content Security Policy violations:\n" + "\n".join(dict.fromkeys(violations))))


# -- axe-core ---------------------------------------------------------------------------------------------------

def assert_no_axe_violations(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


@pytest.fixture
def stand_in_pack_files(monkeypatch):
    """Small stand-ins for a pack's PDF, Word and Excel files, where a test is about the pages, not the files. The
    live server answers in a thread of this process, so the stand-ins apply to the jobs it runs too."""
    from reporting.rendering import excel, word
    from reporting.rendering import pdf as pdf_format

    def stand_in(kind: bytes):
        return lambda snapshot, *, draft=False, **kwargs: kind + f" {snapshot['title']}".encode()

    monkeypatch.setattr(pdf_format, "render_pdf", stand_in(b"%PDF-1.4"))
    monkeypatch.setattr(pdf_format, "count_pdf_pages", lambda pdf: 1)
    monkeypatch.setattr(word, "render_docx", stand_in(b"PK docx"))
    monkeypatch.setattr(excel, "render_xlsx", stand_in(b"PK xlsx"))


def axe_violations(page, *, include: list[str] | None = None, exclude: list[str] = ()) -> list[dict]:
    """axe-core's WCAG 2.2 A and AA violations on the page as it is now: the whole document, or only the parts
    ``include`` selects, less those ``exclude`` selects. Only violations are collected (axe's ``resultTypes``:
    passes and inapplicable rules are not listed node by node, which on a long page costs seconds)."""
    # From our own static files, as any script on the page (the Content Security Policy refuses an inline one).
    page.add_script_tag(url=static("vendor/axe-core/axe.min.js"))
    context = {"include": [[s] for s in include] if include else [["html"]], "exclude": [[s] for s in exclude]}
    return page.evaluate(
        "([context, tags]) => axe.run(context, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
        ".then(r => r.violations)", [context, WCAG_TAGS])


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} node(s)]")
        for node in v["nodes"][:3]:
            detail = (node.get("failureSummary") or "").strip().splitlines() or [""]
            lines.append(f"  {' '.join(map(str, node['target']))}: {detail[-1].strip()}")
    return "\n".join(lines)
