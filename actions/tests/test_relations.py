"""GET /api/actions/?igdb= and POST /api/actions/log|like|backlog|wishlist/."""

import datetime

import pytest
from django.urls import reverse

from actions.models import Backlog, Liked, Played, Wishlist
from actions.tests.factories import (
    BacklogFactory,
    LikedFactory,
    PlayedFactory,
    WishlistFactory,
)
from actions.tests.helpers import row_counts
from games.models import Game
from games.tests.factories import GameFactory

NEW_IGDB = 1942

# Each relation endpoint: its last path segment, the row it writes, a factory for it.
ACTIONS = [
    pytest.param("log", Played, PlayedFactory, id="log"),
    pytest.param("like", Liked, LikedFactory, id="like"),
    pytest.param("backlog", Backlog, BacklogFactory, id="backlog"),
    pytest.param("wishlist", Wishlist, WishlistFactory, id="wishlist"),
]

NOTHING = {"played": False, "liked": False, "backlog": False, "wishlist": False}


def state_url():
    return reverse("actions-list")


def relation_url(action: str):
    return reverse("actions-relation", args=[action])


# GET /api/actions/?igdb=


def test_state_shows_the_callers_relations_to_the_game(auth_client, user, game):
    PlayedFactory(user=user, game=game)
    WishlistFactory(user=user, game=game)

    r = auth_client.get(state_url(), {"igdb": game.igdb})

    assert r.status_code == 200, r.data
    assert r.data == {**NOTHING, "played": True, "wishlist": True}


@pytest.mark.parametrize(
    ("relation", "factory"),
    [
        ("played", PlayedFactory),
        ("liked", LikedFactory),
        ("backlog", BacklogFactory),
        ("wishlist", WishlistFactory),
    ],
)
def test_state_reports_each_relation(auth_client, user, game, relation, factory):
    factory(user=user, game=game)

    r = auth_client.get(state_url(), {"igdb": game.igdb})

    assert r.status_code == 200, r.data
    assert r.data == {**NOTHING, relation: True}


def test_state_of_a_known_game_without_relations_is_all_false(auth_client, game):
    r = auth_client.get(state_url(), {"igdb": game.igdb})

    assert r.status_code == 200, r.data
    assert r.data == NOTHING


def test_state_of_a_game_not_in_the_database_is_empty(auth_client):
    r = auth_client.get(state_url(), {"igdb": NEW_IGDB})

    assert r.status_code == 200, r.data
    assert r.data == {}


def test_state_ignores_the_name_parameter(auth_client, user, game):
    LikedFactory(user=user, game=game)

    r = auth_client.get(state_url(), {"igdb": game.igdb, "name": "Another Name"})

    assert r.status_code == 200, r.data
    assert r.data == {**NOTHING, "liked": True}


def test_state_with_a_name_does_not_create_the_game(auth_client):
    r = auth_client.get(state_url(), {"igdb": NEW_IGDB, "name": "Outer Wilds"})

    assert r.status_code == 200, r.data
    assert r.data == {}
    assert not Game.objects.filter(pk=NEW_IGDB).exists()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"name": "Outer Wilds"},
        {"igdb": ""},
        {"igdb": "seven"},
        {"igdb": "7.5"},
        {"igdb": "7.0"},
        {"igdb": "1e3"},
        {"igdb": "1_000"},
        {"igdb": "\u0663"},
        {"igdb": "\x00"},
        {"igdb": "0"},
        {"igdb": "-1"},
        {"igdb": str(2**31)},
        {"igdb": str(2**40)},
        {"igdb": "9" * 2000},
    ],
)
def test_state_needs_a_positive_integer_igdb(auth_client, query):
    r = auth_client.get(state_url(), query)

    assert r.status_code == 400, r.data
    assert "igdb" in r.data


def test_state_accepts_the_largest_igdb_id(auth_client):
    GameFactory(igdb=2**31 - 1)

    r = auth_client.get(state_url(), {"igdb": 2**31 - 1})

    assert r.status_code == 200, r.data
    assert r.data == NOTHING


# POST /api/actions/<action>/ without a value: toggle


@pytest.mark.parametrize(("action", "model", "factory"), ACTIONS)
def test_first_toggle_adds_the_relation(
    auth_client, user, game, action, model, factory
):
    r = auth_client.post(relation_url(action), {"igdb": game.igdb}, format="json")

    assert r.status_code == 200, r.data
    assert r.data == {
        "game": game.igdb,
        "user": user.pk,
        "action": action,
        "value": True,
    }
    assert model.objects.filter(user=user, game=game).exists()


