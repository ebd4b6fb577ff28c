"""Health checks, request logging and throttling: what an operator relies on."""

import logging

import pytest
from django.core.cache import caches
from django.db import connection
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from users.tests.factories import PASSWORD, UserFactory

# As production configures them: both aliases on one Redis.
REDIS_URLS = {"up": "redis://127.0.0.1:6379/9", "down": "redis://127.0.0.1:1/0"}
REDIS, NO_REDIS = (
    {
        alias: {"BACKEND": "overworld.cache.RedisCache", "LOCATION": location}
        for alias in ("default", "users")
    }
    # Nothing listens on port 1.
    for location in (REDIS_URLS["up"], REDIS_URLS["down"])
)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/healthz/"])
def test_healthz_answers_ok_without_authentication(client, path):
    r = client.get(path)

    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_checks_redis_when_configured(client, settings):
    settings.REDIS_URL = REDIS["default"]["LOCATION"]
    settings.CACHES = REDIS

    r = client.get("/healthz")

    assert r.status_code == 200, r.content
    assert r.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_when_redis_does_not_answer(client, settings):
    settings.REDIS_URL = NO_REDIS["default"]["LOCATION"]
    settings.CACHES = NO_REDIS

    r = client.get("/healthz")

    assert r.status_code == 503
    assert r.json() == {"status": "unavailable", "failed": ["redis"]}
    caches["default"].close()


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("database is down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    r = client.get("/healthz")

    assert r.status_code == 503
    assert r.json() == {"status": "unavailable", "failed": ["database"]}


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["text/plain", "text/html", "*/*"])
def test_healthz_answers_json_whatever_the_probe_accepts(client, accept):
    r = client.get("/healthz", HTTP_ACCEPT=accept)

    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_is_never_throttled(client, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "2/min")

    statuses = {client.get("/healthz").status_code for _ in range(5)}

    assert statuses == {200}


@pytest.mark.django_db
def test_each_request_is_logged_once_without_secrets(api_client, caplog):
    user = UserFactory(username="ada")
    caplog.set_level(logging.INFO, logger="overworld.requests")

    r = api_client.post(
        reverse("login"), {"username": "ada", "password": PASSWORD}, format="json"
    )
    token = r.data["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    api_client.post(
        reverse("journal-list"),
        {
            "game": {"igdb": 7, "name": "Celeste"},
            "date": "2020-01-01",
            "review": "secret thoughts about the summit",
        },
        format="json",
    )

    lines = [r.getMessage() for r in caplog.records if r.name == "overworld.requests"]
    assert len(lines) == 2, lines
    assert lines[0].startswith("POST /api/users/login 200 ")
    assert lines[0].endswith(" user=-")
    assert lines[1].startswith("POST /api/actions/journal 200 ")
    assert lines[1].endswith(f" user={user.pk}")
    logged = "\n".join(lines)
    for secret in (PASSWORD, token, "secret thoughts"):
        assert secret not in logged


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scope", "url_name", "body"),
    [
        ("login", "login", {"username": "nobody", "password": "wrong"}),
        ("register", "register", {"username": "x", "email": "bad", "password": ""}),
        ("refresh", "token-refresh", {"refresh": "garbage"}),
    ],
)
def test_auth_endpoints_have_their_own_stricter_throttle(
    api_client, monkeypatch, scope, url_name, body
):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "3/min")

    statuses = [
        api_client.post(reverse(url_name), body, format="json").status_code
        for _ in range(4)
    ]

    assert 429 not in statuses[:3] and statuses[3] == 429, statuses


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ["anon", "user"])
def test_throttled_answer_is_429_with_retry_after(
    api_client, auth_client, monkeypatch, scope
):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "2/min")
    client = auth_client if scope == "user" else api_client

    answers = [client.get(reverse("game-popular")) for _ in range(3)]

    assert [r.status_code for r in answers] == [200, 200, 429]
    assert int(answers[2]["Retry-After"]) > 0
    assert "detail" in answers[2].json()


def test_every_view_is_throttled_by_default():
    names = [throttle.__name__ for throttle in api_settings.DEFAULT_THROTTLE_CLASSES]

    assert names == ["AnonRateThrottle", "UserRateThrottle", "ScopedRateThrottle"]


@pytest.mark.django_db
def test_without_redis_the_api_answers_503_not_500(api_client, settings):
    settings.CACHES = NO_REDIS

    r = api_client.get(reverse("game-popular"))

    assert r.status_code == 503, r.content
    assert "detail" in r.json()
    caches["default"].close()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/games/search/x%0A2026-01-01 INFO forged line",
        "/api/games/search/x%1B%5B31mred",
        "/api/users/%00/",
    ],
)
def test_a_path_cannot_write_lines_or_escapes_into_the_log(client, caplog, path):
    caplog.set_level(logging.INFO, logger="overworld.requests")

    client.get(path)

    (line,) = [r.getMessage() for r in caplog.records if r.name == "overworld.requests"]
    assert line.isprintable(), line
