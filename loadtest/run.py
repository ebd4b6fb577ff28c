#!/usr/bin/env python3
"""Load and consistency test: Overworld under gunicorn, PostgreSQL and Redis.

    python3 loadtest/run.py [--users 50] [--spawn-rate 2] [--run-time 60]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication) and Redis
on 127.0.0.1:6379, both already running (.ci/run starts them). It then

1. installs locust (loadtest/requirements.txt) into the project's .venv if missing;
2. creates a throwaway database and claims an empty Redis database number;
3. migrates, loads the game catalog and starts gunicorn with gunicorn.conf.py on a free
   port of 127.0.0.1, with production settings (DJANGO_DEBUG=0, a generated secret key);
4. runs locust headless (loadtest/locustfile.py): simulated users register, log in and
   use the whole API, checking every answer;
5. stops gunicorn and compares the database with what the users' successful writes
   should have produced (loadtest/consistency.py);
6. writes loadtest/report.md, prints a one-line verdict, drops the database and flushes
   the Redis database it used, whatever happened.

PASS needs zero failed requests (every answer must have the expected status and
content), zero 5xx and tracebacks in the server's log, and a consistent database.
Exit status: 0 PASS, 1 FAIL, 2 the test could not be set up. Logs and raw results are
kept in loadtest/.output/.
"""

import argparse
import contextlib
import csv
import json
import logging
import math
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from harness.stack import (  # noqa: E402 (the project's root is on the path now)
    HOST,
    ROOT,
    UNTHROTTLED,
    VENV,
    Resources,
    SetupError,
    check_postgres,
    check_redis,
    free_port,
    git_revision,
    manage,
    pip_install,
    reexec_in_venv,
    server_env,
    wait_healthy,
    wait_with_usage,
)

OUTPUT = HERE / ".output"
REPORT = HERE / "report.md"
STOP_TIMEOUT = 30  # seconds locust gives each user to finish the task it is in

logger = logging.getLogger("loadtest")


def log(message: str) -> None:
    logger.info("[loadtest] %s", message)


def ensure_locust() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("locust")
    except PackageNotFoundError:
        found = None
    if found is None or not found.startswith("2."):
        log("installing locust into .venv (loadtest/requirements.txt)")
        pip_install(HERE / "requirements.txt")
        found = version("locust")
    return found


# -- the results -----------------------------------------------------------------------

REQUEST_LINE = re.compile(
    r"overworld\.requests (?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) "
)


# Django's "2025-01-31 12:00:00,000 INFO ..." and gunicorn's "[2025-01-31 12:00:00 ...".
LOG_LINE = re.compile(r"^\[?\d{4}-\d\d-\d\d ")


def read_server_log(path: Path) -> dict:
    """Requests, 5xx answers, tracebacks and worker trouble in gunicorn's log."""
    requests = 0
    server_errors: list[str] = []
    tracebacks: list[str] = []
    trouble: list[str] = []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        match = REQUEST_LINE.search(line)
        if match:
            requests += match["path"].rstrip("/") != "/healthz"
            if match["status"].startswith("5"):
                server_errors.append(line)
        elif line.startswith("Traceback"):
            # With the line that logged it, up to the next log line (chained
            # exceptions included).
            block = [lines[index - 1]] if index else []
            while index < len(lines) and not (LOG_LINE.match(lines[index]) and block):
                block.append(lines[index])
                index += 1
            tracebacks.append("\n".join(block))
            continue
        elif re.search(r"\b(CRITICAL|ERROR)\b|WORKER TIMEOUT|SIGKILL", line):
            trouble.append(line)
        index += 1
    return {
        "requests": requests,
        "server_errors": server_errors,
        "tracebacks": tracebacks,
        "trouble": trouble,
    }


def number(value: str | None) -> float:
    try:
        return float(value or 0)
    except ValueError:
        return 0.0


