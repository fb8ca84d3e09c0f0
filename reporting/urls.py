"""Pages members and the public read (issue 4). Each feature adds its own lines here."""

from django.urls import path

from reporting import views_dashboard, views_scorecard

app_name = "reporting"
urlpatterns = [
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("scorecard/<int:plan_pk>/", views_scorecard.scorecard, name="scorecard"),
    path("scorecard/<int:plan_pk>/scorecard.csv", views_scorecard.scorecard_csv, name="scorecard_csv"),
    path("scorecard/<int:plan_pk>/scorecard.xlsx", views_scorecard.scorecard_xlsx, name="scorecard_xlsx"),
]
