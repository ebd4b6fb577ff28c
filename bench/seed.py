"""Fill an empty, migrated database with a realistic amount of Overworld data.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.seed --users 10000

With N users: 5N games; each user has 25 games in each of played, liked, backlog and
wishlist (100N relation rows), rates 20 games (20N ratings) and follows 20 users; the
journal holds 20N entries, 5,000 of them by the first user (player00001) and 50 by the
second (player00002), the rest spread over everyone else. Rows go in with COPY on
PostgreSQL and executemany on SQLite, never through the API. The data is the same on
every run: games and dates follow from each row's number.
"""

import argparse
import datetime
import itertools
import json
import logging
import time
from pathlib import Path

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from actions.models import RELATIONS, JournalEntry, Rating  # noqa: E402
from games.models import Game  # noqa: E402
from users.models import Follow, User  # noqa: E402

logger = logging.getLogger("bench.seed")

GAMES_PER_USER = 5
MARKS_PER_RELATION = 25
RATINGS_PER_USER = 20
FOLLOWS_PER_USER = 20
JOURNAL_PER_USER = 20
HEAVY_JOURNAL = 5_000
LIGHT_JOURNAL = 50
PASSWORD = "bench-password-1843"
# Strides that share no factor with the number of games, so that one user's k-th and
# j-th games differ for every k != j below the per-user counts.
MARK_STRIDE = 4_729
RATING_STRIDE = 3_331
FIRST_DAY = datetime.date(2012, 1, 1)
NOW = datetime.datetime(2026, 11, 1, 12, tzinfo=datetime.UTC)


def username(index: int) -> str:
    return f"player{index + 1:05d}"


def insert(model, fields: list[str], rows) -> int:
    """Write rows (tuples in the order of `fields`) in one statement; their count."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [model._meta.get_field(name) for name in fields]
    names = ", ".join(connection.ops.quote_name(field.column) for field in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            prepared = [
                tuple(
                    field.get_db_prep_value(value, connection)
                    for field, value in zip(columns, row, strict=True)
                )
                for row in rows
            ]
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({placeholders})", prepared
            )
            count = len(prepared)
    return count


def users(count: int):
    password = make_password(PASSWORD)
    for index in range(count):
        name = username(index)
        yield (
            index + 1,
            name,
            f"{name}@example.com",
            password,
            True,
            NOW - datetime.timedelta(days=index % 1_000),
            f"Player number {index + 1}." if index % 3 == 0 else "",
            # Columns without a database default.
            *("", "", "", ""),
            *(False, False),
        )


def games(count: int):
    for igdb in range(1, count + 1):
        yield (
            igdb,
            f"Game {igdb}",
            f"game-{igdb}",
            f"co{igdb:x}",
            FIRST_DAY + datetime.timedelta(days=igdb % 5_000),
            NOW,
            NOW,
            "",
            "",
            False,
        )


def marks(user_count: int, game_count: int, offset: int):
    for index in range(user_count):
        for k in range(MARKS_PER_RELATION):
            game = (index * 7_919 + offset + k * MARK_STRIDE) % game_count + 1
            yield index + 1, game, NOW - datetime.timedelta(minutes=index + k * 97)


def ratings(user_count: int, game_count: int):
    for index in range(user_count):
        for k in range(RATINGS_PER_USER):
            game = (index * 104_729 + k * RATING_STRIDE) % game_count + 1
            moment = NOW - datetime.timedelta(minutes=index * 3 + k)
            yield index + 1, game, (index + k) % 10 + 1, moment, moment


def journal_owners(user_count: int):
    """The user id of each journal entry: the heavy user, the light one, the rest."""
    rest = JOURNAL_PER_USER * user_count - HEAVY_JOURNAL - LIGHT_JOURNAL
    others = itertools.cycle(range(3, user_count + 1))
    return itertools.chain(
        itertools.repeat(1, HEAVY_JOURNAL),
        itertools.repeat(2, LIGHT_JOURNAL),
        (next(others) for _ in range(rest)),
    )


def journal(user_count: int, game_count: int):
    for number, user in enumerate(journal_owners(user_count)):
        day = FIRST_DAY + datetime.timedelta(days=number * 37 % 5_000)
        moment = NOW - datetime.timedelta(minutes=number)
        yield (
            user,
            number * 31 % game_count + 1,
            day,
            f"Finished it, entry {number}." if number % 3 == 0 else "",
            number % 11 == 0,
            number % 2 == 0,
            number % 10 + 1 if number % 4 else None,
            moment,
            moment,
        )


def follows(user_count: int):
    for index in range(user_count):
        for k in range(1, FOLLOWS_PER_USER + 1):
            followed = (index + k * 37) % user_count
            yield index + 1, followed + 1, NOW - datetime.timedelta(minutes=index + k)


def seed(user_count: int) -> dict:
    if user_count < 1_000:
        raise SystemExit("--users must be at least 1000 (the journal needs them)")
    game_count = GAMES_PER_USER * user_count
    counts = {}
    with transaction.atomic():
        counts["users"] = insert(
            User,
            [
                *("id", "username", "email", "password", "is_active"),
                *("date_joined", "bio", "first_name", "last_name", "location"),
                *("twitter", "is_staff", "is_superuser"),
            ],
            users(user_count),
        )
        counts["games"] = insert(
            Game,
            [
                "igdb",
                "name",
                "slug",
                "cover_id",
                "first_release_date",
                "created_at",
                "updated_at",
                "backdrop_id",
                "summary",
                "is_placeholder",
            ],
            games(game_count),
        )
        counts["relation rows"] = sum(
            insert(
                model, ["user", "game", "created_at"], marks(user_count, game_count, n)
            )
            for n, model in enumerate(RELATIONS.values())
        )
        counts["ratings"] = insert(
            Rating,
            ["user", "game", "rating", "created_at", "updated_at"],
            ratings(user_count, game_count),
        )
        counts["journal entries"] = insert(
            JournalEntry,
            [
                "user",
                "game",
                "date",
                "review",
                "spoilers",
                "liked",
                "rating",
                "created_at",
                "updated_at",
            ],
            journal(user_count, game_count),
        )
        counts["follows"] = insert(
            Follow, ["follower", "followed", "created_at"], follows(user_count)
        )
        with connection.cursor() as cursor:
            # Users were written with their ids: the next one registered follows them.
            for sql in connection.ops.sequence_reset_sql(no_style(), [User]):
                cursor.execute(sql)
    with connection.cursor() as cursor:
        # Statistics for the planner, and on PostgreSQL the visibility map that lets
        # index-only scans skip the table, and a checkpoint: otherwise autovacuum and
        # the checkpointer do this work in the middle of the first measurements.
        # (VACUUM cannot run in a transaction, which a test wraps everything in.)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--output", help="write the counts and seconds here (JSON)")
    args = parser.parse_args()
    started = time.monotonic()
    counts = seed(args.users)
    elapsed = time.monotonic() - started
    logger.info(
        "seeded %s in %.1f s",
        ", ".join(f"{count:,} {what}" for what, count in counts.items()),
        elapsed,
    )
    if args.output:
        summary = {"counts": counts, "seconds": elapsed}
        Path(args.output).write_text(json.dumps(summary), encoding="utf-8")


if __name__ == "__main__":
    # Django configured the root logger from DJANGO_LOG_LEVEL; this one always speaks.
    logger.setLevel(logging.INFO)
    main()
