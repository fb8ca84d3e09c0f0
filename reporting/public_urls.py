"""The public site (D9): no login."""

from django.urls import path  # noqa: F401  (used as the public pages add their routes)

app_name = "public"
urlpatterns: list = []
