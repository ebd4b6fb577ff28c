"""When IGDB fails: cached answers, stale copies, the catalog, 503, one warning."""

import datetime
import logging
import socket

import pytest
import requests
import responses
from django.core.cache import cache
from django.urls import reverse

from games import igdb, sources
from games.models import Game
from games.tests.factories import GameFactory
from games.tests.helpers import (
    DARK_SOULS,
    DAY,
    HOUR,
    TOKEN_URL,
    calls_to,
    igdb_url,
)

pytestmark = pytest.mark.django_db

GAMES = igdb_url("games")
FAILURES = [
    pytest.param({"body": requests.ReadTimeout("read timed out")}, id="timeout"),
    pytest.param({"body": requests.ConnectionError("refused")}, id="connection"),
    pytest.param({"status": 429, "headers": {"Retry-After": "5"}}, id="429"),
    pytest.param({"status": 500}, id="500"),
    pytest.param({"status": 503}, id="503"),
    pytest.param({"body": "<html>Bad gateway</html>"}, id="malformed-json"),
    pytest.param({"json": [{"name": "Dark Souls"}]}, id="record-without-id"),
    pytest.param({"json": [{"id": 2**70, "name": "Big"}]}, id="id-out-of-range"),
    pytest.param({"body": '[{"id": 2155, "first_release_date": NaN}]'}, id="nan"),
    pytest.param({"body": '[{"id": 2155, "first_release_date": 1e999}]'}, id="inf"),
    pytest.param({"body": "[" * 100_000}, id="deeply-nested"),
]


def detail_url(igdb: int = 2155) -> str:
    return reverse("game-detail", kwargs={"igdb": igdb})


def names(data) -> list[str]:
    """The names of the games in an answer of one game or a list of them."""
    return [data["name"]] if isinstance(data, dict) else [g["name"] for g in data]


def outage_warnings(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.WARNING]


@pytest.fixture
def dark_souls_in_catalog():
    return GameFactory(
        igdb=2155,
        name="Dark Souls",
        slug="dark-souls",
        cover_id="co2uro",
        first_release_date=datetime.date(2011, 9, 22),
    )


@pytest.fixture
def igdb_down(mocked_igdb):
    mocked_igdb.post(GAMES, status=500)
    mocked_igdb.post(igdb_url("popularity_types"), status=500)
    return mocked_igdb


def fail(mock, failure: dict) -> None:
    mock.upsert(responses.POST, GAMES, **failure)


class TestCatalogFallback:
    @pytest.mark.parametrize("failure", FAILURES)
    def test_failing_igdb_is_answered_from_the_catalog(
        self, api_client, mocked_igdb, dark_souls_in_catalog, failure
    ):
        mocked_igdb.post(GAMES, **failure)

        r = api_client.get(detail_url())

        assert r.status_code == 200, r.data
        assert (r.data["name"], r.data["cover"]["image_id"]) == ("Dark Souls", "co2uro")
        # What only the catalog answers: it knows no image ids of IGDB's own.
        assert r.data["cover"]["id"] is None
        assert len(calls_to(mocked_igdb, "games")) >= 1

    @pytest.mark.parametrize(
        "url",
        [
            pytest.param(
                reverse("game-search-name", kwargs={"name": "dark"}), id="search"
            ),
            pytest.param(reverse("game-popular"), id="popular"),
            pytest.param(
                reverse("game-backdrop", kwargs={"igdb": 2155}), id="backdrop"
            ),
        ],
    )
    def test_every_endpoint_falls_back_to_the_catalog(
        self, api_client, igdb_down, dark_souls_in_catalog, url
    ):
        r = api_client.get(url)

        assert r.status_code == 200, r.data
        assert names(r.data) == ["Dark Souls"]

    def test_no_request_goes_to_igdb_during_a_cool_down(
        self, api_client, mocked_igdb, dark_souls_in_catalog
    ):
        GameFactory(igdb=26226, name="Celeste")
        mocked_igdb.post(GAMES, status=429, headers={"Retry-After": "30"})
        api_client.get(detail_url(2155))

        r = api_client.get(detail_url(26226))

        assert r.status_code == 200, r.data
        assert r.data["name"] == "Celeste"
        assert len(calls_to(mocked_igdb, "games")) == 1


