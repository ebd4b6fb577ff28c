"""/api/games/ end to end over real sockets, against the IGDB stand-in."""

import json
import subprocess
import sys
import time
import urllib.request

import pytest
from django.urls import reverse

from games import igdb
from games.catalog import DEFAULT_CATALOG
from games.models import Game
from games.tests.factories import GameFactory

pytestmark = pytest.mark.django_db

SHIPPED = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))


def detail_url(igdb: int) -> str:
    return reverse("game-detail", kwargs={"igdb": igdb})


def test_hanging_igdb_is_cut_off_by_the_read_timeout_and_the_catalog_answers(
    api_client, standin, monkeypatch
):
    monkeypatch.setattr(igdb, "READ_TIMEOUT", 1)
    GameFactory(igdb=2155, name="Dark Souls (catalog copy)")
    standin.fail("hang")
    started = time.monotonic()

    r = api_client.get(detail_url(2155))

    assert r.status_code == 200, r.data
    assert r.data["name"] == "Dark Souls (catalog copy)"
    assert len(standin.requests_to("games")) == 1
    # The stand-in hangs for a minute; an answer well before proves the cut-off.
    assert time.monotonic() - started < 15


def test_answers_live_then_from_the_cache_then_from_the_catalog(
    api_client, standin, quick_retries
):
    live = api_client.get(reverse("game-search"), {"q": "dark souls"})
    assert live.status_code == 200, live.data
    assert [game["name"] for game in live.data] == [
        "Dark Souls",
        "Dark Souls II",
        "Dark Souls III",
    ]

    standin.fail("500")
    cached = api_client.get(reverse("game-search"), {"q": "dark souls"})
    assert cached.data == live.data
    assert len(standin.requests_to("games")) == 1

    # Not cached, but the search wrote Dark Souls III into the catalog.
    fallback = api_client.get(detail_url(11133))
    assert fallback.status_code == 200, fallback.data
    assert fallback.data["name"] == "Dark Souls III"
    assert len(standin.requests_to("games")) == 1 + 1 + igdb.RETRIES


@pytest.mark.parametrize("failure", ["429", "500", "malformed"])
def test_failing_igdb_falls_back_to_the_catalog(
    api_client, standin, quick_retries, failure
):
    GameFactory(igdb=2155, name="Dark Souls (catalog copy)")
    standin.fail(failure)

    r = api_client.get(detail_url(2155))

    assert r.status_code == 200, r.data
    assert r.data["name"] == "Dark Souls (catalog copy)"


@pytest.mark.parametrize(
    "lose_token",
    [
        pytest.param(lambda standin: standin.revoke_tokens(), id="revoked"),
        pytest.param(lambda standin: standin.fail("401-once"), id="401-once"),
    ],
)
def test_lost_token_is_renewed_and_the_request_answered_live(
    api_client, standin, lose_token
):
    api_client.get(detail_url(2155))
    lose_token(standin)

    r = api_client.get(detail_url(26226))

    assert r.status_code == 200, r.data
    assert r.data["name"] == "Celeste"
    assert standin.token_requests == 2


def test_popular_games_are_igdbs_most_visited(api_client, standin):
    r = api_client.get(reverse("game-popular"))

    assert r.status_code == 200, r.data
    # The stand-in ranks visits in catalog order.
    assert [game["id"] for game in r.data] == [game["id"] for game in SHIPPED[:20]]
    assert Game.objects.count() == 20


def test_answers_from_igdb_and_the_catalog_have_the_same_keys(
    api_client, standin, settings
):
    from_igdb = api_client.get(detail_url(2155))
    settings.IGDB_CLIENT_ID = ""

    from_catalog = api_client.get(detail_url(2155))

    assert from_catalog.status_code == 200, from_catalog.data
    assert set(from_igdb.data) == set(from_catalog.data)
    assert set(from_igdb.data["cover"]) == set(from_catalog.data["cover"])


def post(url: str, data: bytes) -> dict:
    with urllib.request.urlopen(urllib.request.Request(url, data=data)) as answer:
        return json.load(answer)


def test_standin_runs_as_a_module():
    server = subprocess.Popen(
        [sys.executable, "-m", "games.tests.igdb_standin", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = server.stdout.readline().split()[-1]
        token = post(
            f"{url}/oauth2/token",
            b"client_id=dev&client_secret=dev&grant_type=client_credentials",
        )
        request = urllib.request.Request(
            f"{url}/v4/games",
            data=b'fields name; search "celeste";',
            headers={
                "Client-ID": "dev",
                "Authorization": f"Bearer {token['access_token']}",
            },
        )
        with urllib.request.urlopen(request) as answer:
            games = json.load(answer)
    finally:
        server.terminate()
        server.wait(timeout=5)

    assert games == [{"id": 26226, "name": "Celeste"}]
