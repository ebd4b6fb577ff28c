"""The OpenAPI schema, the two pages that show it, and the answers it describes."""

import json
import os
import re
import subprocess
import sys

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.throttling import SimpleRateThrottle

from overworld import health

ASSET = re.compile(r"""(?:src|href)="([^"]+)\"""")


def operation(openapi, path, method):
    return openapi["paths"][path][method]


def response_schema(openapi, path, method, status):
    content = operation(openapi, path, method)["responses"][str(status)]["content"]
    return content["application/json"]["schema"]


def component(openapi, ref):
    return openapi["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_schema_generates_valid_without_warnings_or_errors(tmp_path, capsys):
    GENERATOR_STATS.reset()

    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yaml"),
    )

    assert capsys.readouterr().err == ""
    assert yaml.safe_load((tmp_path / "schema.yaml").read_text())["paths"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/schema/", "/api/schema"])
def test_schema_is_served_as_yaml(api_client, path):
    r = api_client.get(path)

    assert r.status_code == 200, r.content
    assert r["Content-Type"].startswith("application/vnd.oai.openapi")
    assert yaml.safe_load(r.content)["openapi"].startswith("3.")


@pytest.mark.django_db
def test_schema_is_served_as_json_on_request(api_client):
    r = api_client.get(reverse("schema"), {"format": "json"})

    assert r.status_code == 200, r.content
    assert json.loads(r.content)["info"]["title"] == "Overworld API"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["swagger-ui", "redoc"])
@pytest.mark.parametrize("slash", ["", "/"])
def test_documentation_page_loads(client, name, slash):
    r = client.get(reverse(name) + slash)

    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/html")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["swagger-ui", "redoc"])
@pytest.mark.parametrize("method", ["options", "post", "put", "patch", "delete"])
def test_documentation_page_answers_other_methods_with_405(client, name, method):
    r = getattr(client, method)(reverse(name))

    assert r.status_code == 405
    assert r["Allow"] == "GET, HEAD"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["swagger-ui", "redoc"])
def test_documentation_page_uses_only_local_assets(client, name):
    page = client.get(reverse(name)).content.decode()
    assets = ASSET.findall(page)
    static_url = "/" + settings.STATIC_URL.strip("/") + "/"

    assert "http://" not in page and "https://" not in page
    assert any(asset.endswith(".js") for asset in assets), page
    for asset in assets:
        assert asset.startswith(static_url), asset
        assert finders.find(asset.removeprefix(static_url)), asset


@pytest.mark.django_db
def test_documentation_page_points_at_the_schema(client):
    page = client.get(reverse("swagger-ui")).content.decode()

    assert reverse("schema") in page


def test_bearer_jwt_is_the_security_scheme(openapi):
    assert openapi["components"]["securitySchemes"] == {
        "jwtAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/actions/", "get"),
        ("/api/actions/log/", "post"),
        ("/api/actions/ratings/", "delete"),
        ("/api/actions/journal/", "post"),
        ("/api/actions/journal/{id}/", "patch"),
        ("/api/users/feed/", "get"),
        ("/api/users/logout/", "post"),
        ("/api/users/profile/", "patch"),
    ],
)
def test_operations_that_need_a_token_say_so(openapi, path, method):
    assert operation(openapi, path, method)["security"] == [{"jwtAuth": []}]


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/actions/journal/", "get"),
        ("/api/actions/journal/{id}/", "get"),
        ("/api/users/{username}/", "get"),
        ("/api/games/search/", "get"),
    ],
)
def test_public_operations_take_a_token_optionally(openapi, path, method):
    assert operation(openapi, path, method)["security"] == [{"jwtAuth": []}, {}]


@pytest.mark.parametrize(
    "path", ["/api/users/register/", "/api/users/login/", "/healthz/"]
)
def test_operations_that_read_no_token_list_none(openapi, path):
    security = operation(openapi, path, "get" if "healthz" in path else "post").get(
        "security", [{}]
    )

    assert "jwtAuth" not in json.dumps(security)


@pytest.mark.parametrize(
    ("path", "method", "codes"),
    [
        ("/api/actions/", "get", {"200", "400", "401", "429"}),
        ("/api/actions/log/", "post", {"200", "400", "401", "429"}),
        ("/api/actions/journal/{id}/", "patch", {"200", "400", "401", "403", "404"}),
        ("/api/actions/journal/{id}/", "delete", {"204", "401", "403", "404", "429"}),
        ("/api/users/{username}/liked/", "get", {"200", "401", "404", "429"}),
        ("/api/users/feed/", "get", {"200", "401", "404", "429"}),
        ("/api/users/login/", "post", {"200", "400", "401", "429"}),
        ("/api/users/register/", "post", {"201", "400", "429"}),
        ("/api/games/{igdb}/", "get", {"200", "404", "429", "503"}),
        ("/healthz/", "get", {"200", "503"}),
    ],
)
def test_operations_list_their_error_answers(openapi, path, method, codes):
    documented = set(operation(openapi, path, method)["responses"])

    assert codes <= documented, documented


