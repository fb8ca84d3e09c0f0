import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_cache(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_health_is_503_when_the_database_fails(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "failed"


@pytest.mark.django_db
def test_refusal_pages_explain_themselves(client, settings):
    from pmf.models import User

    settings.DEBUG = False
    client.force_login(User.objects.get(username="nadia.holloway"))  # internal audit: reads, never signs off
    response = client.get("/indicators/sign-off/")
    assert response.status_code == 403
    assert "Only directors and their delegates sign off returns." in response.text
    missing = client.get("/indicators/999999/")
    assert missing.status_code == 404 and "Page not found" in missing.text
