"""Who may do what: a token for writes, data per user, entries per author."""

import datetime

import pytest
from django.urls import reverse
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from actions.models import JournalEntry, Liked, Rating
from actions.tests.factories import (
    BacklogFactory,
    JournalEntryFactory,
    LikedFactory,
    PlayedFactory,
    RatingFactory,
    WishlistFactory,
)
from actions.tests.helpers import row_counts, send_json
from games.tests.factories import GameFactory
from users.tests.factories import UserFactory

GAME_IGDB = 1942


def snapshot():
    """Row counts with the contents of the rows a stranger might try to change."""
    return (
        row_counts(),
        list(JournalEntry.objects.order_by("pk").values()),
        list(Rating.objects.order_by("pk").values()),
    )


@pytest.fixture
def game(db):
    return GameFactory(igdb=GAME_IGDB)


@pytest.fixture
def entry(user, game):
    return JournalEntryFactory(
        user=user, game=game, date=datetime.date(2022, 3, 4), review="Mine."
    )


# A valid token is needed for everything but reading journals


def expired_token(user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-datetime.timedelta(seconds=1))
    return f"Bearer {token}"


def deactivated_users_token(user):
    token = f"Bearer {AccessToken.for_user(user)}"
    user.is_active = False
    user.save(update_fields=["is_active"])
    return token


def deleted_users_token(user):
    stranger = UserFactory()
    token = f"Bearer {AccessToken.for_user(stranger)}"
    stranger.delete()
    return token


@pytest.fixture(
    params=[
        pytest.param(lambda user: None, id="no-header"),
        pytest.param(lambda user: "Bearer", id="no-token"),
        pytest.param(lambda user: "Bearer not-a-jwt", id="garbage"),
        pytest.param(lambda user: f"Token {AccessToken.for_user(user)}", id="scheme"),
        pytest.param(lambda user: f"Bearer {AccessToken.for_user(user)}x", id="forged"),
        pytest.param(
            lambda user: f"Bearer {RefreshToken.for_user(user)}", id="refresh-token"
        ),
        pytest.param(expired_token, id="expired"),
        pytest.param(deactivated_users_token, id="deactivated-user"),
        pytest.param(deleted_users_token, id="deleted-user"),
    ]
)
def bad_client(request, api_client, user):
    """A client whose Authorization header, if any, does not authenticate."""
    header = request.param(user)
    api_client.credentials(**({"HTTP_AUTHORIZATION": header} if header else {}))
    return api_client


@pytest.fixture
def paths(entry):
    return {
        "state": f"{reverse('actions-list')}?igdb={GAME_IGDB}",
        "log": reverse("actions-relation", args=["log"]),
        "like": reverse("actions-relation", args=["like"]),
        "backlog": reverse("actions-relation", args=["backlog"]),
        "wishlist": reverse("actions-relation", args=["wishlist"]),
        "rating": f"{reverse('ratings')}?game={GAME_IGDB}",
        "ratings": reverse("ratings"),
        "journal": reverse("journal-list"),
        "entry": reverse("journal-detail", args=[entry.pk]),
    }


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "state", {}),
        ("post", "log", {"igdb": GAME_IGDB}),
        ("post", "like", {"igdb": GAME_IGDB}),
        ("post", "backlog", {"igdb": GAME_IGDB}),
        ("post", "wishlist", {"igdb": GAME_IGDB}),
        ("get", "rating", {}),
        ("post", "ratings", {"game": GAME_IGDB, "rating": 1}),
        ("delete", "rating", {}),
        ("post", "journal", {"game": {"igdb": GAME_IGDB}, "date": "2023-01-01"}),
        ("patch", "entry", {"review": "Not mine."}),
        ("delete", "entry", {}),
    ],
)
def test_every_write_and_private_read_needs_a_valid_token(
    bad_client, user, game, paths, method, path, body
):
    RatingFactory(user=user, game=game, rating=4)
    before = snapshot()

    r = send_json(bad_client, method, paths[path], body)

    assert r.status_code == 401, r.data
    assert r["Content-Type"] == "application/json"
    assert "detail" in r.json()
    assert snapshot() == before


