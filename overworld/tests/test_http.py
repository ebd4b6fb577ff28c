"""What every endpoint shares: paths, CORS, and errors in DRF's JSON format."""

import json

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse
from rest_framework_simplejwt.tokens import RefreshToken

from games.tests.factories import GameFactory
from overworld.views import server_error
from users.models import User
from users.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

FRONT_END = "http://localhost:5173"

REGISTRATION = {
    "username": "ada",
    "email": "ada@example.com",
    "password": "analytical-engine-1843",
}


def refresh_body(user) -> dict:
    return {"refresh": str(RefreshToken.for_user(user))}


POST_ROUTES = [
    pytest.param("register", lambda user: REGISTRATION, 201, id="register"),
    pytest.param(
        "login",
        lambda user: {"username": user.username, "password": PASSWORD},
        200,
        id="login",
    ),
    pytest.param("token-refresh", refresh_body, 200, id="token-refresh"),
    pytest.param("logout", refresh_body, 204, id="logout"),
]

GET_ROUTES = [
    pytest.param("current-user", {}, {}, id="current-user"),
    pytest.param("game-detail", {"igdb": 2155}, {}, id="game-detail"),
    pytest.param("game-search", {}, {"q": "dark"}, id="game-search"),
    pytest.param("game-search-name", {"name": "dark"}, {}, id="game-search-name"),
    pytest.param("game-popular", {}, {}, id="game-popular"),
    pytest.param("game-backdrop", {"igdb": 2155}, {}, id="game-backdrop"),
]

ALL_ROUTES = [
    pytest.param(name, kwargs, id=name)
    for name, kwargs in [
        ("register", {}),
        ("login", {}),
        ("token-refresh", {}),
        ("logout", {}),
        ("current-user", {}),
        ("game-detail", {"igdb": 2155}),
        ("game-search", {}),
        ("game-search-name", {"name": "dark"}),
        ("game-popular", {}),
        ("game-backdrop", {"igdb": 2155}),
    ]
]

SLASHES = pytest.mark.parametrize("slash", ["", "/"], ids=["no-slash", "slash"])


@pytest.fixture(autouse=True)
def dark_souls(db):
    return GameFactory(igdb=2155, name="Dark Souls", backdrop_id="sc8kj1")


def route(url_name: str, slash: str, kwargs: dict | None = None) -> str:
    return reverse(url_name, kwargs=kwargs).rstrip("/") + slash


class TestTrailingSlash:
    @SLASHES
    @pytest.mark.parametrize(("name", "body", "status"), POST_ROUTES)
    def test_post_works_with_and_without_trailing_slash(
        self, auth_client, user, slash, name, body, status
    ):
        r = auth_client.post(route(name, slash), body(user), format="json")

        assert r.status_code == status, r.content

    @SLASHES
    @pytest.mark.parametrize(("name", "body", "status"), POST_ROUTES)
    def test_form_post_works_with_and_without_trailing_slash(
        self, auth_client, user, slash, name, body, status
    ):
        r = auth_client.post(route(name, slash), body(user))

        assert r.status_code == status, r.content

    @SLASHES
    @pytest.mark.parametrize(("name", "kwargs", "query"), GET_ROUTES)
    def test_get_works_with_and_without_trailing_slash(
        self, auth_client, slash, name, kwargs, query
    ):
        r = auth_client.get(route(name, slash, kwargs), query)

        assert r.status_code == 200, r.content

    @SLASHES
    @pytest.mark.parametrize(("name", "kwargs", "query"), GET_ROUTES)
    def test_head_works_with_and_without_trailing_slash(
        self, auth_client, slash, name, kwargs, query
    ):
        r = auth_client.head(route(name, slash, kwargs), query)

        assert r.status_code == 200

    @SLASHES
    @pytest.mark.parametrize(("name", "kwargs"), ALL_ROUTES)
    def test_options_works_with_and_without_trailing_slash(
        self, auth_client, slash, name, kwargs
    ):
        r = auth_client.options(route(name, slash, kwargs))

        assert r.status_code == 200, r.content

    @SLASHES
    @pytest.mark.parametrize(
        ("method", "name", "kwargs"),
        [
            ("get", "register", {}),
            ("get", "login", {}),
            ("get", "token-refresh", {}),
            ("get", "logout", {}),
            ("post", "current-user", {}),
            ("delete", "current-user", {}),
            ("post", "game-detail", {"igdb": 2155}),
            ("put", "game-search", {}),
            ("patch", "game-popular", {}),
            ("delete", "game-backdrop", {"igdb": 2155}),
        ],
    )
    def test_wrong_method_is_a_json_405(self, auth_client, slash, method, name, kwargs):
        r = getattr(auth_client, method)(route(name, slash, kwargs))

        assert r.status_code == 405, r.content
        assert "detail" in r.json()

    def test_slashes_are_never_appended_by_redirect(self):
        assert settings.APPEND_SLASH is False