@pytest.mark.parametrize(("action", "model", "factory"), ACTIONS)
def test_second_toggle_removes_the_relation(
    auth_client, user, game, action, model, factory
):
    factory(user=user, game=game)

    r = auth_client.post(relation_url(action), {"igdb": game.igdb}, format="json")

    assert r.status_code == 200, r.data
    assert r.data == {
        "game": game.igdb,
        "user": user.pk,
        "action": action,
        "value": False,
    }
    assert not model.objects.filter(user=user, game=game).exists()


# POST /api/actions/<action>/ with a value: set, so that a retry changes nothing


@pytest.mark.parametrize(("action", "model", "factory"), ACTIONS)
def test_value_true_adds_the_relation_and_a_retry_keeps_it(
    auth_client, user, game, action, model, factory
):
    body = {"igdb": game.igdb, "value": True}

    first = auth_client.post(relation_url(action), body, format="json")
    retry = auth_client.post(relation_url(action), body, format="json")

    assert first.status_code == 200, first.data
    assert retry.status_code == 200, retry.data
    assert first.data["value"] is True
    assert retry.data["value"] is True
    assert model.objects.filter(user=user, game=game).count() == 1


@pytest.mark.parametrize(("action", "model", "factory"), ACTIONS)
def test_value_false_removes_the_relation_and_a_retry_keeps_it_removed(
    auth_client, user, game, action, model, factory
):
    factory(user=user, game=game)
    body = {"igdb": game.igdb, "value": False}

    first = auth_client.post(relation_url(action), body, format="json")
    retry = auth_client.post(relation_url(action), body, format="json")

    assert first.status_code == 200, first.data
    assert retry.status_code == 200, retry.data
    assert first.data["value"] is False
    assert retry.data["value"] is False
    assert not model.objects.filter(user=user, game=game).exists()


@pytest.mark.parametrize(("action", "model", "factory"), ACTIONS)
def test_setting_an_existing_relation_keeps_when_it_was_made(
    auth_client, user, game, action, model, factory
):
    made = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    relation = factory(user=user, game=game)
    model.objects.filter(pk=relation.pk).update(created_at=made)

    r = auth_client.post(
        relation_url(action), {"igdb": game.igdb, "value": True}, format="json"
    )

    assert r.status_code == 200, r.data
    assert model.objects.get(user=user, game=game).created_at == made


# Games the relation endpoints have not seen yet


@pytest.mark.parametrize(("action", "model", "factory"), ACTIONS)
def test_a_new_game_is_created_from_the_metadata(
    auth_client, user, action, model, factory
):
    body = {
        "igdb": NEW_IGDB,
        "name": "Outer Wilds",
        "slug": "outer-wilds",
        "cover_id": "co1ow",
        "backdrop_id": "sc9ow",
    }

    r = auth_client.post(relation_url(action), body, format="json")

    assert r.status_code == 200, r.data
    assert r.data == {
        "game": NEW_IGDB,
        "user": user.pk,
        "action": action,
        "value": True,
    }
    game = Game.objects.get(pk=NEW_IGDB)
    assert (game.name, game.slug, game.cover_id, game.backdrop_id) == (
        "Outer Wilds",
        "outer-wilds",
        "co1ow",
        "sc9ow",
    )
    assert model.objects.filter(user=user, game=game).exists()


@pytest.mark.parametrize(("action", "model", "factory"), ACTIONS)
def test_a_new_game_without_a_name_is_refused_and_nothing_is_written(
    auth_client, action, model, factory
):
    before = row_counts()

    r = auth_client.post(
        relation_url(action), {"igdb": NEW_IGDB, "value": True}, format="json"
    )

    assert r.status_code == 400, r.data
    assert "name" in r.data
    assert row_counts() == before


@pytest.mark.parametrize(("action", "model", "factory"), ACTIONS)
def test_metadata_never_overwrites_an_existing_game(
    auth_client, user, action, model, factory
):
    game = GameFactory(
        name="Celeste", slug="celeste", cover_id="co1cel", backdrop_id="sc1cel"
    )
    body = {
        "igdb": game.igdb,
        "name": "Renamed",
        "slug": "renamed",
        "cover_id": "co-other",
        "backdrop_id": "sc-other",
    }

    r = auth_client.post(relation_url(action), body, format="json")

    assert r.status_code == 200, r.data
    game.refresh_from_db()
    assert (game.name, game.slug, game.cover_id, game.backdrop_id) == (
        "Celeste",
        "celeste",
        "co1cel",
        "sc1cel",
    )
    assert model.objects.filter(user=user, game=game).exists()


