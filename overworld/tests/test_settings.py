"""Start-up checks on the environment, run in a fresh interpreter each time."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

SETUP = "import django; django.setup()"


def start(environment: dict, command: list[str] | None = None):
    """Run a Django start-up with only the given DJANGO_* variables set."""
    env = {key: value for key, value in os.environ.items() if "DJANGO" not in key}
    env.update(DJANGO_SETTINGS_MODULE="overworld.settings", **environment)
    return subprocess.run(
        command or [sys.executable, "-c", SETUP],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "environment",
    [{"DJANGO_DEBUG": "0"}, {"DJANGO_DEBUG": "false"}, {}],
    ids=["debug-0", "debug-false", "debug-unset"],
)
def test_production_without_secret_key_refuses_to_start(environment):
    run = start(environment)

    assert run.returncode != 0
    assert last_line(run.stderr) == (
        "django.core.exceptions.ImproperlyConfigured: DJANGO_SECRET_KEY is not set; "
        "it is required when DJANGO_DEBUG is off."
    )


def test_manage_py_refuses_to_start_without_secret_key():
    run = start({"DJANGO_DEBUG": "0"}, [sys.executable, "manage.py", "check"])

    assert run.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in last_line(run.stderr)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("short-but-secret", id="short"),
        pytest.param("django-insecure-" + secrets.token_urlsafe(50), id="insecure"),
        pytest.param("a" * 50, id="one-letter"),
        pytest.param(
            "paste the key from: python3 -c import secrets print token_urlsafe 50",
            id="words",
        ),
    ],
)
def test_production_with_weak_secret_key_refuses_to_start(key):
    run = start({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": key})

    assert run.returncode != 0
    assert "DJANGO_SECRET_KEY is too weak" in last_line(run.stderr)


def test_production_with_a_real_secret_key_starts():
    key = secrets.token_urlsafe(50)

    run = start(
        {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": key},
        [sys.executable, "manage.py", "check"],
    )

    assert run.returncode == 0, run.stderr
    assert "no issues" in run.stdout


def test_development_starts_without_a_secret_key():
    run = start({"DJANGO_DEBUG": "1"})

    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DJANGO_NUM_PROXIES", "one"),
        ("THROTTLE_LOGIN_RATE", "abc"),
        ("THROTTLE_LOGIN_RATE", "10/fortnight"),
        ("DJANGO_LOG_LEVEL", "verbose"),
    ],
)
def test_unreadable_variable_refuses_to_start(variable, value):
    run = start({"DJANGO_DEBUG": "1", variable: value})

    assert run.returncode != 0
    assert variable in last_line(run.stderr)


@pytest.mark.parametrize("level", ["debug", "Warning", "INFO"])
def test_log_level_is_read_in_any_case(level):
    run = start({"DJANGO_DEBUG": "1", "DJANGO_LOG_LEVEL": level})

    assert run.returncode == 0, run.stderr


def test_empty_database_url_means_the_default_sqlite_file():
    run = start(
        {"DJANGO_DEBUG": "1", "DATABASE_URL": ""},
        [sys.executable, "manage.py", "check", "--database", "default"],
    )

    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("key", [" " * 10, " " * 63, "\t\n"])
def test_blank_secret_key_counts_as_not_set(key):
    run = start({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": key})

    assert run.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in last_line(run.stderr)


@pytest.mark.parametrize(
    ("environment", "prefix"),
    [({}, "overworld"), ({"CACHE_KEY_PREFIX": "staging"}, "staging")],
)
def test_redis_keys_carry_the_deployments_prefix(environment, prefix):
    show = (
        "import django; django.setup(); from django.core.cache import cache; "
        "print(cache.make_key('x'))"
    )
    run = start(
        {"DJANGO_DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/9", **environment},
        [sys.executable, "-c", show],
    )

    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"{prefix}:1:x"


def test_a_disallowed_host_is_not_logged():
    request = (
        "import django; django.setup(); from django.test import Client; "
        "print(Client(HTTP_HOST='evil.example').get('/api/games/popular/').status_code)"
    )
    run = start(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_SECURE_SSL_REDIRECT": "0",
        },
        [sys.executable, "-c", request],
    )

    assert run.stdout.strip() == "400", run.stderr
    assert "Traceback" not in run.stderr and "Invalid HTTP_HOST" not in run.stderr