def test_bad_request_is_field_errors_or_a_detail(openapi):
    bad_request = response_schema(openapi, "/api/actions/ratings/", "post", 400)

    assert [ref["$ref"] for ref in component(openapi, bad_request)["oneOf"]] == [
        "#/components/schemas/Error",
        "#/components/schemas/FieldErrors",
    ]


@pytest.mark.parametrize(
    ("path", "answer"),
    [("/api/actions/", "RelationState"), ("/api/actions/ratings/", "Rating")],
)
def test_nothing_known_is_an_empty_object(openapi, path, answer):
    either = component(openapi, response_schema(openapi, path, "get", 200))

    assert either["oneOf"][0] == {"$ref": f"#/components/schemas/{answer}"}
    assert component(openapi, either["oneOf"][1]) == {
        "type": "object",
        "additionalProperties": False,
    }


def test_toggle_answer_has_an_optional_removed_from_backlog(openapi):
    change = component(
        openapi, response_schema(openapi, "/api/actions/log/", "post", 200)
    )

    assert "removed_from_backlog" in change["properties"]
    assert set(change["required"]) == {"game", "user", "action", "value"}


def test_journal_is_grouped_by_year_and_month(openapi):
    journal = response_schema(openapi, "/api/actions/journal/", "get", 200)
    year = component(openapi, journal["items"])
    month = component(openapi, year["properties"]["months"]["items"])

    assert journal["type"] == "array"
    assert month["properties"]["entries"]["items"] == {
        "$ref": "#/components/schemas/JournalEntry"
    }


def test_feed_is_cursor_paginated(openapi):
    feed = operation(openapi, "/api/users/feed/", "get")

    assert "cursor" in [parameter["name"] for parameter in feed["parameters"]]
    page = component(openapi, response_schema(openapi, "/api/users/feed/", "get", 200))
    assert set(page["properties"]) == {"next", "previous", "results"}


def test_lists_are_page_number_paginated(openapi):
    page = component(
        openapi, response_schema(openapi, "/api/users/{username}/played/", "get", 200)
    )

    assert set(page["properties"]) == {"count", "next", "previous", "results"}


@pytest.mark.parametrize(
    ("path", "shape"),
    [
        ("/api/games/{igdb}/", "IGDBGameDetail"),
        ("/api/games/backdrop/{igdb}/", "IGDBBackdrop"),
    ],
)
def test_games_answer_in_igdb_shapes(openapi, path, shape):
    assert response_schema(openapi, path, "get", 200) == {
        "$ref": f"#/components/schemas/{shape}"
    }


def test_profile_email_and_is_following_are_optional(openapi):
    profile = openapi["components"]["schemas"]["Profile"]

    assert {"email", "is_following"} <= set(profile["properties"])
    assert not {"email", "is_following"} & set(profile["required"])


@pytest.mark.django_db
def test_health_answers_match(client, conforms, monkeypatch):
    healthy = client.get(reverse("healthz"))
    monkeypatch.setattr(health, "database_answers", lambda: False)
    unhealthy = client.get(reverse("healthz"))

    assert unhealthy.status_code == 503
    conforms(healthy, "/healthz/")
    conforms(unhealthy, "/healthz/")


@pytest.mark.django_db
def test_throttled_answer_matches(api_client, conforms, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "1/min")

    answers = [api_client.get(reverse("game-popular")) for _ in range(2)]

    assert answers[1].status_code == 429
    conforms(answers[1], "/api/games/popular/")


def test_a_fresh_process_answers_simultaneous_schema_requests():
    """drf-spectacular's first schema generation in a process is not thread-safe;
    the schema view takes its turn, so a new worker's first requests all get 200."""
    script = (
        "import threading, django\n"
        "django.setup()\n"
        "from django.test import Client\n"
        "barrier, statuses = threading.Barrier(16), []\n"
        "def get():\n"
        "    client = Client(raise_request_exception=False, HTTP_HOST='localhost')\n"
        "    barrier.wait()\n"
        "    statuses.append(client.get('/api/schema/').status_code)\n"
        "threads = [threading.Thread(target=get) for _ in range(16)]\n"
        "[thread.start() for thread in threads]\n"
        "[thread.join() for thread in threads]\n"
        "print(*statuses)\n"
    )
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DJANGO_LOG_LEVEL": "CRITICAL",
        "DJANGO_SETTINGS_MODULE": "overworld.settings",
    }

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.split() == ["200"] * 16, result.stderr[-2000:]
