import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from conftest import bearer_client
from users.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_RATE_PER_MINUTE = 10


def login(client, username, password=PASSWORD, **extra):
    body = {"username": username, "password": password}
    return client.post(reverse("login"), body, format="json", **extra)


def refresh(client, token):
    return client.post(reverse("token-refresh"), {"refresh": token}, format="json")


def logout(client, token):
    return client.post(reverse("logout"), {"refresh": token}, format="json")


def refresh_token_for(user) -> str:
    return str(RefreshToken.for_user(user))


class TestLogin:
    def test_login_answers_with_the_user_and_tokens(self, api_client, user):
        r = login(api_client, user.username)

        assert r.status_code == 200, r.data
        assert set(r.data) == {"user", "access", "refresh"}
        assert r.data["user"] == {
            "id": user.pk,
            "username": user.username,
            "email": user.email,
        }

    def test_login_access_token_authenticates(self, api_client, user):
        access = login(api_client, user.username).data["access"]

        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        r = api_client.get(reverse("current-user"))

        assert r.status_code == 200, r.data
        assert r.data["id"] == user.pk

    @pytest.mark.parametrize("typed", ["ada", "ADA", "aDa"])
    def test_username_is_matched_without_regard_to_case(self, api_client, typed):
        ada = UserFactory(username="Ada")

        r = login(api_client, typed)

        assert r.status_code == 200, r.data
        assert r.data["user"]["id"] == ada.pk

    def test_wrong_password_and_unknown_user_get_the_same_401(self, api_client, user):
        wrong_password = login(api_client, user.username, "not-the-password")
        unknown_user = login(api_client, "nobody-by-that-name")

        assert wrong_password.status_code == 401, wrong_password.data
        assert unknown_user.status_code == 401, unknown_user.data
        assert "detail" in wrong_password.data
        assert wrong_password.data == unknown_user.data

    def test_inactive_user_cannot_log_in(self, api_client):
        inactive = UserFactory(is_active=False)

        r = login(api_client, inactive.username)

        assert r.status_code == 401, r.data
        assert "detail" in r.data

    @pytest.mark.parametrize(
        "body",
        [
            pytest.param({}, id="empty"),
            pytest.param({"username": "ada"}, id="no-password"),
            pytest.param({"password": PASSWORD}, id="no-username"),
            pytest.param({"username": ["ada"], "password": PASSWORD}, id="list"),
            pytest.param({"username": "ada\u0000", "password": PASSWORD}, id="nul"),
        ],
    )
    def test_invalid_login_body_is_a_400(self, api_client, body):
        r = api_client.post(reverse("login"), body, format="json")

        assert r.status_code == 400, r.data

    @pytest.mark.parametrize(
        "body",
        [
            pytest.param({"username": "a" * 151, "password": PASSWORD}, id="long"),
            pytest.param({"username": "ada", "password": "x" * 257}, id="long-pw"),
        ],
    )
    def test_credentials_no_account_can_have_are_wrong_credentials(
        self, api_client, user, body
    ):
        r = api_client.post(reverse("login"), body, format="json")

        assert r.status_code == 401, r.data
        assert "detail" in r.data

    @pytest.mark.parametrize("body", ["[]", '"ada"', "{", "null"])
    def test_login_body_that_is_not_a_json_object_is_a_400(self, api_client, body):
        r = api_client.generic(
            "POST", reverse("login"), body, content_type="application/json"
        )

        assert r.status_code == 400, r.data


