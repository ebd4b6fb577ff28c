"""A user's followers, the users they follow, and their four game lists."""

import datetime

import pytest
from django.urls import reverse

from actions.models import RELATIONS
from games.models import Game
from games.tests.factories import GameFactory
from users.models import Follow, User
from users.tests.factories import FollowFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
START = datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.UTC)
PAGINATED = {"count", "next", "previous", "results"}
# The actions endpoint that sets each relation.
ACTIONS = {
    "played": "log",
    "liked": "like",
    "backlog": "backlog",
    "wishlist": "wishlist",
}


def follow_list(client, username, direction, **query):
    return client.get(reverse("follow-list", args=[username, direction]), query)


def game_list(client, username, relation, **query):
    return client.get(reverse("game-list", args=[username, relation]), query)


def at(minutes: int) -> datetime.datetime:
    return START + datetime.timedelta(minutes=minutes)


def usernames(r) -> list[str]:
    return [item["username"] for item in r.data["results"]]


def igdb_ids(r) -> list[int]:
    return [item["igdb"] for item in r.data["results"]]


def fans_of(user, count: int) -> list[User]:
    """`count` new users following `user`, in bulk; returned oldest follow first."""
    fans = User.objects.bulk_create(
        User(username=f"fan{n}", email=f"fan{n}@example.com") for n in range(count)
    )
    Follow.objects.bulk_create(Follow(follower=fan, followed=user) for fan in fans)
    for minute, fan in enumerate(fans):
        Follow.objects.filter(follower=fan).update(created_at=at(minute))
    return fans


def games_in(user, relation: str, count: int) -> list[Game]:
    """`count` new games in one of the user's lists; returned oldest first."""
    games = Game.objects.bulk_create(GameFactory.build_batch(count))
    model = RELATIONS[relation]
    model.objects.bulk_create(model(user=user, game=game) for game in games)
    for minute, game in enumerate(games):
        model.objects.filter(user=user, game=game).update(created_at=at(minute))
    return games


# Who follows whom, oldest follow first: the direction's list of "ada" then holds
# the others in the reverse order.
FOLLOWS = {
    "followers": [("bob", "ada"), ("cy", "ada"), ("dee", "ada")],
    "following": [("ada", "bob"), ("ada", "cy"), ("ada", "dee")],
}


@pytest.fixture
def people(db):
    return {name: UserFactory(username=name) for name in ["ada", "bob", "cy", "dee"]}


def follow_in_order(people, pairs):
    for minute, (follower, followed) in enumerate(pairs):
        row = FollowFactory(follower=people[follower], followed=people[followed])
        Follow.objects.filter(pk=row.pk).update(created_at=at(minute))


