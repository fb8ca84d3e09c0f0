"""The public site (D9): no login."""

from django.urls import path

from reporting import views_public

app_name = "public"
urlpatterns = [
    path("<slug:council_slug>/", views_public.home, name="home"),
    path("<slug:council_slug>/priorities/<int:pk>/", views_public.priority, name="priority"),
    path("<slug:council_slug>/measures/<str:ref>/", views_public.measure, name="measure"),
    path("<slug:council_slug>/timetable/", views_public.timetable, name="timetable"),
    path("<slug:council_slug>/open-data/", views_public.open_data, name="open_data"),
    path("<slug:council_slug>/open-data.csv", views_public.open_data_csv, name="open_data_csv"),
    path("<slug:council_slug>/open-data.json", views_public.open_data_json, name="open_data_json"),
    path("<slug:council_slug>/reports/", views_public.reports, name="reports"),
    path("<slug:council_slug>/reports/<int:pk>/", views_public.report, name="report"),
    path("<slug:council_slug>/reports/<int:pk>/<str:fmt>/", views_public.report_file, name="report_file"),
]
