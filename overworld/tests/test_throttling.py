"""Throttling, on Redis as in production and on a process's own memory as in
development: the same limits, the same 429 answers."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from conftest import bearer_client, race
from users.tests.factories import PASSWORD, UserFactory

from .test_service import REDIS

LOCAL = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


class Clock:
    """The throttles' clock, moved by hand."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture(params=["redis", "local memory"])
def throttle_cache(request, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": REDIS["default"] if request.param == "redis" else LOCAL,
    }
    cache.clear()
    yield request.param
    cache.clear()


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(SimpleRateThrottle, "timer", clock)
    return clock


@pytest.fixture
def user_rate(monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "3/min")


def popular(client):
    return client.get(reverse("game-popular"))


@pytest.mark.django_db
def test_a_user_past_the_rate_gets_429_with_retry_after(
    throttle_cache, clock, user_rate, auth_client
):
    answers = [popular(auth_client) for _ in range(4)]

    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert answers[3].json()["detail"].startswith("Request was throttled.")
    assert answers[3]["Retry-After"] == "60"


@pytest.mark.django_db
def test_retry_after_counts_down_to_when_the_oldest_request_leaves_the_window(
    throttle_cache, clock, user_rate, auth_client
):
    for _ in range(3):
        assert popular(auth_client).status_code == 200
        clock.now += 10

    clock.now += 5  # 35 s after the first request
    r = popular(auth_client)

    assert r.status_code == 429
    assert r["Retry-After"] == "25"


@pytest.mark.django_db
def test_the_window_slides_and_refused_requests_do_not_count(
    throttle_cache, clock, user_rate, auth_client
):
    assert popular(auth_client).status_code == 200
    clock.now += 30
    assert [popular(auth_client).status_code for _ in range(2)] == [200, 200]
    # Refused again and again while the window is full...
    for _ in range(5):
        clock.now += 5
        assert popular(auth_client).status_code == 429

    # ...then the first request leaves it, and one more request fits.
    clock.now += 6
    assert popular(auth_client).status_code == 200
    assert popular(auth_client).status_code == 429
    clock.now += 60
    assert [popular(auth_client).status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.django_db
def test_each_user_has_a_window_of_their_own(
    throttle_cache, clock, user_rate, auth_client, other_client
):
    for _ in range(3):
        popular(auth_client)

    assert popular(auth_client).status_code == 429
    assert popular(other_client).status_code == 200


@pytest.mark.django_db
def test_anonymous_clients_are_throttled_by_address(
    throttle_cache, clock, monkeypatch, api_client
):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "2/min")

    statuses = [
        api_client.get(reverse("game-popular"), REMOTE_ADDR=address).status_code
        for address in ["192.0.2.1", "192.0.2.1", "192.0.2.1", "192.0.2.2"]
    ]

    assert statuses == [200, 200, 429, 200]


@pytest.mark.django_db
def test_the_login_scope_has_its_own_window(throttle_cache, clock, api_client):
    UserFactory(username="ada")

    statuses = [
        api_client.post(
            reverse("login"), {"username": "ada", "password": PASSWORD}, format="json"
        ).status_code
        for _ in range(11)
    ]

    assert statuses == [200] * 10 + [429]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_are_each_counted(monkeypatch, settings):
    """Twelve requests at once against a limit of six: exactly six get through."""
    settings.CACHES = {**settings.CACHES, "default": REDIS["default"]}
    cache.clear()
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "6/min")
    clients = [bearer_client(user) for user in [UserFactory()] * 12]

    statuses = race([lambda c=c: popular(c).status_code for c in clients])

    assert sorted(statuses) == [200] * 6 + [429] * 6
    cache.clear()


@pytest.mark.django_db
def test_a_rate_of_zero_refuses_every_request(
    throttle_cache, clock, monkeypatch, auth_client
):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "0/min")

    r = popular(auth_client)

    assert r.status_code == 429, r.data
    assert r["Retry-After"] == "60"


@pytest.mark.django_db
def test_request_times_left_by_drfs_own_throttle_do_not_break_requests(
    settings, user, auth_client
):
    settings.CACHES = {**settings.CACHES, "default": REDIS["default"]}
    cache.clear()
    cache.set(f"throttle_user_{user.pk}", [1_800_000_000.0], 60)

    assert popular(auth_client).status_code == 200
    cache.clear()
