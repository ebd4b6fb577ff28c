"""The local game catalog: the Game table read and written as IGDB-shaped records.

Records use IGDB's own field names (`id` is the IGDB id, dates are Unix timestamps,
images are objects with an `image_id`), so games.shapes answers the same way whether a
record came from IGDB or from here. Dumps in the same shape load in bulk.
"""

import calendar
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from itertools import islice
from operator import attrgetter
from pathlib import Path

import ijson
from django.db.models import Case, Count, F, IntegerField, Value, When

from actions.models import RELATIONS

from .models import Game

DEFAULT_CATALOG = Path(__file__).resolve().parent / "data" / "catalog.json"
SEARCH_LIMIT = 20
POPULAR_LIMIT = 20
UPSERT_BATCH = 500
# ijson's pure-Python parser reads what the json module reads (integers of any size,
# escaped lone surrogates); the faster C parser refuses both.
JSON_STREAM = ijson.get_backend("python")
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


def timestamp(day: date | None) -> int | None:
    return calendar.timegm(day.timetuple()) if day else None


def game_record(game: Game) -> dict:
    """A Game row as the IGDB-shaped record it was loaded from."""
    record = {
        "id": game.igdb,
        "name": game.name,
        "slug": game.slug,
        "summary": game.summary,
        "first_release_date": timestamp(game.first_release_date),
    }
    if game.cover_id:
        record["cover"] = {"image_id": game.cover_id}
    if game.backdrop_id:
        record["screenshots"] = [{"image_id": game.backdrop_id}]
    return record


def find(igdb: int) -> dict | None:
    game = Game.objects.filter(pk=igdb).first()
    return game_record(game) if game else None


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
    return [game_record(game) for game in games]


def popular(limit: int = POPULAR_LIMIT) -> list[tuple[dict, int]]:
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
    return [(game_record(game), counts.get(game.igdb, 0)) for game in chosen]


def read_dump(path: Path) -> Iterator[dict]:
    """Records from an IGDB-shaped dump: a JSON array, or one JSON object per line.

    Both are streamed, so a dump of any size loads in bounded memory.
    """
    with path.open("rb") as dump:
        first = dump.read(1)
        while first.isspace():
            first = dump.read(1)
        dump.seek(0)
        if first == b"[":
            try:
                yield from JSON_STREAM.items(dump, "item", use_float=True)
            except ijson.JSONError as error:
                raise ValueError(f"malformed JSON array: {error}") from error
            return
        for number, line in enumerate(dump, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as error:
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


def upsert_games(
    records: Iterable, fields: Iterable[str] = CATALOG_FIELDS
) -> tuple[int, int]:
    """Insert games from IGDB records, and refresh the given fields of known ones.

    Returns (upserted, skipped). With no fields, known games are left alone. Games
    first seen in a partial refresh (a search result, say) are kept as placeholders
    until a full record refreshes them.
    """
    fields = list(fields)
    complete = not fields or set(fields) >= set(CATALOG_FIELDS)
    upserted = skipped = 0
    for batch in batches(records, UPSERT_BATCH):
        games = {}
        for record in batch:
            game = game_from_record(record)
            if game is None:
                skipped += 1
            else:
                game.is_placeholder = not complete
                games[game.igdb] = game
        # Rows in id order: two upserts that share games lock them in the same
        # order, so they cannot deadlock each other.
        rows = sorted(games.values(), key=attrgetter("igdb"))
        if fields:
            Game.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["igdb"],
                update_fields=[*fields, "updated_at"],
            )
        else:
            Game.objects.bulk_create(rows, ignore_conflicts=True)
        upserted += len(games)
    return upserted, skipped