@pytest.mark.parametrize("direction", ["followers", "following"])
class TestFollowLists:
    def test_list_is_paginated_id_and_username_newest_first(
        self, api_client, people, direction
    ):
        follow_in_order(people, FOLLOWS[direction])

        r = follow_list(api_client, "ada", direction)

        assert r.status_code == 200, r.data
        assert set(r.data) == PAGINATED
        assert r.data["count"] == 3
        assert r.data["next"] is None
        assert r.data["previous"] is None
        assert r.data["results"] == [
            {"id": people[name].pk, "username": name} for name in ["dee", "cy", "bob"]
        ]

    def test_order_is_the_time_of_the_follow_not_of_the_user(
        self, api_client, people, direction
    ):
        follow_in_order(people, reversed(FOLLOWS[direction]))

        r = follow_list(api_client, "ada", direction)

        assert usernames(r) == ["bob", "cy", "dee"]

    def test_no_one_is_listed_twice_when_they_follow_others_too(
        self, api_client, people, direction
    ):
        follow_in_order(people, FOLLOWS[direction])
        others = UserFactory.create_batch(3)
        for person in ["bob", "cy", "dee"]:
            for other in others:
                FollowFactory(follower=people[person], followed=other)
                FollowFactory(follower=other, followed=people[person])

        r = follow_list(api_client, "ada", direction)

        assert r.data["count"] == 3
        assert usernames(r) == ["dee", "cy", "bob"]

    def test_only_the_users_own_direction_is_listed(
        self, api_client, people, direction
    ):
        follow_in_order(people, FOLLOWS["followers"] + FOLLOWS["following"][:1])
        expected = {"followers": ["dee", "cy", "bob"], "following": ["bob"]}

        r = follow_list(api_client, "ada", direction)

        assert usernames(r) == expected[direction]

    def test_empty_list(self, api_client, people, direction):
        r = follow_list(api_client, "ada", direction)

        assert r.status_code == 200, r.data
        assert r.data == {"count": 0, "next": None, "previous": None, "results": []}

    def test_deactivated_users_are_left_out(self, api_client, people, direction):
        follow_in_order(people, FOLLOWS[direction])
        User.objects.filter(username="cy").update(is_active=False)

        r = follow_list(api_client, "ada", direction)

        assert r.data["count"] == 2
        assert usernames(r) == ["dee", "bob"]

    def test_list_count_matches_the_profile_count(self, api_client, people, direction):
        follow_in_order(people, FOLLOWS[direction])
        User.objects.filter(username="cy").update(is_active=False)

        listed = follow_list(api_client, "ada", direction)
        profile = api_client.get(reverse("profile", args=["ada"]))

        assert listed.data["count"] == profile.data[f"{direction}_count"]

    def test_username_is_matched_without_regard_to_case(
        self, api_client, people, direction
    ):
        follow_in_order(people, FOLLOWS[direction])

        r = follow_list(api_client, "ADA", direction)

        assert r.status_code == 200, r.data
        assert r.data["count"] == 3

    @pytest.mark.parametrize("username", ["nobody", "ad_", "a" * 150])
    def test_unknown_user_is_a_404(self, api_client, people, direction, username):
        r = follow_list(api_client, username, direction)

        assert r.status_code == 404, r.data
        assert "detail" in r.data

    def test_deactivated_user_is_a_404(self, api_client, people, direction):
        follow_in_order(people, FOLLOWS[direction])
        User.objects.filter(username="ada").update(is_active=False)

        r = follow_list(api_client, "ada", direction)

        assert r.status_code == 404, r.data

    def test_authenticated_caller_sees_the_same_list(
        self, auth_client, people, direction
    ):
        follow_in_order(people, FOLLOWS[direction])

        r = follow_list(auth_client, "ada", direction)

        assert r.status_code == 200, r.data
        assert usernames(r) == ["dee", "cy", "bob"]


class TestFollowListPages:
    def test_pages_hold_fifty_and_walk_the_whole_list_newest_first(self, api_client):
        ada = UserFactory(username="ada")
        fans = fans_of(ada, PAGE_SIZE + 3)

        first = follow_list(api_client, "ada", "followers")
        second = api_client.get(first.data["next"])

        assert first.status_code == 200, first.data
        assert first.data["count"] == PAGE_SIZE + 3
        assert len(first.data["results"]) == PAGE_SIZE
        assert first.data["previous"] is None
        assert second.status_code == 200, second.data
        assert second.data["next"] is None
        assert second.data["previous"] is not None
        assert usernames(first) + usernames(second) == [
            fan.username for fan in reversed(fans)
        ]

    @pytest.mark.parametrize(
        ("page_size", "expected"),
        [
            ("1", 1),
            ("10", 10),
            (str(MAX_PAGE_SIZE), MAX_PAGE_SIZE),
            (str(MAX_PAGE_SIZE + 1), MAX_PAGE_SIZE),
            ("100000", MAX_PAGE_SIZE),
            ("0", PAGE_SIZE),
            ("-5", PAGE_SIZE),
            ("abc", PAGE_SIZE),
            ("1.5", PAGE_SIZE),
            ("", PAGE_SIZE),
            ("9" * 400, MAX_PAGE_SIZE),
        ],
    )
    def test_page_size_goes_up_to_two_hundred(self, api_client, page_size, expected):
        ada = UserFactory(username="ada")
        fans_of(ada, MAX_PAGE_SIZE + 5)

        r = follow_list(api_client, "ada", "followers", page_size=page_size)

        assert r.status_code == 200, r.data
        assert len(r.data["results"]) == expected

    @pytest.mark.parametrize(
        "page", ["3", "0", "-1", "abc", "1.5", "9" * 400, "\u0000"]
    )
    def test_page_out_of_range_or_garbage_is_a_404(self, api_client, page):
        ada = UserFactory(username="ada")
        fans_of(ada, PAGE_SIZE + 1)

        r = follow_list(api_client, "ada", "followers", page=page)

        assert r.status_code == 404, r.data
        assert "detail" in r.data


