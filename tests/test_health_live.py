"""/health/ against the real services (marker ``services``; run by .ci/run, which starts a Celery worker and beat
on Redis against the demo on PostgreSQL): the database, the cache and the broker answer, and the heartbeat beat
sends is recorded by beat and by the worker that runs it, so both are "seen recently"."""

from __future__ import annotations

import json
import os
import time

import pytest
from django.test import RequestFactory

from tests.celery_faults import celery_config

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(os.environ.get("PMF_LIVE_CELERY") != "1" or not os.environ.get("REDIS_URL"),
                       reason="needs the real worker and beat .ci/run starts (PMF_LIVE_CELERY=1, REDIS_URL)"),
]


@pytest.fixture(scope="session")
def django_db_setup():
    """Use the database .ci/run prepared, not a test database: the worker and beat use it too."""


def test_health_sees_the_database_the_broker_a_worker_and_beat(django_db_blocker):
    from pmf.views import health

    request = RequestFactory().get("/health/")
    with django_db_blocker.unblock(), celery_config(task_always_eager=False):
        deadline = time.monotonic() + 90  # beat sends a heartbeat when it starts, then every minute
        while True:
            started = time.monotonic()
            response = health(request)
            seconds = time.monotonic() - started
            body = json.loads(response.content)
            if body["status"] == "ok" or time.monotonic() > deadline:
                break
            time.sleep(2)
    print(body)
    assert response.status_code == 200 and seconds < 2
    assert body["status"] == "ok", body
    assert body["database"]["status"] == body["cache"]["status"] == body["broker"]["status"] == "ok"
    assert body["worker"]["status"] == "ok" and body["worker"]["seconds_ago"] <= 180
    assert body["beat"]["status"] == "ok" and body["beat"]["seconds_ago"] <= 180