class TestCachedFallback:
    def test_fresh_answer_comes_from_the_cache_even_when_igdb_fails(
        self, api_client, mocked_igdb
    ):
        mocked_igdb.post(GAMES, json=[DARK_SOULS])
        live = api_client.get(detail_url())
        fail(mocked_igdb, {"status": 500})

        r = api_client.get(detail_url())

        assert r.status_code == 200, r.data
        assert r.data == live.data
        assert len(calls_to(mocked_igdb, "games")) == 1

    @pytest.mark.parametrize("failure", FAILURES)
    def test_stale_copy_answers_before_the_catalog(
        self, api_client, mocked_igdb, clock, failure
    ):
        mocked_igdb.post(GAMES, json=[DARK_SOULS])
        live = api_client.get(detail_url())
        clock.advance(DAY + 1)
        fail(mocked_igdb, failure)

        r = api_client.get(detail_url())

        assert r.status_code == 200, r.data
        # IGDB's own answer of yesterday, with the genres the catalog does not keep.
        assert r.data == live.data
        assert r.data["genres"] == [{"id": 12, "name": "Role-playing (RPG)"}]

    def test_stale_empty_search_answers_an_empty_list(
        self, api_client, mocked_igdb, clock
    ):
        mocked_igdb.post(GAMES, json=[])
        api_client.get(reverse("game-search"), {"q": "zzyzx"})
        clock.advance(HOUR + 1)
        fail(mocked_igdb, {"status": 500})

        r = api_client.get(reverse("game-search"), {"q": "zzyzx"})

        assert r.status_code == 200, r.data
        assert r.data == []

    def test_stale_copy_expires_after_a_week(self, api_client, mocked_igdb, clock):
        mocked_igdb.post(GAMES, json=[DARK_SOULS])
        api_client.get(detail_url())
        fail(mocked_igdb, {"status": 500})
        clock.advance(7 * DAY + 1)
        Game.objects.filter(pk=2155).update(name="Dark Souls (catalog)")

        r = api_client.get(detail_url())

        assert r.status_code == 200, r.data
        assert r.data["name"] == "Dark Souls (catalog)"


class TestNothingToAnswerWith:
    @pytest.mark.parametrize(
        "url",
        [
            pytest.param(detail_url(2155), id="detail"),
            pytest.param(
                reverse("game-backdrop", kwargs={"igdb": 2155}), id="backdrop"
            ),
            pytest.param(
                reverse("game-search-name", kwargs={"name": "x"}), id="search"
            ),
            pytest.param(reverse("game-popular"), id="popular"),
        ],
    )
    def test_igdb_down_and_nothing_cached_or_in_the_catalog_is_a_503(
        self, api_client, igdb_down, url
    ):
        r = api_client.get(url)

        assert r.status_code == 503, r.data
        assert r.data["detail"]


class TestOutageLog:
    def test_outage_is_logged_once_per_incident(
        self, api_client, mocked_igdb, dark_souls_in_catalog, no_rate_limit, caplog
    ):
        caplog.set_level(logging.INFO)
        GameFactory(igdb=26226, name="Celeste")
        fail(mocked_igdb, {"status": 500})
        api_client.get(detail_url(2155))
        api_client.get(detail_url(26226))
        api_client.get(reverse("game-search"), {"q": "dark"})
        assert len(outage_warnings(caplog)) == 1

        fail(mocked_igdb, {"json": [DARK_SOULS]})
        cache.delete(sources.PROBE_CACHE_KEY)  # the time for the next probe has come
        api_client.get(reverse("game-backdrop", kwargs={"igdb": 2155}))
        fail(mocked_igdb, {"body": requests.ReadTimeout("read timed out")})
        api_client.get(reverse("game-search"), {"q": "celeste"})
        cache.delete(sources.PROBE_CACHE_KEY)
        api_client.get(reverse("game-search"), {"q": "souls"})

        assert [record.getMessage() for record in outage_warnings(caplog)] == [
            "IGDB unavailable, answering from cache or catalog: "
            "IGDB answered 500 on games",
            "IGDB unavailable, answering from cache or catalog: "
            "IGDB request failed: read timed out",
        ]
        assert "IGDB answering again" in caplog.messages

    def test_refused_connections_log_one_warning_not_one_per_retry(
        self,
        api_client,
        igdb_credentials,
        dark_souls_in_catalog,
        quick_retries,
        no_rate_limit,
        caplog,
    ):
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
        igdb_credentials.IGDB_API_URL = f"http://127.0.0.1:{port}/v4"
        igdb_credentials.TWITCH_TOKEN_URL = f"http://127.0.0.1:{port}/oauth2/token"
        cache.set(igdb.TOKEN_CACHE_KEY, "token-1", 3600)
        caplog.set_level(logging.INFO)

        first = api_client.get(detail_url())
        second = api_client.get(reverse("game-search"), {"q": "dark"})

        assert (first.status_code, second.status_code) == (200, 200)
        assert len(outage_warnings(caplog)) == 1


