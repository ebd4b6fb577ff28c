"""Contract fuzzing: schemathesis against a live server, checked against the schema.

Starts gunicorn on a throwaway SQLite database with the shipped catalog, registers a
user and gives them (and a user they follow) some games, ratings and journal entries,
then runs schemathesis over every operation of /api/schema/ with that user's token.
Any 5xx, any status code the schema does not list and any answer that does not match
its schema fails the run. The server and the database are removed however it ends.

    .venv/bin/python fuzz/run.py [--max-examples N] [--seed N] [--timeout SECONDS]
        [-- more options for schemathesis run, e.g. --include-path-regex journal]
"""

import argparse
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

logger = logging.getLogger("fuzz")
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
# Throttles would answer the fuzzer's thousands of requests with 429s.
GENEROUS_THROTTLES = {
    "THROTTLE_ANON_RATE": "100000/min",
    "THROTTLE_USER_RATE": "100000/min",
    "THROTTLE_LOGIN_RATE": "100000/min",
    "THROTTLE_REGISTER_RATE": "100000/hour",
    "THROTTLE_REFRESH_RATE": "100000/min",
}
PASSWORD = "fuzzing-is-fun-1843"
HOOKS = Path(__file__).with_name("hooks.py")
# Parameters that name what the seeded data holds: a user, a game, a journal entry.
BINDINGS = {
    "path.username": "usernames",
    "query.username": "usernames",
    "body.username": "usernames",
    "path.igdb": "games",
    "query.igdb": "games",
    "body.igdb": "games",
    "query.game": "games",
    "body.game": "games",
    "body.game.igdb": "games",
    "path.id": "entries",
}


def server_environment(workdir: Path, port: int) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "IGDB_", "THROTTLE_", "GUNICORN_"))
        and key not in ("DATABASE_URL", "REDIS_URL", "TWITCH_TOKEN_URL")
    }
    return {
        **env,
        **GENEROUS_THROTTLES,
        # Production settings, as deployed, apart from HTTPS.
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"sqlite:///{workdir / 'fuzz.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {seconds} s")


class Seeder:
    """Data for the fuzzer to find: real users, games and journal entries."""

    def __init__(self, base: str):
        self.base = base

    def call(self, method: str, path: str, token: str | None = None, **kwargs):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = requests.request(
            method, f"{self.base}{path}", headers=headers, timeout=10, **kwargs
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def register(self, username: str) -> str:
        body = {
            "username": username,
            "email": f"{username}@example.com",
            "password": PASSWORD,
        }
        return self.call("POST", "/api/users/register/", json=body)["access"]

    def seed(self) -> dict:
        games = [game["id"] for game in self.call("GET", "/api/games/popular/")[:4]]
        fuzzer, friend = self.register("fuzzer"), self.register("friend")
        self.call("POST", "/api/users/follow/", fuzzer, json={"username": "friend"})

        entries = []
        for token in (fuzzer, friend):
            for day, igdb in enumerate(games[:3], start=1):
                entry = {
                    "game": {"igdb": igdb},
                    "date": f"2024-0{day}-1{day}",
                    "review": "Worth it.",
                    "liked": day % 2 == 1,
                    "rating": 6 + day,
                }
                journal = "/api/actions/journal/"
                entries.append(self.call("POST", journal, token, json=entry)["id"])
            for action in ("backlog", "wishlist", "like"):
                body = {"igdb": games[3], "value": True}
                self.call("POST", f"/api/actions/{action}/", token, json=body)
        return {
            "token": fuzzer,
            "usernames": ["fuzzer", "friend"],
            "games": games,
            "entries": entries,
        }


def schemathesis_config(seeded: dict) -> str:
    """Known values for some parameters half of the time, random ones otherwise."""
    lines = [
        f"hooks = {json.dumps(str(HOOKS))}",
        "",
        "[dictionaries]",
        *(
            f"{name} = {{ values = {json.dumps(seeded[name])} }}"
            for name in sorted(set(BINDINGS.values()))
        ),
        "",
        "[parameters]",
        *(
            f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}'
            for key, name in BINDINGS.items()
        ),
    ]
    return "\n".join(lines) + "\n"


def run_schemathesis(base, workdir, seeded, options) -> int:
    config = workdir / "schemathesis.toml"
    config.write_text(schemathesis_config(seeded))
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        f"{base}/api/schema/?format=json",
        "--checks",
        CHECKS,
        "--header",
        f"Authorization: Bearer {seeded['token']}",
        "--max-examples",
        str(options.max_examples),
        # One worker: concurrent workers trip a CPython 3.11 bug in ast.parse,
        # which Hypothesis calls to describe its strategies.
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
    ]
    if options.seed is not None:
        command += ["--seed", str(options.seed)]
    command += options.schemathesis_options
    try:
        return subprocess.run(command, cwd=workdir, timeout=options.timeout).returncode
    except subprocess.TimeoutExpired:
        logger.error("schemathesis did not finish within %s s", options.timeout)
        return 1


def show_server_errors(log: Path) -> None:
    text = log.read_text(errors="replace")
    if "Traceback" in text or " ERROR " in text:
        logger.error("\n== Server errors\n%s", text[-20000:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=60)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--timeout", type=int, default=420, help="seconds")
    parser.add_argument("schemathesis_options", nargs="*", metavar="-- OPTION")
    options = parser.parse_args()
    # Stopped from outside (a CI timeout, say): still stop the server and clean up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    workdir = Path(tempfile.mkdtemp(prefix="overworld-fuzz-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_environment(workdir, port)
    log = workdir / "server.log"
    server = None
    try:
        for command in (["migrate", "--noinput"], ["load_catalog"]):
            subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        with log.open("w") as output:
            server = subprocess.Popen(
                [str(BIN / "gunicorn"), "overworld.wsgi"],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        wait_until_up(base, server)
        seeded = Seeder(base).seed()

        status = run_schemathesis(base, workdir, seeded, options)
        if status != 0:
            show_server_errors(log)
        return status
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    sys.exit(main())
