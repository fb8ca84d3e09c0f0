"""No lost updates (issue 3.9): two people saving the same return, or two directors approving it, at the same
moment on two database connections. One wins; the other gets a Conflict and nothing is overwritten.

Real concurrency needs PostgreSQL (SQLite serialises every writer); these tests run in .ci/run's PostgreSQL
pass, in their own process, because they commit for real (transactional database)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from indicators import services
from indicators.models import Indicator, Return
from indicators.services import Conflict, Entry
from pmf.models import AuditEntry, Period
from tests import factories as f

pytestmark = [
    pytest.mark.transactional,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for two real connections"),
]


def run_together(*calls):
    """Run the calls on separate threads (each with its own database connection), released together."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", fn())
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.fixture
def setup():
    c = f.council()
    ind = f.indicator(c, kind="kpi")
    f.target(ind, 2026, 100)
    lead_a = f.user(c, "performance_unit")
    lead_b = f.user(c, "performance_unit")
    d1 = f.user(c, "director", directorate=ind.service.directorate)
    d2 = f.user(c, "delegate", directorate=ind.service.directorate)
    ind = Indicator.objects.select_related("current_spec", "council", "service").get(pk=ind.pk)
    period = Period.objects.get(financial_year_id=2026, frequency="monthly", number=7)
    return ind, period, lead_a, lead_b, d1, d2


def test_two_people_saving_the_same_return(setup):
    ind, period, a, b, *_ = setup
    ret = services.save_return(user=a, indicator=ind, period=period, version=None, submit=False,
                               entry=Entry(value=Decimal(90)))
    seen = ret.version
    results = run_together(
        lambda: services.save_return(user=a, indicator=ind, period=period, version=seen, submit=False,
                                     entry=Entry(value=Decimal(101))),
        lambda: services.save_return(user=b, indicator=ind, period=period, version=seen, submit=False,
                                     entry=Entry(value=Decimal(102))),
    )
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    winner = next(v for kind, v in results if kind == "ok")
    loser = next(v for kind, v in results if kind == "error")
    assert isinstance(loser, Conflict)
    assert loser.current.value == winner.value  # the loser is shown the winner's figures
    assert Return.objects.get(pk=ret.pk).value == winner.value
    assert Return.objects.get(pk=ret.pk).version == seen + 1


def test_two_people_creating_the_first_return(setup):
    ind, period, a, b, *_ = setup
    results = run_together(
        lambda: services.save_return(user=a, indicator=ind, period=period, version=None, submit=False,
                                     entry=Entry(value=Decimal(101))),
        lambda: services.save_return(user=b, indicator=ind, period=period, version=None, submit=False,
                                     entry=Entry(value=Decimal(102))),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert isinstance(next(v for kind, v in results if kind == "error"), Conflict)
    assert Return.objects.filter(indicator=ind, period=period).count() == 1


def test_two_directors_approving_at_once(setup):
    ind, period, a, _, d1, d2 = setup
    ret = services.save_return(user=a, indicator=ind, period=period, version=None, submit=True,
                               entry=Entry(value=Decimal(101)))
    results = run_together(
        lambda: services.approve_return(user=d1, ret=Return.objects.get(pk=ret.pk), version=ret.version),
        lambda: services.approve_return(user=d2, ret=Return.objects.get(pk=ret.pk), version=ret.version),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert isinstance(next(v for kind, v in results if kind == "error"), Conflict)
    approved = Return.objects.get(pk=ret.pk)
    assert approved.state == "approved"
    assert AuditEntry.objects.filter(object_id=str(ret.pk), object_type="indicators.Return",
                                     action="approve").count() == 1
