"""Overworld under load: people registering, logging in and using the whole API.

Started by loadtest/run.py, which points it at a throwaway server and database; never
point it at data you care about.

Each simulated user touches only its own data (its played, liked, backlog and wishlist
marks, ratings, journal, follows and profile), one request at a time, so the state its
successful writes must leave behind is known exactly. The user keeps that state
(`Expected`), checks every read of its own data against it while the test runs (a
mismatch is a failed request), and at the end of the test the states of all users are
written to LOADTEST_STATE_FILE, which loadtest/consistency.py compares with the
database.

Every request must answer with the one status it should; anything else, including a
429 or a connection error, is a failure. A write that failed leaves its outcome unknown:
its keys are then left out of later comparisons (the run has failed anyway, and this
keeps one failure from being reported again as a cascade of inconsistencies).
"""

import functools
import itertools
import json
import os
import random
import secrets
import string
import traceback
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote, urlencode

import gevent
from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

RUN_ID = os.environ.get("LOADTEST_RUN_ID") or secrets.token_hex(3)
STATE_FILE = os.environ.get("LOADTEST_STATE_FILE")

CATALOG_FILE = Path(__file__).resolve().parent.parent / "games/data/catalog.json"
CATALOG = {
    record["id"]: record["name"]
    for record in json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
}
CATALOG_IDS = sorted(CATALOG)

# Games that are not in the catalog: the first request that uses one creates it from
# the metadata it carries. Several users share them, so they also race to create them.
NEW_GAME_BASE = 2_000_000_000
NEW_GAMES = {
    NEW_GAME_BASE + k: {"name": f"Load Test Homebrew {k}", "cover_id": f"ltcover{k}"}
    for k in range(12)
}
# Never in the catalog nor created by the test: its detail is a 404.
UNKNOWN_GAME = 1_999_999_999

# Set on known games now and then: the API must never let a client rename them.
BOGUS_NAME = "Renamed By A Load Test"

ACTIONS = {
    "log": "played",
    "like": "liked",
    "backlog": "backlog",
    "wishlist": "wishlist",
}
RELATIONS = tuple(ACTIONS.values())
ENTRY_FIELDS = ("id", "date", "review", "spoilers", "liked", "rating", "user")

# Module state, shared by the users of this one locust process (gevent: no threads).
USERS: dict[str, "Expected"] = {}
ABANDONED: list[dict] = []  # registrations whose outcome is unknown
FAILURES: list[dict] = []
HARNESS_ERRORS: list[str] = []
FAILURE_DETAIL_LIMIT = 200
FAILURE_COUNT = 0
SERIAL = itertools.count(1)


class Expected:
    """What one user's successful writes must have left in the database."""

    def __init__(self, username: str, email: str, password: str):
        self.username = username
        self.email = email
        self.password = password
        self.id: int | None = None
        # Ordered sets (dicts), oldest first: lists are answered newest first.
        self.relations: dict[str, dict[int, None]] = {name: {} for name in RELATIONS}
        self.ratings: dict[int, int] = {}
        self.journal: dict[int, dict] = {}
        self.following: dict[str, None] = {}
        self.profile = {"bio": "", "location": "", "twitter": ""}
        self.new_games_used: set[int] = set()
        # Keys whose state a failed write left unknown, and the write in flight.
        self.unknown: set[str] = set()
        self.in_flight: list[str] | None = None

    def known(self, *keys: str) -> bool:
        return not any(
            key in self.unknown or any(u.startswith(key + ":") for u in self.unknown)
            for key in keys
        )

    def relation_set(self, relation: str, igdb: int, value: bool) -> None:
        marks = self.relations[relation]
        if value:
            marks.setdefault(igdb, None)  # marking again keeps the original time
        else:
            marks.pop(igdb, None)
        if relation == "played" and value:
            self.relations["backlog"].pop(igdb, None)

    def rating_set(self, igdb: int, rating: int | None) -> None:
        if rating is None:
            self.ratings.pop(igdb, None)
        else:
            self.ratings[igdb] = rating

    def journal_sorted(self) -> list[dict]:
        return sorted(
            self.journal.values(), key=lambda e: (e["date"], e["id"]), reverse=True
        )

    def to_json(self) -> dict:
        return {
            "username": self.username,
            "email": self.email,
            "id": self.id,
            "relations": {name: list(marks) for name, marks in self.relations.items()},
            "ratings": {str(igdb): value for igdb, value in self.ratings.items()},
            "journal": list(self.journal.values()),
            "following": list(self.following),
            "profile": self.profile,
            "new_games_used": sorted(self.new_games_used),
            "unknown": sorted(self.unknown),
            "in_flight": self.in_flight,
        }


