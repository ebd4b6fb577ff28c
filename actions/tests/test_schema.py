"""The actions endpoints answer as the OpenAPI schema says they do."""

import pytest
from django.urls import reverse

from actions.tests.factories import BacklogFactory, JournalEntryFactory, RatingFactory
from actions.tests.helpers import send_raw
from games.tests.factories import GameFactory

pytestmark = pytest.mark.django_db

RELATIONS = "/api/actions/"
RATINGS = "/api/actions/ratings/"
JOURNAL = "/api/actions/journal/"
ENTRY = "/api/actions/journal/{id}/"


def test_relation_state_and_nothing_known_match(auth_client, game, conforms):
    known = auth_client.get(reverse("actions-list"), {"igdb": game.igdb})
    unknown = auth_client.get(reverse("actions-list"), {"igdb": 424242})
    missing = auth_client.get(reverse("actions-list"))

    assert unknown.json() == {}
    for r in (known, unknown, missing):
        conforms(r, RELATIONS)


@pytest.mark.parametrize("action", ["log", "like", "backlog", "wishlist"])
def test_toggle_answers_match(auth_client, game, conforms, action):
    url = reverse("actions-relation", args=[action])

    toggled = auth_client.post(url, {"igdb": game.igdb}, format="json")
    refused = auth_client.post(url, {"igdb": 424242}, format="json")

    conforms(toggled, f"/api/actions/{action}/", "POST")
    conforms(refused, f"/api/actions/{action}/", "POST")


def test_log_out_of_the_backlog_matches(auth_client, user, game, conforms):
    BacklogFactory(user=user, game=game)

    r = auth_client.post(
        reverse("actions-relation", args=["log"]), {"igdb": game.igdb, "value": True}
    )

    assert r.json()["removed_from_backlog"] is True
    conforms(r, "/api/actions/log/", "POST")


def test_rating_answers_match(auth_client, user, game, conforms):
    RatingFactory(user=user, game=game)

    rated = auth_client.get(reverse("ratings"), {"game": game.igdb})
    unrated = auth_client.get(reverse("ratings"), {"game": 424242})
    bad = auth_client.get(reverse("ratings"), {"game": "seven"})
    set_ = auth_client.post(
        reverse("ratings"), {"game": game.igdb, "rating": 9}, format="json"
    )
    refused = auth_client.post(
        reverse("ratings"), {"game": game.igdb, "rating": 11}, format="json"
    )
    deleted = auth_client.delete(f"{reverse('ratings')}?game={game.igdb}")

    assert unrated.json() == {}
    for r in (rated, unrated, bad):
        conforms(r, RATINGS)
    conforms(set_, RATINGS, "POST")
    conforms(refused, RATINGS, "POST")
    conforms(deleted, RATINGS, "DELETE")


def test_grouped_journal_matches(api_client, user, conforms):
    for day in ("2019-07-01", "2019-07-03", "2018-05-25"):
        JournalEntryFactory(user=user, date=day, rating=None)

    r = api_client.get(reverse("journal-list"), {"username": user.username})
    unknown = api_client.get(reverse("journal-list"), {"username": "nobody"})
    anonymous = api_client.get(reverse("journal-list"))

    assert [year["year"] for year in r.json()] == [2019, 2018]
    conforms(r, JOURNAL)
    conforms(unknown, JOURNAL)
    conforms(anonymous, JOURNAL)


def test_journal_entry_answers_match(auth_client, other_client, conforms):
    game = GameFactory(cover_id="", backdrop_id="")
    body = {"game": {"igdb": game.igdb}, "date": "2020-01-01", "rating": 8}

    created = auth_client.post(reverse("journal-list"), body, format="json")
    entry = reverse("journal-detail", args=[created.json()["id"]])
    read = auth_client.get(entry)
    changed = auth_client.patch(entry, {"review": "again"}, format="json")
    forbidden = other_client.patch(entry, {"review": "mine"}, format="json")
    not_yours = other_client.delete(entry)
    deleted = auth_client.delete(entry)
    gone = auth_client.get(entry)

    conforms(created, JOURNAL, "POST")
    conforms(read, ENTRY)
    conforms(changed, ENTRY, "PATCH")
    conforms(forbidden, ENTRY, "PATCH")
    conforms(not_yours, ENTRY, "DELETE")
    conforms(deleted, ENTRY, "DELETE")
    conforms(gone, ENTRY)


def test_malformed_json_matches(auth_client, conforms):
    r = send_raw(auth_client, "post", reverse("ratings"), "{not json")

    assert "detail" in r.json()
    conforms(r, RATINGS, "POST")


def test_nested_field_errors_match(auth_client, conforms):
    body = {"game": {"igdb": 424242}, "date": "2020-01-01"}

    r = auth_client.post(reverse("journal-list"), body, format="json")

    assert r.json() == {
        "game": {"name": ["This field is required for a game that is not known yet."]}
    }
    conforms(r, JOURNAL, "POST")


def test_missing_token_matches(api_client, conforms):
    conforms(api_client.get(reverse("actions-list"), {"igdb": 1}), RELATIONS)
    conforms(api_client.post(reverse("journal-list"), {}), JOURNAL, "POST")
