"""Issue 11: what people see when Redis or PostgreSQL is away, and /health/.

- Redis (the job runner's broker) unreachable: preparing a pack answers within 2 s, says the report was recorded
  and will start by itself, and the pack is sent again by the periodic recovery once the broker is back.
- The database unreachable: a 503 page that says the service is briefly unavailable and nothing saved is lost
  (the live test of a PostgreSQL restart under load is tests/test_db_restart_live.py).
/health/ is tested in tests/test_health.py.
"""

from __future__ import annotations

import time

import pytest
from django.db import OperationalError, connection
from django.db import transaction as db_transaction
from django.test import Client
from django.urls import reverse

from pmf.models import Period
from reporting import services, tasks
from reporting.models import Pack, PackStatus, ReportDefinition
from tests.celery_faults import broker_unreachable
from tests.test_packs import _stand_in_formats

pytestmark = pytest.mark.django_db

PASSWORD = "harrowdale-demo"


@pytest.fixture
def commit_now(monkeypatch):
    """Run on-commit work at once. The test runs inside a transaction that is never committed; in production the
    service's transaction is the outermost one, so its on-commit work (sending the job) runs before the view
    goes on, which is what this reproduces."""
    monkeypatch.setattr(db_transaction, "on_commit", lambda func, using=None, robust=False: func())


def _sign_in(client: Client, username: str) -> Client:
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, f"{username} could not sign in"
    return client


def test_preparing_a_pack_with_the_broker_unreachable_answers_fast_and_the_pack_is_sent_again_later(
        client, commit_now, monkeypatch):
    _stand_in_formats(monkeypatch)
    perf = _sign_in(client, "helen.marsh")  # the performance unit
    cabinet = ReportDefinition.objects.get(council__slug="harrowdale", report_type="cabinet")
    q2 = Period.objects.get(financial_year_id=2026, frequency="quarterly", number=2)

    with broker_unreachable():
        started = time.monotonic()
        response = perf.post(reverse("reporting:definition", args=[cabinet.pk]), {"period": q2.pk}, follow=True)
        seconds = time.monotonic() - started

        assert seconds < 2, f"answered after {seconds:.1f} s"
        assert response.status_code == 200
        page = response.content.decode()
        assert "was recorded, but the job runner cannot be reached just now" in page
        assert "The job will start by itself when it is back: there is no need to prepare it again." in page
        pack = Pack.objects.get(definition=cabinet, period=q2)
        assert pack.status == PackStatus.QUEUED and services.waiting_for_runner(pack)
        assert "could not be reached" in page  # the pack's own page says why it waits

        # Asking again while it waits makes no second pack, and says the same.
        response = perf.post(reverse("reporting:definition", args=[cabinet.pk]), {"period": q2.pk}, follow=True)
        assert "there is no need to prepare it again" in response.content.decode()
        assert Pack.objects.filter(definition=cabinet, period=q2).count() == 1

        # The periodic recovery while the broker is still away: the pack still waits, nothing raised.
        assert services.recover_interrupted() == [pack.pk]
        pack.refresh_from_db()
        assert services.waiting_for_runner(pack)

    # The broker is back: the periodic recovery (beat, every 5 minutes) sends the job, and the pack is prepared.
    assert tasks.recover_interrupted_packs.delay().get() == [pack.pk]
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY and pack.files.count() == 3 and not services.waiting_for_runner(pack)
    assert services.recover_interrupted() == []  # nothing left to send


def test_sending_reminders_now_with_the_broker_unreachable_says_so(client):
    perf = _sign_in(client, "helen.marsh")
    started = time.monotonic()
    with broker_unreachable():
        response = perf.post(reverse("schedule_send_now"), {"confirm": "yes"}, follow=True)
    assert time.monotonic() - started < 2
    assert response.status_code == 200
    assert "were not sent: the job runner cannot be reached just now" in response.content.decode()


# -- the database unreachable -------------------------------------------------------------------------------------

def _database_down(monkeypatch) -> None:
    def unreachable(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(connection, "cursor", unreachable)
    monkeypatch.setattr(connection, "ensure_connection", unreachable)


def test_a_page_asked_for_while_the_database_is_unreachable_answers_503_saying_so(monkeypatch, settings):
    settings.DEBUG = False
    lead = _sign_in(Client(raise_request_exception=False), "tom.ashworth")
    assert lead.get("/").status_code == 200
    _database_down(monkeypatch)
    for response in (lead.get("/"), lead.post("/indicators/returns/1/", {"value": "1"}),
                     Client(raise_request_exception=False).post(
                         "/accounts/login/", {"username": "tom.ashworth", "password": PASSWORD})):
        assert response.status_code == 503
        page = response.content.decode()
        assert "The service is briefly unavailable" in page
        assert "What you submitted before is safe" in page and "try again in a minute" in page
        assert "5432" not in page and "Connection refused" not in page  # nothing of the error itself
        assert response["Retry-After"] == "60"


def test_any_other_error_is_still_the_plain_500_page(client, monkeypatch, settings):
    from reporting import views_home

    settings.DEBUG = False

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(views_home, "render", broken)
    lead = _sign_in(Client(raise_request_exception=False), "tom.ashworth")
    response = lead.get("/")
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()
