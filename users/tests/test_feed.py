"""The activity feed: what the people the caller follows did, newest first."""

import base64
import datetime
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from actions.models import Liked
from actions.tests.factories import (
    BacklogFactory,
    JournalEntryFactory,
    LikedFactory,
    PlayedFactory,
    RatingFactory,
    WishlistFactory,
)
from conftest import bearer_client
from games.models import Game
from games.tests.factories import GameFactory
from users.models import User
from users.tests.factories import FollowFactory, UserFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.UTC)
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

FACTORIES = {
    "journal": JournalEntryFactory,
    "rating": RatingFactory,
    "like": LikedFactory,
    "played": PlayedFactory,
    "backlog": BacklogFactory,
    "wishlist": WishlistFactory,
}
VERBS = list(FACTORIES)
VERB_OF = {factory._meta.model: verb for verb, factory in FACTORIES.items()}
# The actions endpoint that sets each relation.
ACTIONS = {
    "like": "like",
    "played": "log",
    "backlog": "backlog",
    "wishlist": "wishlist",
}


def at(minutes: float) -> datetime.datetime:
    return START + datetime.timedelta(minutes=minutes)


def stamp(row, minutes: float):
    """Move the row to START + minutes, as if it had been made (or changed) then."""
    fields = {field.name for field in row._meta.concrete_fields}
    moments = dict.fromkeys(fields & {"created_at", "updated_at"}, at(minutes))
    type(row).objects.filter(pk=row.pk).update(**moments)
    return row


def act(verb: str, user, minutes: float, **fields):
    """`user` does `verb` at START + minutes; the row that records it."""
    return stamp(FACTORIES[verb](user=user, **fields), minutes)


def key(row) -> tuple:
    """What tells the activity a row records from the others in these tests."""
    return (VERB_OF[type(row)], row.game_id)


def feed(client, **query):
    return client.get(reverse("feed"), query)


def keys(r) -> list[tuple]:
    """The keys of the activities on a page of the feed, in its order."""
    return [(item["verb"], item["game"]["igdb"]) for item in r.data["results"]]


def walk(client, first) -> list[tuple]:
    """The keys of every page from `first` on, following the `next` links."""
    seen = keys(first)
    r = first
    while r.data["next"]:
        r = client.get(r.data["next"])
        assert r.status_code == 200, r.data
        seen += keys(r)
    return seen


@pytest.fixture
def followed(user, other_user):
    """The user the caller (`user`) follows."""
    FollowFactory(follower=user, followed=other_user)
    return other_user


@pytest.fixture
def followed_client(followed):
    return bearer_client(followed)


