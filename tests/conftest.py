"""Shared fixtures. The demo council is loaded once per test database (per xdist worker) and every test
runs inside a transaction that is rolled back, so tests see the demo and cannot disturb each other."""

import os

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests import dbroles

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """PostgreSQL with two roles (DATABASE_OWNER_URL): the test database is created and migrated by its owner
    (tests/dbroles.py); the tests themselves run as the app role (django_db_setup below)."""
    dbroles.switch_default("owner")
    dbroles.patch_flush()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    dbroles.switch_default("app")
    if os.environ.get("PMF_TEST_WITHOUT_DEMO") != "1":  # quick runs of tests that build their own data skip it
        with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            call_command("load_demo", verbosity=0)
    yield
    dbroles.switch_default("owner")  # the owner drops the test database


@pytest.fixture(scope="session", autouse=True)
def _tasks_in_process():
    """Tasks run in the test process even with REDIS_URL set: a worker cannot see a test's uncommitted data.
    The real worker is exercised by tests/test_packs_live.py, which .ci/run runs on its own."""
    from pmf.celery import app

    app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _demo_today(settings):
    """Every test runs on the demo's "today" (16 November 2026), so what is due does not drift with the clock."""
    from demo import DEMO_AS_OF

    settings.PMF_TODAY = DEMO_AS_OF


# -- Two-factor authentication ------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _two_factor_not_required(settings):
    """Two-factor authentication is not required in tests (production requires it of the performance unit,
    directors, internal audit and superusers): tests sign people in with ``client.force_login`` or the password
    alone, and the browser tests through the sign-in page. tests/test_two_factor.py and
    tests/browser/test_two_factor.py switch it on (``settings.TWO_FACTOR_REQUIRED = True``)."""
    settings.TWO_FACTOR_REQUIRED = False
