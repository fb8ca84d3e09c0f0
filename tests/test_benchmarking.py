"""Issue 12, C4: national comparator values in the LG Inform / Oflog layout, comparator groups as data, a national
metric mapped to a measure; the measure is then ranked among its group, with the source and date of the data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators import benchmarking, selectors
from indicators.models import BenchmarkValue, ComparatorGroup, Indicator, NationalValue
from pmf import imports
from pmf.models import AuditEntry, Council, User
from reporting import charts

pytestmark = pytest.mark.django_db

LG_INFORM = """Metric id,Metric name,Area code,Area name,Time period,Value
9001,Household waste recycled (%),E06000049,Cheshire East,2024/25,48.1
9001,Household waste recycled (%),E06000050,Cheshire West and Chester,2024/25,52.4
9001,Household waste recycled (%),E06000051,Shropshire,2024/25,55.0
9001,Household waste recycled (%),E06000052,Cornwall,2024/25,
9001,Household waste recycled (%),E06099901,Harrowdale,2024/25,50.0
"""
GROUPS = [{"group": "CIPFA nearest neighbours", "kind": "cipfa", "area code": code, "area name": name}
          for code, name in (("E06000049", "Cheshire East"), ("E06000050", "Cheshire West and Chester"),
                             ("E06000051", "Shropshire"), ("E06099901", "Harrowdale"))]


@pytest.fixture
def harrowdale():
    return Council.objects.get(slug="harrowdale")


def measure(council) -> Indicator:
    """A Harrowdale measure compared with its CIPFA nearest neighbours."""
    return (Indicator.objects.filter(council=council, current_spec__comparator_group="CIPFA nearest neighbours",
                                     current_spec__frequency="annual").order_by("ref").first()
            or Indicator.objects.filter(council=council, current_spec__comparator_group="CIPFA nearest neighbours")
            .order_by("ref").first())


def test_an_lg_inform_download_with_groups_and_mapping_ranks_the_measure(harrowdale):
    helen = User.objects.get(username="helen.marsh")
    ind = measure(harrowdale)
    download = imports.read_book(SimpleUploadedFile("lginform-9001.csv", LG_INFORM.encode()))
    outcome = benchmarking.import_benchmarks(book=download, council=harrowdale, user=helen, source="LG Inform",
                                             published_on=date(2025, 11, 20))
    assert outcome.problems == [] and outcome.created["National values"] == 4  # Cornwall has no value
    assert NationalValue.objects.filter(metric__code="9001").count() == 4
    demo = NationalValue.objects.filter(metric__code=ind.ref).count()
    assert demo >= 16, "the demo's own benchmark values came in through the importer"

    setup = imports.write_xlsx([
        (benchmarking.GROUPS, GROUPS),
        (benchmarking.MAPPING, [{"measure": ind.ref, "source": "LG Inform", "metric": "9001"}]),
    ])
    outcome = benchmarking.import_benchmarks(book=imports.read_book(SimpleUploadedFile("groups.xlsx", setup)),
                                             council=harrowdale, user=helen)
    assert outcome.problems == [] and outcome.benchmarks == 3  # the council's own area is left out
    group = ComparatorGroup.objects.get(council=harrowdale, name="CIPFA nearest neighbours")
    assert (group.kind, group.areas.count()) == ("cipfa", 4)
    values = BenchmarkValue.objects.filter(indicator=ind, financial_year_id=2024).order_by("comparator")
    assert [(b.comparator, b.value) for b in values] == [
        ("Cheshire East", Decimal("48.1")), ("Cheshire West and Chester", Decimal("52.4")),
        ("Shropshire", Decimal("55.0"))]
    assert values[0].source == "LG Inform (9001), published 20 November 2025"
    assert AuditEntry.objects.filter(object_type="indicators.BenchmarkValue", user=helen,
                                     reason__contains="groups.xlsx").count() == 3

    # The indicator page and the Q2 pack rank the measure among them (reporting.charts.benchmark).
    series = selectors.load_series(Indicator.objects.filter(pk=ind.pk))[0]
    bench = charts.benchmark(series, list(values))
    assert bench.of == 4 and bench.comparators and bench.sentence
    assert bench.median == Decimal("52.4")

    # Importing the same files again changes nothing.
    again = benchmarking.import_benchmarks(book=imports.read_book(SimpleUploadedFile("lginform-9001.csv",
                                                                                     LG_INFORM.encode())),
                                           council=harrowdale, user=helen, source="LG Inform",
                                           published_on=date(2025, 11, 20))
    assert again.problems == [] and not again.created and not again.changed and again.benchmarks == 0


def test_problems_are_listed_and_nothing_is_stored(harrowdale):
    bad = LG_INFORM.replace("2024/25,48.1", "2024/26,48.1").replace("52.4", "lots")
    book = imports.read_book(SimpleUploadedFile("lginform.csv", bad.encode()))
    outcome = benchmarking.import_benchmarks(book=book, council=harrowdale, user=None, source="Oflog")
    assert {(p.row, p.column, p.rule) for p in outcome.problems} == {(2, "period", "wrong type"),
                                                                     (3, "value", "wrong type")}
    assert not NationalValue.objects.filter(metric__source="Oflog").exists()
    mapping = imports.write_xlsx([(benchmarking.MAPPING, [{"measure": "NOPE", "source": "Oflog", "metric": "x"}])])
    outcome = benchmarking.import_benchmarks(book=imports.read_book(SimpleUploadedFile("m.xlsx", mapping)),
                                             council=harrowdale, user=None)
    assert [(p.sheet, p.row, p.column, p.rule) for p in outcome.problems] == [
        ("Metric mapping", 2, "measure", "unknown code")]
    no_source = benchmarking.import_benchmarks(book=imports.read_book(SimpleUploadedFile("d.csv", LG_INFORM.encode())),
                                               council=harrowdale, user=None)
    assert [p.rule for p in no_source.problems] == ["required"]


def test_the_indicator_page_shows_the_source_and_date_of_the_comparator_values(client):
    ind = Indicator.objects.filter(council__slug="harrowdale", benchmarks__isnull=False).order_by("ref").first()
    client.force_login(User.objects.get(username="helen.marsh"))
    text = client.get(f"/indicators/{ind.pk}/").content.decode()
    source = ind.benchmarks.order_by("-financial_year_id").first().source
    assert 'id="bench-source"' in text and source.split(",")[0] in text


def test_the_command_reads_a_download(tmp_path, harrowdale):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "oflog.csv"
    path.write_text(LG_INFORM.replace("Metric id", "Metric code"))
    out = StringIO()
    call_command("import_benchmarks", str(path), "--council", "harrowdale", "--source", "Oflog", "--dry-run",
                 stdout=out)
    assert "Dry run: nothing was stored" in out.getvalue()
    assert not NationalValue.objects.filter(metric__source="Oflog").exists()
    call_command("import_benchmarks", str(path), "--council", "harrowdale", "--source", "Oflog",
                 "--published", "2025-12-01", stdout=StringIO())
    assert NationalValue.objects.filter(metric__source="Oflog", published_on=date(2025, 12, 1)).count() == 4
    path.write_text(LG_INFORM.replace("48.1", "many"))
    with pytest.raises(CommandError, match="1 problems"):
        call_command("import_benchmarks", str(path), "--council", "harrowdale", "--source", "Oflog",
                     stdout=StringIO())