def stats_table(stats: list[dict]) -> list[str]:
    lines = [
        "| endpoint | requests | failures | req/s "
        "| p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in stats:
        name = row["name"]
        name = f"**{name}**" if name == "all requests" else f"`{name}`"
        lines.append(
            f"| {name} | {row['requests']} | {row['failures']} | {row['rps']:.1f} "
            f"| {row['p50']} | {row['p95']} | {row['p99']} | {row['max']:.0f} |"
        )
    return lines


def stats_from_csv(prefix: Path) -> tuple[list[dict], list[dict]]:
    """locust's CSV files, for when the locustfile could not write its own stats."""

    def rows(path: Path) -> list[dict]:
        if not path.exists():
            return []
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    stats = [
        {
            "name": "all requests" if r["Name"] == "Aggregated" else r["Name"],
            "requests": int(number(r["Request Count"])),
            "failures": int(number(r["Failure Count"])),
            "rps": number(r["Requests/s"]),
            **{f"p{q}": int(number(r[f"{q}%"])) for q in (50, 95, 99)},
            "max": number(r["Max Response Time"]),
        }
        for r in rows(Path(f"{prefix}_stats.csv"))
    ]
    errors = [
        {"name": r["Name"], "error": r["Error"], "count": int(number(r["Occurrences"]))}
        for r in rows(Path(f"{prefix}_failures.csv"))
    ]
    return stats, errors


def fenced(text: str) -> list[str]:
    return ["```", text.rstrip(), "```"]


def write_report(run: dict) -> None:
    stats, failure_rows = run.get("stats", []), run.get("failure_rows", [])
    server = run.get("server_log") or {}
    consistency = run.get("consistency")
    state = run.get("state") or {}
    lines = [
        "# Overworld load and consistency test",
        "",
        f"**{run['verdict']}** — {run['summary']}",
        "",
    ]
    if run.get("reasons"):
        lines += [f"- {reason}" for reason in run["reasons"]] + [""]
    lines += [
        "## Setup",
        "",
        f"- started {run['started']} UTC, revision {run['revision']}",
        f"- {run['users']} simulated users, started {run['spawn_rate']:g} a second "
        f"in {run['ramp']} s, then all of them for {run['run_time']} s; one locust "
        f"{run.get('locust_version', '?')} process (FastHttpUser), each user "
        "thinking 0.3-1.2 s before each task",
        f"- gunicorn with gunicorn.conf.py: {run['workers']} workers x "
        f"{run['threads']} threads (gthread) on {HOST}:{run.get('port', '?')}",
        f"- PostgreSQL database `{run.get('database', '?')}` (dropped afterwards), "
        f"Redis database {run.get('redis_db', '?')} (flushed afterwards)",
        "- DJANGO_DEBUG=0 with a generated secret key, DJANGO_SECURE_SSL_REDIRECT=0, "
        f"DJANGO_ALLOWED_HOSTS={HOST},localhost, throttle rates {UNTHROTTLED}",
    ]
    if "locust_cpu" in run:
        lines.append(
            f"- CPU time: locust {run['locust_cpu']:.0f} s, gunicorn (all workers) "
            f"{run.get('gunicorn_cpu', 0):.0f} s, over {run['locust_wall']:.0f} s "
            f"on {os.cpu_count()} cores"
        )
    if run.get("locust_warnings"):
        lines += ["- locust warned:", *(f"  - `{w}`" for w in run["locust_warnings"])]
    lines += [""]
    if stats:
        lines += ["## Requests", "", *stats_table(stats), ""]
        lines += [
            f"The server logged {server.get('requests', '?')} requests "
            f"({len(server.get('server_errors', []))} answered 5xx).",
            "",
        ]
    if failure_rows:
        lines += ["## Failures", "", "| request | error | count |", "|---|---|---:|"]
        lines += [
            f"| `{r['name']}` | {r['error']} | {r['count']} |" for r in failure_rows
        ]
        lines += [""]
    if state.get("failures"):
        lines += [
            "### First failed requests in detail",
            "",
        ]
        for failure in state["failures"][:20]:
            lines += [*fenced(json.dumps(failure, indent=1, ensure_ascii=False)), ""]
    if state.get("harness_errors"):
        lines += ["### Exceptions in loadtest/locustfile.py", ""]
        for error in state["harness_errors"][:3]:
            lines += [*fenced(error), ""]
    if server.get("server_errors") or server.get("tracebacks") or server.get("trouble"):
        lines += ["## Server log", ""]
        if server.get("server_errors"):
            lines += [
                "5xx answers:",
                "",
                *fenced("\n".join(server["server_errors"][:50])),
            ]
        for traceback in server.get("tracebacks", [])[:5]:
            lines += ["", *fenced(traceback)]
        if server.get("trouble"):
            lines += ["", "Errors:", "", *fenced("\n".join(server["trouble"][:50]))]
        lines += [""]
    lines += ["## Consistency", ""]
    if consistency is None:
        lines += ["Not checked: the test did not get that far.", ""]
    else:
        verdict = "consistent" if consistency["ok"] else "INCONSISTENT"
        checked = ", ".join(f"{n} {what}" for what, n in consistency["checked"].items())
        lines += [
            f"The database is **{verdict}** with the successful writes ({checked}).",
            "",
        ]
        if consistency["mismatches"]:
            lines += ["Mismatches:", ""] + [f"- {m}" for m in consistency["mismatches"]]
            lines += [""]
        if consistency["notes"]:
            lines += ["Notes:", ""] + [f"- {n}" for n in consistency["notes"][:50]]
            lines += [""]
    lines += [
        "## Files",
        "",
        "Logs and raw results of this run are in `loadtest/.output/`: `gunicorn.log`, "
        "`locust.log`, `setup.log`, `locust_stats.csv`, `locust_failures.csv`, "
        "`expected_state.json` and `consistency.json`.",
        "",
    ]
    REPORT.write_text("\n".join(lines), encoding="utf-8")


# -- the run ---------------------------------------------------------------------------


def judge(run: dict) -> None:
    reasons = run.setdefault("reasons", [])
    stats = run.get("stats") or []
    total = next((r for r in stats if r["name"] == "all requests"), None)
    server = run.get("server_log") or {}
    state = run.get("state")
    if total is None or total["requests"] == 0:
        reasons.append("locust made no requests")
    elif total["failures"]:
        reasons.append(f"{total['failures']} failed requests")
    if run.get("locust_exit") not in (0, 1):  # 1: failures, counted above
        reasons.append(f"locust exited with status {run.get('locust_exit')}")
    if server.get("server_errors"):
        reasons.append(f"{len(server['server_errors'])} 5xx answers in the server log")
    if server.get("tracebacks"):
        reasons.append(f"{len(server['tracebacks'])} tracebacks in the server log")
    if server.get("trouble"):
        reasons.append(f"{len(server['trouble'])} error lines in the server log")
    if state is None:
        reasons.append("locust wrote no expected state")
    else:
        if len(state["users"]) != run["users"]:
            reasons.append(
                f"only {len(state['users'])} of {run['users']} users registered"
            )
        if state.get("harness_errors"):
            reasons.append(
                f"{len(state['harness_errors'])} exceptions in loadtest/locustfile.py "
                "(see locust.log)"
            )
    consistency = run.get("consistency")
    if consistency is None:
        reasons.append("the database was not checked")
    elif not consistency["ok"]:
        reasons.append(
            f"{consistency['checked'].get('mismatches', 0)} inconsistencies "
            "between the database and the successful writes"
        )
    run["verdict"] = "FAIL" if reasons else "PASS"
    parts = []
    if total is not None:
        parts.append(
            f"{total['requests']} requests, {total['failures']} failed, "
            f"{len(server.get('server_errors', []))} 5xx, {total['rps']:.0f} req/s, "
            f"p50/p95/p99 {total['p50']}/{total['p95']}/{total['p99']} ms"
        )
    if consistency is not None:
        c = consistency["checked"]
        parts.append(
            ("database consistent" if consistency["ok"] else "database INCONSISTENT")
            + f" ({c.get('users', 0)} users, {c.get('journal entries', 0)} journal "
            f"entries, {c.get('ratings', 0)} ratings, {c.get('follows', 0)} follows)"
        )
    run["summary"] = "; ".join(parts) or "no results"


def execute(run: dict, resources: Resources) -> None:
    OUTPUT.mkdir(exist_ok=True)
    for old in OUTPUT.iterdir():
        old.unlink()
    run["locust_version"] = ensure_locust()
    check_postgres()
    check_redis()

    database_url = resources.create_database()
    redis_url = resources.claim_redis_db()
    run["database"], run["redis_db"] = resources.database, resources.redis_db
    run["port"] = port = free_port()
    env = server_env(database_url=database_url, redis_url=redis_url, port=port)
    run["workers"] = int(
        env.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
    )
    run["threads"] = int(env.get("GUNICORN_THREADS", 4))
    log(f"database {run['database']}, Redis db {run['redis_db']}, port {port}")

    with (OUTPUT / "setup.log").open("w") as setup_log:
        manage(env, "migrate", "--noinput", logfile=setup_log)
        manage(env, "load_catalog", logfile=setup_log)

    base = f"http://{HOST}:{port}"
    # Append mode: the workers share this file, and only O_APPEND keeps their lines
    # from overwriting one another.
    gunicorn_log = (OUTPUT / "gunicorn.log").open("a")
    gunicorn = resources.start(
        [str(VENV / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "overworld.wsgi"],
        env,
        gunicorn_log,
    )
    wait_healthy(f"{base}/healthz", gunicorn)
    log(f"gunicorn up on {base} ({run['workers']} workers); running locust")

    state_file = OUTPUT / "expected_state.json"
    locust_env = dict(os.environ)
    locust_env.update(
        {
            "LOADTEST_STATE_FILE": str(state_file),
            "LOADTEST_RUN_ID": resources.run_id,
            "PYTHONUNBUFFERED": "1",
        }
    )
    started = time.monotonic()
    with (OUTPUT / "locust.log").open("w") as locust_log:
        locust = resources.start(
            [
                str(VENV / "bin" / "locust"),
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "--host",
                base,
                "--users",
                str(run["users"]),
                "--spawn-rate",
                str(run["spawn_rate"]),
                "--run-time",
                f"{run['ramp'] + run['run_time']}s",
                # Let a user finish the task it is in: a request cut off mid-way
                # would leave its write's outcome unknown.
                "--stop-timeout",
                str(STOP_TIMEOUT),
                "--csv",
                str(OUTPUT / "locust"),
                "--only-summary",
            ],
            locust_env,
            locust_log,
            cwd=HERE,
        )
        try:
            run["locust_exit"], run["locust_cpu"] = wait_with_usage(
                locust, run["ramp"] + run["run_time"] + STOP_TIMEOUT + 120
            )
        except TimeoutError:
            log("locust did not finish in time: stopping it")
        run["locust_wall"] = time.monotonic() - started
        resources.stop_process(locust)
    warnings = (OUTPUT / "locust.log").read_text(errors="replace").splitlines()
    run["locust_warnings"] = [line.strip() for line in warnings if "CPU usage" in line][
        :5
    ]

    # Stop the server before reading the database: nothing may still be writing.
    log("stopping gunicorn")
    if gunicorn.poll() is None:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        with contextlib.suppress(TimeoutError):
            _, run["gunicorn_cpu"] = wait_with_usage(gunicorn, 60)
    resources.stop_process(gunicorn)
    gunicorn_log.close()

    run["server_log"] = read_server_log(OUTPUT / "gunicorn.log")
    run["stats"], run["failure_rows"] = stats_from_csv(OUTPUT / "locust")
    if state_file.exists():
        run["state"] = json.loads(state_file.read_text(encoding="utf-8"))
        run["stats"], run["failure_rows"] = (
            run["state"]["stats"],
            run["state"]["errors"],
        )
        log("checking the database against the expected state")
        result_file = OUTPUT / "consistency.json"
        with (OUTPUT / "setup.log").open("a") as setup_log:
            subprocess.run(
                [
                    str(VENV / "bin" / "python"),
                    str(HERE / "consistency.py"),
                    str(state_file),
                    str(result_file),
                ],
                cwd=ROOT,
                env=env,
                stdout=setup_log,
                stderr=subprocess.STDOUT,
            )
        if result_file.exists():
            run["consistency"] = json.loads(result_file.read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    # Registering and logging in cost about 0.6 s of CPU each (PBKDF2, the production
    # password hasher): fifty at once would keep this 2-core machine busy for 15 s
    # hashing and measure little else, so users arrive two a second.
    parser.add_argument("--spawn-rate", type=float, default=2, help="users a second")
    parser.add_argument(
        "--run-time", type=int, default=60, help="seconds with all users, after ramp"
    )
    args = parser.parse_args()
    reexec_in_venv(__file__)

    def interrupted(signum, _frame):
        raise SystemExit(f"interrupted by signal {signum}")

    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, interrupted)

    run = {
        "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "revision": git_revision(),
        "users": args.users,
        "spawn_rate": args.spawn_rate,
        "run_time": args.run_time,
        "ramp": math.ceil(args.users / args.spawn_rate),
        "workers": "?",
        "threads": "?",
    }
    resources = Resources("loadtest")
    status = 1
    try:
        execute(run, resources)
        judge(run)
        status = 0 if run["verdict"] == "PASS" else 1
    except SetupError as error:
        run.update(verdict="FAIL", summary=f"could not run: {error}")
        status = 2
    except BaseException as error:
        run.update(verdict="FAIL", summary=f"aborted: {error!r}")
        raise
    finally:
        resources.cleanup()
        if "verdict" not in run:
            run.update(verdict="FAIL", summary="aborted")
        try:
            write_report(run)
        finally:
            logger.info(
                "loadtest: %s: %s (report: %s)",
                run["verdict"],
                run["summary"],
                REPORT.relative_to(ROOT),
            )
    return status


if __name__ == "__main__":
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    sys.exit(main())