class TestLoginThrottle:
    def test_configured_rate_is_ten_a_minute(self):
        assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"] == "10/min"

    def test_client_is_throttled_after_the_configured_rate(self, api_client, user):
        statuses = [
            login(api_client, user.username, "guess").status_code
            for _ in range(LOGIN_RATE_PER_MINUTE)
        ]

        r = login(api_client, user.username)

        assert statuses == [401] * LOGIN_RATE_PER_MINUTE
        assert r.status_code == 429, r.data
        assert "detail" in r.data

    def test_throttle_counts_each_client_apart(self, api_client, user):
        for _ in range(LOGIN_RATE_PER_MINUTE + 1):
            login(api_client, user.username, "guess", REMOTE_ADDR="192.0.2.1")

        r = login(api_client, user.username, REMOTE_ADDR="192.0.2.2")

        assert r.status_code == 200, r.data

    def test_forged_forwarded_for_header_does_not_escape_the_throttle(
        self, api_client, user
    ):
        for number in range(LOGIN_RATE_PER_MINUTE):
            login(
                api_client,
                user.username,
                "guess",
                REMOTE_ADDR="192.0.2.1",
                HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
            )

        r = login(
            api_client,
            user.username,
            REMOTE_ADDR="192.0.2.1",
            HTTP_X_FORWARDED_FOR="198.51.100.200",
        )

        assert r.status_code == 429, r.data

    def test_behind_one_proxy_clients_are_told_apart_by_the_address_it_saw(
        self, api_client, user, settings
    ):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
        for number in range(LOGIN_RATE_PER_MINUTE):
            login(
                api_client,
                user.username,
                "guess",
                REMOTE_ADDR="10.0.0.1",
                HTTP_X_FORWARDED_FOR=f"198.51.100.{number}, 192.0.2.1",
            )

        throttled = login(
            api_client,
            user.username,
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.200, 192.0.2.1",
        )
        other_client = login(
            api_client,
            user.username,
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="192.0.2.2",
        )

        assert throttled.status_code == 429, throttled.data
        assert other_client.status_code == 200, other_client.data


class TestTokenRefresh:
    def test_refresh_answers_with_a_new_pair(self, api_client, user):
        old = refresh_token_for(user)

        r = refresh(api_client, old)

        assert r.status_code == 200, r.data
        assert set(r.data) == {"access", "refresh"}
        assert r.data["refresh"] != old

    def test_refreshed_access_token_authenticates(self, api_client, user):
        access = refresh(api_client, refresh_token_for(user)).data["access"]

        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        r = api_client.get(reverse("current-user"))

        assert r.status_code == 200, r.data

    def test_old_refresh_token_is_refused_after_rotation(self, api_client, user):
        old = refresh_token_for(user)
        refresh(api_client, old)

        r = refresh(api_client, old)

        assert r.status_code == 401, r.data
        assert "detail" in r.data

    def test_rotated_refresh_token_can_be_refreshed_again(self, api_client, user):
        rotated = refresh(api_client, refresh_token_for(user)).data["refresh"]

        r = refresh(api_client, rotated)

        assert r.status_code == 200, r.data

    def test_deleted_users_refresh_token_is_a_401(self, api_client, user):
        token = refresh_token_for(user)
        user.delete()

        r = refresh(api_client, token)

        assert r.status_code == 401, r.data
        assert "detail" in r.data

    def test_deactivated_users_refresh_token_is_a_401(self, api_client, user):
        token = refresh_token_for(user)
        user.is_active = False
        user.save()

        r = refresh(api_client, token)

        assert r.status_code == 401, r.data

    @pytest.mark.parametrize(
        "token",
        ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl", 12345],
    )
    def test_garbage_refresh_token_is_a_401(self, api_client, token):
        r = refresh(api_client, token)

        assert r.status_code == 401, r.data
        assert "detail" in r.data

    def test_access_token_is_not_a_refresh_token(self, api_client, user):
        access = str(RefreshToken.for_user(user).access_token)

        r = refresh(api_client, access)

        assert r.status_code == 401, r.data

    @pytest.mark.parametrize(
        "body",
        [{}, {"refresh": ""}, {"refresh": None}, {"refresh": ["x"]}],
        ids=["missing", "blank", "null", "list"],
    )
    def test_missing_refresh_token_is_a_400(self, api_client, body):
        r = api_client.post(reverse("token-refresh"), body, format="json")

        assert r.status_code == 400, r.data