def entry_view(entry: dict) -> dict:
    """The fields of a journal entry the test knows, from an answer or from Expected."""
    game = entry.get("game")
    igdb = game.get("igdb") if isinstance(game, dict) else game
    return {"game": igdb, **{field: entry.get(field) for field in ENTRY_FIELDS}}


def grouped(entries: list[dict]) -> list:
    """A journal as the API groups it, from entries already sorted newest first."""
    years: list[dict] = []
    for entry in entries:
        day = date.fromisoformat(entry["date"])
        if not years or years[-1]["year"] != day.year:
            years.append({"year": day.year, "months": []})
        months = years[-1]["months"]
        if not months or months[-1]["month"] != day.month:
            months.append({"month": day.month, "entries": []})
        months[-1]["entries"].append(entry_view(entry))
    return years


def answered_journal(data) -> list:
    return [
        {
            "year": year.get("year"),
            "months": [
                {
                    "month": month.get("month"),
                    "entries": [entry_view(e) for e in month.get("entries", [])],
                }
                for month in year.get("months", [])
            ],
        }
        for year in data
    ]


def differs(expected, answered) -> str | None:
    if expected == answered:
        return None
    return f"expected {short(expected)}, answered {short(answered)}"


def short(value, limit: int = 400) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


def words(count: int) -> str:
    vocabulary = [
        "boss",
        "jump",
        "grind",
        "lore",
        "speedrun",
        "pixel",
        "ending",
        "très",
        "bien",
        "ゲーム",
        "🎮",
        "combo",
        "save",
        "quest",
        "co-op",
    ]
    return " ".join(random.choice(vocabulary) for _ in range(count))


def today_utc() -> date:
    return datetime.now(timezone.utc).date()


# Seconds a user waits before each task.
THINK_TIME = (0.3, 1.2)


def step(weight: int):
    """A task that starts with the user's think time.

    Locust's own wait between tasks (wait_time) is where it stops a user at the end of
    the test, and a user whose wait has just ended can be killed in the middle of its
    next request, whose outcome is then unknown. Waiting inside the task instead, before
    any request, means a stopping user is only ever killed while thinking; one that has
    started a request is let finish its task (run.py gives locust a --stop-timeout).
    """

    def decorate(function):
        @functools.wraps(function)
        def thinking(self):
            gevent.sleep(random.uniform(*THINK_TIME))
            return function(self)

        return task(weight)(thinking)

    return decorate


