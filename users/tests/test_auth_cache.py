"""The user behind an access token comes from the cache, and never a stale one."""

import os
import secrets
import subprocess
import sys

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import bearer_client
from users import auth_cache
from users.models import Follow, User, UserQuerySet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def settled_users(user):
    """Creating a user marks it stale for a minute (as any change does); these tests
    start once that minute is over."""
    caches["users"].clear()


def me(client):
    return client.get(reverse("current-user"))


def user_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert me(client).status_code == 200
    return [q["sql"] for q in queries.captured_queries if "users_user" in q["sql"]]


def test_a_known_users_requests_do_not_read_the_user_again(auth_client):
    assert user_queries(auth_client)  # the first request reads the user

    assert user_queries(auth_client) == []


def test_the_cache_holds_no_password_hash_and_the_user_still_has_one(auth_client, user):
    me(auth_client)

    cached = caches["users"].get(auth_cache.cache_key(user.pk))
    assert cached["username"] == user.username
    assert "password" not in cached
    # Loaded from the database when something asks for it.
    assert auth_cache.cached_user(User, user.pk).check_password("not it") is False


def deactivate_by_update(user):
    User.objects.filter(pk=user.pk).update(is_active=False)


def deactivate_by_save(user):
    # Another instance of the same row, as the admin's change form has.
    row = User.objects.get(pk=user.pk)
    row.is_active = False
    row.save(update_fields=["is_active"])


@pytest.mark.parametrize("deactivate", [deactivate_by_update, deactivate_by_save])
def test_deactivation_takes_effect_at_once(auth_client, user, deactivate):
    assert me(auth_client).status_code == 200

    deactivate(user)

    assert me(auth_client).status_code == 401


def test_a_deleted_users_token_stops_at_once(auth_client, user):
    assert me(auth_client).status_code == 200

    User.objects.get(pk=user.pk).delete()

    assert me(auth_client).status_code == 401


def test_a_changed_user_is_answered_with_its_new_row(auth_client, user):
    assert me(auth_client).json()["email"] == user.email

    User.objects.filter(pk=user.pk).update(email="new@example.com")

    assert me(auth_client).json()["email"] == "new@example.com"


def test_a_row_read_before_a_change_is_not_cached_after_it(user):
    """A request that read the user just before a deactivation must not put the old,
    active row back into the cache when it finishes."""
    read_before = User.objects.get(pk=user.pk)

    User.objects.filter(pk=user.pk).update(is_active=False)
    auth_cache.remember_user(read_before)

    assert auth_cache.cached_user(User, user.pk) is None
    assert me(bearer_client(user)).status_code == 401


def test_a_change_the_cache_cannot_be_told_of_is_not_made(settings, auth_client, user):
    """With the cache unreachable, a deactivation must fail rather than leave the old,
    active row in the cache for every other worker."""
    assert me(auth_client).status_code == 200
    settings.CACHES = {
        **settings.CACHES,
        # Nothing listens on port 1.
        "users": {
            "BACKEND": "overworld.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    row = User.objects.get(pk=user.pk)
    row.is_active = False

    with pytest.raises(redis.ConnectionError):
        row.save()

    assert User.objects.get(pk=user.pk).is_active


def test_a_row_cached_with_other_columns_is_read_from_the_database(auth_client, user):
    """A row cached by a release whose user had other columns (one more, say, where
    the password's place is left out) is not read into the wrong fields."""
    me(auth_client)
    key = auth_cache.cache_key(user.pk)
    values = caches["users"].get(key)
    caches["users"].set(key, {"nickname": "", **values})

    r = me(auth_client)

    assert r.status_code == 200
    assert r.json()["username"] == user.username
    assert r.json()["email"] == user.email


def test_without_a_shared_cache_every_request_reads_the_user(settings, auth_client):
    settings.CACHES = {
        **settings.CACHES,
        "users": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }

    assert user_queries(auth_client)
    assert user_queries(auth_client)


def test_user_changes_are_heard_with_production_settings():
    """The receivers that mark changed users stale must outlive app loading with
    DEBUG off too (a signal holds its receivers weakly by default)."""
    script = (
        "import gc, django; django.setup(); gc.collect()\n"
        "from django.db.models import signals\n"
        "from users.models import User\n"
        "names = ['pre_save', 'post_save', 'pre_delete', 'post_delete']\n"
        "print(*[getattr(signals, n).has_listeners(User) for n in names])\n"
    )
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
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

    assert result.stdout.split() == ["True"] * 4, result.stderr


def test_an_update_changes_only_the_rows_it_read(monkeypatch, user, other_user):
    """A user who starts to match the filter between the read and the UPDATE (here
    by following somebody) is neither changed nor left stale in the cache."""
    spammer_followers = User.objects.filter(following_set__followed=other_user)
    read_rows = UserQuerySet.values_list

    def read_then_follow(queryset, *fields, **kwargs):
        rows = list(read_rows(queryset, *fields, **kwargs))
        Follow.objects.create(follower=user, followed=other_user)
        return rows

    monkeypatch.setattr(UserQuerySet, "values_list", read_then_follow)
    count = spammer_followers.update(is_active=False)

    assert count == 0
    assert User.objects.get(pk=user.pk).is_active


def test_a_new_user_is_cached_from_its_first_request(db):
    newcomer = User.objects.create_user("newcomer", "new@example.com", "pw-1843-x")
    client = bearer_client(newcomer)

    assert user_queries(client)
    assert user_queries(client) == []


@pytest.mark.parametrize("name", ["\u212aate", "\u0130van", "ka te", "", "k" * 151])
def test_a_name_no_user_can_have_finds_nobody(name):
    User.objects.create_user("kate", "kate@example.com", "pw-1843-x")
    User.objects.create_user("ivan", "ivan@example.com", "pw-1843-x")

    assert not User.objects.named(name).exists()