class TestLogout:
    def test_logout_answers_204(self, auth_client, user):
        r = logout(auth_client, refresh_token_for(user))

        assert r.status_code == 204, r.data

    def test_logged_out_refresh_token_cannot_be_refreshed(
        self, auth_client, api_client, user
    ):
        token = refresh_token_for(user)
        logout(auth_client, token)

        r = refresh(api_client, token)

        assert r.status_code == 401, r.data

    def test_logged_out_refresh_token_cannot_log_out_again(self, auth_client, user):
        token = refresh_token_for(user)
        logout(auth_client, token)

        r = logout(auth_client, token)

        assert r.status_code == 400, r.data

    def test_rotated_away_refresh_token_cannot_log_out(
        self, auth_client, api_client, user
    ):
        token = refresh_token_for(user)
        refresh(api_client, token)

        r = logout(auth_client, token)

        assert r.status_code == 400, r.data

    def test_logout_needs_authentication(self, api_client, user):
        token = refresh_token_for(user)

        r = logout(api_client, token)

        assert r.status_code == 401, r.data
        assert "detail" in r.data
        assert refresh(api_client, token).status_code == 200

    def test_another_users_refresh_token_is_a_400_and_stays_valid(
        self, auth_client, api_client, other_user
    ):
        token = refresh_token_for(other_user)

        r = logout(auth_client, token)

        assert r.status_code == 400, r.data
        assert "refresh" in r.data
        assert refresh(api_client, token).status_code == 200

    @pytest.mark.parametrize(
        "body",
        [{}, {"refresh": ""}, {"refresh": "garbage"}, {"refresh": None}],
        ids=["missing", "blank", "garbage", "null"],
    )
    def test_invalid_refresh_token_is_a_400(self, auth_client, body):
        r = auth_client.post(reverse("logout"), body, format="json")

        assert r.status_code == 400, r.data
        assert "refresh" in r.data

    def test_access_token_is_a_400(self, auth_client, user):
        access = str(RefreshToken.for_user(user).access_token)

        r = logout(auth_client, access)

        assert r.status_code == 400, r.data


class TestCurrentUser:
    def test_current_user_is_the_token_holder(self, auth_client, user):
        r = auth_client.get(reverse("current-user"))

        assert r.status_code == 200, r.data
        assert r.data == {"id": user.pk, "username": user.username, "email": user.email}

    def test_current_user_needs_a_token(self, api_client):
        r = api_client.get(reverse("current-user"))

        assert r.status_code == 401, r.data
        assert "detail" in r.json()

    @pytest.mark.parametrize(
        "header",
        ["Bearer garbage", "Bearer ", "Bearer a.b.c", "Token abc", "Basic YTpi"],
    )
    def test_invalid_authorization_header_is_a_401(self, api_client, user, header):
        r = api_client.get(reverse("current-user"), HTTP_AUTHORIZATION=header)

        assert r.status_code == 401, r.data
        assert "detail" in r.json()

    def test_refresh_token_is_not_an_access_token(self, api_client, user):
        token = refresh_token_for(user)

        r = api_client.get(
            reverse("current-user"), HTTP_AUTHORIZATION=f"Bearer {token}"
        )

        assert r.status_code == 401, r.data

    def test_an_access_token_used_before_stops_working_when_it_expires(
        self, api_client, user
    ):
        token = AccessToken.for_user(user)
        token.set_exp(lifetime=timedelta(seconds=2))
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        assert api_client.get(reverse("current-user"), **headers).status_code == 200
        time.sleep(max(token["exp"] - time.time(), 0) + 0.1)

        r = api_client.get(reverse("current-user"), **headers)

        assert r.status_code == 401, r.data
        never_used = AccessToken.for_user(user)
        never_used.set_exp(lifetime=timedelta(seconds=-1))
        unseen = api_client.get(
            reverse("current-user"), HTTP_AUTHORIZATION=f"Bearer {never_used}"
        )
        assert r.json() == unseen.json()
        assert r.json()["messages"][0]["message"] == "Token is expired"

    def test_deleted_users_access_token_is_a_401(self, user):
        client = bearer_client(user)
        user.delete()

        r = client.get(reverse("current-user"))

        assert r.status_code == 401, r.data


def test_deactivated_users_access_token_stops_working_at_once(auth_client, user):
    assert auth_client.get(reverse("current-user")).status_code == 200
    user.is_active = False
    user.save()

    r = auth_client.get(reverse("current-user"))

    assert r.status_code == 401, r.data
    assert "detail" in r.data
