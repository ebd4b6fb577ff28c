"""The benchmark's requests, with the queries each endpoint runs and their plans.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.plan OUTPUT.json

Run against a seeded database (bench.seed), with the server's environment: the access
tokens it writes are signed with the server's secret key. For every endpoint it picks
a fixed set of requests (users, games, values), sends one of them twice through
Django's test client, and records the queries of the second (warm) request together
with how the database plans each one (EXPLAIN). The OUTPUT file is what bench/run.py
gives the load generator.
"""

import argparse
import datetime
import itertools
import json
import logging
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

from actions.models import Liked, Rating  # noqa: E402
from bench.seed import username  # noqa: E402
from games.models import Game  # noqa: E402
from users.models import User  # noqa: E402

logger = logging.getLogger("bench.plan")

# Requests per endpoint, and users sending them: enough users and games that no row
# stays hot in a cache and no user is throttled, few enough that the load generator's
# table is small.
VARIETY = 400
SEED = 1843
TOKEN_LIFETIME = datetime.timedelta(hours=12)
HEAVY_USER, LIGHT_USER = username(0), username(1)


@dataclass
class Request:
    method: str
    path: str
    token: str | None = None
    body: dict | None = None
    # The client's address, as the reverse proxy in front of the app reports it.
    address: str | None = None

    def headers(self) -> dict:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.address:
            headers["X-Forwarded-For"] = self.address
        if self.body is not None:
            headers["Content-Type"] = "application/json"
        return headers


@dataclass
class Endpoint:
    name: str
    title: str
    requests: list[Request]
    # The request whose queries are recorded, sent after the first one: the same
    # request again, or for a write one that changes what the first wrote.
    warm: int = 0
    queries: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)


class Sample:
    """Users with tokens, and games, drawn the same way on every run."""

    def __init__(self):
        self.random = random.Random(SEED)
        users = list(User.objects.order_by("id").values_list("id", flat=True))
        self.game_count = Game.objects.count()
        self.user_ids = self.random.sample(users, min(VARIETY, len(users)))
        self.turn = itertools.cycle(self.user_ids)
        self.tokens = {}
        for user in User.objects.filter(id__in=self.user_ids):
            token = AccessToken.for_user(user)
            token.set_exp(lifetime=TOKEN_LIFETIME)
            self.tokens[user.id] = str(token)
        self.usernames = list(
            User.objects.filter(id__in=self.user_ids).values_list("username", flat=True)
        )

    def address(self) -> str:
        """Anonymous requests come from as many addresses as there are users, so
        that none is throttled at the production rates either."""
        number = self.user()
        return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"

    def game(self) -> int:
        return self.random.randint(1, self.game_count)

    def user(self) -> int:
        """The next user in turn: every user sends as many requests, so that none
        comes near the per-user throttle, which runs at its production rate."""
        return next(self.turn)

    def owned(self, model, user: int) -> list[int]:
        return list(model.objects.filter(user=user).values_list("game", flat=True))