class TestActivity:
    @pytest.mark.parametrize("verb", ["like", "played", "backlog", "wishlist"])
    def test_relation_activity_shape(self, auth_client, followed, verb):
        game = GameFactory(igdb=7, name="Celeste", slug="celeste", cover_id="co1")
        act(verb, followed, 0, game=game)

        r = feed(auth_client)

        assert r.status_code == 200, r.data
        assert set(r.data) == {"next", "previous", "results"}
        assert r.data["results"] == [
            {
                "user": {"id": followed.pk, "username": followed.username},
                "verb": verb,
                "game": {
                    "igdb": 7,
                    "name": "Celeste",
                    "slug": "celeste",
                    "cover_id": "co1",
                },
                "at": "2024-05-01T12:00:00Z",
                "entry": None,
                "rating": None,
            }
        ]

    def test_rating_activity_carries_the_rating(self, auth_client, followed):
        act("rating", followed, 0, rating=9)

        r = feed(auth_client)

        assert r.status_code == 200, r.data
        [item] = r.data["results"]
        assert item["verb"] == "rating"
        assert item["rating"] == 9
        assert item["entry"] is None

    def test_journal_activity_carries_the_entry(self, auth_client, followed):
        game = GameFactory(igdb=7, name="Celeste", slug="celeste", cover_id="co1")
        entry = act(
            "journal",
            followed,
            0,
            game=game,
            date=datetime.date(2024, 4, 30),
            review="Hard.",
            spoilers=True,
            liked=True,
            rating=8,
        )

        r = feed(auth_client)

        assert r.status_code == 200, r.data
        [item] = r.data["results"]
        assert item["verb"] == "journal"
        assert item["at"] == "2024-05-01T12:00:00Z"
        assert item["rating"] == 8
        assert item["entry"] == {
            "id": entry.pk,
            "game": {
                "igdb": 7,
                "name": "Celeste",
                "slug": "celeste",
                "cover_id": "co1",
                "backdrop_id": "",
            },
            "date": "2024-04-30",
            "review": "Hard.",
            "spoilers": True,
            "liked": True,
            "rating": 8,
            "user": followed.pk,
        }

    def test_journal_entry_without_rating_has_a_null_rating(
        self, auth_client, followed
    ):
        act("journal", followed, 0, rating=None)

        r = feed(auth_client)

        assert r.data["results"][0]["rating"] is None

    def test_every_kind_of_activity_is_shown_newest_first(self, auth_client, followed):
        # Made in an order that is neither the verbs' order nor its reverse.
        backlog = act("backlog", followed, 3)
        journal = act("journal", followed, 1)
        like = act("like", followed, 5)
        wishlist = act("wishlist", followed, 0)
        rating = act("rating", followed, 4)
        played = act("played", followed, 2)

        r = feed(auth_client)

        assert r.status_code == 200, r.data
        assert keys(r) == [
            key(like),
            key(rating),
            key(backlog),
            key(played),
            key(journal),
            key(wishlist),
        ]

    def test_activity_of_several_followed_users_is_merged_by_time(
        self, auth_client, user
    ):
        bob, cy = UserFactory.create_batch(2)
        FollowFactory(follower=user, followed=bob)
        FollowFactory(follower=user, followed=cy)
        rows = [
            act("like", bob, 1),
            act("like", cy, 2),
            act("rating", bob, 3),
            act("played", cy, 4),
        ]

        r = feed(auth_client)

        assert keys(r) == [key(row) for row in reversed(rows)]
        assert [item["user"]["username"] for item in r.data["results"]] == [
            cy.username,
            bob.username,
            cy.username,
            bob.username,
        ]


class TestWhoseActivity:
    def test_empty_when_following_nobody(self, auth_client, other_user):
        act("like", other_user, 0)

        r = feed(auth_client)

        assert r.status_code == 200, r.data
        assert r.data == {"next": None, "previous": None, "results": []}

    @pytest.mark.parametrize("verb", VERBS)
    def test_only_the_followed_users_activity_is_shown(
        self, auth_client, user, followed, verb
    ):
        shown = act(verb, followed, 0)
        fan = UserFactory()
        FollowFactory(follower=fan, followed=user)
        act(verb, user, 1)
        act(verb, fan, 2)
        act(verb, UserFactory(), 3)

        r = feed(auth_client)

        assert keys(r) == [key(shown)]

    def test_whom_the_followed_user_follows_is_not_in_the_feed(
        self, auth_client, followed
    ):
        stranger = UserFactory()
        FollowFactory(follower=followed, followed=stranger)
        act("like", stranger, 0)

        r = feed(auth_client)

        assert r.data["results"] == []

    def test_unfollowing_takes_their_activity_out(self, auth_client, followed):
        act("like", followed, 0)

        auth_client.post(reverse("unfollow"), {"username": followed.username})
        r = feed(auth_client)

        assert r.data["results"] == []

    def test_following_brings_in_their_earlier_activity(self, auth_client, other_user):
        earlier = act("like", other_user, 0)

        auth_client.post(reverse("follow"), {"username": other_user.username})
        r = feed(auth_client)

        assert keys(r) == [key(earlier)]

    def test_deactivated_users_activity_is_left_out(self, auth_client, followed):
        act("like", followed, 0)
        User.objects.filter(pk=followed.pk).update(is_active=False)

        r = feed(auth_client)

        assert r.data["results"] == []