@pytest.mark.parametrize("slug", [{}, {"slug": ""}], ids=["absent", "empty"])
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "The Legend of Zelda: Breath of the Wild",
            "the-legend-of-zelda-breath-of-the-wild",
        ),
        ("Pokémon Red", "pokemon-red"),
        ("ゼルダの伝説", "ゼルダの伝説"),
        ("!!!", str(NEW_IGDB)),
    ],
)
def test_the_slug_is_derived_from_the_name(auth_client, slug, name, expected):
    body = {"igdb": NEW_IGDB, "name": name, **slug}

    r = auth_client.post(relation_url("like"), body, format="json")

    assert r.status_code == 200, r.data
    assert Game.objects.get(pk=NEW_IGDB).slug == expected


@pytest.mark.parametrize(
    "name",
    [
        # Each numeral becomes four letters under slugify's normalisation.
        "\u2177" * 255,
        # Latin-free, so the Unicode slug is used; the ligature grows to 18 letters.
        "\ufdfa" * 255,
    ],
    ids=["roman-numerals", "arabic-ligature"],
)
def test_a_slug_derived_from_a_long_name_fits_the_column(auth_client, name):
    r = auth_client.post(
        relation_url("like"), {"igdb": NEW_IGDB, "name": name}, format="json"
    )

    assert r.status_code == 200, r.data
    slug = Game.objects.get(pk=NEW_IGDB).slug
    assert 0 < len(slug) <= 255
    assert not slug.endswith("-")


def test_backdrop_id_is_accepted_under_the_seeds_spelling(auth_client):
    body = {"igdb": NEW_IGDB, "name": "Outer Wilds", "backdrop_Id": "sc9ow"}

    r = auth_client.post(relation_url("like"), body, format="json")

    assert r.status_code == 200, r.data
    assert Game.objects.get(pk=NEW_IGDB).backdrop_id == "sc9ow"


@pytest.mark.parametrize("value", [None, ""], ids=["null", "empty"])
@pytest.mark.parametrize("field", ["cover_id", "backdrop_id", "backdrop_Id"])
def test_a_game_may_have_no_images(auth_client, field, value):
    body = {"igdb": NEW_IGDB, "name": "Outer Wilds", field: value}

    r = auth_client.post(relation_url("like"), body, format="json")

    assert r.status_code == 200, r.data
    game = Game.objects.get(pk=NEW_IGDB)
    assert (game.cover_id, game.backdrop_id) == ("", "")


def test_the_largest_igdb_id_is_accepted(auth_client):
    body = {"igdb": 2**31 - 1, "name": "Edge Case"}

    r = auth_client.post(relation_url("like"), body, format="json")

    assert r.status_code == 200, r.data
    assert Game.objects.filter(pk=2**31 - 1).exists()


# Logging a game (the played relation) and the backlog


@pytest.mark.parametrize("value", [{}, {"value": True}], ids=["toggle", "set"])
def test_logging_a_backlogged_game_takes_it_out_of_the_backlog(
    auth_client, user, game, value
):
    BacklogFactory(user=user, game=game)

    r = auth_client.post(
        relation_url("log"), {"igdb": game.igdb, **value}, format="json"
    )

    assert r.status_code == 200, r.data
    assert r.data == {
        "game": game.igdb,
        "user": user.pk,
        "action": "log",
        "value": True,
        "removed_from_backlog": True,
    }
    assert Played.objects.filter(user=user, game=game).exists()
    assert not Backlog.objects.filter(user=user, game=game).exists()


def test_logging_a_game_not_in_the_backlog_reports_no_removal(auth_client, game):
    r = auth_client.post(relation_url("log"), {"igdb": game.igdb}, format="json")

    assert r.status_code == 200, r.data
    assert "removed_from_backlog" not in r.data


def test_unlogging_a_game_leaves_the_backlog_alone(auth_client, user, game):
    PlayedFactory(user=user, game=game)
    BacklogFactory(user=user, game=game)

    r = auth_client.post(
        relation_url("log"), {"igdb": game.igdb, "value": False}, format="json"
    )

    assert r.status_code == 200, r.data
    assert "removed_from_backlog" not in r.data
    assert Backlog.objects.filter(user=user, game=game).exists()


@pytest.mark.parametrize("action", ["like", "wishlist"])
def test_only_logging_takes_a_game_out_of_the_backlog(auth_client, user, game, action):
    BacklogFactory(user=user, game=game)

    r = auth_client.post(relation_url(action), {"igdb": game.igdb}, format="json")

    assert r.status_code == 200, r.data
    assert "removed_from_backlog" not in r.data
    assert Backlog.objects.filter(user=user, game=game).exists()


def test_logging_leaves_other_users_backlogs_alone(auth_client, other_user, game):
    BacklogFactory(user=other_user, game=game)

    r = auth_client.post(relation_url("log"), {"igdb": game.igdb}, format="json")

    assert r.status_code == 200, r.data
    assert "removed_from_backlog" not in r.data
    assert Backlog.objects.filter(user=other_user, game=game).exists()