class TestTokenAnswers:
    @pytest.mark.parametrize(
        "answer",
        [
            pytest.param({"json": []}, id="list"),
            pytest.param({"json": "x"}, id="string"),
            pytest.param({"json": {"access_token": "t"}}, id="no-lifetime"),
            pytest.param({"json": {"access_token": "t", "expires_in": -5}}, id="past"),
            pytest.param(
                {"body": '{"access_token": "t", "expires_in": NaN}'}, id="nan"
            ),
            pytest.param({"status": 400, "json": {"message": "bad"}}, id="refused"),
        ],
    )
    def test_a_token_answer_twitch_should_not_give_falls_back(
        self, api_client, mocked_igdb, dark_souls_in_catalog, answer
    ):
        mocked_igdb.upsert(responses.POST, TOKEN_URL, **answer)

        r = api_client.get(detail_url())

        assert r.status_code == 200, r.data
        assert r.data["name"] == "Dark Souls"

    def test_an_endless_token_lifetime_is_cut_to_sixty_days(
        self, api_client, mocked_igdb, dark_souls_in_catalog, monkeypatch
    ):
        lifetimes = []
        monkeypatch.setattr(
            cache, "set", lambda key, value, timeout=None: lifetimes.append(timeout)
        )
        mocked_igdb.upsert(
            responses.POST,
            TOKEN_URL,
            json={"access_token": "t", "expires_in": 10**30},
        )

        igdb.get_client().token()

        assert lifetimes == [igdb.MAX_TOKEN_LIFETIME - igdb.TOKEN_EXPIRY_MARGIN]


class TestNonsenseFields:
    def test_fields_of_the_wrong_type_are_answered_as_unknown(
        self, api_client, mocked_igdb, no_rate_limit
    ):
        fail(
            mocked_igdb,
            {
                "json": [
                    {
                        "id": 2155,
                        "name": {"a": 1},
                        "slug": ["dark-souls"],
                        "first_release_date": 13.5,
                        "cover": {"id": "x", "image_id": "../../etc/passwd"},
                        "genres": [{"id": "12", "name": 5}],
                    }
                ]
            },
        )

        r = api_client.get(detail_url())

        assert r.status_code == 200, r.data
        assert (r.data["name"], r.data["slug"], r.data["cover"]) == (None, None, None)
        assert r.data["first_release_date"] is None
        assert r.data["genres"] == [{"id": None, "name": None}]

    def test_igdb_answering_another_game_is_not_taken_for_the_one_asked(
        self, api_client, mocked_igdb, no_rate_limit
    ):
        fail(mocked_igdb, {"json": [{**DARK_SOULS, "id": 26226}]})

        r = api_client.get(detail_url(2155))

        assert r.status_code == 404, r.data


class TestBusyThreads:
    def test_when_enough_threads_wait_on_igdb_the_next_answers_at_once(
        self, api_client, mocked_igdb, dark_souls_in_catalog
    ):
        fail(mocked_igdb, {"json": [{**DARK_SOULS, "summary": "From IGDB."}]})
        for _ in range(sources.IGDB_WAITERS):
            sources.WAITING_ON_IGDB.acquire()
        try:
            r = api_client.get(detail_url())
        finally:
            for _ in range(sources.IGDB_WAITERS):
                sources.WAITING_ON_IGDB.release()

        assert r.status_code == 200, r.data
        assert r.data["summary"] is None
        assert calls_to(mocked_igdb, "games") == []


class TestCircuitBreaker:
    def test_during_an_outage_one_request_per_interval_asks_igdb(
        self, api_client, mocked_igdb, dark_souls_in_catalog, no_rate_limit
    ):
        fail(mocked_igdb, {"body": requests.ReadTimeout("read timed out")})

        answers = [api_client.get(detail_url()) for _ in range(5)]

        assert [r.status_code for r in answers] == [200] * 5
        # The request that found the outage, and one probe; the rest never waited.
        assert len(calls_to(mocked_igdb, "games")) == 2

    def test_the_next_probe_after_the_interval_finds_igdb_back(
        self, api_client, mocked_igdb, dark_souls_in_catalog, no_rate_limit
    ):
        fail(mocked_igdb, {"status": 500})
        api_client.get(detail_url())
        api_client.get(detail_url())
        fail(mocked_igdb, {"json": [{**DARK_SOULS, "summary": "From IGDB."}]})
        cache.delete(sources.PROBE_CACHE_KEY)

        r = api_client.get(detail_url())

        assert r.data["summary"] == "From IGDB.", r.data
        assert cache.get(sources.OUTAGE_CACHE_KEY) is None


WRITES = [
    pytest.param(
        reverse("actions-relation", args=["like"]),
        {"igdb": 1942, "name": "Outer Wilds"},
        id="like",
    ),
    pytest.param(
        reverse("ratings"),
        {"game": 1942, "rating": 9, "name": "Outer Wilds"},
        id="rating",
    ),
    pytest.param(
        reverse("journal-list"),
        {"game": {"igdb": 1942, "name": "Outer Wilds"}, "date": "2023-05-04"},
        id="journal",
    ),
]


@pytest.mark.parametrize(("url", "body"), WRITES)
def test_writes_never_wait_on_igdb(auth_client, standin, url, body):
    standin.fail("hang")

    r = auth_client.post(url, body, format="json")

    assert r.status_code == 200, r.data
    assert standin.requests == []
