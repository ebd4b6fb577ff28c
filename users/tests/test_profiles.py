"""A user's public profile, and the caller changing their own."""

import json

import pytest
from django.urls import reverse

from actions.tests.factories import (
    BacklogFactory,
    JournalEntryFactory,
    LikedFactory,
    PlayedFactory,
    RatingFactory,
    WishlistFactory,
)
from actions.tests.helpers import send_json, send_raw
from conftest import bearer_client
from users.models import User
from users.tests.factories import PASSWORD, FollowFactory, UserFactory

pytestmark = pytest.mark.django_db

COUNTS = {
    "played_count",
    "liked_count",
    "backlog_count",
    "wishlist_count",
    "journal_count",
    "ratings_count",
    "followers_count",
    "following_count",
}
PUBLIC_FIELDS = {"id", "username", "bio", "location", "twitter", "date_joined"} | COUNTS


def profile(client, username):
    return client.get(reverse("profile", args=[username]))


def patch_profile(client, body):
    return send_json(client, "patch", reverse("profile-update"), body)


def stored(user) -> dict:
    """Every column of the user's row as the database has it now."""
    return User.objects.filter(pk=user.pk).values().get()


class TestProfile:
    def test_anonymous_caller_sees_public_fields_only(self, api_client, user):
        r = profile(api_client, user.username)

        assert r.status_code == 200, r.data
        assert set(r.data) == PUBLIC_FIELDS

    def test_other_user_sees_is_following_but_not_the_email(self, other_client, user):
        r = profile(other_client, user.username)

        assert r.status_code == 200, r.data
        assert set(r.data) == PUBLIC_FIELDS | {"is_following"}

    def test_user_sees_their_own_email(self, auth_client, user):
        r = profile(auth_client, user.username)

        assert r.status_code == 200, r.data
        assert set(r.data) == PUBLIC_FIELDS | {"is_following", "email"}
        assert r.data["email"] == user.email
        assert r.data["is_following"] is False

    def test_profile_shows_the_stored_values(self, api_client):
        ada = UserFactory(bio="Speedruns.", location="Lyon", twitter="ada_plays")

        r = profile(api_client, ada.username)

        assert r.status_code == 200, r.data
        assert r.data["id"] == ada.pk
        assert r.data["username"] == ada.username
        assert r.data["bio"] == "Speedruns."
        assert r.data["location"] == "Lyon"
        assert r.data["twitter"] == "ada_plays"
        assert r.data["date_joined"].startswith(ada.date_joined.date().isoformat())

    def test_is_following_is_true_when_the_caller_follows(
        self, auth_client, user, other_user
    ):
        FollowFactory(follower=user, followed=other_user)

        r = profile(auth_client, other_user.username)

        assert r.status_code == 200, r.data
        assert r.data["is_following"] is True

    def test_is_following_is_false_when_the_caller_does_not_follow(
        self, auth_client, other_user
    ):
        r = profile(auth_client, other_user.username)

        assert r.status_code == 200, r.data
        assert r.data["is_following"] is False

    def test_being_followed_by_someone_is_not_following_them(
        self, auth_client, user, other_user
    ):
        FollowFactory(follower=other_user, followed=user)

        r = profile(auth_client, other_user.username)

        assert r.data["is_following"] is False

    def test_counts_are_the_users_own_rows(self, api_client, user, other_user):
        PlayedFactory.create_batch(2, user=user)
        LikedFactory.create_batch(3, user=user)
        BacklogFactory.create_batch(1, user=user)
        WishlistFactory.create_batch(4, user=user)
        JournalEntryFactory.create_batch(5, user=user)
        RatingFactory.create_batch(6, user=user)
        FollowFactory.create_batch(7, followed=user)
        FollowFactory.create_batch(8, follower=user)
        # Another user's rows, which must not be counted.
        PlayedFactory(user=other_user)
        LikedFactory(user=other_user)
        RatingFactory(user=other_user)
        JournalEntryFactory(user=other_user)
        FollowFactory(follower=other_user, followed=UserFactory())

        r = profile(api_client, user.username)

        assert r.status_code == 200, r.data
        assert {field: r.data[field] for field in COUNTS} == {
            "played_count": 2,
            "liked_count": 3,
            "backlog_count": 1,
            "wishlist_count": 4,
            "journal_count": 5,
            "ratings_count": 6,
            "followers_count": 7,
            "following_count": 8,
        }

    def test_new_user_has_every_count_at_zero(self, api_client, user):
        r = profile(api_client, user.username)

        assert {field: r.data[field] for field in COUNTS} == dict.fromkeys(COUNTS, 0)

    def test_follower_counts_follow_the_rows(self, api_client, user):
        fans = FollowFactory.create_batch(3, followed=user)
        fans[0].delete()
        fans[1].follower.delete()

        r = profile(api_client, user.username)

        assert r.data["followers_count"] == 1

    def test_deactivated_followers_are_not_counted(self, api_client, user):
        FollowFactory(followed=user)
        FollowFactory(followed=user, follower=UserFactory(is_active=False))
        FollowFactory(follower=user)
        FollowFactory(follower=user, followed=UserFactory(is_active=False))

        r = profile(api_client, user.username)

        assert r.data["followers_count"] == 1
        assert r.data["following_count"] == 1

    @pytest.mark.parametrize("typed", ["ada", "ADA", "aDa"])
    def test_username_is_matched_without_regard_to_case(self, api_client, typed):
        ada = UserFactory(username="Ada")

        r = profile(api_client, typed)

        assert r.status_code == 200, r.data
        assert r.data["id"] == ada.pk
        assert r.data["username"] == "Ada"

    @pytest.mark.parametrize(
        "username", ["nobody", "player", "a" * 150, "ad_", "a.b", "@", "_"]
    )
    def test_unknown_user_is_a_404(self, api_client, username):
        UserFactory(username="ada")

        r = profile(api_client, username)

        assert r.status_code == 404, r.data
        assert "detail" in r.data

    @pytest.mark.parametrize(
        "path",
        [
            "/api/users/" + "a" * 151 + "/",
            "/api/users/ada%20lovelace/",
            "/api/users/Ad%C3%A9la%C3%AFde/",
            "/api/users/ada%00/",
        ],
        ids=["too-long", "space", "not-ascii", "nul"],
    )
    def test_impossible_username_is_a_json_404(self, api_client, path):
        r = api_client.get(path)

        assert r.status_code == 404
        assert "detail" in r.json()

    def test_deactivated_user_is_a_404(self, api_client):
        gone = UserFactory(is_active=False)

        r = profile(api_client, gone.username)

        assert r.status_code == 404, r.data

    @pytest.mark.parametrize(
        ("name", "status"),
        [
            ("user", 401),
            ("register", 405),
            ("login", 405),
            ("logout", 401),
            ("profile", 401),
            ("follow", 401),
            ("unfollow", 401),
            ("feed", 401),
        ],
    )
    def test_fixed_path_wins_over_a_user_of_that_name(self, api_client, name, status):
        # Registration refuses these names; the admin could still create one.
        User.objects.create(username=name, email=f"{name}@example.com")

        r = profile(api_client, name)

        assert r.status_code == status, r.data
        assert "username" not in r.data


