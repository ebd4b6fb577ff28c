"""Requests that trip Django before any view runs, through the real WSGI app."""

import io
import json

import pytest
from django.core import signals
from django.db import close_old_connections
from django.urls import reverse

from overworld.wsgi import application


def call(method: str, path: str, query: str = "", content_type: str = "", **extra):
    """Call the WSGI application as gunicorn would; (status, headers, body)."""
    body = extra.pop("body", b"")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": extra.pop("host", "127.0.0.1"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        **extra,
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    # As Django's test client does: the test's database connection must stay open.
    signals.request_started.disconnect(close_old_connections)
    try:
        content = b"".join(application(environ, start_response))
    finally:
        signals.request_started.connect(close_old_connections)
    return answer["status"], answer["headers"], content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "charset", ["zlib", "hex", "base64", "rot13", "bz2", "punycode", "undefined"]
)
def test_a_charset_that_is_not_a_text_encoding_is_ignored(charset):
    status, _, content = call(
        "GET",
        reverse("game-search"),
        query="q=dark",
        content_type=f"text/plain; charset={charset}",
    )

    assert status == 200, content
    assert isinstance(json.loads(content), list)


@pytest.mark.django_db
def test_a_text_charset_still_decodes_the_query_string():
    status, _, content = call(
        "GET",
        reverse("game-search"),
        query="q=%E9",
        content_type="text/plain; charset=latin-1",
    )

    assert status == 200, content


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["game-popular", "game-search"])
def test_head_answers_with_headers_and_no_body(name):
    status, headers, content = call("HEAD", reverse(name), query="q=dark")

    assert status == 200
    assert content == b""
    assert int(headers["Content-Length"]) > 0


def test_unknown_host_is_a_json_400():
    status, headers, content = call("GET", "/api/games/popular/", host="evil.example")

    assert status == 400
    assert headers["Content-Type"] == "application/json"
    assert "detail" in json.loads(content)
