import functools
from dataclasses import dataclass
from datetime import date as Date

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.exceptions import NotFound, ValidationError

from games.models import Game
from games.services import game_get_or_create

from .models import RELATIONS, JournalEntry, Rating


@dataclass(frozen=True)
class RelationChange:
    igdb: int
    value: bool
    removed_from_backlog: bool = False


@functools.cache
def relation_statements(relation: str) -> tuple[str, str]:
    """The INSERT and DELETE of one relation's row, written out once.

    The INSERT adds the row only if the game exists and the user has no such row
    yet. Both are single statements in autocommit: the ORM's bulk_create and delete
    would wrap each in a transaction of its own, two more round trips on the busiest
    write.
    """
    quote = connection.ops.quote_name
    model = RELATIONS[relation]
    table = quote(model._meta.db_table)
    user, game, created = (
        quote(model._meta.get_field(name).column)
        for name in ("user", "game", "created_at")
    )
    games, igdb = quote(Game._meta.db_table), quote(Game._meta.pk.column)
    insert = (
        f"INSERT INTO {table} ({user}, {game}, {created}) "
        f"SELECT %s, {igdb}, %s FROM {games} WHERE {igdb} = %s "
        "ON CONFLICT DO NOTHING"
    )
    delete = f"DELETE FROM {table} WHERE {user} = %s AND {game} = %s"
    return insert, delete


def relation_add(*, user, igdb: int, relation: str) -> bool:
    """Add the relation if the game exists; False if it did not or the row was there
    (which keeps its original timestamp)."""
    insert, _ = relation_statements(relation)
    created_at = (
        RELATIONS[relation]
        ._meta.get_field("created_at")
        .get_db_prep_value(timezone.now(), connection)
    )
    with connection.cursor() as cursor:
        cursor.execute(insert, [user.pk, created_at, igdb])
        return cursor.rowcount > 0


def relation_remove(*, user, igdb: int, relation: str) -> bool:
    """Remove the relation; True if there was one."""
    _, delete = relation_statements(relation)
    with connection.cursor() as cursor:
        cursor.execute(delete, [user.pk, igdb])
        return cursor.rowcount > 0


def relation_set(
    *, user, relation: str, igdb: int, metadata: dict, value: bool | None = None
) -> RelationChange:
    """Set a user's relation to a game, or toggle it when value is None.

    Marking a game played takes it out of the user's backlog.
    """
    if value is not None and relation != "played":
        # The common case, a known game whose mark changes, is one statement. When it
        # changes nothing the game may be unknown: the full path below finds out.
        change = relation_add if value else relation_remove
        if change(user=user, igdb=igdb, relation=relation):
            return RelationChange(igdb, value)

    with transaction.atomic():
        game_get_or_create(igdb=igdb, **metadata)
        if value is None:
            # Serialise this user's toggles so that two at once cancel out instead
            # of both reading "absent" and both adding.
            get_user_model().objects.select_for_update(no_key=True).filter(
                pk=user.pk
            ).first()
            model = RELATIONS[relation]
            value = not model.objects.filter(user=user, game_id=igdb).exists()

        if value:
            relation_add(user=user, igdb=igdb, relation=relation)
        else:
            relation_remove(user=user, igdb=igdb, relation=relation)

        removed_from_backlog = False
        if relation == "played" and value:
            removed_from_backlog = relation_remove(
                user=user, igdb=igdb, relation="backlog"
            )
    return RelationChange(igdb, value, removed_from_backlog)


def rating_upsert(*, user, game: Game, rating: int) -> Rating:
    """Create or replace the user's rating of the game in one statement."""
    (row,) = Rating.objects.bulk_create(
        [Rating(user=user, game=game, rating=rating)],
        update_conflicts=True,
        unique_fields=["user", "game"],
        update_fields=["rating", "updated_at"],
    )
    return row


@transaction.atomic
def rating_set(*, user, igdb: int, metadata: dict, rating: int) -> Rating:
    game = game_get_or_create(igdb=igdb, **metadata)
    return rating_upsert(user=user, game=game, rating=rating)


def rating_delete(*, user, igdb: int) -> None:
    Rating.objects.filter(user=user, game_id=igdb).delete()


def journal_side_effects(*, user, entry: JournalEntry, liked: bool, rating) -> None:
    if liked:
        relation_add(user=user, igdb=entry.game_id, relation="liked")
    if rating is not None:
        rating_upsert(user=user, game=entry.game, rating=rating)


@transaction.atomic
def journal_entry_create(
    *,
    user,
    game: dict,
    date: Date,
    review: str = "",
    spoilers: bool = False,
    liked: bool = False,
    rating: int | None = None,
) -> JournalEntry:
    """Record a finished game: the entry, played, out of the backlog, liked, rated."""
    try:
        game_row = game_get_or_create(**game)
    except ValidationError as error:
        # The game's fields are nested under "game" in a journal entry.
        raise ValidationError({"game": error.detail}) from error
    entry = JournalEntry.objects.create(
        user=user,
        game=game_row,
        date=date,
        review=review,
        spoilers=spoilers,
        liked=liked,
        rating=rating,
    )

    relation_add(user=user, igdb=game_row.pk, relation="played")
    relation_remove(user=user, igdb=game_row.pk, relation="backlog")
    journal_side_effects(user=user, entry=entry, liked=liked, rating=rating)
    return entry


@transaction.atomic
def journal_entry_update(*, entry: JournalEntry, changes: dict) -> JournalEntry:
    """Change an entry; liking or rating it likes or rates the game as well.

    The entry may have been deleted since it was read (its author deleting it from
    another tab): then it is not found, and nothing changes.
    """
    changes = {**changes, "updated_at": timezone.now()}
    if not JournalEntry.objects.filter(pk=entry.pk).update(**changes):
        raise NotFound("No JournalEntry matches the given query.")
    for field, value in changes.items():
        setattr(entry, field, value)

    journal_side_effects(
        user=entry.user,
        entry=entry,
        liked=changes.get("liked", False),
        rating=changes.get("rating"),
    )
    return entry
