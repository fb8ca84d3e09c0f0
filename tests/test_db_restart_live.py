"""Issue 11: PostgreSQL restarted under load (marker ``services``; run by .ci/run).

It never touches the shared PostgreSQL beyond reading the demo from it: it starts a private PostgreSQL cluster of
its own (initdb into a temporary folder, on a free port on 127.0.0.1, run as the ``postgres`` user when the tests
run as root), copies the demo into it (pg_dump of the database ``DATABASE_URL`` names when it holds the demo;
otherwise migrate and load_demo), and serves the product from it with gunicorn on 127.0.0.1 (DEBUG off, as in
production: tests/restart_settings.py). Several threads signed in as the demo service lead (tom.ashworth) view
pages and save returns while PostgreSQL is stopped for a few seconds and started again. Every answer is counted:
200/302, 503 with the page that says the service is briefly unavailable, or anything else (which must not
happen). After recovery every save that was answered with success is in the database (its audit entry, written
in the same transaction), and pages answer 200 again. The figures are printed and written to
test-artifacts/failure_figures.txt.

Everything it starts is stopped in ``finally`` blocks, and every wait has a timeout.
"""

from __future__ import annotations

import contextlib
import html
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

import psycopg2
import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "harrowdale-demo"
CLEAR_PAGE = "The service is briefly unavailable"
SUBMITTERS = 4  # threads saving returns, each its own return
VIEWERS = 2  # threads viewing pages
DOWN_SECONDS = 5

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not (PG_BIN / "initdb").exists(), reason="needs PostgreSQL 15's initdb and pg_ctl"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(what, *, timeout: float, every: float = 0.2, why: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"gave up waiting after {timeout:.0f} s{': ' + why if why else ''}")


class Cluster:
    """A private PostgreSQL 15 cluster in a temporary folder, on 127.0.0.1 only."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.port = _free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/pmf_restart"

    def _pg(self, *args: str, timeout: float = 60) -> None:
        subprocess.run([*self.as_postgres, *args], check=True, timeout=timeout, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)

    def init(self) -> None:
        if self.as_postgres:
            shutil.chown(self.folder, user="postgres")
        self._pg(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--no-sync")

    def start(self) -> None:
        self._pg(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "postgres.log"), "-w",
                 "-t", "60", "-o", f"-p {self.port} -k {self.folder} -h 127.0.0.1", "start", timeout=90)

    def stop(self, mode: str = "fast") -> None:
        self._pg(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", timeout=90)

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def psql(self, database: str, *args: str) -> None:
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port), "-U",
                        "postgres", "-d", database, *args], check=True, timeout=60, stdout=subprocess.DEVNULL)


def _source_with_demo() -> str | None:
    """The database .ci/run loaded the demo into (DATABASE_URL), if it is PostgreSQL and holds the demo."""
    url = os.environ.get("DATABASE_OWNER_URL") or os.environ.get("DATABASE_URL", "")  # the owner reads every table
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    try:
        with psycopg2.connect(url, connect_timeout=5) as conn, conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pmf_user WHERE username = 'tom.ashworth'")
            return url if cur.fetchone() else None
    except psycopg2.Error:
        return None


def _copy(source: str, target: str) -> bool:
    dump = subprocess.Popen(["pg_dump", "--no-owner", "--no-privileges", source], stdout=subprocess.PIPE)
    try:
        restored = subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", target], stdin=dump.stdout, timeout=300,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    finally:
        dump.stdout.close()
        dumped = dump.wait(timeout=60)
    if dumped != 0 or restored.returncode != 0:
        print(f"copying the demo failed ({restored.stderr.strip()[:300]}): migrating and loading it instead")
        return False
    return True


def _load_demo(cluster: Cluster, env: dict) -> None:
    cluster.psql("postgres", "-c", "CREATE DATABASE pmf_restart")
    source = _source_with_demo()
    if source and _copy(source, cluster.url):
        return
    cluster.psql("postgres", "-c", "DROP DATABASE pmf_restart", "-c", "CREATE DATABASE pmf_restart")
    for command in (["migrate", "--noinput", "-v0"], ["load_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=900,
                       stdout=subprocess.DEVNULL)


_OPEN_RETURNS = """
from decimal import Decimal
from pmf import clock
from pmf.models import Period, User
from indicators.access import can_enter_return
from indicators.models import Indicator, Return
from indicators.services import EDITABLE_STATES, Entry, entry_open, preview
lead, today = User.objects.get(username="tom.ashworth"), clock.today()
for ind in Indicator.objects.select_related("current_spec").order_by("pk"):
    if not can_enter_return(lead, ind):
        continue
    spec = ind.current_spec
    for p in Period.objects.filter(frequency=spec.frequency, start__lte=today).order_by("pk"):
        ret = Return.objects.filter(indicator=ind, period=p).first()
        if not entry_open(ind, p, today=today) or (ret is not None and ret.state not in EDITABLE_STATES):
            continue
        low, high = spec.plausible_min, spec.plausible_max
        middle = (low + high) / 2 if low is not None and high is not None else low if low is not None else high
        for number in [n for n in (middle, Decimal(50), Decimal(1)) if n is not None]:
            number = round(number, spec.decimal_places or 0)
            entry = (Entry(numerator=Decimal(1), denominator=Decimal(2)) if spec.calculation != "value"
                     else Entry(value=number))
            if not [pr for pr in preview(indicator=ind, period=p, entry=entry, ret=ret).problems if pr.blocks_draft]:
                fields = (f"numerator=1&denominator=2" if spec.calculation != "value" else f"value={number}")
                print(f"RETURN /indicators/{ind.pk}/returns/{p.pk}/ {fields}")
                break