class TestNotFound:
    @pytest.mark.parametrize(
        "path",
        [
            "/api/nowhere",
            "/api/nowhere/",
            "/api/users/registe",
            "/api/users/register/extra/",
            "/api/games/search/a/b/",
            "/api/games/2155/extra",
            "/nowhere",
        ],
    )
    def test_unknown_path_is_a_json_404_without_redirect(self, api_client, path):
        r = api_client.get(path)

        assert r.status_code == 404
        assert r["Content-Type"] == "application/json"
        assert "detail" in r.json()
        assert not r.has_header("Location")

    def test_server_error_answers_json(self):
        r = server_error(RequestFactory().get("/api/games/2155/"))

        assert r.status_code == 500
        assert "detail" in json.loads(r.content)


class TestRequestBodies:
    @pytest.mark.parametrize("body", ["{", '{"username": }', "[1, 2", "{'a': 1}"])
    def test_malformed_json_is_a_400(self, api_client, body):
        r = api_client.generic(
            "POST", reverse("register"), body, content_type="application/json"
        )

        assert r.status_code == 400, r.content
        assert "detail" in r.json()

    def test_unsupported_media_type_is_a_415(self, api_client):
        r = api_client.generic(
            "POST", reverse("register"), "ada", content_type="text/plain"
        )

        assert r.status_code == 415, r.content
        assert "detail" in r.json()

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
    def test_json_body_within_the_limit_is_read(self, api_client):
        body = json.dumps({**REGISTRATION, "padding": "x" * 800})

        r = api_client.generic(
            "POST", reverse("register"), body, content_type="application/json"
        )

        assert r.status_code == 201, r.content

    @pytest.mark.parametrize(
        ("content_type", "body"),
        [
            pytest.param(
                "application/json",
                json.dumps({**REGISTRATION, "padding": "x" * 2000}),
                id="json",
            ),
            pytest.param(
                "application/x-www-form-urlencoded",
                "username=ada&email=ada%40example.com&padding=" + "x" * 2000,
                id="form",
            ),
        ],
    )
    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
    def test_body_over_the_limit_is_a_json_413(self, api_client, content_type, body):
        r = api_client.generic(
            "POST", reverse("register"), body, content_type=content_type
        )

        assert r.status_code == 413, r.content
        assert "detail" in r.json()
        assert not User.objects.exists()

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
    def test_multipart_body_over_the_limit_is_a_json_413(self, api_client):
        r = api_client.post(
            reverse("register"), {**REGISTRATION, "padding": "x" * 2000}
        )

        assert r.status_code == 413, r.content
        assert "detail" in r.json()
        assert not User.objects.exists()


class TestCors:
    @pytest.mark.parametrize(
        ("path", "method"),
        [
            (reverse("current-user"), "GET"),
            (reverse("logout") + "/", "POST"),
            (reverse("register"), "POST"),
            (reverse("game-popular"), "GET"),
            ("/api/actions/log/", "POST"),
            ("/api/actions/ratings", "DELETE"),
        ],
    )
    def test_preflight_is_answered_without_authentication(
        self, api_client, path, method
    ):
        r = api_client.options(
            path,
            HTTP_ORIGIN=FRONT_END,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
        )

        assert r.status_code == 200, r.content
        assert r["Access-Control-Allow-Origin"] == FRONT_END
        assert "authorization" in r["Access-Control-Allow-Headers"]
        assert "content-type" in r["Access-Control-Allow-Headers"]
        assert method in r["Access-Control-Allow-Methods"]

    def test_401_carries_the_allowed_origin(self, api_client):
        r = api_client.get(reverse("current-user"), HTTP_ORIGIN=FRONT_END)

        assert r.status_code == 401, r.content
        assert r["Access-Control-Allow-Origin"] == FRONT_END

    def test_success_carries_the_allowed_origin(self, auth_client):
        r = auth_client.get(reverse("current-user"), HTTP_ORIGIN=FRONT_END)

        assert r.status_code == 200, r.content
        assert r["Access-Control-Allow-Origin"] == FRONT_END

    def test_unknown_origin_is_not_allowed(self, api_client):
        r = api_client.options(
            reverse("current-user"),
            HTTP_ORIGIN="http://attacker.example",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
        )

        assert not r.has_header("Access-Control-Allow-Origin")


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_deeply_nested_json_is_a_parse_error(auth_client, opening):
    r = auth_client.generic(
        "POST",
        reverse("actions-relation", args=["like"]),
        opening * 100_000,
        content_type="application/json",
    )

    assert r.status_code == 400, r.content
    assert "detail" in r.json()


@pytest.mark.django_db
def test_retry_after_is_exposed_to_front_ends_on_another_origin(api_client):
    r = api_client.get(reverse("game-popular"), HTTP_ORIGIN="http://localhost:5173")

    assert r["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert "retry-after" in r["Access-Control-Expose-Headers"].lower()