def test_anyone_may_read_a_journal_and_an_entry(api_client, user, entry):
    journal = api_client.get(reverse("journal-list"), {"username": user.username})
    single = api_client.get(reverse("journal-detail", args=[entry.pk]))

    assert journal.status_code == 200, journal.data
    assert single.status_code == 200, single.data


# Actions and ratings belong to one user


def test_other_users_relations_do_not_show_in_the_state(auth_client, other_user, game):
    PlayedFactory(user=other_user, game=game)
    LikedFactory(user=other_user, game=game)
    BacklogFactory(user=other_user, game=game)
    WishlistFactory(user=other_user, game=game)

    r = auth_client.get(reverse("actions-list"), {"igdb": game.igdb})

    assert r.status_code == 200, r.data
    assert r.data == {
        "played": False,
        "liked": False,
        "backlog": False,
        "wishlist": False,
    }


def test_toggles_leave_other_users_relations_alone(auth_client, user, other_user, game):
    LikedFactory(user=other_user, game=game)
    url = reverse("actions-relation", args=["like"])

    on = auth_client.post(url, {"igdb": game.igdb}, format="json")
    off = auth_client.post(url, {"igdb": game.igdb}, format="json")

    assert on.status_code == 200, on.data
    assert off.status_code == 200, off.data
    assert (on.data["value"], off.data["value"]) == (True, False)
    assert list(Liked.objects.values_list("user", flat=True)) == [other_user.pk]


def test_other_users_ratings_do_not_show(auth_client, other_user, game):
    RatingFactory(user=other_user, game=game, rating=3)

    r = auth_client.get(reverse("ratings"), {"game": game.igdb})

    assert r.status_code == 200, r.data
    assert r.data == {}


def test_rating_leaves_other_users_ratings_alone(auth_client, user, other_user, game):
    RatingFactory(user=other_user, game=game, rating=3)

    r = auth_client.post(
        reverse("ratings"), {"game": game.igdb, "rating": 8}, format="json"
    )

    assert r.status_code == 200, r.data
    assert Rating.objects.get(user=other_user, game=game).rating == 3
    assert Rating.objects.get(user=user, game=game).rating == 8


def test_deleting_a_rating_leaves_other_users_ratings_alone(
    auth_client, other_user, game
):
    RatingFactory(user=other_user, game=game, rating=3)

    r = auth_client.delete(f"{reverse('ratings')}?game={game.igdb}")

    assert r.status_code == 204, r.data
    assert Rating.objects.get(user=other_user, game=game).rating == 3


# Only its author changes a journal entry


@pytest.mark.parametrize(
    "changes",
    [
        {"review": "Not mine.", "liked": True, "rating": 1},
        {"date": "not a date", "rating": 99},
        {},
    ],
    ids=["valid", "invalid", "empty"],
)
def test_nobody_else_may_change_an_entry(other_client, entry, changes):
    before = snapshot()

    r = other_client.patch(
        reverse("journal-detail", args=[entry.pk]), changes, format="json"
    )

    assert r.status_code == 403, r.data
    assert "detail" in r.data
    assert snapshot() == before


def test_nobody_else_may_delete_an_entry(other_client, entry):
    r = other_client.delete(reverse("journal-detail", args=[entry.pk]))

    assert r.status_code == 403, r.data
    assert "detail" in r.data
    assert JournalEntry.objects.filter(pk=entry.pk).exists()


def test_a_new_entry_belongs_to_the_caller_whatever_the_body_says(
    auth_client, user, other_user, game
):
    body = {"game": {"igdb": game.igdb}, "date": "2023-01-01", "user": other_user.pk}

    r = auth_client.post(reverse("journal-list"), body, format="json")

    assert r.status_code == 200, r.data
    assert r.data["user"] == user.pk
    assert JournalEntry.objects.get().user == user


def test_a_change_cannot_move_an_entry_to_another_user(
    auth_client, user, other_user, entry
):
    r = auth_client.patch(
        reverse("journal-detail", args=[entry.pk]),
        {"user": other_user.pk, "review": "Still mine."},
        format="json",
    )

    assert r.status_code == 200, r.data
    entry.refresh_from_db()
    assert (entry.user, entry.review) == (user, "Still mine.")
