"""GET, POST and DELETE /api/actions/ratings/."""

import pytest
from django.urls import reverse

from actions.models import Rating
from actions.tests.factories import RatingFactory
from actions.tests.helpers import row_counts
from games.models import Game
from games.tests.factories import GameFactory

NEW_IGDB = 1942


def ratings_url(query: str = ""):
    return reverse("ratings") + query


# POST


def test_rating_a_game_answers_with_the_rating(auth_client, user, game):
    r = auth_client.post(ratings_url(), {"game": game.igdb, "rating": 8}, format="json")

    assert r.status_code == 200, r.data
    assert r.data == {"game": game.igdb, "user": user.pk, "rating": 8}
    assert Rating.objects.get(user=user, game=game).rating == 8


@pytest.mark.parametrize(("sent", "stored"), [(1, 1), (10, 10), ("7", 7)])
def test_whole_ratings_from_1_to_10_are_accepted(auth_client, user, game, sent, stored):
    r = auth_client.post(
        ratings_url(), {"game": game.igdb, "rating": sent}, format="json"
    )

    assert r.status_code == 200, r.data
    assert r.data["rating"] == stored
    assert Rating.objects.get(user=user, game=game).rating == stored


def test_rating_again_replaces_the_rating(auth_client, user, game):
    RatingFactory(user=user, game=game, rating=3)

    r = auth_client.post(ratings_url(), {"game": game.igdb, "rating": 9}, format="json")

    assert r.status_code == 200, r.data
    assert r.data == {"game": game.igdb, "user": user.pk, "rating": 9}
    assert list(Rating.objects.values_list("rating", flat=True)) == [9]


@pytest.mark.parametrize(
    "rating",
    [0, 11, -1, 2**40, 7.5, 7.0, "seven", "7.5", "7.0", "", None, True, [], {}],
)
def test_a_rating_that_is_not_a_whole_number_from_1_to_10_is_refused(
    auth_client, user, game, rating
):
    RatingFactory(user=user, game=game, rating=5)
    before = row_counts()

    r = auth_client.post(
        ratings_url(), {"game": game.igdb, "rating": rating}, format="json"
    )

    assert r.status_code == 400, r.data
    assert "rating" in r.data
    assert row_counts() == before
    assert Rating.objects.get(user=user, game=game).rating == 5


def test_rating_a_new_game_creates_it_from_the_metadata(auth_client, user):
    body = {
        "game": NEW_IGDB,
        "rating": 10,
        "name": "Outer Wilds",
        "slug": "outer-wilds",
        "cover_id": "co1ow",
        "backdrop_Id": "sc9ow",
    }

    r = auth_client.post(ratings_url(), body, format="json")

    assert r.status_code == 200, r.data
    assert r.data == {"game": NEW_IGDB, "user": user.pk, "rating": 10}
    game = Game.objects.get(pk=NEW_IGDB)
    assert (game.name, game.slug, game.cover_id, game.backdrop_id) == (
        "Outer Wilds",
        "outer-wilds",
        "co1ow",
        "sc9ow",
    )


def test_rating_a_new_game_without_a_name_is_refused_and_nothing_is_written(
    auth_client,
):
    before = row_counts()

    r = auth_client.post(ratings_url(), {"game": NEW_IGDB, "rating": 8}, format="json")

    assert r.status_code == 400, r.data
    assert "name" in r.data
    assert row_counts() == before


def test_rating_metadata_never_overwrites_an_existing_game(auth_client):
    game = GameFactory(name="Celeste", slug="celeste", cover_id="co1cel")
    body = {
        "game": game.igdb,
        "rating": 8,
        "name": "Renamed",
        "slug": "renamed",
        "cover_id": "co-other",
    }

    r = auth_client.post(ratings_url(), body, format="json")

    assert r.status_code == 200, r.data
    game.refresh_from_db()
    assert (game.name, game.slug, game.cover_id) == ("Celeste", "celeste", "co1cel")


# GET


def test_get_answers_with_the_callers_rating(auth_client, user, game):
    RatingFactory(user=user, game=game, rating=6)

    r = auth_client.get(ratings_url(), {"game": game.igdb})

    assert r.status_code == 200, r.data
    assert r.data == {"game": game.igdb, "user": user.pk, "rating": 6}


def test_get_without_a_rating_is_empty(auth_client, game):
    r = auth_client.get(ratings_url(), {"game": game.igdb})

    assert r.status_code == 200, r.data
    assert r.data == {}


def test_get_for_a_game_not_in_the_database_is_empty(auth_client):
    r = auth_client.get(ratings_url(), {"game": NEW_IGDB})

    assert r.status_code == 200, r.data
    assert r.data == {}


BAD_GAME_QUERIES = [
    "",
    "?igdb=5",
    "?game=",
    "?game=seven",
    "?game=7.5",
    "?game=1_000",
    "?game=%00",
    "?game=0",
    "?game=-1",
    f"?game={2**31}",
    f"?game={2**40}",
]


@pytest.mark.parametrize("query", BAD_GAME_QUERIES)
def test_get_needs_a_positive_integer_game(auth_client, query):
    r = auth_client.get(ratings_url(query))

    assert r.status_code == 400, r.data
    assert "game" in r.data


# DELETE


def test_delete_removes_the_callers_rating(auth_client, user, game):
    RatingFactory(user=user, game=game)

    r = auth_client.delete(ratings_url(f"?game={game.igdb}"))

    assert r.status_code == 204, r.data
    assert not Rating.objects.filter(user=user, game=game).exists()


def test_delete_without_a_rating_is_still_204(auth_client, game):
    r = auth_client.delete(ratings_url(f"?game={game.igdb}"))

    assert r.status_code == 204, r.data


def test_delete_for_a_game_not_in_the_database_is_still_204(auth_client):
    r = auth_client.delete(ratings_url(f"?game={NEW_IGDB}"))

    assert r.status_code == 204, r.data
    assert not Game.objects.filter(pk=NEW_IGDB).exists()


@pytest.mark.parametrize("query", BAD_GAME_QUERIES)
def test_delete_needs_a_positive_integer_game(auth_client, user, game, query):
    RatingFactory(user=user, game=game)

    r = auth_client.delete(ratings_url(query))

    assert r.status_code == 400, r.data
    assert "game" in r.data
    assert Rating.objects.filter(user=user, game=game).exists()
