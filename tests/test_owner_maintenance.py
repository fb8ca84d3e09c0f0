"""Removing a whole council is the database owner's work (pmf.services.maintenance_window): with two roles on
PostgreSQL, ``load_demo --reset`` removes the demo as the owner, in a window of its own transaction, and loads it
again as the app role. Committed for real, so in the transactional tests' process."""

import pytest
from django.core.management import call_command
from django.db import connection

from demo import DEMO_SLUG
from demo.counts import demo_counts
from pmf.models import Council, MaintenanceWindow
from tests import dbroles
from tests.test_demo import fingerprint

pytestmark = [
    pytest.mark.transactional,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.skipif(not dbroles.two_roles(), reason="PostgreSQL with two roles only (DATABASE_OWNER_URL)"),
]


def test_the_owner_resets_the_demo_and_nothing_is_left_open(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", verbosity=0)
    council = Council.objects.get(slug=DEMO_SLUG)
    before_counts, before = demo_counts(council), fingerprint(council)
    call_command("load_demo", "--reset", verbosity=0)
    reloaded = Council.objects.get(slug=DEMO_SLUG)
    assert reloaded.pk != council.pk
    assert demo_counts(reloaded) == before_counts
    assert fingerprint(reloaded) == before
    assert not MaintenanceWindow.objects.exists()
    with connection.cursor() as cursor:  # the app role's own connection still cannot open one
        cursor.execute("SELECT has_table_privilege('pmf_maintenancewindow', 'INSERT')")
        assert cursor.fetchone() == (False,)