@pytest.mark.parametrize("relation", list(RELATIONS))
class TestGameLists:
    def test_list_is_paginated_games_most_recently_added_first(
        self, api_client, user, relation
    ):
        games = games_in(user, relation, 3)

        r = game_list(api_client, user.username, relation)

        assert r.status_code == 200, r.data
        assert set(r.data) == PAGINATED
        assert r.data["count"] == 3
        assert igdb_ids(r) == [game.igdb for game in reversed(games)]

    def test_item_is_the_game_with_when_it_was_added(self, api_client, user, relation):
        game = GameFactory(name="Celeste", slug="celeste", cover_id="co1", igdb=7)
        model = RELATIONS[relation]
        model.objects.create(user=user, game=game)
        model.objects.update(created_at=START)

        r = game_list(api_client, user.username, relation)

        assert r.data["results"] == [
            {
                "igdb": 7,
                "name": "Celeste",
                "slug": "celeste",
                "cover_id": "co1",
                "backdrop_id": "",
                "added_at": "2024-05-01T12:00:00Z",
            }
        ]

    def test_only_this_users_rows_of_this_list_are_shown(
        self, api_client, user, other_user, relation
    ):
        mine = games_in(user, relation, 2)
        games_in(other_user, relation, 2)
        for other_relation in set(RELATIONS) - {relation}:
            games_in(user, other_relation, 1)

        r = game_list(api_client, user.username, relation)

        assert sorted(igdb_ids(r)) == sorted(game.igdb for game in mine)

    def test_undone_action_leaves_the_list(self, auth_client, user, relation):
        kept, undone = games_in(user, relation, 2)
        url = reverse("actions-relation", args=[ACTIONS[relation]])

        undo = auth_client.post(url, {"igdb": undone.igdb, "value": False})
        r = game_list(auth_client, user.username, relation)

        assert undo.status_code == 200, undo.data
        assert igdb_ids(r) == [kept.igdb]

    def test_pages_walk_the_whole_list(self, api_client, user, relation):
        games = games_in(user, relation, PAGE_SIZE + 2)

        first = game_list(api_client, user.username, relation)
        second = api_client.get(first.data["next"])

        assert len(first.data["results"]) == PAGE_SIZE
        assert second.data["next"] is None
        assert igdb_ids(first) + igdb_ids(second) == [
            game.igdb for game in reversed(games)
        ]

    def test_page_size_is_capped_at_two_hundred(self, api_client, user, relation):
        games_in(user, relation, MAX_PAGE_SIZE + 1)

        r = game_list(api_client, user.username, relation, page_size="500")

        assert len(r.data["results"]) == MAX_PAGE_SIZE
        assert r.data["next"] is not None

    @pytest.mark.parametrize("username", ["nobody", "ad_"])
    def test_unknown_user_is_a_404(self, api_client, relation, username):
        UserFactory(username="ada")

        r = game_list(api_client, username, relation)

        assert r.status_code == 404, r.data
        assert "detail" in r.data

    def test_deactivated_user_is_a_404(self, api_client, relation):
        gone = UserFactory(is_active=False)
        games_in(gone, relation, 1)

        r = game_list(api_client, gone.username, relation)

        assert r.status_code == 404, r.data

    @pytest.mark.parametrize("page", ["2", "0", "x"])
    def test_page_out_of_range_or_garbage_is_a_404(
        self, api_client, user, relation, page
    ):
        games_in(user, relation, 1)

        r = game_list(api_client, user.username, relation, page=page)

        assert r.status_code == 404, r.data


@pytest.mark.parametrize("list_name", ["ratings", "journal", "likes", "PLAYED"])
def test_unknown_list_is_a_404(api_client, user, list_name):
    r = api_client.get(f"/api/users/{user.username}/{list_name}/")

    assert r.status_code == 404


@pytest.mark.parametrize("slash", ["", "/"], ids=["without-slash", "with-slash"])
@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("follow-list", "followers"),
        ("follow-list", "following"),
        ("game-list", "played"),
        ("game-list", "liked"),
        ("game-list", "backlog"),
        ("game-list", "wishlist"),
    ],
)
def test_list_paths_answer_with_and_without_the_trailing_slash(
    api_client, user, slash, name, kind
):
    url = reverse(name, args=[user.username, kind]).rstrip("/") + slash

    r = api_client.get(url)

    assert r.status_code == 200, r.data
    assert set(r.data) == PAGINATED


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    ("name", "kind"),
    [("follow-list", "followers"), ("game-list", "liked")],
)
def test_lists_are_read_only(auth_client, user, method, name, kind):
    url = reverse(name, args=[user.username, kind])

    r = getattr(auth_client, method)(url, {}, format="json")

    assert r.status_code == 405, r.data
