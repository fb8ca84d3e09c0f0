"""Pages members and the public read (issue 4) and the report packs (issue 5)."""

from django.urls import path

from reporting import (
    views_bulk_returns,
    views_case_studies,
    views_dashboard,
    views_finance,
    views_packs,
    views_risks,
    views_scorecard,
    views_workbook,
)

app_name = "reporting"
urlpatterns = [
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("scorecard/<int:plan_pk>/", views_scorecard.scorecard, name="scorecard"),
    path("scorecard/<int:plan_pk>/scorecard.csv", views_scorecard.scorecard_csv, name="scorecard_csv"),
    path("scorecard/<int:plan_pk>/scorecard.xlsx", views_scorecard.scorecard_xlsx, name="scorecard_xlsx"),
    path("case-studies/", views_case_studies.case_study_list, name="case_studies"),
    path("case-studies/new/", views_case_studies.case_study_new, name="case_study_add"),
    path("case-studies/<int:pk>/", views_case_studies.case_study_detail, name="case_study"),
    path("case-studies/<int:pk>/picture/", views_case_studies.case_study_picture, name="case_study_picture"),
    # issue 12: the council workbook (import, export, the blank template)
    path("workbook/", views_workbook.workbook, name="workbook"),
    path("workbook/template.xlsx", views_workbook.template, name="workbook_template"),
    path("workbook/export.xlsx", views_workbook.export_council, name="workbook_export"),
    path("bulk-returns/", views_bulk_returns.bulk_returns, name="bulk_returns"),
    path("bulk-returns/sheet.xlsx", views_bulk_returns.bulk_sheet, name="bulk_returns_sheet"),
    # issue 13: the corporate risk register (E4)
    path("risks/", views_risks.risk_list, name="risks"),
    path("risks/mine/", views_risks.my_risks, name="my_risks"),
    path("risks/<int:pk>/", views_risks.risk_detail, name="risk"),
    # issue 13: finance beside performance (C 3.1)
    path("finance/", views_finance.finance_list, name="finance"),
    path("finance/new/", views_finance.finance_add, name="finance_add"),
    path("finance/import/", views_finance.finance_import, name="finance_import"),
    path("finance/template.csv", views_finance.finance_template, name="finance_template"),
    path("finance/<int:pk>/", views_finance.finance_edit, name="finance_edit"),
    path("reports/", views_packs.archive, name="archive"),
    path("reports/set-up/", views_packs.definition_list, name="definitions"),
    path("reports/set-up/new/", views_packs.definition_edit, name="definition_add"),
    path("reports/set-up/<int:pk>/", views_packs.definition_detail, name="definition"),
    path("reports/set-up/<int:pk>/edit/", views_packs.definition_edit, name="definition_edit"),
    path("reports/set-up/<int:pk>/delete/", views_packs.definition_delete, name="definition_delete"),
    path("reports/<int:pk>/", views_packs.pack_detail, name="pack"),
    path("reports/<int:pk>/progress/", views_packs.pack_progress, name="pack_progress"),
    path("reports/<int:pk>/issue/", views_packs.pack_issue, name="pack_issue"),
    path("reports/<int:pk>/retry/", views_packs.pack_retry, name="pack_retry"),
    path("reports/<int:pk>/prepare-again/", views_packs.pack_regenerate, name="pack_regenerate"),
    path("reports/<int:pk>/<str:fmt>/", views_packs.pack_file, name="pack_file"),
]
