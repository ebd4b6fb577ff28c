"""The local game catalog: IGDB-shaped answers from the Game table, and dump loading.

IGDB's own field names are used throughout (`id` is the IGDB id, dates are Unix
timestamps, images are objects with an `image_id`), so that a client sees the same
shapes whether the answer came from IGDB or from this catalog.
"""

import calendar
import json
import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path

from django.db.models import Case, Count, F, IntegerField, Value, When

from actions.models import RELATIONS

from .models import Game

logger = logging.getLogger(__name__)

DEFAULT_CATALOG = Path(__file__).resolve().parent / "data" / "catalog.json"
IMAGE_URL = "https://images.igdb.com/igdb/image/upload/{size}/{image_id}.jpg"
SEARCH_LIMIT = 20
POPULAR_LIMIT = 20
UPSERT_BATCH = 500
# Undated games last on every database (PostgreSQL sorts NULL first when descending).
NEWEST_FIRST = F("first_release_date").desc(nulls_last=True)
CATALOG_FIELDS = [
    "name",
    "slug",
    "cover_id",
    "backdrop_id",
    "summary",
    "first_release_date",
    "is_placeholder",
]


def image(image_id: str, size: str) -> dict:
    """An IGDB image object with a ready URL at the given size."""
    return {"image_id": image_id, "url": IMAGE_URL.format(size=size, image_id=image_id)}


def cover(game: Game) -> dict | None:
    return image(game.cover_id, "t_cover_big") if game.cover_id else None


def screenshots(game: Game) -> list[dict]:
    if not game.backdrop_id:
        return []
    return [{"id": None, **image(game.backdrop_id, "t_screenshot_big")}]


def timestamp(day: date | None) -> int | None:
    return calendar.timegm(day.timetuple()) if day else None


def game_summary(game: Game) -> dict:
    return {
        "id": game.igdb,
        "name": game.name,
        "slug": game.slug,
        "first_release_date": timestamp(game.first_release_date),
        "cover": cover(game),
    }


def game_detail(game: Game) -> dict:
    return {
        **game_summary(game),
        "summary": game.summary or None,
        "genres": [],
        "platforms": [],
        "screenshots": screenshots(game),
        "involved_companies": [],
        "themes": [],
    }


def game_backdrop(game: Game) -> dict:
    return {
        "id": game.igdb,
        "name": game.name,
        "slug": game.slug,
        "screenshots": screenshots(game),
    }


def search(query: str, limit: int = SEARCH_LIMIT) -> list[dict]:
    """Games whose name contains the query: exact names first, then prefixes."""
    rank = Case(
        When(name__iexact=query, then=Value(0)),
        When(name__istartswith=query, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    games = (
        Game.objects.filter(name__icontains=query)
        .annotate(rank=rank)
        .order_by("rank", NEWEST_FIRST, "name")[:limit]
    )
    return [game_summary(game) for game in games]


def popular(limit: int = POPULAR_LIMIT) -> list[dict]:
    """The games most marked by Overworld's users, topped up with recent releases.

    Popularity here is the number of played, liked, backlog and wishlist marks.
    """
    counts: dict[int, int] = {}
    for model in RELATIONS.values():
        top = (
            model.objects.values("game")
            .annotate(marks=Count("id"))
            .order_by("-marks")[: limit * 5]
        )
        for row in top:
            counts[row["game"]] = counts.get(row["game"], 0) + row["marks"]
    ranked = sorted(counts, key=lambda igdb: -counts[igdb])[:limit]

    games = Game.objects.in_bulk(ranked)
    chosen = [games[igdb] for igdb in ranked if igdb in games]
    if len(chosen) < limit:
        newest = Game.objects.exclude(pk__in=ranked).order_by(NEWEST_FIRST, "name")
        chosen += newest[: limit - len(chosen)]
    return [
        {**game_summary(game), "popularity": counts.get(game.igdb, 0)}
        for game in chosen
    ]


def read_dump(path: Path) -> Iterator[dict]:
    """Records from an IGDB-shaped dump: a JSON array, or one JSON object per line."""
    with path.open(encoding="utf-8") as dump:
        first = dump.read(1)
        while first.isspace():
            first = dump.read(1)
        dump.seek(0)
        if first == "[":
            yield from json.load(dump)
            return
        for number, line in enumerate(dump, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"line {number}: {error}") from error


def game_from_record(record) -> Game | None:
    """A Game from one IGDB record, or None when the record is not usable."""
    if not isinstance(record, dict):
        return None
    igdb, name = record.get("id"), text(record.get("name")).strip()[:255]
    # bool is a subclass of int: `"id": true` is not game 1.
    if type(igdb) is not int or not 0 < igdb < 2**31 or not name:
        return None

    return Game(
        igdb=igdb,
        name=name,
        slug=text(record.get("slug"))[:255] or str(igdb),
        cover_id=image_id(record.get("cover")),
        backdrop_id=image_id(first(record.get("screenshots"))),
        summary=text(record.get("summary")),
        first_release_date=release_date(record.get("first_release_date")),
        is_placeholder=False,
    )


def release_date(value) -> date | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value, UTC).date()
    except (OverflowError, OSError, ValueError):
        return None


def text(value) -> str:
    """A string any database stores: no NUL characters, no lone surrogates."""
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")


def image_id(value) -> str:
    return text(value.get("image_id"))[:64] if isinstance(value, dict) else ""


def first(values):
    return values[0] if isinstance(values, list) and values else None


def batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def upsert_games(records: Iterable) -> tuple[int, int]:
    """Insert or refresh games from IGDB records; returns (upserted, skipped)."""
    upserted = skipped = 0
    for batch in batches(records, UPSERT_BATCH):
        games = {}
        for record in batch:
            game = game_from_record(record)
            if game is None:
                skipped += 1
            else:
                games[game.igdb] = game
        Game.objects.bulk_create(
            games.values(),
            update_conflicts=True,
            unique_fields=["igdb"],
            update_fields=[*CATALOG_FIELDS, "updated_at"],
        )
        upserted += len(games)
    logger.info("catalog loaded: %s games, %s records skipped", upserted, skipped)
    return upserted, skipped
