"""What the write endpoints make of bad input: a 400 in DRF's shape and no change.

Every request here is sent as JSON written by json.dumps, so that NUL characters and
lone surrogates reach the server exactly as a client would escape them; form data
has its own section at the end.
"""

import copy
import datetime
import json
from dataclasses import dataclass

import pytest
from django.urls import reverse

from actions.models import JournalEntry, Liked
from actions.tests.factories import JournalEntryFactory
from actions.tests.helpers import row_counts, send_json, send_raw
from games.models import Game

NEW_IGDB = 4242

GAME = {
    "name": "Outer Wilds",
    "slug": "outer-wilds",
    "cover_id": "co1ow",
    "backdrop_id": "sc9ow",
}

# A request each write endpoint accepts; each test below spoils one part of it.
GOOD_RELATION = {"igdb": NEW_IGDB, **GAME, "value": True}
GOOD_RATING = {"game": NEW_IGDB, "rating": 8, **GAME}
GOOD_JOURNAL = {
    "game": {"igdb": NEW_IGDB, **GAME},
    "date": "2023-05-04",
    "review": "Wow.",
    "spoilers": False,
    "liked": True,
    "rating": 8,
}
GOOD_CHANGES = {
    "date": "2023-05-06",
    "review": "Still wow.",
    "spoilers": True,
    "liked": True,
    "rating": 9,
}

# Bad values by kind of field.
IGDB_IDS = [
    0,
    -1,
    2**31,
    2**40,
    7.5,
    7.0,
    True,
    None,
    "",
    "seven",
    "7.5",
    "1_000",
    "\u0663",
    "\x00",
    "\ud800",
    "9" * 2000,
    [],
    {},
]
NAMES = [
    "",
    "   ",
    "x" * 256,
    "\x00",
    "Outer\x00Wilds",
    "Outer\ud800Wilds",
    "\u200b",
    "\u202e\ufeff",
    "Outer\x7fWilds",
    "\U000e0001",
    None,
    True,
    [],
    {},
]
SLUGS = ["x" * 256, "not a slug", "outer/wilds", "\x00", "\ud800", True, [], {}]
IMAGE_IDS = ["x" * 65, "\x00", "\ud800", "../../etc/passwd", "co 1", True, [], {}]
BOOLEANS = ["maybe", "", 2, -1, 0.5, None, "\x00", "\ud800", [], {}]
RATINGS = [0, 11, -1, 2**40, 7.5, 7.0, True, "seven", "7.5", "", "\x00", [], {}]
DATES = [
    "2023-02-30",
    "20230101",
    "2023-01-01T00:00:00",
    "1949-12-31",
    "9999-12-31",
    "\x00",
    "\ud800",
    "",
    None,
    20230101,
    [],
    {},
]
REVIEWS = ["x" * 20_001, "\x00", "Wow\ud800", True, [], {}]


def cases(field: str, values: list):
    return [pytest.param(field, value, id=f"{field}={value!r:.24}") for value in values]


def spoiled(body: dict, field: str, value) -> dict:
    """`body` with the field at the dotted path `field` set to `value`."""
    body = copy.deepcopy(body)
    *parents, last = field.split(".")
    target = body
    for key in parents:
        target = target[key]
    target[last] = value
    return body


def without(body: dict, field: str) -> dict:
    """`body` without the field at the dotted path `field`."""
    body = copy.deepcopy(body)
    *parents, last = field.split(".")
    target = body
    for key in parents:
        target = target[key]
    del target[last]
    return body


def error_key(field: str) -> str:
    """Where DRF reports an error in `field`: under its outermost name."""
    return field.split(".")[0]


def snapshot():
    """Row counts and the journal entries' contents, to compare before and after."""
    return row_counts(), list(JournalEntry.objects.order_by("pk").values())


@pytest.fixture
def entry(user):
    return JournalEntryFactory(user=user, date=datetime.date(2022, 3, 4), rating=7)


@dataclass
class Endpoint:
    method: str
    url: str
    good: dict

    def send(self, client, body):
        return send_raw(client, self.method, self.url, body)


@pytest.fixture(
    params=["log", "like", "backlog", "wishlist", "ratings", "journal", "journal-entry"]
)
def endpoint(request, entry):
    """Each write endpoint, with a body it accepts."""
    endpoints = {
        "log": Endpoint("post", relation_url("log"), GOOD_RELATION),
        "like": Endpoint("post", relation_url("like"), GOOD_RELATION),
        "backlog": Endpoint("post", relation_url("backlog"), GOOD_RELATION),
        "wishlist": Endpoint("post", relation_url("wishlist"), GOOD_RELATION),
        "ratings": Endpoint("post", reverse("ratings"), GOOD_RATING),
        "journal": Endpoint("post", reverse("journal-list"), GOOD_JOURNAL),
        "journal-entry": Endpoint(
            "patch", reverse("journal-detail", args=[entry.pk]), GOOD_CHANGES
        ),
    }
    return endpoints[request.param]


def relation_url(action):
    return reverse("actions-relation", args=[action])


# Every write endpoint


