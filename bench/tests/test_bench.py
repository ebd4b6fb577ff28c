"""The benchmark's data and requests: what bench/run.py measures must be real work."""

import pytest
from django.db.models import Count

from actions.models import RELATIONS, JournalEntry, Rating
from bench import seed
from bench.plan import HEAVY_USER, LIGHT_USER, Sample, endpoints, record_queries
from games.models import Game
from users.models import Follow, User

pytestmark = pytest.mark.django_db
USERS = 1_000


@pytest.fixture
def seeded():
    return seed.seed(USERS)


def test_the_seed_writes_the_documented_amounts(seeded):
    assert seeded == {
        "users": USERS,
        "games": 5 * USERS,
        "relation rows": 100 * USERS,
        "ratings": 20 * USERS,
        "journal entries": 20 * USERS,
        "follows": 20 * USERS,
    }
    assert User.objects.count() == USERS
    assert Game.objects.count() == 5 * USERS
    assert sum(model.objects.count() for model in RELATIONS.values()) == 100 * USERS
    assert Rating.objects.count() == JournalEntry.objects.count() == 20 * USERS
    assert Follow.objects.count() == 20 * USERS


def test_one_user_has_5000_entries_and_another_50(seeded):
    counts = dict(
        JournalEntry.objects.values_list("user__username")
        .annotate(n=Count("id"))
        .values_list("user__username", "n")
    )

    assert counts[HEAVY_USER] == seed.HEAVY_JOURNAL
    assert counts[LIGHT_USER] == seed.LIGHT_JOURNAL


def test_a_registration_after_the_seed_gets_a_new_id(seeded):
    user = User.objects.create_user("newcomer", "newcomer@example.com", "pw-1843-x")

    assert user.pk == USERS + 1


def test_every_benchmarked_request_succeeds_and_its_queries_are_planned(
    seeded, settings, client
):
    settings.ROOT_URLCONF = "bench.urls"
    planned = endpoints(Sample())

    for endpoint in planned:
        record_queries(endpoint, client)  # raises on any answer but 2xx

        # Popular games come from the cache once counted; everything else queries.
        if endpoint.name != "popular":
            assert endpoint.queries, endpoint.name
            assert endpoint.plans, endpoint.name
    assert {endpoint.name for endpoint in planned} >= {
        "ceiling",
        "actions",
        "rating",
        "like",
        "journal-5000",
        "journal-50",
    }
