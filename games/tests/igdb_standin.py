"""A stand-in for IGDB: its v4 API and Twitch's token endpoint on one local port.

It answers from the catalog that ships with Overworld (games/data/catalog.json) and
reads just enough Apicalypse for Overworld's own queries: `fields` (top-level names
honoured, `*` for all), `search "..."`, `where` with `&`-joined `field = (1,2)`,
`field = 3` and `field = null`, `sort field asc|desc`, `limit` (at most 500, as on
IGDB) and `offset`. A failure mode makes it misbehave the way IGDB can: `hang`, `429`
(with Retry-After), `500`, `malformed` JSON, or `401-once` (the next request only).
Failure modes apply to /v4 only; the token endpoint always answers.

Tests start it with `IGDBStandin().start()` or as a context manager. A developer runs

    python -m games.tests.igdb_standin --port 8765 [--fail hang]

and points Overworld at it with IGDB_API_URL=http://127.0.0.1:8765/v4,
TWITCH_TOKEN_URL=http://127.0.0.1:8765/oauth2/token and any IGDB_CLIENT_ID and
IGDB_CLIENT_SECRET.

Only the standard library is used: it runs without Django.
"""

import argparse
import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

CATALOG = Path(__file__).resolve().parents[1] / "data" / "catalog.json"
FAILURES = ("hang", "429", "500", "malformed", "401-once")
# IGDB's own popularity types (popularity_source 121), with IGDB's ids.
POPULARITY_TYPES = [
    {"id": 1, "name": "Visits", "popularity_source": 121},
    {"id": 2, "name": "Want to Play", "popularity_source": 121},
    {"id": 3, "name": "Playing", "popularity_source": 121},
    {"id": 4, "name": "Played", "popularity_source": 121},
]
DEFAULT_LIMIT = 10
MAX_LIMIT = 500
# Twitch's app tokens live about two months.
TOKEN_LIFETIME = 5_000_000
# A hanging request answers after this long even if nobody releases it.
HANG_LIMIT = 60
UNAUTHORIZED = {
    "message": "Authorization Failure. Have you tried:",
    "Tip 1": "Ensure you are sending Authorization and Client-ID as headers.",
    "Docs": "https://api-docs.igdb.com/#authentication",
}
MALFORMED_JSON = b'[{"id": 1, "name": "Trunc'
STATEMENT = re.compile(
    r"\s*(fields|exclude|search|where|sort|limit|offset)\s+(.*)", re.S
)
CONDITION = re.compile(r"\s*([a-z_.]+)\s*=\s*(\(\s*[0-9,\s]*\)|[0-9]+|null)\s*")
SORT = re.compile(r"\s*([a-z_.]+)(?:\s+(asc|desc))?\s*")


class ApicalypseError(ValueError):
    """A query the stand-in cannot read; IGDB answers these with a 400."""


@dataclass
class Query:
    fields: set[str] | None = None
    search: str | None = None
    conditions: list[tuple[str, object]] = field(default_factory=list)
    sort: tuple[str, bool] | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0


@dataclass(frozen=True)
class Request:
    path: str
    body: str
    headers: dict


def statements(body: str) -> list[str]:
    """The body split at semicolons that are not inside a quoted string."""
    parts, current, quoted, escaped = [], [], False, False
    for char in body:
        if char == ";" and not quoted:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
    if quoted or "".join(current).strip():
        raise ApicalypseError("unterminated statement")
    return [part for part in parts if part]


def unquote(literal: str) -> str:
    match = re.fullmatch(r'"((?:[^"\\]|\\.)*)"', literal.strip(), re.S)
    if not match:
        raise ApicalypseError(f"expected one quoted string, got {literal!r}")
    return re.sub(r"\\(.)", r"\1", match.group(1), flags=re.S)


def parse(body: str) -> Query:
    """The parts of an Apicalypse query that Overworld uses."""
    query = Query()
    for statement in statements(body):
        match = STATEMENT.fullmatch(statement)
        if not match:
            raise ApicalypseError(f"unknown statement {statement!r}")
        keyword, rest = match.groups()
        if keyword == "fields":
            names = {name.strip().split(".")[0] for name in rest.split(",")}
            query.fields = None if "*" in names else names
        elif keyword == "search":
            query.search = unquote(rest)
        elif keyword == "where":
            query.conditions = [condition(part) for part in rest.split("&")]
        elif keyword == "sort":
            sort = SORT.fullmatch(rest)
            if not sort:
                raise ApicalypseError(f"bad sort {rest!r}")
            query.sort = (sort.group(1), sort.group(2) == "desc")
        elif keyword in ("limit", "offset"):
            if not rest.strip().isdigit():
                raise ApicalypseError(f"{keyword} must be a number")
            setattr(query, keyword, int(rest))
    if not 1 <= query.limit <= MAX_LIMIT:
        raise ApicalypseError(f"limit must be between 1 and {MAX_LIMIT}")
    return query


