"""Every actions path answers with and without its trailing slash, for every method.

The answer is the endpoint's own: never a redirect, never a 500.
"""

import datetime

import pytest
from django.urls import reverse

from actions.tests.factories import JournalEntryFactory, RatingFactory
from actions.tests.helpers import send_json
from games.tests.factories import GameFactory

GAME_IGDB = 1942


@pytest.fixture
def paths(user):
    game = GameFactory(igdb=GAME_IGDB)
    RatingFactory(user=user, game=game)
    entry = JournalEntryFactory(user=user, game=game, date=datetime.date(2022, 3, 4))
    return {
        "actions": reverse("actions-list"),
        "log": reverse("actions-relation", args=["log"]),
        "like": reverse("actions-relation", args=["like"]),
        "backlog": reverse("actions-relation", args=["backlog"]),
        "wishlist": reverse("actions-relation", args=["wishlist"]),
        "ratings": reverse("ratings"),
        "journal": reverse("journal-list"),
        "entry": reverse("journal-detail", args=[entry.pk]),
    }


@pytest.mark.parametrize("slash", ["", "/"], ids=["without-slash", "with-slash"])
@pytest.mark.parametrize(
    ("method", "path", "query", "body", "status"),
    [
        ("get", "actions", f"?igdb={GAME_IGDB}", {}, 200),
        ("post", "actions", "", {"igdb": GAME_IGDB}, 405),
        ("post", "log", "", {"igdb": GAME_IGDB}, 200),
        ("post", "like", "", {"igdb": GAME_IGDB}, 200),
        ("post", "backlog", "", {"igdb": GAME_IGDB}, 200),
        ("post", "wishlist", "", {"igdb": GAME_IGDB}, 200),
        ("get", "like", "", {}, 405),
        ("put", "like", "", {"igdb": GAME_IGDB}, 405),
        ("delete", "like", "", {}, 405),
        ("get", "ratings", f"?game={GAME_IGDB}", {}, 200),
        ("post", "ratings", "", {"game": GAME_IGDB, "rating": 6}, 200),
        ("delete", "ratings", f"?game={GAME_IGDB}", {}, 204),
        ("put", "ratings", "", {"game": GAME_IGDB, "rating": 6}, 405),
        ("patch", "ratings", "", {"game": GAME_IGDB, "rating": 6}, 405),
        ("get", "journal", "", {}, 200),
        (
            "post",
            "journal",
            "",
            {"game": {"igdb": GAME_IGDB}, "date": "2023-01-01"},
            200,
        ),
        ("delete", "journal", "", {}, 405),
        ("get", "entry", "", {}, 200),
        ("patch", "entry", "", {"review": "Changed."}, 200),
        ("delete", "entry", "", {}, 204),
        ("put", "entry", "", {"date": "2023-01-01"}, 405),
        ("post", "entry", "", {"date": "2023-01-01"}, 405),
    ],
)
def test_every_path_answers_with_and_without_its_trailing_slash(
    auth_client, paths, slash, method, path, query, body, status
):
    url = paths[path].rstrip("/") + slash + query

    r = send_json(auth_client, method, url, body)

    assert r.status_code == status, r.data


@pytest.mark.parametrize("slash", ["", "/"], ids=["without-slash", "with-slash"])
@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("log", {"igdb": GAME_IGDB}),
        ("ratings", {"game": GAME_IGDB, "rating": 5}),
        ("journal", {"game.igdb": GAME_IGDB, "date": "2023-01-01"}),
    ],
)
def test_form_posts_answer_with_and_without_the_trailing_slash(
    auth_client, paths, slash, path, form
):
    r = auth_client.post(paths[path].rstrip("/") + slash, form)

    assert r.status_code == 200, r.data
