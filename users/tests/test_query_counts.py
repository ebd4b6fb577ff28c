"""The users endpoints run a fixed number of queries, however much there is to show."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import RELATIONS, JournalEntry, Rating
from actions.tests.helpers import send_json
from conftest import bearer_client
from games.models import Game
from games.tests.factories import GameFactory
from users.models import Follow, User
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FEW = 1
MANY = 40


def bulk_users(prefix: str, count: int) -> list[User]:
    return User.objects.bulk_create(
        User(username=f"{prefix}{n}", email=f"{prefix}{n}@example.com")
        for n in range(count)
    )


def with_rows(user, count: int):
    """Give `user` `count` games in each list, rated and in the journal."""
    games = Game.objects.bulk_create(GameFactory.build_batch(count))
    for model in RELATIONS.values():
        model.objects.bulk_create(model(user=user, game=game) for game in games)
    Rating.objects.bulk_create(Rating(user=user, game=game, rating=5) for game in games)
    JournalEntry.objects.bulk_create(
        JournalEntry(user=user, game=game, date=datetime.date(2020, 1, 1))
        for game in games
    )


def star(count: int) -> User:
    """A user with `count` followers, `count` followed users and `count` of each row."""
    user = UserFactory()
    fans = bulk_users(f"fan-of-{user.pk}-", count)
    idols = bulk_users(f"idol-of-{user.pk}-", count)
    Follow.objects.bulk_create(Follow(follower=fan, followed=user) for fan in fans)
    Follow.objects.bulk_create(Follow(follower=user, followed=idol) for idol in idols)
    with_rows(user, count)
    return user


def reader(count: int) -> User:
    """A user following `count` users who each have `count` of every activity."""
    user = UserFactory()
    idols = bulk_users(f"followed-by-{user.pk}-", count)
    Follow.objects.bulk_create(Follow(follower=user, followed=idol) for idol in idols)
    for idol in idols:
        with_rows(idol, count)
    return user


def captured_sql(client, url: str, **query) -> list[str]:
    """The SQL of one GET, which must succeed."""
    with CaptureQueriesContext(connection) as queries:
        r = client.get(url, {"page_size": 200, **query})
    assert r.status_code == 200, r.data
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize(
    ("url", "most"),
    [
        pytest.param(lambda user: reverse("profile", args=[user.username]), 1),
        pytest.param(
            lambda user: reverse("follow-list", args=[user.username, "followers"]),
            3,
            id="followers",
        ),
        pytest.param(
            lambda user: reverse("follow-list", args=[user.username, "following"]),
            3,
            id="following",
        ),
        *[
            pytest.param(
                lambda user, relation=relation: reverse(
                    "game-list", args=[user.username, relation]
                ),
                3,
                id=relation,
            )
            for relation in RELATIONS
        ],
    ],
)
@pytest.mark.parametrize(
    ("client", "auth_queries"),
    [("api_client", 0), ("auth_client", 1)],
    ids=["anonymous", "authenticated"],
)
def test_public_reads_do_not_grow_with_the_users_data(
    request, django_assert_max_num_queries, url, most, client, auth_queries
):
    caller = request.getfixturevalue(client)
    light, heavy = star(FEW), star(MANY)
    # Both measured requests find the caller in the same state: cached, or not yet.
    caller.get(reverse("current-user"))

    few = captured_sql(caller, url(light))
    with django_assert_max_num_queries(most + auth_queries):
        many = captured_sql(caller, url(heavy))

    assert len(many) == len(few), "\n".join(many)


def test_feed_does_not_grow_with_follows_or_activity(django_assert_max_num_queries):
    light = bearer_client(reader(FEW))
    heavy = bearer_client(reader(MANY))
    # One query for the caller, one for each of the six kinds of activity.
    most = 7

    few = captured_sql(light, reverse("feed"))
    with django_assert_max_num_queries(most):
        many = captured_sql(heavy, reverse("feed"))

    assert len(many) == len(few), "\n".join(many)


def test_later_feed_pages_take_as_many_queries_as_the_first(
    django_assert_max_num_queries,
):
    client = bearer_client(reader(MANY))
    first = client.get(reverse("feed"), {"page_size": 200})
    second = client.get(first.data["next"])

    first_sql = captured_sql(client, reverse("feed"))
    with django_assert_max_num_queries(7):
        third_sql = captured_sql(client, second.data["next"])

    assert len(third_sql) == len(first_sql), "\n".join(third_sql)


@pytest.mark.parametrize(
    ("method", "name", "body", "most"),
    [
        pytest.param("post", "follow", lambda target: {"username": target.username}, 3),
        pytest.param(
            "post", "unfollow", lambda target: {"username": target.username}, 3
        ),
        pytest.param("patch", "profile-update", lambda target: {"bio": "Hi."}, 5),
    ],
)
def test_writes_do_not_grow_with_the_users_data(
    django_assert_max_num_queries, method, name, body, most
):
    light, heavy = bearer_client(star(FEW)), bearer_client(star(MANY))
    light_target, heavy_target = star(FEW), star(MANY)

    with CaptureQueriesContext(connection) as few:
        r = send_json(light, method, reverse(name), body(light_target))
    with django_assert_max_num_queries(most) as many:
        send_json(heavy, method, reverse(name), body(heavy_target))

    assert r.status_code == 200, r.data
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)
