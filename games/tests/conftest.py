"""Fixtures for games with IGDB configured: mocked with `responses`, or a stand-in."""

import time

import pytest
import responses
from django.core.cache import caches
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import locmem

from games import igdb
from games.tests.helpers import API_URL, TOKEN_URL, token_answer
from games.tests.igdb_standin import IGDBStandin


@pytest.fixture(autouse=True)
def fresh_igdb_client():
    """Each test gets its own IGDB client: settings, session and rate limit."""
    igdb._client.cache_clear()
    yield
    igdb._client.cache_clear()


@pytest.fixture
def igdb_credentials(settings):
    settings.IGDB_CLIENT_ID = "overworld-test"
    settings.IGDB_CLIENT_SECRET = "test-secret"
    return settings


@pytest.fixture
def mocked_igdb(igdb_credentials):
    """IGDB at API_URL and Twitch at TOKEN_URL, answered by `responses`.

    Twitch hands out "token-1"; a test registers IGDB's answers. A request nothing
    answers fails as a connection error would.
    """
    igdb_credentials.IGDB_API_URL = API_URL
    igdb_credentials.TWITCH_TOKEN_URL = TOKEN_URL
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(TOKEN_URL, json=token_answer("token-1"))
        yield mock


@pytest.fixture
def standin(igdb_credentials):
    """The IGDB stand-in on a free local port, with Overworld pointed at it."""
    with IGDBStandin() as server:
        igdb_credentials.IGDB_API_URL = server.api_url
        igdb_credentials.TWITCH_TOKEN_URL = server.token_url
        yield server


@pytest.fixture
def quick_retries(monkeypatch):
    """No backoff between retries, so that tests of real sockets stay fast."""
    monkeypatch.setattr(igdb, "RETRY_BACKOFF", 0)


@pytest.fixture
def no_rate_limit(monkeypatch):
    """A rate limit no test reaches, for tests that send more than 4 requests."""
    monkeypatch.setattr(igdb, "REQUESTS_PER_SECOND", 1000)


class Clock:
    """A stopped clock; sleeping or advancing it moves it on at once."""

    def __init__(self, now: float):
        self.now = now
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    """Stop the clock of Django's local-memory cache and of games.igdb."""
    assert isinstance(caches["default"], locmem.LocMemCache), "run without REDIS_URL"
    stopped = Clock(time.time())
    for module in (cache_base, locmem, igdb):
        monkeypatch.setattr(module, "time", stopped)
    return stopped
