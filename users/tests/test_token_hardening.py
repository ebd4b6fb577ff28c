"""Refresh tokens spent once under races, and well-signed tokens with odd claims."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from conftest import bearer_client, race
from users.tests.factories import UserFactory

RACERS = 8


def refresh_with(token):
    def request():
        return APIClient().post(
            reverse("token-refresh"), {"refresh": token}, format="json"
        )

    return request


@pytest.mark.django_db(transaction=True)
def test_a_refresh_token_raced_against_itself_is_spent_once():
    token = str(RefreshToken.for_user(UserFactory()))

    answers = race([refresh_with(token)] * RACERS)

    assert sorted(r.status_code for r in answers) == [200] + [401] * (RACERS - 1)


@pytest.mark.django_db(transaction=True)
def test_a_refresh_token_raced_against_its_logout_is_spent_once():
    user = UserFactory()
    refresh = RefreshToken.for_user(user)
    token, access = str(refresh), str(refresh.access_token)

    def log_out():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        return client.post(reverse("logout"), {"refresh": token}, format="json")

    answers = race([log_out] + [refresh_with(token)] * (RACERS - 1))

    spent = [r for r in answers if r.status_code in (200, 204)]
    assert len(spent) == 1, [(r.status_code, r.data) for r in answers]
    assert refresh_with(token)().status_code == 401


def forged(token_class, user, **claims) -> str:
    token = token_class.for_user(user)
    for claim, value in claims.items():
        token[claim] = value
    return str(token)


BAD_CLAIMS = [
    pytest.param({"user_id": "abc"}, id="user-id-text"),
    pytest.param({"user_id": [1]}, id="user-id-list"),
    pytest.param({"user_id": {"a": 1}}, id="user-id-object"),
    pytest.param({"user_id": "\u0000"}, id="user-id-nul"),
    pytest.param({"user_id": "1 OR 1=1"}, id="user-id-sql"),
    pytest.param({"user_id": "9" * 5000}, id="user-id-huge"),
    pytest.param({"user_id": True}, id="user-id-true"),
    pytest.param({"user_id": None}, id="user-id-null"),
    pytest.param({"user_id": -1}, id="user-id-negative"),
    pytest.param({"exp": 2**70}, id="exp-overflow"),
]
# A refresh token's id is looked up in, and written to, the blacklist.
BAD_REFRESH_CLAIMS = [
    *BAD_CLAIMS,
    pytest.param({"jti": "x" * 1000}, id="jti-too-long"),
    pytest.param({"jti": "a\u0000b"}, id="jti-nul"),
    pytest.param({"jti": 5}, id="jti-number"),
]


@pytest.mark.django_db
def test_refresh_token_without_an_id_is_a_401(api_client):
    token = RefreshToken.for_user(UserFactory())
    del token.payload["jti"]

    r = api_client.post(
        reverse("token-refresh"), {"refresh": str(token)}, format="json"
    )

    assert r.status_code == 401, r.data


@pytest.mark.django_db
@pytest.mark.parametrize("claims", BAD_CLAIMS)
def test_access_token_with_malformed_claims_is_a_401(api_client, claims):
    token = forged(AccessToken, UserFactory(), **claims)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    r = api_client.get(reverse("current-user"))

    assert r.status_code == 401, r.data
    assert "detail" in r.data


@pytest.mark.django_db
@pytest.mark.parametrize("claims", BAD_REFRESH_CLAIMS)
def test_refresh_token_with_malformed_claims_is_a_401(api_client, claims):
    token = forged(RefreshToken, UserFactory(), **claims)

    r = api_client.post(reverse("token-refresh"), {"refresh": token}, format="json")

    assert r.status_code == 401, r.data


@pytest.mark.django_db
@pytest.mark.parametrize("claims", BAD_REFRESH_CLAIMS)
def test_logout_with_malformed_refresh_claims_is_a_400(claims):
    user = UserFactory()
    token = forged(RefreshToken, user, **claims)

    r = bearer_client(user).post(reverse("logout"), {"refresh": token}, format="json")

    assert r.status_code == 400, r.data
