"""/health/ (issue 11): the database (503 when it fails: no page can be served), the cache, the job runner's
broker, and whether a Celery worker and Celery beat were seen recently; fast whatever is down, and no secrets."""

import time

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection

from pmf import health
from tests.celery_faults import broker_unreachable, celery_config

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _urls_loaded(client):
    """The first request of a process imports every page's module: time the health check, not that."""
    client.get("/accessibility/")


def _health(client) -> tuple[int, dict, float]:
    started = time.monotonic()
    response = client.get("/health/")
    return response.status_code, response.json(), time.monotonic() - started


def test_health_in_process_is_ok(client):
    status, body, seconds = _health(client)
    assert status == 200 and body["status"] == "ok" and seconds < 2
    assert body["database"]["status"] == "ok" and isinstance(body["database"]["ms"], float)
    assert body["cache"]["status"] == "ok"
    assert body["broker"]["status"] == "in-process"
    assert body["worker"] == {"status": "in-process"} and body["beat"] == {"status": "not used"}


def test_health_is_503_when_the_database_fails(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("could not connect to server: secret-host:5432 password=hunter2")

    monkeypatch.setattr(connection, "cursor", broken)
    status, body, _ = _health(client)
    assert status == 503 and body["status"] == "failed" and body["database"]["status"] == "failed"
    assert "secret-host" not in str(body) and "hunter2" not in str(body)


@pytest.fixture
def with_a_worker():
    """Tasks sent to a broker for a worker, as with REDIS_URL (the in-memory broker without it, which answers),
    and no worker or beat seen yet (with REDIS_URL, .ci/run's live worker and beat may have left their times)."""
    keys = [health.seen_key("worker"), health.seen_key("beat")]
    cache.delete_many(keys)
    with celery_config(task_always_eager=False) as app:
        yield app
    cache.delete_many(keys)


def test_health_with_a_worker_and_beat_seen_recently_is_ok_and_stale_ones_are_reported(client, with_a_worker):
    status, body, _ = _health(client)
    assert status == 200 and body["status"] == "degraded"
    assert body["broker"]["status"] == "ok"
    assert body["worker"] == {"status": "not seen recently"} and body["beat"] == {"status": "not seen recently"}

    from pmf import tasks

    tasks.heartbeat.apply()  # what the worker does when it runs beat's heartbeat
    tasks._beat_sent_the_heartbeat(sender=health.HEARTBEAT_TASK)  # what beat does once it has sent it
    tasks._beat_sent_the_heartbeat(sender="reporting.tasks.generate_pack")  # any other task: not beat's
    status, body, _ = _health(client)
    assert status == 200 and body["status"] == "ok"
    assert body["worker"]["status"] == "ok" and body["worker"]["seconds_ago"] <= 2
    assert body["beat"]["status"] == "ok"

    for who in ("worker", "beat"):  # last seen ten minutes ago
        cache.set(health.seen_key(who), time.time() - 10 * 60)
    status, body, _ = _health(client)
    assert status == 200 and body["status"] == "degraded"
    assert body["worker"]["status"] == "not seen recently" and body["worker"]["seconds_ago"] >= 600
    assert body["beat"]["status"] == "not seen recently"


def test_health_with_redis_unreachable_answers_fast_and_names_no_address(client, settings):
    with broker_unreachable() as app:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": app.conf.broker_url,
                                       "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2}}}
        status, body, seconds = _health(client)
    assert seconds < 2, f"answered after {seconds:.1f} s"
    assert status == 200 and body["status"] == "degraded"  # pages still work: only the database is needed
    assert body["database"]["status"] == "ok"
    assert body["cache"]["status"] == "failed" and body["broker"]["status"] == "failed"
    assert body["worker"] == {"status": "unknown"} and body["beat"] == {"status": "unknown"}
    assert "127.0.0.1" not in str(body) and "redis" not in str(body)


def test_beat_schedules_the_heartbeat_and_the_recovery(settings):
    assert settings.CELERY_BEAT_SCHEDULE["health-heartbeat"]["task"] == health.HEARTBEAT_TASK
    assert settings.CELERY_BEAT_SCHEDULE["recover-interrupted-packs"]["task"] == (
        "reporting.tasks.recover_interrupted_packs")
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db
def test_refusal_pages_explain_themselves(client, settings):
    from pmf.models import User

    settings.DEBUG = False
    client.force_login(User.objects.get(username="nadia.holloway"))  # internal audit: reads, never signs off
    response = client.get("/indicators/sign-off/")
    assert response.status_code == 403
    assert "Only directors and their delegates sign off returns." in response.text
    missing = client.get("/indicators/999999/")
    assert missing.status_code == 404 and "Page not found" in missing.text