def test_the_good_request_is_accepted(auth_client, endpoint):
    r = endpoint.send(auth_client, json.dumps(endpoint.good))

    assert r.status_code == 200, r.data


@pytest.mark.parametrize(
    "body",
    [
        '{"igdb": 1,',
        "{",
        "{'igdb': 1}",
        '{"igdb": 1} trailing',
        '{"igdb": NaN}',
        '{"igdb": Infinity}',
        '{"igdb": 1' + "0" * 5000 + "}",
        b'{"name": "\xff"}',
        b'{"name": "\xc3"}',
    ],
    ids=[
        "unterminated",
        "brace",
        "single-quotes",
        "trailing-text",
        "nan",
        "infinity",
        "5000-digit-number",
        "invalid-utf8",
        "truncated-utf8",
    ],
)
def test_malformed_json_is_a_400_with_a_detail(auth_client, endpoint, body):
    before = snapshot()

    r = endpoint.send(auth_client, body)

    assert r.status_code == 400, r.data
    assert "detail" in r.data
    assert snapshot() == before


@pytest.mark.parametrize("body", ["[]", "[{}]", '"text"', "5", "true", "null"])
def test_a_json_body_that_is_not_an_object_is_a_400(auth_client, endpoint, body):
    before = snapshot()

    r = endpoint.send(auth_client, body)

    assert r.status_code == 400, r.data
    assert "non_field_errors" in r.data
    assert snapshot() == before


def test_a_list_holding_a_good_request_is_a_400(auth_client, endpoint):
    before = snapshot()

    r = endpoint.send(auth_client, json.dumps([endpoint.good]))

    assert r.status_code == 400, r.data
    assert snapshot() == before


# The relation endpoints


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *cases("igdb", IGDB_IDS),
        *cases("name", NAMES),
        *cases("slug", SLUGS),
        *cases("cover_id", IMAGE_IDS),
        *cases("backdrop_id", IMAGE_IDS),
        *cases("value", BOOLEANS),
    ],
)
@pytest.mark.parametrize("action", ["log", "like", "backlog", "wishlist"])
def test_a_relation_with_a_bad_field_is_refused(auth_client, action, field, value):
    before = snapshot()

    r = send_json(
        auth_client, "post", relation_url(action), spoiled(GOOD_RELATION, field, value)
    )

    assert r.status_code == 400, r.data
    assert error_key(field) in r.data
    assert snapshot() == before


@pytest.mark.parametrize("field", ["igdb", "name"])
@pytest.mark.parametrize("action", ["log", "like", "backlog", "wishlist"])
def test_a_relation_without_a_required_field_is_refused(auth_client, action, field):
    before = snapshot()

    r = send_json(
        auth_client, "post", relation_url(action), without(GOOD_RELATION, field)
    )

    assert r.status_code == 400, r.data
    assert field in r.data
    assert snapshot() == before


@pytest.mark.parametrize("value", IMAGE_IDS)
def test_a_bad_backdrop_under_the_seeds_spelling_is_refused(auth_client, value):
    body = {**without(GOOD_RELATION, "backdrop_id"), "backdrop_Id": value}
    before = snapshot()

    r = send_json(auth_client, "post", relation_url("like"), body)

    assert r.status_code == 400, r.data
    assert "backdrop_id" in r.data
    assert snapshot() == before


# POST ratings/


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *cases("game", IGDB_IDS),
        *cases("rating", [*RATINGS, None]),
        *cases("name", NAMES),
        *cases("slug", SLUGS),
        *cases("cover_id", IMAGE_IDS),
        *cases("backdrop_id", IMAGE_IDS),
    ],
)
def test_a_rating_with_a_bad_field_is_refused(auth_client, field, value):
    before = snapshot()

    r = send_json(
        auth_client, "post", reverse("ratings"), spoiled(GOOD_RATING, field, value)
    )

    assert r.status_code == 400, r.data
    assert error_key(field) in r.data
    assert snapshot() == before


@pytest.mark.parametrize("field", ["game", "rating", "name"])
def test_a_rating_without_a_required_field_is_refused(auth_client, field):
    before = snapshot()

    r = send_json(auth_client, "post", reverse("ratings"), without(GOOD_RATING, field))

    assert r.status_code == 400, r.data
    assert field in r.data
    assert snapshot() == before


# POST journal/


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *cases("game", [None, 5, "5", "Outer Wilds", True, [], [GOOD_JOURNAL["game"]]]),
        *cases("game.igdb", IGDB_IDS),
        *cases("game.name", NAMES),
        *cases("game.slug", SLUGS),
        *cases("game.cover_id", IMAGE_IDS),
        *cases("game.backdrop_id", IMAGE_IDS),
        *cases("date", DATES),
        *cases("review", REVIEWS),
        *cases("spoilers", BOOLEANS),
        *cases("liked", BOOLEANS),
        *cases("rating", RATINGS),
    ],
)
def test_a_journal_entry_with_a_bad_field_is_refused(auth_client, field, value):
    before = snapshot()

    r = send_json(
        auth_client,
        "post",
        reverse("journal-list"),
        spoiled(GOOD_JOURNAL, field, value),
    )

    assert r.status_code == 400, r.data
    assert error_key(field) in r.data
    assert snapshot() == before


