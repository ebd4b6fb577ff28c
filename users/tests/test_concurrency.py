"""Follows and unfollows that race each other, from real threads released together.

Each thread has its own client and its own database connection, which it closes
when done; the tests commit for real, so that one thread sees what another wrote.
"""

from functools import partial
from itertools import cycle

import pytest
from django.urls import reverse

from conftest import bearer_client, race
from users.models import Follow, User
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def statuses(responses) -> list[int]:
    return [r.status_code for r in responses]


def bodies(responses) -> list:
    return [r.data for r in responses]


def post(client, name: str, username: str):
    return partial(client.post, reverse(name), {"username": username}, format="json")


def test_many_users_following_one_user_at_once_all_succeed():
    star = UserFactory()
    fans = UserFactory.create_batch(THREADS)
    requests = [post(bearer_client(fan), "follow", star.username) for fan in fans]

    responses = race(requests)

    assert statuses(responses) == [200] * THREADS, bodies(responses)
    assert bodies(responses) == [{"username": star.username, "following": True}] * (
        THREADS
    )
    followers = Follow.objects.filter(followed=star).values_list("follower_id")
    assert sorted(pk for (pk,) in followers) == sorted(fan.pk for fan in fans)


def test_one_user_following_the_same_user_from_many_threads_gets_one_row():
    fan, star = UserFactory.create_batch(2)
    requests = [
        post(bearer_client(fan), "follow", star.username) for _ in range(THREADS)
    ]

    responses = race(requests)

    assert statuses(responses) == [200] * THREADS, bodies(responses)
    assert Follow.objects.filter(follower=fan, followed=star).count() == 1


def test_one_user_unfollowing_from_many_threads_leaves_no_row():
    fan, star = UserFactory.create_batch(2)
    Follow.objects.create(follower=fan, followed=star)
    requests = [
        post(bearer_client(fan), "unfollow", star.username) for _ in range(THREADS)
    ]

    responses = race(requests)

    assert statuses(responses) == [200] * THREADS, bodies(responses)
    assert not Follow.objects.filter(follower=fan, followed=star).exists()


def test_follows_and_unfollows_of_one_pair_at_once_leave_at_most_one_row():
    fan, star = UserFactory.create_batch(2)
    requests = [
        post(bearer_client(fan), name, star.username)
        for name in ["follow", "unfollow"] * (THREADS // 2)
    ]

    responses = race(requests)

    assert statuses(responses) == [200] * THREADS, bodies(responses)
    assert Follow.objects.filter(follower=fan, followed=star).count() <= 1


def test_users_following_each_other_at_once_all_succeed():
    users = UserFactory.create_batch(THREADS)
    requests = [
        post(bearer_client(user), "follow", users[(n + 1) % THREADS].username)
        for n, user in enumerate(users)
    ]

    responses = race(requests)

    assert statuses(responses) == [200] * THREADS, bodies(responses)
    assert Follow.objects.count() == THREADS


def test_users_claiming_one_email_at_once_get_one_200_and_the_rest_400():
    users = UserFactory.create_batch(THREADS)
    spellings = cycle(["same@example.com", "SAME@EXAMPLE.COM", "Same@Example.com"])
    requests = [
        partial(
            bearer_client(user).patch,
            reverse("profile-update"),
            {"email": email},
            format="json",
        )
        for user, email in zip(users, spellings, strict=False)
    ]

    responses = race(requests)

    assert sorted(statuses(responses)) == [200] + [400] * (THREADS - 1), bodies(
        responses
    )
    assert User.objects.filter(email__iexact="same@example.com").count() == 1
