"""What /health/ reports: the database, the cache, the job runner's broker, and when a Celery worker and Celery
beat were last seen.

Beat sends ``pmf.tasks.heartbeat`` every minute (``CELERY_BEAT_SCHEDULE``): beat records the time it sent it
(``after_task_publish``, in the beat process) and the worker that runs it records the time it ran, both in the
cache (Redis when ``REDIS_URL`` is set). Each check has a short timeout, so the page answers within about two
seconds even with Redis unreachable; the answer names states only, never an address, a password or an error text.

Only the database is needed to serve pages: without it the answer is 503. A broker, worker or beat that is away
makes the answer "degraded" (still 200): pages work, and reports and reminders wait until they are back.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection

log = logging.getLogger(__name__)

HEARTBEAT_TASK = "pmf.tasks.heartbeat"
_SEEN_KEY = "pmf:health:seen:{}"
_KEEP_SECONDS = 24 * 60 * 60

OK = "ok"
FAILED = "failed"
IN_PROCESS = "in-process"
NOT_SEEN = "not seen recently"
UNKNOWN = "unknown"
NOT_USED = "not used"


def seen_key(who: str) -> str:
    """The cache key of the time ``who`` ("worker" or "beat") was last seen."""
    return _SEEN_KEY.format(who)


def record_seen(who: str) -> None:
    """Note that ``who`` ("worker" or "beat") is alive now."""
    cache.set(seen_key(who), time.time(), _KEEP_SECONDS)


def _in_process() -> bool:
    from pmf.celery import app

    return bool(app.conf.task_always_eager)


def _timed(check) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        state = check()
    except Exception:  # noqa: BLE001 - any failure is reported as such; the log has the detail, the page does not
        log.warning("health: %s failed", check.__name__, exc_info=True)
        state = FAILED
    return {"status": state, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def _cache() -> str:
    cache.set("pmf:health:probe", "1", 10)
    return OK if cache.get("pmf:health:probe") == "1" else FAILED


def _broker() -> str:
    if _in_process():
        return IN_PROCESS
    from pmf.celery import app

    with app.connection_for_write() as conn:  # connect timeout: BROKER_TIMEOUT (settings)
        conn.ensure_connection(max_retries=0)
        conn.default_channel  # noqa: B018 - opening the channel is the round trip (Redis: a PING)
    return OK


def _seen(who: str, cache_state: str) -> dict[str, Any]:
    if _in_process():
        return {"status": IN_PROCESS if who == "worker" else NOT_USED}
    if cache_state != OK:  # where the heartbeats are kept cannot be read
        return {"status": UNKNOWN}
    try:
        at = cache.get(seen_key(who))
    except Exception:  # noqa: BLE001
        log.warning("health: reading the %s heartbeat failed", who, exc_info=True)
        return {"status": UNKNOWN}
    if at is None:
        return {"status": NOT_SEEN}
    ago = max(0, round(time.time() - float(at)))
    return {"status": OK if ago <= settings.HEALTH_STALE_SECONDS else NOT_SEEN, "seconds_ago": ago}


def report() -> tuple[dict[str, Any], int]:
    """The health report and its HTTP status: 503 when the database fails, else 200 ("ok" or "degraded")."""
    checks: dict[str, Any] = {"database": _timed(_database), "cache": _timed(_cache), "broker": _timed(_broker)}
    checks["worker"] = _seen("worker", checks["cache"]["status"])
    checks["beat"] = _seen("beat", checks["cache"]["status"])
    fine = {OK, IN_PROCESS, NOT_USED}
    if checks["database"]["status"] != OK:
        status, code = FAILED, 503
    elif all(check["status"] in fine for check in checks.values()):
        status, code = OK, 200
    else:
        status, code = "degraded", 200
    return {"status": status, **checks}, code