class TestProfileUpdate:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("bio", "Mostly metroidvanias."),
            ("bio", "b" * 1000),
            ("bio", ""),
            ("bio", "Émile 🎮 ゲーム"),
            ("location", "Montréal"),
            ("location", "l" * 100),
            ("location", ""),
            ("twitter", "ada_plays"),
            ("twitter", "a" * 15),
            ("twitter", "A1_b2"),
            ("twitter", ""),
        ],
    )
    def test_field_is_changed(self, auth_client, user, field, value):
        r = patch_profile(auth_client, {field: value})

        assert r.status_code == 200, r.data
        assert r.data[field] == value
        user.refresh_from_db()
        assert getattr(user, field) == value

    def test_answer_is_the_callers_full_profile(self, auth_client, user):
        LikedFactory(user=user)

        r = patch_profile(auth_client, {"bio": "Hi."})

        assert r.status_code == 200, r.data
        assert set(r.data) == PUBLIC_FIELDS | {"is_following", "email"}
        assert r.data["id"] == user.pk
        assert r.data["liked_count"] == 1

    def test_several_fields_change_together(self, auth_client, user):
        body = {"bio": "Hi.", "location": "Oslo", "twitter": "ada", "email": "a@b.io"}

        r = patch_profile(auth_client, body)

        assert r.status_code == 200, r.data
        assert {field: r.data[field] for field in body} == body
        assert {field: stored(user)[field] for field in body} == body

    def test_fields_not_sent_are_left_alone(self, auth_client, user):
        User.objects.filter(pk=user.pk).update(bio="Old.", location="Oslo")

        r = patch_profile(auth_client, {"twitter": "ada"})

        assert r.status_code == 200, r.data
        assert stored(user)["bio"] == "Old."
        assert stored(user)["location"] == "Oslo"

    def test_empty_body_changes_nothing(self, auth_client, user):
        before = stored(user)

        r = patch_profile(auth_client, {})

        assert r.status_code == 200, r.data
        assert stored(user) == before

    def test_at_sign_is_stripped_from_the_twitter_handle(self, auth_client):
        r = patch_profile(auth_client, {"twitter": "@ada_plays"})

        assert r.status_code == 200, r.data
        assert r.data["twitter"] == "ada_plays"

    def test_surrounding_whitespace_is_trimmed(self, auth_client, user):
        r = patch_profile(auth_client, {"location": "  Oslo\n", "twitter": " ada "})

        assert r.status_code == 200, r.data
        assert stored(user)["location"] == "Oslo"
        assert stored(user)["twitter"] == "ada"

    def test_email_is_changed_with_its_domain_lowercased(self, auth_client, user):
        r = patch_profile(auth_client, {"email": "Ada.New@Example.COM"})

        assert r.status_code == 200, r.data
        assert r.data["email"] == "Ada.New@example.com"
        assert stored(user)["email"] == "Ada.New@example.com"

    def test_own_email_in_another_case_is_accepted(self, auth_client, user):
        r = patch_profile(auth_client, {"email": user.email.upper()})

        assert r.status_code == 200, r.data

    @pytest.mark.parametrize(
        "typed",
        ["taken@example.com", "TAKEN@example.com", "Taken@EXAMPLE.com"],
    )
    def test_email_of_another_user_in_any_case_is_refused(
        self, auth_client, user, typed
    ):
        UserFactory(email="taken@example.com")
        before = stored(user)

        r = patch_profile(auth_client, {"email": typed})

        assert r.status_code == 400, r.data
        assert "email" in r.data
        assert stored(user) == before

    def test_form_data_is_accepted(self, auth_client, user):
        r = auth_client.patch(
            reverse("profile-update"), {"bio": "From a form."}, format="multipart"
        )

        assert r.status_code == 200, r.data
        assert stored(user)["bio"] == "From a form."

    @pytest.mark.parametrize(
        "extra",
        [
            pytest.param({"is_staff": True}, id="is_staff"),
            pytest.param({"is_superuser": True}, id="is_superuser"),
            pytest.param({"is_active": False}, id="is_active"),
            pytest.param({"password": "new-password-123"}, id="password"),
            pytest.param({"username": "someone_else"}, id="username"),
            pytest.param({"id": 999_999}, id="id"),
            pytest.param({"pk": 999_999}, id="pk"),
            pytest.param({"date_joined": "2000-01-01T00:00:00Z"}, id="date_joined"),
            pytest.param({"last_login": "2000-01-01T00:00:00Z"}, id="last_login"),
            pytest.param({"followers_count": 1000}, id="followers_count"),
            pytest.param({"groups": [1]}, id="groups"),
            pytest.param({"first_name": "Ada"}, id="first_name"),
        ],
    )
    def test_fields_outside_the_profile_are_ignored(self, auth_client, user, extra):
        before = stored(user)

        r = patch_profile(auth_client, {"bio": "Changed.", **extra})

        assert r.status_code == 200, r.data
        assert stored(user) == {**before, "bio": "Changed."}

    def test_password_in_the_body_does_not_change_the_password(self, auth_client, user):
        patch_profile(auth_client, {"password": "new-password-123"})

        user.refresh_from_db()
        assert user.check_password(PASSWORD)
        assert not user.check_password("new-password-123")

    def test_user_can_only_change_their_own_profile(
        self, auth_client, user, other_user
    ):
        before = stored(other_user)

        r = patch_profile(
            auth_client, {"id": other_user.pk, "username": other_user.username}
        )

        assert r.status_code == 200, r.data
        assert r.data["id"] == user.pk
        assert stored(other_user) == before

    @pytest.mark.parametrize(
        "body",
        [
            pytest.param({"bio": "b" * 1001}, id="bio-too-long"),
            pytest.param({"location": "l" * 101}, id="location-too-long"),
            pytest.param({"twitter": "a" * 16}, id="twitter-too-long"),
            pytest.param({"twitter": "@" + "a" * 16}, id="twitter-at-too-long"),
            pytest.param({"twitter": "ada plays"}, id="twitter-space"),
            pytest.param({"twitter": "ada-plays"}, id="twitter-dash"),
            pytest.param({"twitter": "@"}, id="twitter-only-at"),
            pytest.param({"twitter": "@@ada"}, id="twitter-two-ats"),
            pytest.param({"twitter": "adé"}, id="twitter-not-ascii"),
            pytest.param({"twitter": "ada\nplays"}, id="twitter-newline"),
            pytest.param({"twitter": "https://x.com/ada"}, id="twitter-url"),
            pytest.param({"email": "not-an-email"}, id="email-invalid"),
            pytest.param({"email": "ada@"}, id="email-no-domain"),
            pytest.param({"email": ""}, id="email-blank"),
            pytest.param({"email": "a" * 250 + "@example.com"}, id="email-too-long"),
            pytest.param({"bio": None}, id="bio-null"),
            pytest.param({"location": None}, id="location-null"),
            pytest.param({"twitter": None}, id="twitter-null"),
            pytest.param({"email": None}, id="email-null"),
            pytest.param({"bio": ["Hi."]}, id="bio-list"),
            pytest.param({"bio": {"text": "Hi."}}, id="bio-object"),
            pytest.param({"bio": True}, id="bio-bool"),
            pytest.param({"location": ["Oslo"]}, id="location-list"),
            pytest.param({"twitter": ["ada"]}, id="twitter-list"),
            pytest.param({"twitter": False}, id="twitter-bool"),
            pytest.param({"email": ["ada@example.com"]}, id="email-list"),
            pytest.param({"email": 42}, id="email-number"),
            pytest.param({"bio": "Hi\u0000there"}, id="bio-nul"),
            pytest.param({"location": "Oslo\u0000"}, id="location-nul"),
            pytest.param({"twitter": "ada\u0000"}, id="twitter-nul"),
            pytest.param({"email": "ada\u0000@example.com"}, id="email-nul"),
            pytest.param({"bio": "Hi\ud800"}, id="bio-surrogate"),
            pytest.param({"location": "\udfffOslo"}, id="location-surrogate"),
            pytest.param({"twitter": "ada\ud83c"}, id="twitter-surrogate"),
            pytest.param({"email": "ada\udfff@example.com"}, id="email-surrogate"),
            pytest.param({"bio": "Fine.", "email": "broken"}, id="one-bad-of-two"),
        ],
    )
    def test_invalid_field_is_a_400_and_changes_nothing(self, auth_client, user, body):
        before = stored(user)

        r = patch_profile(auth_client, body)

        assert r.status_code == 400, r.data
        assert set(r.data) <= {"bio", "location", "twitter", "email"}
        assert stored(user) == before

    @pytest.mark.parametrize(
        "body",
        [
            pytest.param("[]", id="empty-list"),
            pytest.param(json.dumps([{"bio": "Hi."}]), id="list"),
            pytest.param('"Hi."', id="string"),
            pytest.param("42", id="number"),
            pytest.param("true", id="bool"),
            pytest.param("null", id="null"),
            pytest.param("{", id="truncated"),
            pytest.param('{"bio": "Hi.",}', id="trailing-comma"),
            pytest.param("{'bio': 'Hi.'}", id="single-quotes"),
            pytest.param('{"bio": "Hi."} trailing', id="trailing-text"),
            pytest.param(b"\xff\xfe{}", id="not-utf8"),
        ],
    )
    def test_body_that_is_not_a_json_object_is_a_400(self, auth_client, user, body):
        before = stored(user)

        r = send_raw(auth_client, "patch", reverse("profile-update"), body)

        assert r.status_code == 400, r.data
        assert stored(user) == before

    @pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
    def test_other_methods_are_a_405(self, auth_client, user, method):
        before = stored(user)

        r = send_json(auth_client, method, reverse("profile-update"), {"bio": "Hi."})

        assert r.status_code == 405, r.data
        assert stored(user) == before

    @pytest.mark.parametrize(
        "credentials",
        [
            pytest.param({}, id="none"),
            pytest.param({"HTTP_AUTHORIZATION": "Bearer garbage"}, id="garbage"),
            pytest.param({"HTTP_AUTHORIZATION": "Bearer "}, id="empty"),
            pytest.param({"HTTP_AUTHORIZATION": "Token abc"}, id="wrong-type"),
            pytest.param({"HTTP_AUTHORIZATION": "Basic YWRhOnB3"}, id="basic"),
        ],
    )
    def test_update_needs_a_valid_token(self, api_client, user, credentials):
        api_client.credentials(**credentials)
        before = stored(user)

        r = patch_profile(api_client, {"bio": "Hi."})

        assert r.status_code == 401, r.data
        assert "detail" in r.data
        assert stored(user) == before

    def test_deactivated_users_token_cannot_update(self, user):
        client = bearer_client(user)
        User.objects.filter(pk=user.pk).update(is_active=False)

        r = patch_profile(client, {"bio": "Hi."})

        assert r.status_code == 401, r.data
        assert stored(user)["bio"] == ""

    def test_change_shows_on_the_public_profile(self, auth_client, api_client, user):
        patch_profile(auth_client, {"bio": "New bio.", "email": "new@example.com"})

        r = profile(api_client, user.username)

        assert r.data["bio"] == "New bio."
        assert "email" not in r.data


@pytest.mark.parametrize("slash", ["", "/"], ids=["without-slash", "with-slash"])
@pytest.mark.parametrize(
    ("method", "url"),
    [
        pytest.param("get", lambda user: reverse("profile", args=[user.username])),
        pytest.param("patch", lambda user: reverse("profile-update")),
    ],
)
def test_profile_paths_answer_with_and_without_the_trailing_slash(
    auth_client, user, slash, method, url
):
    r = send_json(auth_client, method, url(user).rstrip("/") + slash, {"bio": "Hi."})

    assert r.status_code == 200, r.data
