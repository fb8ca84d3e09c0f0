"""Pages members and the public read (issue 4). Each feature adds its own lines here."""

from django.urls import path  # noqa: F401  (used as the features add their routes)

app_name = "reporting"
urlpatterns: list = []
