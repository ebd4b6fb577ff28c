"""Following and unfollowing: idempotent, never yourself, one row per pair."""

import json

import pytest
from django.db import IntegrityError
from django.urls import reverse

from actions.tests.helpers import send_json, send_raw
from users.models import Follow, User
from users.tests.factories import FollowFactory, UserFactory

pytestmark = pytest.mark.django_db


def follow(client, username):
    return client.post(reverse("follow"), {"username": username}, format="json")


def unfollow(client, username):
    return client.post(reverse("unfollow"), {"username": username}, format="json")


def pairs() -> set[tuple[int, int]]:
    return set(Follow.objects.values_list("follower_id", "followed_id"))


def counts(client, user) -> tuple[int, int]:
    """The followers and following counts on the user's profile."""
    r = client.get(reverse("profile", args=[user.username]))
    return r.data["followers_count"], r.data["following_count"]


class TestFollow:
    def test_follow_answers_following_and_stores_the_pair(
        self, auth_client, user, other_user
    ):
        r = follow(auth_client, other_user.username)

        assert r.status_code == 200, r.data
        assert r.data == {"username": other_user.username, "following": True}
        assert pairs() == {(user.pk, other_user.pk)}

    def test_name_in_another_case_answers_with_the_stored_name(self, auth_client, user):
        ada = UserFactory(username="Ada")

        r = follow(auth_client, "aDA")

        assert r.status_code == 200, r.data
        assert r.data["username"] == "Ada"
        assert pairs() == {(user.pk, ada.pk)}

    def test_following_twice_is_fine_and_keeps_one_row(
        self, auth_client, user, other_user
    ):
        first = follow(auth_client, other_user.username)
        second = follow(auth_client, other_user.username.upper())

        assert first.status_code == 200, first.data
        assert second.status_code == 200, second.data
        assert second.data == first.data
        assert pairs() == {(user.pk, other_user.pk)}

    def test_follow_keeps_the_time_of_the_first_follow(
        self, auth_client, user, other_user
    ):
        first = FollowFactory(follower=user, followed=other_user)

        follow(auth_client, other_user.username)

        assert Follow.objects.get().created_at == first.created_at

    def test_following_is_one_way(self, auth_client, user, other_user):
        follow(auth_client, other_user.username)

        assert counts(auth_client, user) == (0, 1)
        assert counts(auth_client, other_user) == (1, 0)

    def test_following_yourself_is_a_400(self, auth_client, user):
        r = follow(auth_client, user.username.upper())

        assert r.status_code == 400, r.data
        assert "username" in r.data
        assert pairs() == set()

    def test_database_refuses_a_self_follow_too(self, user):
        with pytest.raises(IntegrityError):
            Follow.objects.create(follower=user, followed=user)

    def test_database_refuses_a_second_row_for_a_pair(self, user, other_user):
        FollowFactory(follower=user, followed=other_user)

        with pytest.raises(IntegrityError):
            Follow.objects.create(follower=user, followed=other_user)


class TestUnfollow:
    def test_unfollow_answers_not_following_and_removes_the_pair(
        self, auth_client, user, other_user
    ):
        FollowFactory(follower=user, followed=other_user)

        r = unfollow(auth_client, other_user.username)

        assert r.status_code == 200, r.data
        assert r.data == {"username": other_user.username, "following": False}
        assert pairs() == set()

    def test_unfollowing_someone_not_followed_is_fine(self, auth_client, other_user):
        r = unfollow(auth_client, other_user.username)

        assert r.status_code == 200, r.data
        assert r.data == {"username": other_user.username, "following": False}

    def test_unfollowing_twice_is_fine(self, auth_client, user, other_user):
        FollowFactory(follower=user, followed=other_user)

        first = unfollow(auth_client, other_user.username)
        second = unfollow(auth_client, other_user.username)

        assert first.status_code == 200, first.data
        assert second.data == first.data
        assert pairs() == set()

    def test_unfollow_leaves_the_other_direction_and_other_pairs(
        self, auth_client, user, other_user
    ):
        third = UserFactory()
        FollowFactory(follower=user, followed=other_user)
        FollowFactory(follower=other_user, followed=user)
        FollowFactory(follower=user, followed=third)

        unfollow(auth_client, other_user.username)

        assert pairs() == {(other_user.pk, user.pk), (user.pk, third.pk)}

    def test_unfollowing_yourself_is_a_400(self, auth_client, user):
        r = unfollow(auth_client, user.username)

        assert r.status_code == 400, r.data

    def test_follow_then_unfollow_brings_the_counts_back(
        self, auth_client, user, other_user
    ):
        follow(auth_client, other_user.username)
        unfollow(auth_client, other_user.username)

        assert counts(auth_client, user) == (0, 0)
        assert counts(auth_client, other_user) == (0, 0)

    def test_counts_drop_when_a_follower_is_deleted(self, auth_client, other_user):
        fan = UserFactory()
        FollowFactory(follower=fan, followed=other_user)

        fan.delete()

        assert counts(auth_client, other_user) == (0, 0)


@pytest.fixture(params=["follow", "unfollow"])
def url(request):
    """Each test below holds for follow and unfollow alike."""
    return reverse(request.param)