class Player(FastHttpUser):
    wait_time = constant(0)  # see step()
    # A server that takes a minute to answer has failed the test anyway.
    network_timeout = 60.0
    connection_timeout = 10.0

    # -- plumbing ----------------------------------------------------------------

    def call(self, method, path, name, *, expect=200, body=None, auth=True, check=None):
        """One request; (True, JSON answer) when it answered as it must."""
        global FAILURE_COUNT
        if random.random() < 0.2:
            # Every path answers with and without its trailing slash.
            head, _, query = path.partition("?")
            path = head.rstrip("/") + (f"?{query}" if query else "")
        headers = {}
        if auth and getattr(self, "access", None):
            headers["Authorization"] = f"Bearer {self.access}"
        with self.client.request(
            method, path, name=name, json=body, headers=headers, catch_response=True
        ) as response:
            status = response.status_code
            problem = detail = data = None
            if status != expect:
                problem = f"expected {expect}, got {status or 'no answer'}"
            else:
                try:
                    data = response.json() if response.content else None
                except ValueError:
                    problem = "answer is not JSON"
                if problem is None and check is not None:
                    detail = check(data)
                    if detail:
                        problem = "inconsistent answer"
            if problem is None:
                response.success()
                return True, data
            response.failure(problem)
            FAILURE_COUNT += 1
            if len(FAILURES) < FAILURE_DETAIL_LIMIT:
                FAILURES.append(
                    {
                        "at": datetime.now(timezone.utc).isoformat(),
                        "user": self.state.username if self.state else None,
                        "request": f"{method} {path}",
                        "body": hide_secrets(body),
                        "status": status,
                        "problem": problem,
                        "detail": detail if problem == "inconsistent answer" else None,
                        "answer": (response.text or "")[:1000],
                        "error": repr(getattr(response, "error", None) or "")[:300],
                    }
                )
            return False, data

    def write(self, keys, method, path, name, *, expect=200, body=None, check=None):
        """A request that changes the user's data: its keys are unknown if it fails."""
        self.state.in_flight = keys
        ok, data = self.call(method, path, name, expect=expect, body=body, check=check)
        self.state.in_flight = None
        if not ok:
            self.state.unknown.update(keys)
        return ok, data

    def game_body(self, igdb: int, id_field: str = "igdb") -> dict:
        body = {id_field: igdb}
        if igdb in NEW_GAMES:
            body.update(NEW_GAMES[igdb])
        elif random.random() < 0.1:
            body["name"] = BOGUS_NAME
        return body

    def used(self, igdb: int) -> None:
        if igdb in NEW_GAMES:
            self.state.new_games_used.add(igdb)

    def pick_game(self) -> int:
        return random.choice(self.games)

    def others(self) -> list["Expected"]:
        return [u for u in USERS.values() if u is not self.state and u.id is not None]

    # -- start: register and log in ------------------------------------------------

    def on_start(self):
        self.state = None
        self.access = None
        # A few games each, so that marks are toggled back and forth on the same rows.
        self.games = random.sample(CATALOG_IDS, 14) + random.sample(list(NEW_GAMES), 3)
        username = f"lt{RUN_ID}u{next(SERIAL)}"
        password = secrets.token_urlsafe(18)
        state = Expected(username, f"{username}@loadtest.example.com", password)
        self.state = state

        attempt = {"username": username}
        ABANDONED.append(attempt)
        ok, data = self.call(
            "POST",
            "/api/users/register/",
            "POST /api/users/register/",
            expect=201,
            body={"username": username, "email": state.email, "password": password},
            check=lambda d: (
                differs(
                    {"username": username, "email": state.email},
                    {k: (d.get("user") or {}).get(k) for k in ("username", "email")},
                )
                or (None if d.get("access") and d.get("refresh") else "no tokens")
            ),
        )
        if not ok:
            raise StopUser()
        ABANDONED.remove(attempt)
        state.id = data["user"]["id"]
        USERS[username] = state

        ok, data = self.call(
            "POST",
            "/api/users/login/",
            "POST /api/users/login/",
            body={"username": username.upper(), "password": password},
            auth=False,
            check=lambda d: differs(state.id, (d.get("user") or {}).get("id")),
        )
        if not ok:
            raise StopUser()
        self.access, self.refresh = data["access"], data["refresh"]

    # -- played, liked, backlog, wishlist ----------------------------------------

    def relation_post(self, value: bool | None):
        action = random.choice(list(ACTIONS))
        relation = ACTIONS[action]
        igdb = self.pick_game()
        state = self.state
        keys = [f"rel:{relation}:{igdb}"]
        if relation == "played":
            keys.append(f"rel:backlog:{igdb}")
        known = state.known(*keys)
        new = (igdb not in state.relations[relation]) if value is None else value
        expected = {"game": igdb, "user": state.id, "action": action, "value": new}
        if relation == "played" and new and igdb in state.relations["backlog"]:
            expected["removed_from_backlog"] = True

        body = self.game_body(igdb)
        mode = "toggle"
        if value is not None:
            body["value"] = value
            mode = "value"
        ok, _ = self.write(
            keys,
            "POST",
            f"/api/actions/{action}/",
            f"POST /api/actions/{action}/ ({mode})",
            body=body,
            check=lambda d: differs(expected, d) if known else None,
        )
        if ok:
            self.used(igdb)
            state.relation_set(relation, igdb, new)

    @step(8)
    def toggle_relation(self):
        self.relation_post(None)

    @step(6)
    def set_relation(self):
        self.relation_post(random.choice([True, False]))

    @step(4)
    def relation_state(self):
        igdb = self.pick_game()
        state = self.state

        def check(data):
            known = {r for r in RELATIONS if state.known(f"rel:{r}:{igdb}")}
            expected = {r: igdb in state.relations[r] for r in known}
            answered = {r: data.get(r) for r in known}
            if data == {} and igdb in NEW_GAMES and igdb not in state.new_games_used:
                return None  # nobody has created this game yet
            return differs(expected, answered)

        self.call(
            "GET", f"/api/actions/?igdb={igdb}", "GET /api/actions/?igdb=", check=check
        )

    @step(2)
    def relation_list(self):
        relation = random.choice(RELATIONS)
        state = self.state

        def check(data):
            if not state.known(f"rel:{relation}"):
                return None
            expected = list(reversed(state.relations[relation]))
            answered = [game.get("igdb") for game in data.get("results", [])]
            return differs(
                {"count": len(expected), "games": expected},
                {"count": data.get("count"), "games": answered},
            )

        self.call(
            "GET",
            f"/api/users/{state.username}/{relation}/?page_size=200",
            f"GET /api/users/<username>/{relation}/",
            auth=random.random() < 0.5,
            check=check,
        )

    # -- ratings -----------------------------------------------------------------

    @step(4)
    def rate(self):
        igdb = self.pick_game()
        rating = random.randint(1, 10)
        body = {**self.game_body(igdb, "game"), "rating": rating}
        expected = {"game": igdb, "user": self.state.id, "rating": rating}
        ok, _ = self.write(
            [f"rating:{igdb}"],
            "POST",
            "/api/actions/ratings/",
            "POST /api/actions/ratings/",
            body=body,
            check=lambda d: differs(expected, d),
        )
        if ok:
            self.used(igdb)
            self.state.rating_set(igdb, rating)

    @step(2)
    def read_rating(self):
        igdb = self.pick_game()
        state = self.state

        def check(data):
            if not state.known(f"rating:{igdb}"):
                return None
            if igdb not in state.ratings:
                return differs({}, data)
            return differs(
                {"game": igdb, "user": state.id, "rating": state.ratings[igdb]}, data
            )

        self.call(
            "GET",
            f"/api/actions/ratings/?game={igdb}",
            "GET /api/actions/ratings/?game=",
            check=check,
        )

    @step(1)
    def delete_rating(self):
        state = self.state
        igdb = random.choice(list(state.ratings) or self.games)
        ok, _ = self.write(
            [f"rating:{igdb}"],
            "DELETE",
            f"/api/actions/ratings/?game={igdb}",
            "DELETE /api/actions/ratings/?game=",
            expect=204,
        )
        if ok:
            state.rating_set(igdb, None)

    # -- journal -------------------------------------------------------------------

    @step(5)
    def journal_create(self):
        state = self.state
        igdb = self.pick_game()
        day = today_utc() - timedelta(days=random.randint(0, 6 * 365))
        body = {
            "game": self.game_body(igdb, random.choice(["igdb", "igdb", "id"])),
            "date": day.isoformat(),
        }
        entry = {
            "game": igdb,
            "date": day.isoformat(),
            "review": "",
            "spoilers": False,
            "liked": False,
            "rating": None,
            "user": state.id,
        }
        if random.random() < 0.7:
            body["review"] = entry["review"] = words(random.randint(1, 40))
        if random.random() < 0.5:
            body["spoilers"] = entry["spoilers"] = random.random() < 0.3
        if random.random() < 0.6:
            body["liked"] = entry["liked"] = random.choice([True, False])
        if random.random() < 0.7:
            body["rating"] = entry["rating"] = random.choice([None, *range(1, 11)])

        def check(data):
            if not isinstance(data.get("id"), int) or data["id"] in state.journal:
                return f"bad id {data.get('id')!r}"
            return differs({**entry_view(entry), "id": data["id"]}, entry_view(data))

        keys = [
            "journal",
            f"rel:played:{igdb}",
            f"rel:backlog:{igdb}",
            f"rel:liked:{igdb}",
            f"rating:{igdb}",
        ]
        ok, data = self.write(
            keys,
            "POST",
            "/api/actions/journal/",
            "POST /api/actions/journal/",
            body=body,
            check=check,
        )
        if ok:
            self.used(igdb)
            entry["id"] = data["id"]
            state.journal[entry["id"]] = entry
            state.relation_set("played", igdb, True)  # and out of the backlog
            if entry["liked"]:
                state.relation_set("liked", igdb, True)
            if entry["rating"] is not None:
                state.rating_set(igdb, entry["rating"])

    @step(4)
    def journal_read(self):
        state = self.state
        entries = state.journal_sorted()
        query = {"username": state.username}
        variant = random.choice(["all", "all", "year", "limit", "mine"])
        if variant == "year":
            year = random.choice([e["date"][:4] for e in entries] or ["2020"])
            query["year"] = year
            entries = [e for e in entries if e["date"].startswith(year)]
        elif variant == "limit":
            limit = random.randint(1, 5)
            query["limit"] = limit
            entries = entries[:limit]
        elif variant == "mine":
            del query["username"]  # an authenticated caller's own journal

        def check(data):
            if not state.known("journal"):
                return None
            return differs(grouped(entries), answered_journal(data))

        self.call(
            "GET",
            "/api/actions/journal/" + (f"?{urlencode(query)}" if query else ""),
            f"GET /api/actions/journal/?username= ({variant})",
            auth=variant == "mine" or random.random() < 0.5,
            check=check,
        )

    @step(1)
    def journal_read_other(self):
        others = self.others()
        if others:
            other = random.choice(others)
            self.call(
                "GET",
                f"/api/actions/journal/?username={other.username}",
                "GET /api/actions/journal/?username= (someone else)",
                auth=False,
            )

    @step(3)
    def journal_entry(self):
        state = self.state
        if not state.journal:
            return self.journal_create()
        entry = random.choice(list(state.journal.values()))
        self.call(
            "GET",
            f"/api/actions/journal/{entry['id']}/",
            "GET /api/actions/journal/<id>/",
            auth=random.random() < 0.5,
            check=lambda d: (
                differs(entry_view(entry), entry_view(d))
                if state.known("journal")
                else None
            ),
        )

    @step(2)
    def journal_patch(self):
        state = self.state
        if not state.journal:
            return self.journal_create()
        entry = random.choice(list(state.journal.values()))
        igdb = entry["game"]
        changes = {}
        while not changes:
            if random.random() < 0.5:
                changes["review"] = words(random.randint(0, 20))
            if random.random() < 0.3:
                changes["spoilers"] = random.choice([True, False])
            if random.random() < 0.3:
                changes["liked"] = random.choice([True, False])
            if random.random() < 0.3:
                changes["rating"] = random.choice([None, *range(1, 11)])
            if random.random() < 0.2:
                day = today_utc() - timedelta(days=random.randint(0, 6 * 365))
                changes["date"] = day.isoformat()
        after = {**entry, **changes}
        keys = ["journal", f"rel:liked:{igdb}", f"rating:{igdb}"]
        ok, _ = self.write(
            keys,
            "PATCH",
            f"/api/actions/journal/{entry['id']}/",
            "PATCH /api/actions/journal/<id>/",
            body=changes,
            check=lambda d: differs(entry_view(after), entry_view(d)),
        )
        if ok:
            entry.update(changes)
            # Liking or rating an entry likes or rates the game; false or null
            # leaves the like and the rating of the game alone.
            if changes.get("liked"):
                state.relation_set("liked", igdb, True)
            if changes.get("rating") is not None:
                state.rating_set(igdb, changes["rating"])

    @step(1)
    def journal_delete(self):
        state = self.state
        if not state.journal:
            return self.journal_create()
        entry_id = random.choice(list(state.journal))
        ok, _ = self.write(
            ["journal"],
            "DELETE",
            f"/api/actions/journal/{entry_id}/",
            "DELETE /api/actions/journal/<id>/",
            expect=204,
        )
        if ok:
            del state.journal[entry_id]

    # -- profiles, follows, feed ---------------------------------------------------

    @step(1)
    def current_user(self):
        state = self.state
        self.call(
            "GET",
            "/api/users/user/",
            "GET /api/users/user/",
            check=lambda d: differs(
                {"id": state.id, "username": state.username, "email": state.email}, d
            ),
        )

    @step(2)
    def own_profile(self):
        state = self.state

        def check(data):
            expected = {
                "id": state.id,
                "username": state.username,
                "email": state.email,
                "is_following": False,
                **state.profile,
            }
            if state.known("rel", "rating", "journal", "follow"):
                expected.update(
                    {f"{r}_count": len(state.relations[r]) for r in RELATIONS},
                    journal_count=len(state.journal),
                    ratings_count=len(state.ratings),
                    following_count=len(state.following),
                )
            if not state.known("profile"):
                for field in state.profile:
                    expected.pop(field)
            return differs(expected, {k: data.get(k) for k in expected})

        self.call(
            "GET",
            f"/api/users/{state.username}/",
            "GET /api/users/<username>/ (own)",
            check=check,
        )

    @step(1)
    def other_profile(self):
        others = self.others()
        if not others:
            return
        other = random.choice(others)
        state = self.state
        self.call(
            "GET",
            f"/api/users/{other.username}/",
            "GET /api/users/<username>/ (someone else)",
            check=lambda d: (
                differs(
                    {
                        "username": other.username,
                        "is_following": other.username in state.following,
                        "has_email": False,
                    },
                    {
                        "username": d.get("username"),
                        "is_following": d.get("is_following"),
                        "has_email": "email" in d,
                    },
                )
                if state.known("follow")
                else None
            ),
        )

    @step(1)
    def profile_patch(self):
        state = self.state
        changes = {}
        while not changes:
            if random.random() < 0.6:
                changes["bio"] = words(random.randint(0, 30))
            if random.random() < 0.3:
                changes["location"] = random.choice(["", "Lyon", "Kyoto", "Oslo"])
            if random.random() < 0.3:
                handle = "".join(random.choices(string.ascii_letters + "_", k=10))
                changes["twitter"] = random.choice(["", handle, "@" + handle])
        after = {**state.profile, **changes}
        after["twitter"] = after["twitter"].removeprefix("@")
        ok, _ = self.write(
            ["profile"],
            "PATCH",
            "/api/users/profile/",
            "PATCH /api/users/profile/",
            body=changes,
            check=lambda d: differs(after, {k: d.get(k) for k in after}),
        )
        if ok:
            state.profile = after

    @step(2)
    def follow(self):
        others = self.others()
        if not others:
            return
        other = random.choice(others).username
        ok, _ = self.write(
            ["follow"],
            "POST",
            "/api/users/follow/",
            "POST /api/users/follow/",
            body={"username": other},
            check=lambda d: differs({"username": other, "following": True}, d),
        )
        if ok:
            self.state.following.setdefault(other, None)

    @step(1)
    def unfollow(self):
        state = self.state
        candidates = list(state.following) or [u.username for u in self.others()]
        if not candidates:
            return
        other = random.choice(candidates)
        ok, _ = self.write(
            ["follow"],
            "POST",
            "/api/users/unfollow/",
            "POST /api/users/unfollow/",
            body={"username": other},
            check=lambda d: differs({"username": other, "following": False}, d),
        )
        if ok:
            state.following.pop(other, None)

    @step(1)
    def following_list(self):
        state = self.state
        self.call(
            "GET",
            f"/api/users/{state.username}/following/?page_size=200",
            "GET /api/users/<username>/following/",
            check=lambda d: (
                differs(
                    list(reversed(state.following)),
                    [u.get("username") for u in d.get("results", [])],
                )
                if state.known("follow")
                else None
            ),
        )

    @step(1)
    def followers_list(self):
        others = self.others()
        if others:
            other = random.choice(others)
            self.call(
                "GET",
                f"/api/users/{other.username}/followers/",
                "GET /api/users/<username>/followers/",
                auth=False,
            )

    @step(3)
    def feed(self):
        state = self.state

        def check(data):
            if not state.known("follow"):
                return None
            strangers = {
                activity.get("user", {}).get("username")
                for activity in data.get("results", [])
            } - set(state.following)
            if strangers:
                return f"activity of users not followed: {sorted(strangers)}"
            return None

        ok, data = self.call(
            "GET", "/api/users/feed/", "GET /api/users/feed/", check=check
        )
        if ok and data.get("next") and random.random() < 0.3:
            self.call("GET", data["next"], "GET /api/users/feed/?cursor=", check=check)

    @step(1)
    def refresh_tokens(self):
        ok, data = self.call(
            "POST",
            "/api/users/token/refresh/",
            "POST /api/users/token/refresh/",
            body={"refresh": self.refresh},
            auth=False,
            check=lambda d: None if d.get("access") and d.get("refresh") else "tokens",
        )
        if ok:
            self.access, self.refresh = data["access"], data["refresh"]

    # -- games -------------------------------------------------------------------

    @step(3)
    def game_search(self):
        igdb = random.choice(CATALOG_IDS)
        name = CATALOG[igdb]
        if random.random() < 0.5:
            # An exact name comes first among its matches.
            query, check = (
                name,
                (lambda d: None if igdb in [g.get("id") for g in d] else "not found"),
            )
        else:
            query, check = random.choice(name.split()), None
        if "/" not in query and random.random() < 0.3:
            path, label = f"/api/games/search/{quote(query, safe='')}/", "<name>/"
        else:
            path, label = f"/api/games/search/?{urlencode({'q': query})}", "?q="
        self.call(
            "GET",
            path,
            f"GET /api/games/search/{label}",
            auth=random.random() < 0.5,
            check=check,
        )

    @step(3)
    def game_detail(self):
        igdb = random.choice(CATALOG_IDS)
        self.call(
            "GET",
            f"/api/games/{igdb}/",
            "GET /api/games/<igdb>/",
            auth=random.random() < 0.5,
            check=lambda d: differs(
                {"id": igdb, "name": CATALOG[igdb]},
                {"id": d.get("id"), "name": d.get("name")},
            ),
        )

    @step(1)
    def unknown_game(self):
        self.call(
            "GET",
            f"/api/games/{UNKNOWN_GAME}/",
            "GET /api/games/<unknown>/",
            expect=404,
        )

    @step(2)
    def popular(self):
        self.call(
            "GET",
            "/api/games/popular/",
            "GET /api/games/popular/",
            auth=random.random() < 0.5,
            check=lambda d: None if isinstance(d, list) and d else "empty",
        )

    @step(1)
    def backdrop(self):
        igdb = random.choice(CATALOG_IDS)
        self.call(
            "GET",
            f"/api/games/backdrop/{igdb}/",
            "GET /api/games/backdrop/<igdb>/",
            check=lambda d: differs(igdb, d.get("id")),
        )