class TestUndoing:
    @pytest.mark.parametrize("verb", ["like", "played", "backlog", "wishlist"])
    def test_undone_relation_leaves_the_feed(
        self, auth_client, followed_client, followed, verb
    ):
        kept = act(verb, followed, 0)
        undone = act(verb, followed, 1)
        url = reverse("actions-relation", args=[ACTIONS[verb]])

        undo = followed_client.post(url, {"igdb": undone.game_id, "value": False})
        r = feed(auth_client)

        assert undo.status_code == 200, undo.data
        assert keys(r) == [key(kept)]

    def test_undone_like_by_toggling_leaves_the_feed(
        self, auth_client, followed_client, followed
    ):
        like = act("like", followed, 0)
        url = reverse("actions-relation", args=["like"])

        first = feed(auth_client)
        followed_client.post(url, {"igdb": like.game_id})
        second = feed(auth_client)

        assert keys(first) == [key(like)]
        assert second.data["results"] == []
        assert not Liked.objects.exists()

    def test_deleted_rating_leaves_the_feed(
        self, auth_client, followed_client, followed
    ):
        rating = act("rating", followed, 0)

        undo = followed_client.delete(f"{reverse('ratings')}?game={rating.game_id}")
        r = feed(auth_client)

        assert undo.status_code == 204
        assert r.data["results"] == []

    def test_deleted_journal_entry_leaves_the_feed(
        self, auth_client, followed_client, followed
    ):
        entry = act("journal", followed, 0)

        undo = followed_client.delete(reverse("journal-detail", args=[entry.pk]))
        r = feed(auth_client)

        assert undo.status_code == 204
        assert r.data["results"] == []

    def test_changed_rating_shows_once_as_new_with_its_new_value(
        self, auth_client, followed_client, followed
    ):
        rating = act("rating", followed, 0, rating=3)
        act("like", followed, 1)

        followed_client.post(
            reverse("ratings"), {"game": rating.game_id, "rating": 9}, format="json"
        )
        r = feed(auth_client)

        assert [item["verb"] for item in r.data["results"]] == ["rating", "like"]
        assert r.data["results"][0]["rating"] == 9


