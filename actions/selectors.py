import functools

from django.db import connection

from games.models import Game

from .models import RELATIONS, JournalEntry, Rating


@functools.cache
def relation_state_sql() -> str:
    """One row for the game, with a flag per relation: four index lookups.

    Written out once rather than composed by the ORM on every request: building the
    four EXISTS subqueries cost ten times what running them does, on the API's most
    frequent read.
    """
    quote = connection.ops.quote_name

    def exists(model) -> str:
        user = model._meta.get_field("user").column
        game = model._meta.get_field("game").column
        return (
            f"EXISTS (SELECT 1 FROM {quote(model._meta.db_table)} "
            f"WHERE {quote(user)} = %s AND {quote(game)} = %s)"
        )

    flags = ", ".join(exists(model) for model in RELATIONS.values())
    return (
        f"SELECT {flags} FROM {quote(Game._meta.db_table)} "
        f"WHERE {quote(Game._meta.pk.column)} = %s"
    )


def relation_state(*, user, igdb: int) -> dict | None:
    """The user's four relations to a game in one query; None for an unknown game."""
    with connection.cursor() as cursor:
        cursor.execute(relation_state_sql(), [user.pk, igdb] * len(RELATIONS) + [igdb])
        row = cursor.fetchone()
    if row is None:
        return None
    return {name: bool(flag) for name, flag in zip(RELATIONS, row, strict=True)}


@functools.cache
def rating_sql() -> str:
    quote = connection.ops.quote_name
    rating, user, game = (
        quote(Rating._meta.get_field(name).column)
        for name in ("rating", "user", "game")
    )
    return (
        f"SELECT {rating} FROM {quote(Rating._meta.db_table)} "
        f"WHERE {user} = %s AND {game} = %s"
    )


def rating_of(*, user, igdb: int) -> int | None:
    """The user's rating of the game, None if there is none: one index lookup."""
    with connection.cursor() as cursor:
        cursor.execute(rating_sql(), [user.pk, igdb])
        row = cursor.fetchone()
    return None if row is None else row[0]


def journal_entries(*, user, year: int | None = None, limit: int | None = None):
    """A user's entries, newest first: the order the grouped journal needs."""
    entries = (
        JournalEntry.objects.filter(user=user)
        .select_related("game")
        .order_by("-date", "-id")
    )
    if year is not None:
        entries = entries.filter(date__year=year)
    if limit is not None:
        entries = entries[:limit]
    return entries
