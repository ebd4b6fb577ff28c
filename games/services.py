from django.utils.text import slugify
from rest_framework.exceptions import ValidationError

from .models import Game

SLUG_MAX_LENGTH = Game._meta.get_field("slug").max_length


def game_slug(name: str, igdb: int) -> str:
    """A slug for a new game's name, short enough for the column.

    slugify's normalisation can make a name longer ("ⅷ" becomes "viii"), so a valid
    255-character name may give a longer slug.
    """
    slug = slugify(name) or slugify(name, allow_unicode=True)
    return slug[:SLUG_MAX_LENGTH].rstrip("-_") or str(igdb)


def game_get_or_create(
    *,
    igdb: int,
    name: str = "",
    slug: str = "",
    cover_id: str | None = "",
    backdrop_id: str | None = "",
) -> Game:
    """Return the game with this IGDB id, creating it from the given metadata if new.

    The metadata never overwrites an existing row. Safe when two requests create the
    same game at once: the loser of the insert race reads the winner's row.
    """
    try:
        return Game.objects.get(pk=igdb)
    except Game.DoesNotExist:
        pass
    if not name:
        raise ValidationError(
            {"name": ["This field is required for a game that is not known yet."]}
        )

    defaults = {
        "name": name,
        "slug": slug or game_slug(name, igdb),
        "cover_id": cover_id or "",
        "backdrop_id": backdrop_id or "",
        "is_placeholder": True,
    }
    game, _ = Game.objects.get_or_create(igdb=igdb, defaults=defaults)
    return game