class TestPages:
    def test_pages_hold_fifty_and_walk_the_whole_feed_newest_first(
        self, auth_client, followed
    ):
        rows = [act("like", followed, minute) for minute in range(PAGE_SIZE + 5)]

        first = feed(auth_client)

        assert first.status_code == 200, first.data
        assert len(first.data["results"]) == PAGE_SIZE
        assert first.data["previous"] is None
        assert walk(auth_client, first) == [key(row) for row in reversed(rows)]

    @pytest.mark.parametrize(
        ("page_size", "expected"),
        [
            ("1", 1),
            ("7", 7),
            (str(MAX_PAGE_SIZE), MAX_PAGE_SIZE),
            (str(MAX_PAGE_SIZE + 1), MAX_PAGE_SIZE),
            ("0", PAGE_SIZE),
            ("-3", PAGE_SIZE),
            ("many", PAGE_SIZE),
        ],
    )
    def test_page_size_goes_up_to_two_hundred(
        self, auth_client, followed, page_size, expected
    ):
        games = Game.objects.bulk_create(GameFactory.build_batch(MAX_PAGE_SIZE + 1))
        Liked.objects.bulk_create(Liked(user=followed, game=game) for game in games)

        r = feed(auth_client, page_size=page_size)

        assert r.status_code == 200, r.data
        assert len(r.data["results"]) == expected

    @pytest.mark.parametrize("page_size", [1, 2, 3, 5])
    def test_every_page_size_walks_the_feed_without_gaps_or_repeats(
        self, auth_client, followed, page_size
    ):
        rows = [act(verb, followed, minute) for minute, verb in enumerate(VERBS * 2)]

        first = feed(auth_client, page_size=page_size)

        assert walk(auth_client, first) == [key(row) for row in reversed(rows)]

    def test_previous_link_goes_back_to_the_page_before(self, auth_client, followed):
        for minute in range(7):
            act("like", followed, minute)

        first = feed(auth_client, page_size=3)
        second = auth_client.get(first.data["next"])
        back = auth_client.get(second.data["previous"])

        assert back.status_code == 200, back.data
        assert keys(back) == keys(first)

    def test_new_activity_does_not_shift_the_next_page(self, auth_client, followed):
        rows = [act("like", followed, minute) for minute in range(6)]
        older_first = [key(row) for row in reversed(rows)]

        first = feed(auth_client, page_size=2)
        for minute, verb in enumerate(VERBS, start=100):
            act(verb, followed, minute)
        second = auth_client.get(first.data["next"])

        assert keys(first) == older_first[:2]
        assert keys(second) == older_first[2:4]
        assert walk(auth_client, second) == older_first[2:]

    def test_new_activity_is_on_the_first_page_when_read_again(
        self, auth_client, followed
    ):
        act("like", followed, 0)
        feed(auth_client)

        newer = act("played", followed, 1)
        r = feed(auth_client)

        assert keys(r)[0] == key(newer)

    @pytest.mark.parametrize("page_size", [1, 2, 3, 4])
    def test_activities_of_the_same_moment_are_each_shown_once(
        self, auth_client, followed, page_size
    ):
        # Four kinds of activity stamped with the same moment, as one journal
        # entry (played, liked, rated, logged) could be, then two older ones.
        same_moment = [act(verb, followed, 5) for verb in VERBS[:4]]
        older = [act(verb, followed, minute) for minute, verb in enumerate(VERBS[4:])]

        first = feed(auth_client, page_size=page_size)

        seen = walk(auth_client, first)
        assert sorted(seen[:4]) == sorted(key(row) for row in same_moment)
        assert seen[4:] == [key(row) for row in reversed(older)]

    @pytest.mark.parametrize("page_size", [1, 2, 3])
    def test_likes_of_the_same_moment_are_each_shown_once_latest_first(
        self, auth_client, followed, page_size
    ):
        likes = [act("like", followed, 5) for _ in range(5)]

        first = feed(auth_client, page_size=page_size)

        assert walk(auth_client, first) == [key(like) for like in reversed(likes)]

    def test_activities_of_the_same_moment_stay_in_place_when_more_arrive(
        self, auth_client, followed
    ):
        same_moment = [act(verb, followed, 5) for verb in VERBS]

        first = feed(auth_client, page_size=2)
        act("like", followed, 10, game=GameFactory())
        rest = walk(auth_client, auth_client.get(first.data["next"]))

        assert sorted(keys(first) + rest) == sorted(key(row) for row in same_moment)

    def test_undoing_a_shown_activity_does_not_hide_one_on_the_next_page(
        self, auth_client, followed
    ):
        same_moment = {key(row): row for row in (act(v, followed, 5) for v in VERBS)}

        first = feed(auth_client, page_size=3)
        same_moment.pop(keys(first)[0]).delete()
        rest = walk(auth_client, auth_client.get(first.data["next"]))

        assert sorted(keys(first)[1:] + rest) == sorted(same_moment)

    def test_undoing_the_activity_a_cursor_marks_keeps_the_next_page_whole(
        self, auth_client, followed
    ):
        rows = {key(row): row for row in (act(v, followed, 5) for v in VERBS)}

        first = feed(auth_client, page_size=3)
        rows.pop(keys(first)[-1]).delete()
        rest = walk(auth_client, auth_client.get(first.data["next"]))

        assert sorted(keys(first)[:-1] + rest) == sorted(rows)