def endpoints(sample: Sample) -> list[Endpoint]:
    def each(make) -> list[Request]:
        return [make(index) for index in range(VARIETY)]

    def mark_state(index):
        # Half of the games the user has marks on, half any game.
        user = sample.user()
        owned = sample.owned(Liked, user)
        game = owned[index % len(owned)] if index % 2 else sample.game()
        return Request("GET", f"/api/actions/?igdb={game}", sample.tokens[user])

    def rating(index):
        user = sample.user()
        rated = sample.owned(Rating, user)
        game = rated[index % len(rated)] if index % 2 else sample.game()
        return Request("GET", f"/api/actions/ratings/?game={game}", sample.tokens[user])

    # Each user and game twice, half the table apart: liked, then not liked, so that
    # every round of the table really writes.
    likes = [(sample.user(), sample.game()) for _ in range(VARIETY // 2)]
    like_requests = [
        Request("POST", "/api/actions/like/", sample.tokens[user], body)
        for value in (True, False)
        for user, game in likes
        for body in [{"igdb": game, "value": value}]
    ]

    def rate(index):
        user = sample.user()
        body = {"game": sample.game(), "rating": index % 10 + 1}
        return Request("POST", "/api/actions/ratings/", sample.tokens[user], body)

    def public(path):
        return each(lambda _: Request("GET", path, address=sample.address()))

    def journal(name):
        return public(f"/api/actions/journal/?username={name}&limit=50")

    return [
        Endpoint(
            "ceiling",
            "ceiling: bare Django view, one primary-key query",
            each(
                lambda _: Request(
                    "GET", f"/bench/ceiling/{sample.game()}", address=sample.address()
                )
            ),
        ),
        Endpoint("actions", "GET /api/actions/?igdb=", each(mark_state)),
        Endpoint("rating", "GET /api/actions/ratings/?game=", each(rating)),
        Endpoint(
            "like",
            "POST /api/actions/like/ with value",
            like_requests,
            warm=len(likes),  # the first request's game, unliked
        ),
        Endpoint("rate", "POST /api/actions/ratings/", each(rate)),
        Endpoint(
            "journal-5000",
            "GET journal/?username=…&limit=50, 5,000 entries",
            journal(HEAVY_USER),
        ),
        Endpoint(
            "journal-50",
            "GET journal/?username=…&limit=50, 50 entries",
            journal(LIGHT_USER),
        ),
        Endpoint(
            "game",
            "GET /api/games/<igdb>/",
            each(
                lambda _: Request(
                    "GET", f"/api/games/{sample.game()}/", address=sample.address()
                )
            ),
        ),
        Endpoint("popular", "GET /api/games/popular/", public("/api/games/popular/")),
        Endpoint(
            "profile",
            "GET /api/users/<username>/",
            each(
                lambda i: Request(
                    "GET",
                    f"/api/users/{sample.usernames[i % 100]}/",
                    address=sample.address(),
                )
            ),
        ),
        Endpoint(
            "played",
            "GET /api/users/<username>/played/",
            each(
                lambda i: Request(
                    "GET",
                    f"/api/users/{sample.usernames[i % 100]}/played/",
                    address=sample.address(),
                )
            ),
        ),
        Endpoint(
            "feed",
            "GET /api/users/feed/",
            each(
                lambda _: Request(
                    "GET", "/api/users/feed/", sample.tokens[sample.user()]
                )
            ),
        ),
    ]


def send(client: Client, request: Request, secure: bool = False):
    headers = {
        f"HTTP_{name.upper().replace('-', '_')}": value
        for name, value in request.headers().items()
        if name != "Content-Type"
    }
    if request.body is None:
        return client.generic(request.method, request.path, secure=secure, **headers)
    return client.generic(
        request.method,
        request.path,
        json.dumps(request.body),
        content_type="application/json",
        secure=secure,
        **headers,
    )


def query_plan(sql: str) -> str:
    """How the database runs one query, in a line: its scans and the tables."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            (document,) = cursor.fetchone()
            plan = document[0]["Plan"] if isinstance(document, list) else document
            return "; ".join(postgres_scans(plan)) or plan["Node Type"]
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "; ".join(row[-1] for row in cursor.fetchall())


def postgres_scans(node: dict):
    if "Scan" in node["Node Type"] or node["Node Type"] == "ModifyTable":
        words = [node["Node Type"], node.get("Relation Name")]
        if node.get("Index Name"):
            words += ["using", node["Index Name"]]
        yield " ".join(word for word in words if word)
    for child in node.get("Plans", []):
        yield from postgres_scans(child)


def record_queries(endpoint: Endpoint, client: Client) -> None:
    """The queries of one warm request, and their plans."""
    for attempt, request in (
        ("cold", endpoint.requests[0]),
        ("warm", endpoint.requests[endpoint.warm]),
    ):
        with CaptureQueriesContext(connection) as captured:
            response = send(client, request)
        if response.status_code >= 300:
            raise SystemExit(
                f"{endpoint.name}: {request.method} {request.path} answered "
                f"{response.status_code} on the {attempt} request: {response.content!r}"
            )
    endpoint.queries = [query["sql"] for query in captured.captured_queries]
    plans = (
        query_plan(sql)
        for sql in endpoint.queries
        if sql.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE"))
    )
    # SQLite has no plan to show for a plain INSERT.
    endpoint.plans = [plan for plan in plans if plan]


def as_json(endpoint: Endpoint) -> dict:
    return {
        **asdict(endpoint),
        "requests": [
            {
                "method": request.method,
                "path": request.path,
                "headers": request.headers(),
                "body": None if request.body is None else json.dumps(request.body),
            }
            for request in endpoint.requests
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output")
    args = parser.parse_args()
    sample = Sample()
    client = Client(HTTP_HOST="127.0.0.1")
    planned = endpoints(sample)
    for endpoint in planned:
        record_queries(endpoint, client)
        logger.info("%s: %d queries", endpoint.name, len(endpoint.queries))
    Path(args.output).write_text(
        json.dumps([as_json(endpoint) for endpoint in planned], indent=1),
        encoding="utf-8",
    )


if __name__ == "__main__":
    # Django configured the root logger from DJANGO_LOG_LEVEL; this one always speaks.
    logger.setLevel(logging.INFO)
    main()
