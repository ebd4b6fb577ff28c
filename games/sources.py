"""Where /api/games/ answers come from: IGDB when configured, else the local catalog.

With IGDB credentials, answers are cached (details a day, searches and popular games an
hour) and every game IGDB returns is written into the catalog. When IGDB fails — down,
slow, rate limiting, answering nonsense — the answer comes from an older cached copy,
else from the local catalog, else a 503. Without credentials the catalog answers alone.
"""

import hashlib
import logging
import threading

from django.core.cache import cache
from rest_framework.exceptions import APIException, NotFound

from . import catalog, igdb, shapes

logger = logging.getLogger(__name__)

DETAIL_TTL = 24 * 60 * 60
LIST_TTL = 60 * 60
CATALOG_POPULAR_TTL = 5 * 60
STALE_TTL = 7 * 24 * 60 * 60
OUTAGE_CACHE_KEY = "igdb:outage"
OUTAGE_WINDOW = 5 * 60
PROBE_CACHE_KEY = "igdb:probe"
# How many of a process's request threads may wait on IGDB at once; the others answer
# from the fallback, so that a slow IGDB cannot take every thread (gunicorn.conf.py
# gives each worker four).
IGDB_WAITERS = 2
WAITING_ON_IGDB = threading.BoundedSemaphore(IGDB_WAITERS)
PROBE_INTERVAL = 10
SEARCH_LIMIT = 20
POPULAR_LIMIT = 20
POPULARITY_TYPE_CACHE_KEY = "igdb:popularity-type"
# IGDB's popularity type that counts page visits; any other is used if it is missing.
PREFERRED_POPULARITY_TYPE = "visits"

SUMMARY_FIELDS = ["name", "slug", "first_release_date", "cover.image_id"]
DETAIL_FIELDS = [
    *SUMMARY_FIELDS,
    "summary",
    "genres.name",
    "platforms.name",
    "screenshots.image_id",
    "involved_companies.company.name",
    "involved_companies.developer",
    "involved_companies.publisher",
    "themes.name",
]
BACKDROP_FIELDS = ["name", "slug", "screenshots.image_id"]
# What a search or popular answer tells about a game, to refresh in the catalog.
SUMMARY_CATALOG_FIELDS = ["name", "slug", "cover_id", "first_release_date"]


class GamesUnavailable(APIException):
    status_code = 503
    default_detail = "Game data is unavailable right now; try again shortly."
    default_code = "games_unavailable"


def answer(key: str, ttl: int, live, local):
    """The cached answer, else live(), else a stale copy, else local(), else 503.

    live() and local() return None for a game that does not exist (a 404).
    """
    if not igdb.is_configured():
        return found(local())

    cached = cache.get(key)
    if cached is not None:
        return cached
    if not WAITING_ON_IGDB.acquire(blocking=False):
        # Enough of this process's threads already wait on IGDB; keep this one free.
        return fallback(key, local, igdb.IGDBError("all IGDB slots are busy"))
    try:
        if not igdb_may_be_asked():
            raise igdb.IGDBError("IGDB is unavailable; not asking until the next probe")
        value = live()
    except igdb.IGDBError as error:
        outage(error)
        return fallback(key, local, error)
    finally:
        WAITING_ON_IGDB.release()

    recovered()
    value = found(value)
    cache.set(key, value, ttl)
    cache.set(f"stale:{key}", value, STALE_TTL)
    return value


def fallback(key: str, local, error: igdb.IGDBError):
    """A stale copy of IGDB's answer, else the catalog's, else a 503.

    A stale copy is IGDB's own answer, even an empty one; an empty catalog answer
    only means the catalog does not know.
    """
    stale = cache.get(f"stale:{key}")
    if stale is not None:
        return stale
    value = local()
    if not value:
        raise GamesUnavailable() from error
    return value


def found(value):
    if value is None:
        raise NotFound("No game with that IGDB id.")
    return value


def igdb_may_be_asked() -> bool:
    """Always, outside an outage. During one, a single request every PROBE_INTERVAL
    seconds tries IGDB; the others answer from the fallback at once, so that a dead
    or hanging IGDB holds up one request thread, not all of them.
    """
    return not cache.get(OUTAGE_CACHE_KEY) or cache.add(
        PROBE_CACHE_KEY, True, PROBE_INTERVAL
    )


def outage(error: igdb.IGDBError) -> None:
    """Warn once per incident, not once per request."""
    if cache.add(OUTAGE_CACHE_KEY, True, OUTAGE_WINDOW):
        logger.warning("IGDB unavailable, answering from cache or catalog: %s", error)