def condition(text: str) -> tuple[str, object]:
    match = CONDITION.fullmatch(text)
    if not match:
        raise ApicalypseError(f"unsupported condition {text!r}")
    name, value = match.groups()
    if value == "null":
        return name, None
    if value.startswith("("):
        return name, {int(item) for item in value.strip("()").split(",") if item}
    return name, int(value)


def matches(record: dict, conditions) -> bool:
    for name, wanted in conditions:
        value = record.get(name)
        if isinstance(wanted, set):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def search_rank(name: str, term: str) -> int | None:
    """How well a name matches a search term, best first; None for no match."""
    name, term = name.casefold(), term.casefold()
    if name == term:
        return 0
    if name.startswith(term):
        return 1
    if term in name:
        return 2
    if all(word in name for word in term.split()):
        return 3
    return None


def select(records: list[dict], query: Query) -> list[dict]:
    chosen = [record for record in records if matches(record, query.conditions)]
    if query.search is not None:
        ranked = [
            (rank, record.get("name", ""), record)
            for record in chosen
            if (rank := search_rank(record.get("name", ""), query.search)) is not None
        ]
        chosen = [record for *_, record in sorted(ranked, key=lambda row: row[:2])]
    elif query.sort is not None:
        name, descending = query.sort
        known = [record for record in chosen if record.get(name) is not None]
        unknown = [record for record in chosen if record.get(name) is None]
        known.sort(key=lambda record: record[name], reverse=descending)
        chosen = known + unknown

    chosen = chosen[query.offset : query.offset + query.limit]
    if query.fields is None:
        return chosen
    return [
        {key: value for key, value in record.items() if key in {"id", *query.fields}}
        for record in chosen
    ]


def popularity_primitives(games: list[dict]) -> list[dict]:
    """Popularity of every game for each type: visits in catalog order, others not."""
    ids = itertools.count(1)
    rows = []
    for kind in POPULARITY_TYPES:
        ordered = games if kind["id"] == 1 else games[::-1]
        rows += [
            {
                "id": next(ids),
                "game_id": game["id"],
                "popularity_type": kind["id"],
                "popularity_source": kind["popularity_source"],
                "value": round(1 - rank / len(ordered), 6),
            }
            for rank, game in enumerate(ordered)
        ]
    return rows


