from dataclasses import dataclass
from datetime import date as Date

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.exceptions import ValidationError

from games.models import Game
from games.services import game_get_or_create

from .models import RELATIONS, JournalEntry, Rating


@dataclass(frozen=True)
class RelationChange:
    game: Game
    value: bool
    removed_from_backlog: bool = False


def relation_add(*, user, game: Game, relation: str) -> None:
    """Add the relation; a no-op that keeps the original timestamp if it exists."""
    model = RELATIONS[relation]
    model.objects.bulk_create([model(user=user, game=game)], ignore_conflicts=True)


def relation_remove(*, user, game: Game, relation: str) -> bool:
    """Remove the relation; True if there was one."""
    deleted, _ = RELATIONS[relation].objects.filter(user=user, game=game).delete()
    return deleted > 0


@transaction.atomic
def relation_set(
    *, user, relation: str, igdb: int, metadata: dict, value: bool | None = None
) -> RelationChange:
    """Set a user's relation to a game, or toggle it when value is None.

    Marking a game played takes it out of the user's backlog.
    """
    game = game_get_or_create(igdb=igdb, **metadata)
    if value is None:
        # Serialise this user's toggles so that two at once cancel out instead of
        # both reading "absent" and both adding.
        get_user_model().objects.select_for_update(no_key=True).filter(
            pk=user.pk
        ).first()
        value = not RELATIONS[relation].objects.filter(user=user, game=game).exists()

    if value:
        relation_add(user=user, game=game, relation=relation)
    else:
        relation_remove(user=user, game=game, relation=relation)

    removed_from_backlog = False
    if relation == "played" and value:
        removed_from_backlog = relation_remove(user=user, game=game, relation="backlog")
    return RelationChange(game, value, removed_from_backlog)


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
        relation_add(user=user, game=entry.game, relation="liked")
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

    relation_add(user=user, game=game_row, relation="played")
    relation_remove(user=user, game=game_row, relation="backlog")
    journal_side_effects(user=user, entry=entry, liked=liked, rating=rating)
    return entry


@transaction.atomic
def journal_entry_update(*, entry: JournalEntry, changes: dict) -> JournalEntry:
    """Change an entry; liking or rating it likes or rates the game as well."""
    for field, value in changes.items():
        setattr(entry, field, value)
    entry.save(update_fields=[*changes, "updated_at"])

    journal_side_effects(
        user=entry.user,
        entry=entry,
        liked=changes.get("liked", False),
        rating=changes.get("rating"),
    )
    return entry
