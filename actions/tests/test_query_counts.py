"""The actions endpoints run a fixed number of queries, however much a user has."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import RELATIONS, JournalEntry, Rating
from conftest import bearer_client
from games.models import Game
from games.tests.factories import GameFactory
from users.tests.factories import UserFactory

FEW = 1
MANY = 200


def user_with_rows(count: int):
    """A user with `count` games in each relation, rated and in the journal."""
    user = UserFactory()
    games = Game.objects.bulk_create(GameFactory.build_batch(count))
    for model in RELATIONS.values():
        model.objects.bulk_create(model(user=user, game=game) for game in games)
    Rating.objects.bulk_create(Rating(user=user, game=game, rating=5) for game in games)
    JournalEntry.objects.bulk_create(
        JournalEntry(
            user=user,
            game=game,
            date=datetime.date(2000, 1, 1) + datetime.timedelta(days=day),
        )
        for day, game in enumerate(games)
    )
    return user


def captured_sql(send, client, game) -> list[str]:
    """The SQL of one request."""
    with CaptureQueriesContext(connection) as queries:
        r = send(client, game)
    assert r.status_code == 200, r.data
    return [query["sql"] for query in queries.captured_queries]


def post_relation(action):
    url = reverse("actions-relation", args=[action])
    return lambda client, game: client.post(url, {"igdb": game.igdb}, format="json")


@pytest.mark.parametrize(
    ("send", "most"),
    [
        pytest.param(
            lambda client, game: client.get(
                reverse("actions-list"), {"igdb": game.igdb}
            ),
            2,
            id="actions",
        ),
        pytest.param(post_relation("log"), 8, id="log"),
        pytest.param(post_relation("like"), 7, id="like"),
        pytest.param(post_relation("backlog"), 7, id="backlog"),
        pytest.param(post_relation("wishlist"), 7, id="wishlist"),
        pytest.param(
            lambda client, game: client.post(
                reverse("ratings"), {"game": game.igdb, "rating": 8}, format="json"
            ),
            5,
            id="rate",
        ),
        pytest.param(
            lambda client, game: client.get(reverse("ratings"), {"game": game.igdb}),
            2,
            id="rating",
        ),
        pytest.param(
            lambda client, game: client.get(reverse("journal-list")), 2, id="journal"
        ),
        pytest.param(
            lambda client, game: client.post(
                reverse("journal-list"),
                {"game": {"igdb": game.igdb}, "date": "2023-05-04", "rating": 8},
                format="json",
            ),
            9,
            id="journal-entry",
        ),
    ],
)
def test_queries_do_not_grow_with_the_users_data(
    django_assert_max_num_queries, game, send, most
):
    light = bearer_client(user_with_rows(FEW))
    heavy = bearer_client(user_with_rows(MANY))

    few = captured_sql(send, light, game)
    with django_assert_max_num_queries(most):
        many = captured_sql(send, heavy, game)

    assert len(many) == len(few), "\n".join(many)
