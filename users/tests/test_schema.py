"""The users endpoints answer as the OpenAPI schema says they do."""

import pytest
from django.urls import reverse
from jsonschema import Draft4Validator
from rest_framework_simplejwt.tokens import RefreshToken

from actions.tests.factories import JournalEntryFactory, LikedFactory, RatingFactory
from users.models import RESERVED_USERNAMES
from users.tests.factories import PASSWORD, FollowFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE = "/api/users/{username}/"


def username_schema(openapi) -> dict:
    parameters = openapi["paths"][PROFILE]["get"]["parameters"]
    (username,) = [p for p in parameters if p["name"] == "username"]
    return username["schema"]


def fixed_paths(openapi) -> set[str]:
    """The words after /api/users/ that are paths of their own: user, feed, …"""
    words = {
        path.split("/")[3]
        for path in openapi["paths"]
        if path.startswith("/api/users/")
    }
    return {word for word in words if not word.startswith("{")}


def test_every_fixed_path_is_a_reserved_username(openapi):
    assert fixed_paths(openapi) <= RESERVED_USERNAMES


@pytest.mark.parametrize(
    "word", ["user", "feed", "login", "logout", "register", "profile", "follow"]
)
def test_a_fixed_path_is_not_a_username_in_the_schema(openapi, api_client, word):
    """Found by fuzzing: GET /api/users/user/ answered the current user, not a
    profile, because the schema let `{username}` be "user"."""
    assert not Draft4Validator(username_schema(openapi)).is_valid(word)


@pytest.mark.parametrize("name", ["ada", "Ada.Lovelace", "a@b.c", "x-1_2+3"])
def test_real_usernames_fit_the_profile_path(openapi, name):
    assert Draft4Validator(username_schema(openapi)).is_valid(name)


@pytest.mark.parametrize("viewer", ["themself", "someone else", "anonymous"])
def test_profile_answer_matches_for_every_viewer(
    api_client, auth_client, user, other_client, conforms, viewer
):
    client = {"themself": auth_client, "someone else": other_client}.get(
        viewer, api_client
    )

    r = client.get(reverse("profile", args=[user.username]))

    assert r.status_code == 200, r.data
    conforms(r, PROFILE)


def test_profile_update_answer_matches(auth_client, conforms):
    r = auth_client.patch(reverse("profile-update"), {"bio": "hi"}, format="json")

    conforms(r, "/api/users/profile/", "PATCH")


def test_unknown_profile_matches(api_client, conforms):
    conforms(api_client.get(reverse("profile", args=["nobody"])), PROFILE)


def test_register_login_and_refresh_answers_match(api_client, conforms):
    body = {"username": "ada", "email": "ada@example.com", "password": PASSWORD}

    registered = api_client.post(reverse("register"), body, format="json")
    login = {"username": "ada", "password": PASSWORD}
    logged_in = api_client.post(reverse("login"), login, format="json")
    refresh = {"refresh": logged_in.data["refresh"]}
    refreshed = api_client.post(reverse("token-refresh"), refresh, format="json")

    conforms(registered, "/api/users/register/", "POST")
    conforms(logged_in, "/api/users/login/", "POST")
    conforms(refreshed, "/api/users/token/refresh/", "POST")


def test_auth_errors_match(api_client, user, conforms):
    wrong = {"username": user.username, "password": "wrong"}
    taken = {"username": user.username, "email": "x@example.com", "password": PASSWORD}

    conforms(
        api_client.post(reverse("login"), wrong, format="json"),
        "/api/users/login/",
        "POST",
    )
    conforms(
        api_client.post(reverse("token-refresh"), {"refresh": "x"}, format="json"),
        "/api/users/token/refresh/",
        "POST",
    )
    conforms(
        api_client.post(reverse("register"), taken, format="json"),
        "/api/users/register/",
        "POST",
    )


def test_logout_and_current_user_answers_match(auth_client, api_client, user, conforms):
    refresh = {"refresh": str(RefreshToken.for_user(user))}

    conforms(auth_client.get(reverse("current-user")), "/api/users/user/")
    conforms(api_client.get(reverse("current-user")), "/api/users/user/")
    conforms(
        auth_client.post(reverse("logout"), refresh, format="json"),
        "/api/users/logout/",
        "POST",
    )


@pytest.mark.parametrize("name", ["follow", "unfollow"])
def test_follow_answers_match(auth_client, other_user, user, conforms, name):
    path = f"/api/users/{name}/"

    conforms(
        auth_client.post(reverse(name), {"username": other_user.username}),
        path,
        "POST",
    )
    conforms(auth_client.post(reverse(name), {"username": "nobody"}), path, "POST")
    conforms(auth_client.post(reverse(name), {"username": user.username}), path, "POST")


@pytest.mark.parametrize("direction", ["followers", "following"])
def test_follow_lists_match(api_client, user, conforms, direction):
    FollowFactory(follower=user)
    FollowFactory(followed=user)
    path = f"/api/users/{{username}}/{direction}/"

    conforms(
        api_client.get(reverse("follow-list", args=[user.username, direction])), path
    )
    conforms(
        api_client.get(
            reverse("follow-list", args=[user.username, direction]), {"page": 9}
        ),
        path,
    )


@pytest.mark.parametrize("relation", ["played", "liked", "backlog", "wishlist"])
def test_game_lists_match(api_client, user, conforms, relation):
    LikedFactory(user=user)
    path = f"/api/users/{{username}}/{relation}/"

    conforms(api_client.get(reverse("game-list", args=[user.username, relation])), path)


def test_feed_with_every_kind_of_activity_matches(auth_client, user, conforms):
    friend = UserFactory()
    FollowFactory(follower=user, followed=friend)
    JournalEntryFactory(user=friend, rating=None)
    JournalEntryFactory(user=friend, rating=8)
    RatingFactory(user=friend)
    LikedFactory(user=friend)

    r = auth_client.get(reverse("feed"), {"page_size": 2})
    following = auth_client.get(r.data["next"])

    conforms(r, "/api/users/feed/")
    conforms(following, "/api/users/feed/")
    conforms(
        auth_client.get(reverse("feed"), {"cursor": "nonsense"}), "/api/users/feed/"
    )
