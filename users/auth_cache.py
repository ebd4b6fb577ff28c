"""The user behind an access token, cached so that an API request skips that query.

Every authenticated request needs its user, and the user rarely changes; the row is
kept in the "users" cache (Redis in production, shared by every worker). Any change to
a user (a save, a delete, a queryset update) replaces the cached row with a stale
mark, at once and again when the change commits, and a stale mark cannot be
overwritten by a request that read the old row just before: a deactivated user's
tokens stop working with the next request. Without a shared cache the "users" alias is
a dummy, and every request reads the user from the database.
"""

import functools

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, transaction

CACHE_ALIAS = "users"
# An access token lives 15 minutes: a row cached longer would outlive most tokens.
TIMEOUT = 15 * 60
# Long enough for any request that read the row before a change to have finished.
STALE_TIMEOUT = 60
STALE = "stale"


def cache_key(user_id: int) -> str:
    return f"auth-user:{user_id}"


@functools.cache
def cached_columns(model) -> tuple[str, ...]:
    """Every column but the password hash, which has no business in a cache; it is
    loaded from the database if a request ever needs it."""
    return tuple(
        field.attname
        for field in model._meta.concrete_fields
        if field.attname != "password"
    )


def cached_user(model, user_id: int):
    """The cached user with this id, or None when it must be read from the database."""
    values = caches[CACHE_ALIAS].get(cache_key(user_id))
    # from_db() reads values by position: a row cached by a release with other
    # columns would put them into the wrong fields.
    if not isinstance(values, dict) or tuple(values) != cached_columns(model):
        return None
    return model.from_db(DEFAULT_DB_ALIAS, list(values), list(values.values()))


def remember_user(user) -> None:
    """Cache the user's row, unless it changed since (then a stale mark is there)."""
    values = {column: getattr(user, column) for column in cached_columns(type(user))}
    caches[CACHE_ALIAS].add(cache_key(user.pk), values, TIMEOUT)


def forget_users(user_ids) -> None:
    keys = [cache_key(user_id) for user_id in user_ids]
    if not keys:
        return

    def mark_stale():
        caches[CACHE_ALIAS].set_many(dict.fromkeys(keys, STALE), STALE_TIMEOUT)

    mark_stale()
    if transaction.get_connection().in_atomic_block:
        # Again when the change commits, so that the mark outlives by STALE_TIMEOUT
        # every request that read the old row before the commit, however long the
        # change took.
        transaction.on_commit(mark_stale)