@pytest.mark.parametrize("value", [0, "seven", "\x00", None])
def test_a_bad_game_id_under_igdbs_own_name_is_refused(auth_client, value):
    body = spoiled(without(GOOD_JOURNAL, "game.igdb"), "game.id", value)
    before = snapshot()

    r = send_json(auth_client, "post", reverse("journal-list"), body)

    assert r.status_code == 400, r.data
    assert "igdb" in r.data["game"]
    assert snapshot() == before


@pytest.mark.parametrize("field", ["game", "date", "game.igdb", "game.name"])
def test_a_journal_entry_without_a_required_field_is_refused(auth_client, field):
    before = snapshot()

    r = send_json(
        auth_client, "post", reverse("journal-list"), without(GOOD_JOURNAL, field)
    )

    assert r.status_code == 400, r.data
    assert error_key(field) in r.data
    assert snapshot() == before


# PATCH journal/<id>/


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *cases("date", DATES),
        *cases("review", REVIEWS),
        *cases("spoilers", BOOLEANS),
        *cases("liked", BOOLEANS),
        *cases("rating", RATINGS),
    ],
)
def test_a_change_with_a_bad_field_is_refused(auth_client, entry, field, value):
    before = snapshot()

    r = send_json(
        auth_client,
        "patch",
        reverse("journal-detail", args=[entry.pk]),
        spoiled(GOOD_CHANGES, field, value),
    )

    assert r.status_code == 400, r.data
    assert error_key(field) in r.data
    assert snapshot() == before


# Form data: booleans arrive as the strings "true" and "false"


@pytest.mark.parametrize(("sent", "value"), [("true", True), ("false", False)])
@pytest.mark.parametrize("action", ["log", "like", "backlog", "wishlist"])
def test_a_relation_value_sent_as_form_data_is_set_not_toggled(
    auth_client, action, sent, value
):
    form = {"igdb": NEW_IGDB, "name": "Outer Wilds", "value": sent}

    first = auth_client.post(relation_url(action), form)
    retry = auth_client.post(relation_url(action), form)

    assert first.status_code == 200, first.data
    assert retry.status_code == 200, retry.data
    assert (first.data["value"], retry.data["value"]) == (value, value)


def test_form_data_without_a_value_toggles(auth_client, user):
    form = {"igdb": NEW_IGDB, "name": "Outer Wilds"}

    first = auth_client.post(relation_url("like"), form)
    second = auth_client.post(relation_url("like"), form)

    assert first.status_code == 200, first.data
    assert second.status_code == 200, second.data
    assert (first.data["value"], second.data["value"]) == (True, False)
    assert not Liked.objects.filter(user=user, game_id=NEW_IGDB).exists()


def test_a_relation_value_in_form_data_must_be_a_boolean(auth_client):
    before = snapshot()

    r = auth_client.post(
        relation_url("like"),
        {"igdb": NEW_IGDB, "name": "Outer Wilds", "value": "maybe"},
    )

    assert r.status_code == 400, r.data
    assert "value" in r.data
    assert snapshot() == before


def test_game_metadata_in_form_data_is_read_with_its_aliases(auth_client):
    form = {"igdb": NEW_IGDB, "name": "Outer Wilds", "backdrop_Id": "sc9ow"}

    r = auth_client.post(relation_url("like"), form)

    assert r.status_code == 200, r.data
    assert Game.objects.get(pk=NEW_IGDB).backdrop_id == "sc9ow"


def test_a_rating_sent_as_form_data_is_stored(auth_client, user):
    form = {"game": str(NEW_IGDB), "rating": "7", "name": "Outer Wilds"}

    r = auth_client.post(reverse("ratings"), form)

    assert r.status_code == 200, r.data
    assert r.data == {"game": NEW_IGDB, "user": user.pk, "rating": 7}


@pytest.mark.parametrize(("sent", "value"), [("true", True), ("false", False)])
def test_journal_booleans_sent_as_form_data_are_read(auth_client, user, sent, value):
    form = {
        "game.id": NEW_IGDB,
        "game.name": "Outer Wilds",
        "date": "2023-05-04",
        "spoilers": sent,
        "liked": sent,
    }

    r = auth_client.post(reverse("journal-list"), form)

    assert r.status_code == 200, r.data
    assert (r.data["spoilers"], r.data["liked"]) == (value, value)
    assert Liked.objects.filter(user=user, game_id=NEW_IGDB).exists() is value


@pytest.mark.parametrize(("sent", "value"), [("true", True), ("false", False)])
def test_changes_sent_as_form_data_are_read(auth_client, entry, sent, value):
    JournalEntry.objects.filter(pk=entry.pk).update(liked=not value, spoilers=not value)

    r = auth_client.patch(
        reverse("journal-detail", args=[entry.pk]), {"liked": sent, "spoilers": sent}
    )

    assert r.status_code == 200, r.data
    entry.refresh_from_db()
    assert (entry.liked, entry.spoilers) == (value, value)