"""


def _open_returns(env: dict) -> list[tuple[str, dict]]:
    """The returns the service lead may save now (open periods, not approved), each with a figure the data-quality
    checks accept for a draft, by the product's own rules."""
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", _OPEN_RETURNS], cwd=ROOT, env=env, check=True,
                         timeout=120, capture_output=True, text=True).stdout
    found = [line.split(" ")[1:3] for line in out.splitlines() if line.startswith("RETURN ")]
    return [(path, dict(urllib.parse.parse_qsl(fields))) for path, fields in found]


class Session:
    """A signed-in browser, by hand: cookies kept whatever their Secure flag (the server is plain HTTP here)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            body = None
            if form is not None:
                body = urllib.parse.urlencode(form)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            return response.status, text, response.getheader("Location") or ""
        finally:
            conn.close()

    def csrf(self, page: str) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        return found.group(1) if found else ""

    def sign_in(self, username: str) -> None:
        _, page, _ = self.request("GET", "/accounts/login/")
        status, _, _ = self.request("POST", "/accounts/login/", {
            "csrfmiddlewaretoken": self.csrf(page), "username": username, "password": PASSWORD})
        assert status == 302, f"{username} could not sign in ({status})"


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts: Counter = Counter()
        self.others: list[str] = []
        self.saved: list[str] = []  # the commentary of every save answered with success

    def answer(self, what: str, status: int, page: str) -> str:
        if status in (200, 302):
            kind = "ok"
        elif status == 503 and CLEAR_PAGE in page:
            kind = "clean"
        else:
            kind = "other"
        with self.lock:
            self.counts["sent"] += 1
            self.counts[kind] += 1
            if kind == "other":
                self.others.append(f"{what}: {status} {page[:200]!r}")
        return kind

    def broken(self, what: str, exc: Exception) -> None:
        with self.lock:
            self.counts["sent"] += 1
            self.counts["other"] += 1
            self.others.append(f"{what}: {type(exc).__name__}: {exc}")


def _field(page: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    if tag is None:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def _submitter(session: Session, target: tuple[str, dict], number: int, tally: Tally,
               stop: threading.Event) -> None:
    path, figures = target
    n = 0
    while not stop.is_set():
        n += 1
        try:
            status, page, _ = session.request("GET", path)
        except OSError as exc:
            tally.broken(f"GET {path}", exc)
            continue
        if tally.answer(f"GET {path}", status, page) != "ok":
            time.sleep(0.1)
            continue
        token = f"restart-test {number}-{n}-{secrets.token_hex(4)}"
        form = {"csrfmiddlewaretoken": session.csrf(page), "version": _field(page, "version") or "",
                "commentary": token, "save": "Save as draft", **figures}
        try:
            status, answer, location = session.request("POST", path, form)
        except OSError as exc:
            tally.broken(f"POST {path}", exc)
            continue
        if tally.answer(f"POST {path}", status, answer) == "ok":
            assert status == 302, f"the save was not accepted: {answer[:2000]}"
            with tally.lock:
                tally.saved.append(token)
        time.sleep(0.05)


def _viewer(session: Session, tally: Tally, stop: threading.Event) -> None:
    pages = ["/", "/indicators/", "/reporting/dashboard/"]
    n = 0
    while not stop.is_set():
        path = pages[n % len(pages)]
        n += 1
        try:
            status, page, _ = session.request("GET", path)
        except OSError as exc:
            tally.broken(f"GET {path}", exc)
            continue
        tally.answer(f"GET {path}", status, page)
        time.sleep(0.05)


def _stop_process(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def test_postgresql_restarted_under_load_fails_cleanly_and_loses_nothing():
    folder = Path(tempfile.mkdtemp(prefix="pmf-pg-restart-"))
    cluster = Cluster(folder)
    server: subprocess.Popen | None = None
    stop = threading.Event()
    threads: list[threading.Thread] = []
    stack = contextlib.ExitStack()
    try:
        started = time.monotonic()
        cluster.init()
        cluster.start()
        print(f"\nprivate PostgreSQL cluster started: {time.monotonic() - started:.0f} s")
        # Tasks in-process (no worker needed); one database, the private one, for everything.
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_OWNER_URL")}
        env.update(DJANGO_SETTINGS_MODULE="tests.restart_settings", DATABASE_URL=cluster.url, DEBUG="0",
                   SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="0",
                   PMF_TODAY="2026-11-16", TWO_FACTOR_REQUIRED="0", DB_CONN_MAX_AGE="60", DB_CONNECT_TIMEOUT="2",
                   LOG_LEVEL="WARNING")
        _load_demo(cluster, env)
        print(f"the demo in a private PostgreSQL on port {cluster.port}: {time.monotonic() - started:.0f} s")
        # as in production: the server connects as the app role (rows only), not as the superuser
        subprocess.run([sys.executable, "manage.py", "create_db_roles", "--owner", "pmf_restart_owner", "--app",
                        "pmf_restart_app"], cwd=ROOT, env=env, check=True, timeout=120, stdout=subprocess.DEVNULL)
        env.update(DATABASE_URL=cluster.url.replace("postgres@", "pmf_restart_app@"),
                   DATABASE_OWNER_URL=cluster.url.replace("postgres@", "pmf_restart_owner@"))

        port = _free_port()
        log = stack.enter_context(open(folder / "gunicorn.log", "ab"))  # noqa: SIM115 - closed by the stack
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "pmf.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--threads", "4", "--timeout", "30", "--graceful-timeout", "5",
             "--error-logfile", str(folder / "gunicorn.log")],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

        def up() -> bool:
            try:
                return Session(port).request("GET", "/health/")[0] == 200
            except OSError:
                return False

        _wait(up, timeout=60, why="gunicorn did not answer /health/")
        print(f"gunicorn answering: {time.monotonic() - started:.0f} s")

        returns = _open_returns(env)
        assert len(returns) >= SUBMITTERS, f"tom.ashworth has {len(returns)} returns open, not {SUBMITTERS}"

        print(f"returns found: {time.monotonic() - started:.0f} s")
        tally = Tally()
        sessions = []
        for _ in range(SUBMITTERS + VIEWERS):
            session = Session(port)
            session.sign_in("tom.ashworth")
            sessions.append(session)
        for i, session in enumerate(sessions):
            if i < SUBMITTERS:
                target = (_submitter, (session, returns[i], i, tally, stop))
            else:
                target = (_viewer, (session, tally, stop))
            threads.append(threading.Thread(target=target[0], args=target[1], daemon=True))
        for t in threads:
            t.start()

        time.sleep(3)  # under load, PostgreSQL up
        before = tally.counts["ok"]
        cluster.stop("fast")
        down_at = time.monotonic()
        time.sleep(DOWN_SECONDS)
        cluster.start()
        down_for = time.monotonic() - down_at
        time.sleep(6)  # under load again, after the restart
        stop.set()
        for t in threads:
            t.join(timeout=30)
        assert not any(t.is_alive() for t in threads), "a request thread did not finish"

        # Pages answer 200 again, for every signed-in session.
        for session in sessions:
            assert session.request("GET", "/")[0] == 200
        assert Session(port).request("GET", "/health/")[0] == 200

        # Every save answered with success is in the database: its audit entry is written in its transaction.
        with psycopg2.connect(cluster.url.replace("postgres://", "postgresql://"), connect_timeout=5) as conn, \
                conn.cursor() as cur:
            cur.execute("SELECT changes::text FROM pmf_auditentry WHERE object_type = 'indicators.return' "
                        "OR object_type = 'indicators.Return'")
            recorded = "\n".join(row[0] for row in cur.fetchall())
        lost = [token for token in tally.saved if token not in recorded]

        figures = (f"PostgreSQL restarted under load ({SUBMITTERS + VIEWERS} threads signed in as tom.ashworth, "
                   f"{SUBMITTERS} saving returns; stopped for {down_for:.1f} s)\n"
                   f"requests sent: {tally.counts['sent']}\n"
                   f"answered 200/302: {tally.counts['ok']} (of which {before} before the stop)\n"
                   f"failed cleanly (503 with the page saying the service is briefly unavailable): "
                   f"{tally.counts['clean']}\n"
                   f"any other answer: {tally.counts['other']}\n"
                   f"saves answered with success: {len(tally.saved)}\n"
                   f"lost (answered with success, not in the database): {len(lost)}\n")
        print(figures)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "failure_figures.txt").write_text(figures)

        assert tally.counts["other"] == 0, "\n".join(tally.others[:20])
        assert tally.counts["clean"] > 0, "no request met the stopped database: the test proved nothing"
        assert tally.counts["ok"] > before, "nothing succeeded after the restart"
        assert not lost, lost[:10]
        assert tally.saved, "no save succeeded"
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
        _stop_process(server)
        stack.close()
        if cluster.running():
            try:
                cluster.stop("immediate")
            except (subprocess.SubprocessError, OSError):
                pass
        if (folder / "gunicorn.log").exists():
            ARTIFACTS.mkdir(exist_ok=True)
            shutil.copy(folder / "gunicorn.log", ARTIFACTS / "db-restart-gunicorn.log")
        shutil.rmtree(folder, ignore_errors=True)
