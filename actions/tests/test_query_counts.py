"""The actions endpoints run a fixed number of queries, however much a user has."""

import datetime

import pytest
from django.core.cache import caches
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


def post_relation(action, **extra):
    url = reverse("actions-relation", args=[action])
    return lambda client, game: client.post(
        url, {"igdb": game.igdb, **extra}, format="json"
    )


def journal_of(client, game):
    """The caller's journal, asked for by name as a visitor would."""
    return client.get(
        reverse("journal-list"), {"username": client.username, "limit": 50}
    )


def named_client(user):
    client = bearer_client(user)
    client.username = user.username
    return client


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
        pytest.param(post_relation("like", value=True), 4, id="like-true"),
        pytest.param(post_relation("like", value=False), 6, id="like-false"),
        pytest.param(journal_of, 3, id="journal-by-name"),
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
    light = named_client(user_with_rows(FEW))
    heavy = named_client(user_with_rows(MANY))

    few = captured_sql(send, light, game)
    with django_assert_max_num_queries(most):
        many = captured_sql(send, heavy, game)

    assert len(many) == len(few), "\n".join(many)


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(
            lambda client, game: client.get(
                reverse("actions-list"), {"igdb": game.igdb}
            ),
            id="actions",
        ),
        pytest.param(
            lambda client, game: client.get(reverse("ratings"), {"game": game.igdb}),
            id="rating",
        ),
        pytest.param(post_relation("like", value=True), id="like"),
        pytest.param(post_relation("backlog", value=False), id="unbacklog"),
    ],
)
def test_hot_paths_take_one_query_once_the_caller_is_known(
    db, django_assert_num_queries, send
):
    """The busiest requests: the caller comes from the cache, the answer from one
    statement (the like changes a known game's mark)."""
    user = user_with_rows(FEW)
    game = GameFactory()
    Rating.objects.create(user=user, game=game, rating=7)
    RELATIONS["backlog"].objects.create(user=user, game=game)
    client = bearer_client(user)
    caches["users"].clear()  # creating the user marked it stale for a minute
    client.get(reverse("current-user"))

    with django_assert_num_queries(1):
        r = send(client, game)

    assert r.status_code == 200, r.data
