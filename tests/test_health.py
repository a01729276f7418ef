import pytest


@pytest.mark.django_db
def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_livez_answers_without_database(client):
    response = client.get("/livez")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    from django.db import OperationalError, connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "OperationalError"}


@pytest.mark.django_db
def test_livez_makes_no_database_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/livez").status_code == 200


@pytest.mark.parametrize("url", ["/healthz", "/livez"])
@pytest.mark.django_db
def test_health_answers_are_never_cached(client, url):
    assert "no-cache" in client.get(url)["Cache-Control"]


@pytest.mark.django_db
def test_health_checks_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/livez").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/", secure=False).status_code == 301
