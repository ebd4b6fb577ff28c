import json

import pytest
from django.urls import reverse

from users.models import User
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "analytical-engine-1843"


def registration(**overrides) -> dict:
    return {
        "username": "ada",
        "email": "ada@example.com",
        "password": PASSWORD,
        **overrides,
    }


def post_raw(client, body: str | bytes):
    """POST a body exactly as given, the way a broken client could send it."""
    return client.generic(
        "POST", reverse("register"), body, content_type="application/json"
    )


def test_register_creates_the_user_and_answers_with_tokens(api_client):
    r = api_client.post(reverse("register"), registration(), format="json")

    assert r.status_code == 201, r.data
    user = User.objects.get()
    assert r.data["user"] == {
        "id": user.pk,
        "username": "ada",
        "email": "ada@example.com",
    }
    assert set(r.data) == {"user", "access", "refresh"}
    assert user.check_password(PASSWORD)


def test_registration_access_token_authenticates(api_client):
    tokens = api_client.post(reverse("register"), registration(), format="json").data

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    r = api_client.get(reverse("current-user"))

    assert r.status_code == 200, r.data
    assert r.data["username"] == "ada"


def test_registration_refresh_token_can_be_refreshed(api_client):
    tokens = api_client.post(reverse("register"), registration(), format="json").data

    r = api_client.post(reverse("token-refresh"), {"refresh": tokens["refresh"]})

    assert r.status_code == 200, r.data


def test_register_accepts_form_data(api_client):
    r = api_client.post(reverse("register"), registration())

    assert r.status_code == 201, r.data


def test_longest_username_and_password_are_accepted(api_client):
    body = registration(username="a" * 150, password="Zq8-" * 64)

    r = api_client.post(reverse("register"), body, format="json")

    assert r.status_code == 201, r.data


@pytest.mark.parametrize("taken", ["ada", "ADA", "Ada"])
def test_username_taken_in_any_case_is_refused(api_client, taken):
    UserFactory(username=taken)

    r = api_client.post(reverse("register"), registration(), format="json")

    assert r.status_code == 400, r.data
    assert "username" in r.data
    assert User.objects.count() == 1


@pytest.mark.parametrize("email", ["ada@example.com", "ADA@EXAMPLE.COM"])
def test_email_taken_in_any_case_is_refused(api_client, email):
    UserFactory(username="lovelace", email="Ada@Example.com")

    r = api_client.post(reverse("register"), registration(email=email), format="json")

    assert r.status_code == 400, r.data
    assert "email" in r.data
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "username",
    [
        "user",
        "register",
        "login",
        "logout",
        "profile",
        "follow",
        "unfollow",
        "token",
        "feed",
        "USER",
        "Register",
        "LOGIN",
        "LogOut",
        "PROFILE",
        "Follow",
        "UnFollow",
        "TOKEN",
        "fEEd",
    ],
)
def test_reserved_username_is_refused_in_any_case(api_client, username):
    r = api_client.post(
        reverse("register"), registration(username=username), format="json"
    )

    assert r.status_code == 400, r.data
    assert "username" in r.data
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("x7#kq", id="too-short"),
        pytest.param("password123", id="common"),
        pytest.param("83029174651", id="numeric"),
        pytest.param("ada@example.com", id="like-the-email"),
        pytest.param("adalovelace", id="like-the-username"),
    ],
)
def test_weak_password_is_refused(api_client, password):
    body = registration(username="adalovelace", password=password)

    r = api_client.post(reverse("register"), body, format="json")

    assert r.status_code == 400, r.data
    assert "password" in r.data
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="empty"),
        pytest.param(registration(username=None), id="username-null"),
        pytest.param(registration(email=None), id="email-null"),
        pytest.param(registration(password=None), id="password-null"),
        pytest.param(registration(username=["ada"]), id="username-list"),
        pytest.param(registration(username={"name": "ada"}), id="username-object"),
        pytest.param(registration(username=True), id="username-bool"),
        pytest.param(registration(email=42), id="email-number"),
        pytest.param(registration(email=["ada@example.com"]), id="email-list"),
        pytest.param(registration(password=["x"]), id="password-list"),
        pytest.param(registration(password=False), id="password-bool"),
        pytest.param(registration(username=""), id="username-blank"),
        pytest.param(registration(email=""), id="email-blank"),
        pytest.param(registration(password=""), id="password-blank"),
        pytest.param(registration(username="a" * 151), id="username-too-long"),
        pytest.param(
            registration(email="a" * 250 + "@example.com"), id="email-too-long"
        ),
        pytest.param(registration(password="x" * 257), id="password-too-long"),
        pytest.param(registration(username="ada lovelace"), id="username-space"),
        pytest.param(registration(username="ada/lovelace"), id="username-slash"),
        pytest.param(registration(username="Adélaïde"), id="username-not-ascii"),
        pytest.param(registration(username="."), id="username-dot"),
        pytest.param(registration(username=".."), id="username-dots"),
        pytest.param(registration(username="_-@+"), id="username-no-letter"),
        pytest.param(registration(email="not-an-email"), id="email-invalid"),
        pytest.param(registration(email="ada@"), id="email-no-domain"),
        pytest.param(registration(username="ada\u0000"), id="username-nul"),
        pytest.param(registration(email="ada\u0000@example.com"), id="email-nul"),
        pytest.param(registration(password=PASSWORD + "\u0000"), id="password-nul"),
        pytest.param(registration(username="ada\ud800"), id="username-surrogate"),
        pytest.param(registration(email="ada\udfff@example.com"), id="email-surrogate"),
        pytest.param(
            registration(password=PASSWORD + "\ud800"), id="password-surrogate"
        ),
    ],
)
def test_invalid_registration_is_refused_and_creates_nobody(api_client, body):
    # ensure_ascii writes lone surrogates as \ud800 escapes, as a JSON client can.
    r = post_raw(api_client, json.dumps(body, ensure_ascii=True))

    assert r.status_code == 400, r.data
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("[]", id="empty-list"),
        pytest.param(json.dumps([registration()]), id="list"),
        pytest.param('"ada"', id="string"),
        pytest.param("42", id="number"),
        pytest.param("null", id="null"),
        pytest.param("{", id="truncated"),
        pytest.param('{"username": "ada",}', id="trailing-comma"),
        pytest.param("{'username': 'ada'}", id="single-quotes"),
        pytest.param(b"\xff\xfe{}", id="not-utf8"),
        pytest.param("", id="no-body"),
    ],
)
def test_body_that_is_not_a_json_object_is_refused(api_client, body):
    r = post_raw(api_client, body)

    assert r.status_code == 400, r.data
    assert not User.objects.exists()
