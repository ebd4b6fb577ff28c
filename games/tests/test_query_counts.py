"""The games endpoints, answered from the database, run a fixed number of queries."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Liked, Played
from games.models import Game
from games.tests.factories import GameFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FEW = 3
MANY = 300


def catalog_of(size: int) -> Game:
    """`size` games named "Zelda …", each played and liked by a few users; the first."""
    games = Game.objects.bulk_create(
        GameFactory.build(name=f"Zelda {number}") for number in range(size)
    )
    users = UserFactory.create_batch(3)
    for model in (Played, Liked):
        model.objects.bulk_create(
            model(user=user, game=game) for user in users for game in games
        )
    return games[0]


REQUESTS = {
    "detail": lambda client, game: client.get(
        reverse("game-detail", kwargs={"igdb": game.igdb})
    ),
    "backdrop": lambda client, game: client.get(
        reverse("game-backdrop", kwargs={"igdb": game.igdb})
    ),
    "search": lambda client, game: client.get(reverse("game-search"), {"q": "zelda"}),
    "search-by-name": lambda client, game: client.get(
        reverse("game-search-name", kwargs={"name": "zelda"})
    ),
    "popular": lambda client, game: client.get(reverse("game-popular")),
}


def queries(send, client, game) -> int:
    with CaptureQueriesContext(connection) as captured:
        r = send(client, game)
    assert r.status_code == 200, r.data
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("name", "most"),
    [
        ("detail", 1),
        ("backdrop", 1),
        ("search", 1),
        ("search-by-name", 1),
        # The marks counted in each relation table, the games, and the newest games
        # when too few are marked.
        ("popular", 6),
    ],
)
def test_catalog_reads_do_not_grow_with_the_catalog(api_client, name, most):
    send = REQUESTS[name]
    few = queries(send, api_client, catalog_of(FEW))
    Game.objects.all().delete()
    cache.clear()

    many = queries(send, api_client, catalog_of(MANY))

    assert few <= most
    assert many <= most


def test_popular_games_are_counted_once_in_a_while(api_client):
    catalog_of(FEW)
    first = api_client.get(reverse("game-popular")).data

    with CaptureQueriesContext(connection) as captured:
        again = api_client.get(reverse("game-popular")).data

    assert again == first
    assert len(captured.captured_queries) == 0
