"""Shared fixtures. The demo council is loaded once per test database (per xdist worker) and every test
runs inside a transaction that is rolled back, so tests see the demo and cannot disturb each other."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0)
