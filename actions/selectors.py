from django.db.models import Exists, OuterRef

from games.models import Game

from .models import RELATIONS, JournalEntry


def relation_state(*, user, igdb: int) -> dict | None:
    """The user's four relations to a game in one query; None for an unknown game."""
    # Prefixed: Game already has reverse relations named played, liked and so on.
    flags = {
        f"has_{name}": Exists(model.objects.filter(user=user, game=OuterRef("pk")))
        for name, model in RELATIONS.items()
    }
    row = Game.objects.filter(pk=igdb).values(**flags).first()
    if row is None:
        return None
    return {name: row[f"has_{name}"] for name in RELATIONS}


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
