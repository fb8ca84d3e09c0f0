"""The Celery app pointed somewhere else for a test: a Redis that is not there, or a real broker without eager
tasks. Used by tests/test_failure_recovery.py and tests/test_health.py."""

from __future__ import annotations

import contextlib
import socket


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _reset_connections(app) -> None:
    """Forget the app's broker connections and result backend, so the next task sent uses the new settings."""
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@contextlib.contextmanager
def celery_config(**conf):
    """The Celery app with ``conf`` for the duration; then as it was."""
    from pmf.celery import app

    saved = {key: app.conf[key] for key in conf}
    app.conf.update(conf)
    _reset_connections(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        _reset_connections(app)


def broker_unreachable():
    """Tasks sent (not run eagerly) to a Redis that is not there: a closed port on 127.0.0.1."""
    url = f"redis://127.0.0.1:{closed_port()}/0"
    return celery_config(broker_url=url, result_backend=url, task_always_eager=False)
