"""Requests that race each other, from real threads released together.

Each thread has its own client and its own database connection, which it closes
when done; the tests commit for real, so that one thread sees what another wrote.
"""

from functools import partial

import pytest
from django.urls import reverse

from actions.models import Backlog, JournalEntry, Liked, Played, Rating, Wishlist
from conftest import bearer_client, race
from games.models import Game
from games.tests.factories import GameFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
NEW_IGDB = 1942


def statuses(responses) -> list[int]:
    return [r.status_code for r in responses]


def bodies(responses) -> list:
    return [r.data for r in responses]


def test_many_users_first_liking_one_new_game_at_once_all_succeed():
    users = UserFactory.create_batch(THREADS)
    url = reverse("actions-relation", args=["like"])
    body = {"igdb": NEW_IGDB, "name": "Outer Wilds"}
    requests = [
        partial(bearer_client(user).post, url, body, format="json") for user in users
    ]

    responses = race(requests)

    assert statuses(responses) == [200] * THREADS, bodies(responses)
    assert [r.data["value"] for r in responses] == [True] * THREADS
    assert Game.objects.filter(pk=NEW_IGDB).count() == 1
    likers = Liked.objects.filter(game_id=NEW_IGDB).values_list("user_id", flat=True)
    assert sorted(likers) == sorted(user.pk for user in users)


def test_many_users_first_rating_one_new_game_at_once_all_succeed():
    users = UserFactory.create_batch(THREADS)
    body = {"game": NEW_IGDB, "rating": 9, "name": "Outer Wilds"}
    requests = [
        partial(bearer_client(user).post, reverse("ratings"), body, format="json")
        for user in users
    ]

    responses = race(requests)

    assert statuses(responses) == [200] * THREADS, bodies(responses)
    assert Game.objects.filter(pk=NEW_IGDB).count() == 1
    assert Rating.objects.filter(game_id=NEW_IGDB).count() == THREADS


@pytest.mark.parametrize(
    ("action", "model"),
    [("log", Played), ("like", Liked), ("backlog", Backlog), ("wishlist", Wishlist)],
)
def test_one_user_setting_a_relation_from_many_threads_gets_one_row(action, model):
    user = UserFactory()
    url = reverse("actions-relation", args=[action])
    body = {"igdb": NEW_IGDB, "name": "Outer Wilds", "value": True}
    requests = [
        partial(bearer_client(user).post, url, body, format="json")
        for _ in range(THREADS)
    ]

    responses = race(requests)

    assert statuses(responses) == [200] * THREADS, bodies(responses)
    assert [r.data["value"] for r in responses] == [True] * THREADS
    assert Game.objects.filter(pk=NEW_IGDB).count() == 1
    assert model.objects.filter(user=user, game_id=NEW_IGDB).count() == 1


def test_one_users_simultaneous_toggles_cancel_out_in_pairs():
    user = UserFactory()
    game = GameFactory()
    url = reverse("actions-relation", args=["like"])
    requests = [
        partial(bearer_client(user).post, url, {"igdb": game.igdb}, format="json")
        for _ in range(THREADS)
    ]

    responses = race(requests)

    assert statuses(responses) == [200] * THREADS, bodies(responses)
    values = sorted(r.data["value"] for r in responses)
    assert values == [False] * (THREADS // 2) + [True] * (THREADS // 2)
    assert not Liked.objects.filter(user=user, game=game).exists()


def test_parallel_journal_entries_are_all_stored_with_one_played_row():
    user = UserFactory()
    body = {
        "game": {"igdb": NEW_IGDB, "name": "Outer Wilds"},
        "date": "2023-05-04",
        "liked": True,
        "rating": 8,
    }
    requests = [
        partial(bearer_client(user).post, reverse("journal-list"), body, format="json")
        for _ in range(THREADS)
    ]

    responses = race(requests)

    assert statuses(responses) == [200] * THREADS, bodies(responses)
    assert len({r.data["id"] for r in responses}) == THREADS
    assert JournalEntry.objects.filter(user=user, game_id=NEW_IGDB).count() == THREADS
    assert Game.objects.filter(pk=NEW_IGDB).count() == 1
    assert Played.objects.filter(user=user, game_id=NEW_IGDB).count() == 1
    assert Liked.objects.filter(user=user, game_id=NEW_IGDB).count() == 1
    assert Rating.objects.get(user=user, game_id=NEW_IGDB).rating == 8