def hide_secrets(body):
    if isinstance(body, dict):
        return {
            k: ("***" if k in ("password", "refresh") else v) for k, v in body.items()
        }
    return body


@events.user_error.add_listener
def harness_error(user_instance, exception, tb, **_kwargs):
    """An exception in this file's code: the test itself is broken, so it fails."""
    if len(HARNESS_ERRORS) < FAILURE_DETAIL_LIMIT:
        HARNESS_ERRORS.append(
            "".join(traceback.format_exception(type(exception), exception, tb))
        )


def stats_rows(stats) -> list[dict]:
    """Per endpoint and in total, from locust's stats once every user has stopped.

    (Its CSV files are rewritten once a second, so they can miss the last requests.)
    """
    entries = sorted(stats.entries.values(), key=lambda e: e.name)
    return [
        {
            "name": "all requests" if entry is stats.total else entry.name,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": entry.total_rps,
            "p50": entry.get_response_time_percentile(0.50),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99),
            "max": entry.max_response_time or 0,
        }
        for entry in [*entries, stats.total]
    ]


@events.test_stop.add_listener
def write_state(environment, **_kwargs):
    """After every user has stopped: the expected state, for the database check."""
    if not STATE_FILE:
        return
    state = {
        "stats": stats_rows(environment.stats),
        "errors": [
            {"name": e.name, "error": e.parse_error(e.error), "count": e.occurrences}
            for e in environment.stats.errors.values()
        ],
        "run_id": RUN_ID,
        "catalog": {str(igdb): name for igdb, name in CATALOG.items()},
        "bogus_name": BOGUS_NAME,
        "new_games": {str(igdb): meta for igdb, meta in NEW_GAMES.items()},
        "users": [user.to_json() for user in USERS.values()],
        "abandoned_registrations": ABANDONED,
        "failure_count": FAILURE_COUNT,
        "harness_errors": HARNESS_ERRORS,
        "failures": FAILURES,
    }
    Path(STATE_FILE).write_text(json.dumps(state, indent=1, ensure_ascii=False))
