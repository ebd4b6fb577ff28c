"""manage.py sync_games: every game refreshed from IGDB in batches of up to 500."""

import json
from io import StringIO

import pytest
import responses
from django.core.management import CommandError, call_command

from games.models import Game
from games.tests.factories import GameFactory
from games.tests.helpers import answer_ids, calls_to, igdb_url, sent_queries

pytestmark = pytest.mark.django_db


def igdb_record(igdb: int) -> dict:
    return {
        "id": igdb,
        "name": f"IGDB Game {igdb}",
        "slug": f"igdb-game-{igdb}",
        "summary": "From IGDB.",
        "cover": {"id": igdb, "image_id": f"co{igdb}"},
    }


def create_games(count: int) -> list[int]:
    """Games 1 … count as clients left them: placeholders with their own names."""
    games = GameFactory.build_batch(count, is_placeholder=True)
    for igdb, game in enumerate(games, start=1):
        game.igdb, game.name = igdb, f"client name {igdb}"
    Game.objects.bulk_create(games)
    return list(range(1, count + 1))


def queried_ids(body: str) -> list[int]:
    return json.loads("[" + body.split("id = (")[1].split(")")[0] + "]")


def sync() -> str:
    out = StringIO()
    call_command("sync_games", stdout=out)
    return out.getvalue()


@pytest.fixture
def igdb_knows_every_game(mocked_igdb):
    answer_ids(mocked_igdb, "games", {igdb: igdb_record(igdb) for igdb in range(2000)})
    return mocked_igdb


def test_1201_games_take_three_requests_of_at_most_500_ids(igdb_knows_every_game):
    ids = create_games(1201)

    sync()

    bodies = sent_queries(igdb_knows_every_game, "games")
    assert [len(queried_ids(body)) for body in bodies] == [500, 500, 201]
    assert [igdb for body in bodies for igdb in queried_ids(body)] == ids
    assert all("limit 500;" in body for body in bodies[:2])


def test_every_game_is_refreshed_and_no_longer_a_placeholder(igdb_knows_every_game):
    create_games(3)

    sync()

    assert list(
        Game.objects.order_by("pk").values_list(
            "pk", "name", "cover_id", "summary", "is_placeholder"
        )
    ) == [
        (1, "IGDB Game 1", "co1", "From IGDB.", False),
        (2, "IGDB Game 2", "co2", "From IGDB.", False),
        (3, "IGDB Game 3", "co3", "From IGDB.", False),
    ]


def test_summary_counts_refreshed_and_unknown_games(mocked_igdb):
    create_games(5)
    answer_ids(mocked_igdb, "games", {igdb: igdb_record(igdb) for igdb in (1, 2, 4)})

    out = sync()

    assert "5 games: 3 refreshed, 2 not found on IGDB, 0 failed" in out
    assert Game.objects.get(pk=3).name == "client name 3"


def test_failed_batch_is_a_command_error_after_the_other_batches(
    mocked_igdb, no_rate_limit
):
    create_games(1201)

    def second_batch_fails(request):
        ids = queried_ids(request.body.decode())
        if ids[0] == 501:
            return 500, {}, "Internal Server Error"
        return 200, {}, json.dumps([igdb_record(igdb) for igdb in ids])

    mocked_igdb.add_callback(responses.POST, igdb_url("games"), second_batch_fails)

    summary = "1201 games: 701 refreshed, 0 not found on IGDB, 500 failed"
    with pytest.raises(CommandError, match=summary):
        sync()

    assert Game.objects.get(pk=1201).name == "IGDB Game 1201"
    assert Game.objects.get(pk=501).name == "client name 501"


def test_429_is_waited_out_and_the_batch_sent_again(mocked_igdb, clock):
    create_games(501)
    mocked_igdb.post(igdb_url("games"), status=429, headers={"Retry-After": "3"})
    answer_ids(mocked_igdb, "games", {igdb: igdb_record(igdb) for igdb in range(600)})

    out = sync()

    assert "501 games: 501 refreshed, 0 not found on IGDB, 0 failed" in out
    assert clock.slept == [3]
    assert len(calls_to(mocked_igdb, "games")) == 3


def test_nothing_to_sync_sends_nothing(mocked_igdb):
    out = sync()

    assert "0 games: 0 refreshed" in out
    assert len(mocked_igdb.calls) == 0


def test_without_igdb_credentials_is_a_command_error(settings):
    settings.IGDB_CLIENT_ID = ""

    with pytest.raises(CommandError, match="IGDB_CLIENT_ID"):
        sync()