def cursor(**fields) -> str:
    """A cursor as DRF encodes one: the base64 of a query string."""
    return base64.b64encode(urlencode(fields).encode()).decode()


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("garbage", id="garbage"),
        pytest.param("!!!!", id="not-base64"),
        pytest.param("é", id="not-ascii"),
        pytest.param("\u0000", id="nul"),
        pytest.param("x" * 10_000, id="long"),
        pytest.param(base64.b64encode(b"\xff\xfe").decode(), id="binary"),
        pytest.param(cursor(o="-1"), id="negative-offset"),
        pytest.param(cursor(o="abc"), id="offset-not-a-number"),
        pytest.param(cursor(r="yes"), id="reverse-not-a-number"),
        pytest.param(cursor(o="5"), id="offset-without-position"),
        pytest.param(cursor(r="1"), id="reverse-without-position"),
        pytest.param(cursor(p=""), id="position-empty"),
        pytest.param(
            cursor(o="5", p="2024-05-01T12:00:00+00:00|like|1"),
            id="offset-with-position",
        ),
        pytest.param(cursor(p="yesterday"), id="position-not-a-time"),
        pytest.param(cursor(p="2024-05-01T12:00:00|like|1"), id="position-naive"),
        pytest.param(
            cursor(p="2024-13-45T00:00:00Z|like|1"), id="position-impossible-date"
        ),
        pytest.param(
            cursor(p="2024-05-01T25:61:00Z|like|1"), id="position-impossible-time"
        ),
        pytest.param(
            cursor(p="2024-05-01T12:00:00+25:00|like|1"), id="position-bad-offset"
        ),
        pytest.param(
            cursor(p="0001-01-01T00:00:00+01:00|like|1"), id="position-before-1"
        ),
        pytest.param(
            cursor(p="9999-12-31T23:59:59-01:00|like|1"), id="position-after-9999"
        ),
        pytest.param(cursor(p="2024-05-01T12:00:00Z|like|x"), id="position-bad-id"),
        pytest.param(cursor(p="2024-05-01T12:00:00Z|like|" + "9" * 40), id="huge-id"),
        pytest.param(cursor(p="2024-05-01T12:00:00Z|hug|1"), id="position-bad-verb"),
        pytest.param(cursor(p="2024-05-01T12:00:00Z|like"), id="position-short"),
        pytest.param(cursor(p="\u0000"), id="position-nul"),
        pytest.param(cursor(p="9" * 5000), id="position-long"),
    ],
)
def test_tampered_cursor_is_a_404_not_a_500(auth_client, followed, value):
    act("like", followed, 0)

    r = feed(auth_client, cursor=value)

    assert r.status_code == 404, r.data
    assert "detail" in r.data


def test_position_of_no_activity_pages_from_that_moment(auth_client, followed):
    older = act("like", followed, 0)
    act("like", followed, 10)

    r = feed(auth_client, cursor=cursor(p="2024-05-01T12:05:00+00:00|like|0"))

    assert r.status_code == 200, r.data
    assert keys(r) == [key(older)]


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param({}, id="none"),
        pytest.param({"HTTP_AUTHORIZATION": "Bearer garbage"}, id="garbage"),
        pytest.param({"HTTP_AUTHORIZATION": "Token abc"}, id="wrong-type"),
    ],
)
def test_feed_needs_a_valid_token(api_client, credentials):
    api_client.credentials(**credentials)

    r = feed(api_client)

    assert r.status_code == 401, r.data
    assert "detail" in r.data


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_feed_is_read_only(auth_client, method):
    r = getattr(auth_client, method)(reverse("feed"), {}, format="json")

    assert r.status_code == 405, r.data


@pytest.mark.parametrize("slash", ["", "/"], ids=["without-slash", "with-slash"])
def test_feed_answers_with_and_without_the_trailing_slash(auth_client, followed, slash):
    act("like", followed, 0)

    r = auth_client.get(reverse("feed").rstrip("/") + slash)

    assert r.status_code == 200, r.data
    assert len(r.data["results"]) == 1