class IGDBStandin:
    """IGDB and Twitch's token endpoint, served from a list of game records."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        games: list[dict] | None = None,
        quiet: bool = True,
    ):
        if games is None:
            games = json.loads(CATALOG.read_text(encoding="utf-8"))
        self.records = {
            "games": games,
            "popularity_types": [dict(kind) for kind in POPULARITY_TYPES],
            "popularity_primitives": popularity_primitives(games),
        }
        self.failure: str | None = None
        self.retry_after = 1
        self.requests: list[Request] = []
        self.tokens: dict[str, str] = {}
        self.token_requests = 0
        self.in_flight = self.max_in_flight = 0
        self.lock = threading.Lock()
        self.released = threading.Event()
        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.server.standin = self
        self.server.quiet = quiet
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/v4"

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth2/token"

    def start(self) -> "IGDBStandin":
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="igdb-standin",
            daemon=True,
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
        if self.thread is not None:
            self.thread.join()

    def __enter__(self) -> "IGDBStandin":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def fail(self, failure: str, *, retry_after: int = 1) -> None:
        """Misbehave from now on (once for 401-once) until recover()."""
        if failure not in FAILURES:
            raise ValueError(f"failure must be one of {FAILURES}")
        self.released.clear()
        self.failure, self.retry_after = failure, retry_after

    def recover(self) -> None:
        """Answer properly again, and let hanging requests answer."""
        self.failure = None
        self.released.set()

    def revoke_tokens(self) -> None:
        """Forget every token issued, as Twitch does when one expires or is revoked."""
        self.tokens.clear()

    def requests_to(self, endpoint: str) -> list[Request]:
        return [r for r in self.requests if r.path == f"/v4/{endpoint}"]

    def token(self, form: dict) -> tuple[int, bytes, dict]:
        """Twitch's client-credentials grant."""
        self.token_requests += 1
        if form.get("grant_type") != "client_credentials":
            return error(HTTPStatus.BAD_REQUEST, "unsupported grant type")
        if not form.get("client_id") or not form.get("client_secret"):
            return error(HTTPStatus.BAD_REQUEST, "missing client id or secret")
        token = f"standin-token-{self.token_requests}"
        self.tokens[token] = form["client_id"]
        payload = {
            "access_token": token,
            "expires_in": TOKEN_LIFETIME,
            "token_type": "bearer",
        }
        return json_answer(HTTPStatus.OK, payload)

    def api(self, endpoint: str, body: str, headers) -> tuple[int, bytes, dict]:
        """One /v4 request: failure mode first, then authentication, then the query."""
        failure = self.failure
        if failure == "hang":
            self.released.wait(HANG_LIMIT)
        elif failure == "429":
            answer = json_answer(
                HTTPStatus.TOO_MANY_REQUESTS, {"message": "Too Many Requests"}
            )
            answer[2]["Retry-After"] = str(self.retry_after)
            return answer
        elif failure == "500":
            return error(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal Server Error")
        elif failure == "malformed":
            return HTTPStatus.OK, MALFORMED_JSON, {"Content-Type": "application/json"}
        elif failure == "401-once":
            self.failure = None
            return json_answer(HTTPStatus.UNAUTHORIZED, UNAUTHORIZED)

        scheme, _, token = headers.get("Authorization", "").partition(" ")
        client_id = self.tokens.get(token) if scheme == "Bearer" else None
        if client_id is None or headers.get("Client-ID") != client_id:
            return json_answer(HTTPStatus.UNAUTHORIZED, UNAUTHORIZED)

        records = self.records.get(endpoint)
        if records is None:
            return error(HTTPStatus.NOT_FOUND, f"no endpoint {endpoint}")
        try:
            query = parse(body)
        except ApicalypseError as problem:
            return json_answer(
                HTTPStatus.BAD_REQUEST,
                [{"title": "Syntax Error", "status": 400, "cause": str(problem)}],
            )
        return json_answer(HTTPStatus.OK, select(records, query))


def json_answer(status: int, payload) -> tuple[int, bytes, dict]:
    return status, json.dumps(payload).encode(), {"Content-Type": "application/json"}


def error(status: int, message: str) -> tuple[int, bytes, dict]:
    return json_answer(status, {"status": status, "message": message})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "IGDBStandin/1"

    def do_POST(self):
        standin = self.server.standin
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        path, _, query_string = self.path.partition("?")
        path = path.rstrip("/")
        standin.requests.append(Request(path, body, dict(self.headers)))

        if path == "/oauth2/token":
            form = dict(parse_qsl(query_string)) | dict(parse_qsl(body))
            answer = standin.token(form)
        elif path.startswith("/v4/"):
            with standin.lock:
                standin.in_flight += 1
                standin.max_in_flight = max(standin.max_in_flight, standin.in_flight)
            try:
                answer = standin.api(path.removeprefix("/v4/"), body, self.headers)
            finally:
                with standin.lock:
                    standin.in_flight -= 1
        else:
            answer = error(HTTPStatus.NOT_FOUND, "Not Found")
        self.send(*answer)

    def send(self, status: int, body: bytes, headers: dict) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up waiting (a hang outlasted its read timeout).
            self.close_connection = True

    def log_message(self, format, *args):
        if not self.server.quiet:
            super().log_message(format, *args)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--fail", choices=FAILURES, help="start in this failure mode")
    parser.add_argument("--retry-after", type=int, default=1, metavar="SECONDS")
    options = parser.parse_args(argv)

    standin = IGDBStandin(host=options.host, port=options.port, quiet=False)
    if options.fail:
        standin.fail(options.fail, retry_after=options.retry_after)
    print(f"IGDB stand-in listening on {standin.url}", flush=True)
    print(
        f"Run Overworld with IGDB_API_URL={standin.api_url} "
        f"TWITCH_TOKEN_URL={standin.token_url} "
        "IGDB_CLIENT_ID=standin IGDB_CLIENT_SECRET=standin",
        flush=True,
    )
    try:
        standin.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        standin.released.set()
        standin.server.server_close()


if __name__ == "__main__":
    main()