def recovered() -> None:
    if cache.get(OUTAGE_CACHE_KEY):
        cache.delete(OUTAGE_CACHE_KEY)
        logger.info("IGDB answering again")


def fetch_games(*, fields, catalog_fields, limit, **query) -> list[dict]:
    """Games from IGDB, written into the catalog on the way."""
    records = igdb.get_client().query(
        "games", igdb.apicalypse(fields=fields, limit=limit, **query)
    )
    catalog.upsert_games(records, catalog_fields)
    return records


def the_game(records: list[dict], game_id: int) -> dict | None:
    """The record of the game asked for; IGDB answering another one is no answer."""
    return next((record for record in records if record["id"] == game_id), None)


def game_detail(game_id: int) -> dict:
    def live():
        records = fetch_games(
            fields=DETAIL_FIELDS,
            catalog_fields=catalog.CATALOG_FIELDS,
            ids=[game_id],
            limit=1,
        )
        record = the_game(records, game_id)
        return shapes.game_detail(record) if record else None

    def local():
        record = catalog.find(game_id)
        return shapes.game_detail(record) if record else None

    return answer(f"games:detail:{game_id}", DETAIL_TTL, live, local)


def game_backdrop(game_id: int) -> dict:
    def live():
        records = fetch_games(
            fields=BACKDROP_FIELDS,
            catalog_fields=["name", "slug", "backdrop_id"],
            ids=[game_id],
            limit=1,
        )
        record = the_game(records, game_id)
        return shapes.game_backdrop(record) if record else None

    def local():
        record = catalog.find(game_id)
        return shapes.game_backdrop(record) if record else None

    return answer(f"games:backdrop:{game_id}", DETAIL_TTL, live, local)


def game_search(query: str) -> list[dict]:
    def live():
        records = fetch_games(
            fields=SUMMARY_FIELDS,
            catalog_fields=SUMMARY_CATALOG_FIELDS,
            search=query,
            where=["version_parent = null"],
            limit=SEARCH_LIMIT,
        )
        return [shapes.game_summary(record) for record in records]

    def local():
        return [shapes.game_summary(record) for record in catalog.search(query)]

    digest = hashlib.sha256(query.casefold().encode()).hexdigest()
    return answer(f"games:search:{digest}", LIST_TTL, live, local)


def popular_games() -> list[dict]:
    def live():
        client = igdb.get_client()
        primitives = client.query(
            "popularity_primitives",
            igdb.apicalypse(
                fields=["game_id", "value"],
                where=[f"popularity_type = {popularity_type(client)}"],
                sort="value desc",
                limit=POPULAR_LIMIT,
            ),
        )
        values = {
            row["game_id"]: row.get("value")
            for row in primitives
            if type(row.get("game_id")) is int
        }
        if not values:
            return []

        records = fetch_games(
            fields=SUMMARY_FIELDS,
            catalog_fields=SUMMARY_CATALOG_FIELDS,
            ids=list(values),
            limit=len(values),
        )
        by_id = {record["id"]: record for record in records}
        return [
            shapes.popular_game(by_id[game_id], value)
            for game_id, value in values.items()
            if game_id in by_id
        ]

    def counted():
        return [
            shapes.popular_game(record, popularity)
            for record, popularity in catalog.popular(POPULAR_LIMIT)
        ]

    def local():
        # Counting the marks reads every row of the four relation tables (a tenth of
        # a second at a million rows): a count a few minutes old is good enough.
        return cache.get_or_set("games:popular:catalog", counted, CATALOG_POPULAR_TTL)

    return answer("games:popular", LIST_TTL, live, local)


def popularity_type(client: igdb.IGDBClient) -> int:
    """The id of IGDB's visits popularity type, read from IGDB and cached a day."""
    type_id = cache.get(POPULARITY_TYPE_CACHE_KEY)
    if type_id is not None:
        return type_id

    types = client.query(
        "popularity_types", igdb.apicalypse(fields=["name"], sort="id asc", limit=50)
    )
    known = [row for row in types if type(row.get("id")) is int]
    if not known:
        raise igdb.IGDBError("IGDB lists no popularity types")
    preferred = [
        row
        for row in known
        if str(row.get("name", "")).casefold() == PREFERRED_POPULARITY_TYPE
    ]
    type_id = (preferred or known)[0]["id"]
    cache.set(POPULARITY_TYPE_CACHE_KEY, type_id, DETAIL_TTL)
    return type_id
