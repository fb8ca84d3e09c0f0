"""The demo council's reports (D2, D3, D6, D1): Cabinet (tier 1), one per portfolio holder (tier 2), one per
scrutiny committee (tier 3), the exception report and tracker, a directorate report each, the monthly
management-team report, the annual performance statement and the technical specification document.
Idempotent: a report already there (by name) is left alone."""

from __future__ import annotations

from pmf.choices import CommitteeKind
from pmf.models import Committee, Council, Directorate, Portfolio
from reporting.models import ReportDefinition, ReportType, ScopeKind, Section

ALL = [Section.OVERVIEW, Section.PLANS, Section.EXCEPTIONS, Section.BENCHMARKING, Section.MISSING]  # quarterly
NO_BENCHMARKS = [s for s in ALL if s != Section.BENCHMARKING]


def report_rows(council: Council) -> list[dict]:
    rows = [
        {"name": "Cabinet quarterly performance report", "report_type": ReportType.CABINET, "is_public": True,
         "sections": [*ALL, Section.RISKS, Section.FINANCE]},
        {"name": "Quarterly exception report", "report_type": ReportType.EXCEPTION, "kpis_only": False,
         "sections": [Section.OVERVIEW, Section.EXCEPTIONS, Section.MISSING]},
        {"name": "Quarterly exception tracker", "report_type": ReportType.EXCEPTION_TRACKER, "kpis_only": False,
         "sections": [Section.TRACKER]},
        {"name": "Monthly management-team report", "report_type": ReportType.MANAGEMENT_TEAM,
         "sections": [Section.OVERVIEW, Section.EXCEPTIONS, Section.MISSING]},
        {"name": "Annual performance statement", "report_type": ReportType.ANNUAL_STATEMENT, "is_public": True,
         "sections": [Section.OVERVIEW, Section.YEAR, Section.SUCCESS, Section.CASE_STUDIES]},
        {"name": "Technical specification document", "report_type": ReportType.TECHNICAL_SPEC, "kpis_only": False,
         "sections": [Section.SPECIFICATIONS]},
    ]
    for portfolio in Portfolio.objects.filter(council=council).order_by("name"):
        rows.append({"name": f"Portfolio holder report: {portfolio.name}", "report_type": ReportType.PORTFOLIO,
                     "scope": ScopeKind.PORTFOLIO, "portfolio": portfolio,
                     "sections": [*NO_BENCHMARKS, Section.FINANCE]})
    for committee in Committee.objects.filter(councils=council, kind=CommitteeKind.SCRUTINY).order_by("name"):
        rows.append({"name": f"Scrutiny report: {committee.name}", "report_type": ReportType.SCRUTINY,
                     "scope": ScopeKind.COMMITTEE, "committee": committee, "kpis_only": False, "is_public": True})
    for committee in Committee.objects.filter(councils=council, kind=CommitteeKind.SHAREHOLDER).order_by("name"):
        # A1: the shareholder board's report on the company in its remit (every measure, no benchmarking)
        rows.append({"name": f"Shareholder report: {committee.name}", "report_type": ReportType.SCRUTINY,
                     "scope": ScopeKind.COMMITTEE, "committee": committee, "kpis_only": False,
                     "sections": NO_BENCHMARKS})
    for directorate in Directorate.objects.filter(councils=council).order_by("name"):
        rows.append({"name": f"Directorate report: {directorate.name}", "report_type": ReportType.DIRECTORATE,
                     "scope": ScopeKind.DIRECTORATE, "directorate": directorate, "kpis_only": False,
                     "sections": NO_BENCHMARKS})
    return rows


def make_report_definitions(council: Council) -> int:
    made = 0
    for row in report_rows(council):
        fields = {"sections": ALL, **row}
        fields["sections"] = [str(s) for s in fields["sections"]]
        name = fields.pop("name")
        _, created = ReportDefinition.objects.get_or_create(council=council, name=name, defaults=fields)
        made += created
    return made
