"""The open data of one council and one financial year, at a stable address (``/public/<council>/open-data/
<year>.json`` and ``.csv``; 2026 is 2026/27), described in the API schema. What is published is decided by
``reporting.open_data`` alone (published measures, approved figures only): the same rows as the whole-history
downloads, for that year's periods."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from pmf import gc_pause
from reporting import open_data as od


def _financial_year(row: dict) -> int:
    start = date.fromisoformat(row["period_start"])
    return start.year if start.month >= 4 else start.year - 1


def year_rows(council, year: int) -> list[dict[str, str]]:
    return [row for row in od.open_data_rows(council) if _financial_year(row) == year]


def _council_and_year(council_slug: str, year: str):
    """The council and the year (2026 for 2026/27): anything else than a year from 2000 to 2100 is a 404."""
    if not (len(year) == 4 and year.isascii() and year.isdigit()) or not 2000 <= int(year) <= 2100:
        raise Http404("No open data for that year.")
    return od.council_or_404(council_slug), int(year)


DOCUMENT = inline_serializer("OpenDataDocument", fields={
    "metadata": inline_serializer("OpenDataMetadata", fields={
        "title": serializers.CharField(), "publisher": serializers.CharField(),
        "licence": inline_serializer("OpenDataLicence", fields={"name": serializers.CharField(),
                                                                "url": serializers.CharField(allow_blank=True)}),
        "generated_at": serializers.DateTimeField(), "source_url": serializers.URLField(),
        "description": serializers.CharField(), "number_format": serializers.CharField(),
        "fields": inline_serializer("OpenDataField", many=True, fields={"name": serializers.CharField(),
                                                                        "description": serializers.CharField()}),
        "record_count": serializers.IntegerField(),
        "financial_year": serializers.IntegerField(help_text="2026 is 2026/27."),
    }),
    "data": inline_serializer("OpenDataRow", many=True, fields={
        name: serializers.CharField(allow_blank=True, help_text=text) for name, text in od.FIELDS}),
})


class Public(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


@extend_schema(tags=["open data"], responses={200: DOCUMENT},
               summary="A council's open data for one financial year (JSON, Open Government Licence)")
class OpenDataYearJson(Public):
    def get(self, request, council_slug: str, year: str) -> Response:
        council, year = _council_and_year(council_slug, year)
        with gc_pause.paused():
            rows = year_rows(council, year)
        source = request.build_absolute_uri(reverse("public:open_data", args=[council.slug]))
        document = od.open_data_document(council, rows, source_url=source, generated_at=timezone.now())
        document["metadata"]["financial_year"] = year
        return Response(document, headers={"Access-Control-Allow-Origin": "*"})


@extend_schema(tags=["open data"], responses={(200, "text/csv"): OpenApiResponse(
    response=OpenApiTypes.STR, description="CSV, UTF-8, a header row of the fields the JSON describes.")},
    summary="A council's open data for one financial year (CSV, Open Government Licence)")
class OpenDataYearCsv(Public):
    def get(self, request, council_slug: str, year: str) -> HttpResponse:
        council, year = _council_and_year(council_slug, year)
        with gc_pause.paused():
            body = od.open_data_csv(year_rows(council, year))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (f'attachment; filename="{council.slug}-performance-open-data-'
                                           f'{year}.csv"')
        response["Access-Control-Allow-Origin"] = "*"
        return response
