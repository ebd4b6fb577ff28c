"""After a load test: does the database hold what the successful writes left?

    python loadtest/consistency.py STATE_JSON RESULT_JSON

STATE_JSON is what loadtest/locustfile.py wrote at the end of the test: for every
simulated user, its played, liked, backlog and wishlist marks, ratings, journal
entries, follows and profile as its successful writes left them. This reads the same
through the Django ORM (with the server's environment: DATABASE_URL and the rest),
compares, and writes RESULT_JSON: {"ok", "checked": {what: how many}, "mismatches",
"notes"}. Exit status 0 when consistent, 1 otherwise.

Keys that a failed write left unknown are skipped (and said so in the notes); the run
has failed anyway then.
"""

import json
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MISMATCH_LIMIT = 100


def main(state_path: str, result_path: str) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "overworld.settings")
    import django

    django.setup()
    state = json.loads(Path(state_path).read_text(encoding="utf-8"))
    result = check(state)
    Path(result_path).write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return 0 if result["ok"] else 1


def check(state: dict) -> dict:
    from actions.models import RELATIONS, JournalEntry, Rating
    from games.models import Game
    from users.models import Follow, User

    checked: Counter = Counter()
    mismatches: list[str] = []
    notes: list[str] = []

    def mismatch(text: str) -> None:
        if len(mismatches) < MISMATCH_LIMIT:
            mismatches.append(text)
        checked["mismatches"] += 1

    users = state["users"]
    by_id = {u["id"]: u for u in users}

    # Accounts: exactly the registrations that succeeded (plus, at most, the ones
    # whose answer never came).
    prefix = f"lt{state['run_id']}u"
    in_db = dict(
        User.objects.filter(username__startswith=prefix).values_list("username", "id")
    )
    expected_names = {u["username"] for u in users}
    maybe = {a["username"] for a in state["abandoned_registrations"]}
    for name in sorted(expected_names - set(in_db)):
        mismatch(f"user {name}: registered (201) but not in the database")
    for name in sorted(set(in_db) - expected_names - maybe):
        mismatch(f"user {name}: in the database, but its registration failed")
    for u in users:
        if u["username"] in in_db and in_db[u["username"]] != u["id"]:
            mismatch(f"user {u['username']}: id {in_db[u['username']]}, not {u['id']}")
    if maybe:
        notes.append(f"registrations with unknown outcome: {sorted(maybe)}")
    checked["users"] = len(users)

    def skipped(user: dict, key: str) -> bool:
        unknown = user["unknown"]
        hit = any(k == key or k.startswith(key + ":") for k in unknown)
        if hit:
            notes.append(f"{user['username']}: {key} not compared (a write failed)")
        return hit

    def unknown_key(user: dict, key: str) -> bool:
        return key in user["unknown"]

    ids = list(by_id)
    for user in users:
        if user["in_flight"]:
            mismatch(
                f"{user['username']}: the test stopped with a write in flight "
                f"({user['in_flight']}); its outcome is unknown"
            )

    # Relations: one query per relation for all users.
    for relation, model in RELATIONS.items():
        rows: dict[int, set[int]] = {uid: set() for uid in ids}
        for uid, game in model.objects.filter(user_id__in=ids).values_list(
            "user_id", "game_id"
        ):
            rows[uid].add(game)
        for uid, user in by_id.items():
            expected = set(user["relations"][relation])
            actual = rows[uid]
            for igdb in sorted(expected ^ actual):
                if unknown_key(user, f"rel:{relation}:{igdb}"):
                    continue
                what = "missing" if igdb in expected else "unexpected"
                mismatch(f"{user['username']}: {relation} game {igdb} {what}")
            checked[f"{relation} marks"] += len(expected)

    # Ratings.
    ratings: dict[int, dict[int, int]] = {uid: {} for uid in ids}
    for uid, game, value in Rating.objects.filter(user_id__in=ids).values_list(
        "user_id", "game_id", "rating"
    ):
        ratings[uid][game] = value
    for uid, user in by_id.items():
        expected = {int(k): v for k, v in user["ratings"].items()}
        actual = ratings[uid]
        for igdb in sorted(set(expected) | set(actual)):
            if expected.get(igdb) != actual.get(igdb) and not unknown_key(
                user, f"rating:{igdb}"
            ):
                mismatch(
                    f"{user['username']}: rating of game {igdb} is "
                    f"{actual.get(igdb)}, expected {expected.get(igdb)}"
                )
        checked["ratings"] += len(expected)

    # Journal entries, field by field.
    entries: dict[int, dict[int, dict]] = {uid: {} for uid in ids}
    for row in JournalEntry.objects.filter(user_id__in=ids).values(
        "id", "user_id", "game_id", "date", "review", "spoilers", "liked", "rating"
    ):
        entries[row["user_id"]][row["id"]] = {
            "game": row["game_id"],
            "date": row["date"].isoformat(),
            "review": row["review"],
            "spoilers": row["spoilers"],
            "liked": row["liked"],
            "rating": row["rating"],
        }
    for uid, user in by_id.items():
        if skipped(user, "journal"):
            continue
        expected = {
            e["id"]: {
                k: e[k]
                for k in ("game", "date", "review", "spoilers", "liked", "rating")
            }
            for e in user["journal"]
        }
        actual = entries[uid]
        for entry_id in sorted(set(expected) | set(actual)):
            if entry_id not in actual:
                mismatch(f"{user['username']}: journal entry {entry_id} missing")
            elif entry_id not in expected:
                mismatch(f"{user['username']}: journal entry {entry_id} unexpected")
            elif expected[entry_id] != actual[entry_id]:
                mismatch(
                    f"{user['username']}: journal entry {entry_id} is "
                    f"{actual[entry_id]}, expected {expected[entry_id]}"
                )
        checked["journal entries"] += len(expected)

    # Follows.
    follows: dict[int, set[str]] = {uid: set() for uid in ids}
    for uid, name in Follow.objects.filter(follower_id__in=ids).values_list(
        "follower_id", "followed__username"
    ):
        follows[uid].add(name)
    for uid, user in by_id.items():
        if skipped(user, "follow"):
            continue
        expected = set(user["following"])
        for name in sorted(expected ^ follows[uid]):
            what = "missing" if name in expected else "unexpected"
            mismatch(f"{user['username']}: follow of {name} {what}")
        checked["follows"] += len(expected)

    # Profiles.
    profiles = {
        row["id"]: row
        for row in User.objects.filter(pk__in=ids).values(
            "id", "email", "bio", "location", "twitter"
        )
    }
    for uid, user in by_id.items():
        row = profiles.get(uid)
        if row is None or skipped(user, "profile"):
            continue
        expected = {"email": user["email"], **user["profile"]}
        actual = {k: row[k] for k in expected}
        if expected != actual:
            mismatch(f"{user['username']}: profile is {actual}, expected {expected}")
        checked["profiles"] += 1

    # Games created from client metadata: one row each, as the first request said.
    new_games = {int(k): v for k, v in state["new_games"].items()}
    used = {igdb for u in users for igdb in u["new_games_used"]}
    rows = {
        g["igdb"]: g
        for g in Game.objects.filter(igdb__in=new_games).values(
            "igdb", "name", "cover_id", "is_placeholder"
        )
    }
    for igdb in sorted(used - set(rows)):
        mismatch(f"game {igdb}: used by successful requests but not in the database")
    for igdb, row in rows.items():
        meta = new_games[igdb]
        expected = {"name": meta["name"], "cover_id": meta["cover_id"], "ph": True}
        actual = {
            "name": row["name"],
            "cover_id": row["cover_id"],
            "ph": row["is_placeholder"],
        }
        if expected != actual:
            mismatch(f"game {igdb}: {actual}, expected {expected}")
    checked["games created by clients"] = len(rows)

    # Known games keep their names whatever metadata clients send.
    catalog = {int(k): v for k, v in state["catalog"].items()}
    names = dict(Game.objects.filter(igdb__in=catalog).values_list("igdb", "name"))
    for igdb, name in sorted(catalog.items()):
        if names.get(igdb) != name:
            mismatch(f"catalog game {igdb}: named {names.get(igdb)!r}, not {name!r}")
    checked["catalog games"] = len(catalog)

    return {
        "ok": checked["mismatches"] == 0,
        "checked": dict(checked),
        "mismatches": mismatches,
        "notes": sorted(set(notes)),
    }


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