class TestFollowAndUnfollow:
    @pytest.mark.parametrize(
        "username",
        ["nobody", "ad_", "a%", "%", "_", "ad*", "player", "a" * 150],
        ids=[
            "unknown",
            "underscore",
            "percent",
            "only-percent",
            "only-underscore",
            "star",
            "prefix",
            "longest",
        ],
    )
    def test_unknown_username_is_a_404(self, auth_client, user, url, username):
        # A SQL LIKE wildcard must not match "ada".
        UserFactory(username="ada")
        FollowFactory(follower=user)
        before = pairs()

        r = send_json(auth_client, "post", url, {"username": username})

        assert r.status_code == 404, r.data
        assert "detail" in r.data
        assert pairs() == before

    def test_deactivated_user_is_a_404(self, auth_client, url):
        gone = UserFactory(is_active=False)

        r = send_json(auth_client, "post", url, {"username": gone.username})

        assert r.status_code == 404, r.data
        assert pairs() == set()

    @pytest.mark.parametrize("name", ["feed", "profile", "follow", "user", "token"])
    def test_reserved_name_is_nobody_to_follow(self, auth_client, url, name):
        r = send_json(auth_client, "post", url, {"username": name})

        assert r.status_code == 404, r.data

    def test_form_data_is_accepted(self, auth_client, other_user, url):
        r = auth_client.post(url, {"username": other_user.username})

        assert r.status_code == 200, r.data
        assert r.data["username"] == other_user.username

    def test_whitespace_around_the_name_is_trimmed(self, auth_client, other_user, url):
        r = send_json(auth_client, "post", url, {"username": f" {other_user} \n"})

        assert r.status_code == 200, r.data

    @pytest.mark.parametrize(
        "body",
        [
            pytest.param({}, id="empty"),
            pytest.param({"user": "ada"}, id="wrong-field"),
            pytest.param({"username": None}, id="null"),
            pytest.param({"username": ""}, id="blank"),
            pytest.param({"username": "   "}, id="only-spaces"),
            pytest.param({"username": ["ada"]}, id="list"),
            pytest.param({"username": {"name": "ada"}}, id="object"),
            pytest.param({"username": True}, id="bool"),
            pytest.param({"username": "a" * 151}, id="too-long"),
            pytest.param({"username": "a" * 100_000}, id="far-too-long"),
            pytest.param({"username": "ada\u0000"}, id="nul"),
            pytest.param({"username": "\u0000"}, id="only-nul"),
            pytest.param({"username": "ada\ud800"}, id="surrogate"),
            pytest.param({"username": "\udfff"}, id="only-surrogate"),
        ],
    )
    def test_invalid_body_is_a_400_and_changes_nothing(
        self, auth_client, user, url, body
    ):
        UserFactory(username="ada")
        FollowFactory(follower=user)
        before = pairs()

        r = send_json(auth_client, "post", url, body)

        assert r.status_code == 400, r.data
        assert "username" in r.data
        assert pairs() == before

    @pytest.mark.parametrize(
        "body",
        [
            pytest.param("[]", id="empty-list"),
            pytest.param(json.dumps([{"username": "ada"}]), id="list"),
            pytest.param('"ada"', id="string"),
            pytest.param("42", id="number"),
            pytest.param("null", id="null"),
            pytest.param("", id="no-body"),
            pytest.param("{", id="truncated"),
            pytest.param('{"username": "ada",}', id="trailing-comma"),
            pytest.param("{'username': 'ada'}", id="single-quotes"),
            pytest.param('{"username": "ada"} {}', id="two-objects"),
            pytest.param(b"\xff\xfe{}", id="not-utf8"),
            pytest.param("[" * 100_000, id="nested-too-deeply"),
        ],
    )
    def test_body_that_is_not_a_json_object_is_a_400(
        self, auth_client, user, url, body
    ):
        UserFactory(username="ada")
        FollowFactory(follower=user)
        before = pairs()

        r = send_raw(auth_client, "post", url, body)

        assert r.status_code == 400, r.data
        assert pairs() == before

    @pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
    def test_other_methods_are_a_405(self, auth_client, other_user, url, method):
        r = send_json(auth_client, method, url, {"username": other_user.username})

        assert r.status_code == 405, r.data
        assert pairs() == set()

    @pytest.mark.parametrize(
        "credentials",
        [
            pytest.param({}, id="none"),
            pytest.param({"HTTP_AUTHORIZATION": "Bearer garbage"}, id="garbage"),
            pytest.param({"HTTP_AUTHORIZATION": "Bearer"}, id="no-token"),
            pytest.param({"HTTP_AUTHORIZATION": "Token abc"}, id="wrong-type"),
        ],
    )
    def test_needs_a_valid_token(self, api_client, other_user, url, credentials):
        api_client.credentials(**credentials)

        r = send_json(api_client, "post", url, {"username": other_user.username})

        assert r.status_code == 401, r.data
        assert "detail" in r.data
        assert pairs() == set()

    def test_deactivated_callers_token_is_a_401(self, auth_client, user, url):
        target = UserFactory()
        User.objects.filter(pk=user.pk).update(is_active=False)

        r = send_json(auth_client, "post", url, {"username": target.username})

        assert r.status_code == 401, r.data
        assert pairs() == set()

    @pytest.mark.parametrize("slash", ["", "/"], ids=["without-slash", "with-slash"])
    def test_path_answers_with_and_without_the_trailing_slash(
        self, auth_client, other_user, url, slash
    ):
        path = url.rstrip("/") + slash

        r = send_json(auth_client, "post", path, {"username": other_user.username})

        assert r.status_code == 200, r.data
