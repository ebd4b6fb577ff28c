#!/usr/bin/env python3
"""Benchmark: Overworld's hot endpoints at scale, each against a bare Django view.

    python3 bench/run.py [--database postgresql|sqlite] [--users N] [--duration S]
        [--connections C] [--rounds R] [--only NAME ...]

1. Creates a throwaway database (PostgreSQL on 127.0.0.1:5432, user postgres, or a
   SQLite file) and claims an empty Redis database number (PostgreSQL runs need Redis;
   SQLite runs use it when it answers, else each worker's local memory).
2. Migrates and seeds it (bench/seed.py: 10,000 users, 50,000 games, 1,000,000
   relation rows, 200,000 ratings, 200,000 journal entries by default; 1,000 users
   and a tenth of the rest on SQLite), then records each endpoint's queries and their
   plans (bench/plan.py).
3. Starts gunicorn with gunicorn.conf.py and production settings, plus one URL: the
   ceiling, a bare Django view that runs one primary-key query and answers JSON.
4. Runs wrk for a fixed time at a fixed concurrency on each endpoint, with a ceiling
   run before and after each one, in several rounds; an endpoint's ratio is the
   median over the rounds of its requests per second over those of the ceiling runs
   beside it.
5. Writes bench/results.md and bench/results.png, and removes what it created.

Exit status: 0 when every target holds, 1 when one does not (or a request failed),
2 when the benchmark could not be run. Logs are kept in bench/.output/.
"""

import argparse
import json
import logging
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from harness.stack import (  # noqa: E402 (the project's root is on the path now)
    HOST,
    PYTHON,
    ROOT,
    THROTTLES,
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
    run_python,
    server_env,
    wait_healthy,
)

OUTPUT = HERE / ".output"
RESULTS = HERE / "results.md"
CHART = HERE / "results.png"
CEILING = "ceiling"
# Requests per second as a share of the ceiling's, at least.
RATIO_TARGETS = {"actions": 0.6, "rating": 0.6, "like": 0.35}
# The journal of a user with 5,000 entries may cost this much more than one with 50.
JOURNAL_COST_LIMIT = 1.5
JOURNAL_PAIR = ("journal-5000", "journal-50")
DEFAULT_USERS = {"postgresql": 10_000, "sqlite": 1_000}

logger = logging.getLogger("bench")


def log(message: str) -> None:
    logger.info("[bench] %s", message)


# -- tools -----------------------------------------------------------------------------


def ensure_tools() -> str:
    """wrk from the system's packages, matplotlib in .venv; wrk's version."""
    if shutil.which("wrk") is None:
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            raise SetupError("wrk is not installed: apt-get install wrk (or brew, ...)")
        log("installing wrk (apt-get install wrk)")
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        log("installing matplotlib into .venv (bench/requirements.txt)")
        pip_install(HERE / "requirements.txt")
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return (version.stdout + version.stderr).split("Copyright")[0].strip()


# -- the load --------------------------------------------------------------------------


def lua_string(text: str) -> str:
    """A Lua string literal (JSON's escapes are Lua's for ASCII text)."""
    return json.dumps(text, ensure_ascii=True)


def lua_requests(requests: list[dict], keep_alive: bool) -> str:
    lines = ["return {"]
    for request in requests:
        fields = dict(request["headers"])
        if not keep_alive:
            fields["Connection"] = "close"
        headers = ", ".join(
            f"[{lua_string(name)}] = {lua_string(value)}"
            for name, value in fields.items()
        )
        body = "nil" if request["body"] is None else lua_string(request["body"])
        lines.append(
            f"  {{method = {lua_string(request['method'])}, "
            f"path = {lua_string(request['path'])}, headers = {{{headers}}}, "
            f"body = {body}}},"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


class Load:
    """wrk against one server, one endpoint at a time."""

    def __init__(
        self, base: str, endpoints: list[dict], connections: int, keep_alive: bool
    ):
        self.base = base
        self.connections = connections
        self.files = {}
        for endpoint in endpoints:
            path = OUTPUT / f"requests-{endpoint['name']}.lua"
            path.write_text(
                lua_requests(endpoint["requests"], keep_alive), encoding="utf-8"
            )
            self.files[endpoint["name"]] = path
        self.log = (OUTPUT / "wrk.log").open("a", encoding="utf-8")

    def run(self, name: str, seconds: float) -> dict:
        command = [
            "wrk",
            "--threads",
            "1",
            "--connections",
            str(self.connections),
            "--duration",
            f"{seconds:g}s",
            "--timeout",
            "10s",
            "--script",
            str(HERE / "wrk.lua"),
            self.base,
            "--",
            str(self.files[name]),
        ]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60
        )
        self.log.write(f"$ {name} {seconds:g}s\n{result.stdout}{result.stderr}\n")
        self.log.flush()
        line = next(
            (line for line in result.stdout.splitlines() if line.startswith("BENCH ")),
            None,
        )
        if result.returncode or line is None:
            raise SetupError(f"wrk failed on {name}; see {OUTPUT / 'wrk.log'}")
        sample = json.loads(line.removeprefix("BENCH "))
        sample["rps"] = sample["requests"] / (sample["duration_us"] / 1e6)
        return sample


def measure(load: Load, names: list[str], seconds: float, rounds: int) -> dict:
    """Each endpoint's runs, and the ceiling runs on either side of each."""
    for name in [CEILING, *names]:
        load.run(name, 2)  # warm the workers' connections and caches; not counted
    runs = {name: [] for name in names}
    beside = {name: [] for name in names}
    for number in range(1, rounds + 1):
        log(f"round {number} of {rounds}")
        before = load.run(CEILING, seconds)
        for name in names:
            runs[name].append(load.run(name, seconds))
            after = load.run(CEILING, seconds)
            beside[name] += [before, after]
            log(
                f"  {name}: {runs[name][-1]['rps']:.0f} req/s, ceiling "
                f"{before['rps']:.0f} / {after['rps']:.0f}"
            )
            before = after
    return {"runs": runs, "ceilings": beside}


def summarise(samples: list[dict]) -> dict:
    requests = sum(sample["requests"] for sample in samples)
    seconds = sum(sample["duration_us"] for sample in samples) / 1e6
    return {
        "requests": requests,
        "rps": requests / seconds,
        "p50_ms": statistics.median(s["p50_us"] for s in samples) / 1000,
        "p99_ms": statistics.median(s["p99_us"] for s in samples) / 1000,
        "errors": sum(s["status_errors"] + s["socket_errors"] for s in samples),
    }


def results(measured: dict, planned: dict) -> list[dict]:
    rows = []
    for name, samples in measured["runs"].items():
        row = summarise(samples)
        beside = measured["ceilings"][name]
        # The machine's speed drifts by a fifth within a minute (other tenants, CPU
        # clocks): each run is set against the ceiling runs on either side of it,
        # and the round in the middle counts.
        ratios = [
            sample["rps"] / statistics.mean([before["rps"], after["rps"]])
            for sample, before, after in zip(
                samples, beside[::2], beside[1::2], strict=True
            )
        ]
        row.update(
            name=name,
            title=planned[name]["title"],
            ceiling_rps=summarise(beside)["rps"],
            ratio=statistics.median(ratios),
            queries=len(planned[name]["queries"]),
        )
        rows.append(row)
    ceilings = [s for samples in measured["ceilings"].values() for s in samples]
    # Every ceiling run but the repeated ones (each sits beside two endpoints).
    unique = list({id(sample): sample for sample in ceilings}.values())
    rows.insert(
        0,
        {
            **summarise(unique),
            "name": CEILING,
            "title": planned[CEILING]["title"],
            "ratio": 1.0,
            "queries": len(planned[CEILING]["queries"]),
        },
    )
    return rows


def verdicts(rows: list[dict]) -> list[dict]:
    by_name = {row["name"]: row for row in rows}
    checks = []
    for name, target in RATIO_TARGETS.items():
        if name in by_name:
            ratio = by_name[name]["ratio"]
            checks.append(
                {
                    "target": f"`{by_name[name]['title']}` ≥ {target} of the ceiling",
                    "measured": f"{ratio:.2f}",
                    "ok": ratio >= target,
                }
            )
    heavy, light = (by_name.get(name) for name in JOURNAL_PAIR)
    if heavy and light:
        cost = light["rps"] / heavy["rps"]
        checks.append(
            {
                "target": "journal of 5,000 entries costs ≤ "
                f"{JOURNAL_COST_LIMIT}x the journal of 50 (limit=50)",
                "measured": f"{cost:.2f}x",
                "ok": cost <= JOURNAL_COST_LIMIT,
            }
        )
    for row in rows:
        if row["errors"]:
            checks.append(
                {
                    "target": f"`{row['title']}` answers every request",
                    "measured": f"{row['errors']} failed",
                    "ok": False,
                }
            )
    return checks


# -- the report ------------------------------------------------------------------------


def machine(env: dict) -> str:
    cpu = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    database = (
        "SQLite "
        + subprocess.run(
            [str(PYTHON), "-c", "import sqlite3; print(sqlite3.sqlite_version)"],
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    if env["DATABASE_URL"].startswith("postgres"):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            database = conn.execute("SHOW server_version").fetchone()[0]
            database = f"PostgreSQL {database.split()[0]}"
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, {database}"
    )


def table(rows: list[dict]) -> list[str]:
    lines = [
        "| endpoint | req/s | p50 ms | p99 ms | ceiling beside, req/s "
        "| ratio to ceiling | queries |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        beside = f"{row['ceiling_rps']:.0f}" if "ceiling_rps" in row else ""
        lines.append(
            f"| `{row['title']}` | {row['rps']:.0f} | {row['p50_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {beside} | {row['ratio']:.2f} "
            f"| {row['queries']} |"
        )
    return lines


def write_results(run: dict) -> None:
    rows, checks = run["rows"], run["checks"]
    seeded = run["seeded"]
    lines = [
        "# Overworld benchmark",
        "",
        f"**{run['verdict']}**, {run['started']} UTC, revision {run['revision']}, "
        f"`{run['command']}`.",
        "",
        "## Targets",
        "",
        "| target | measured | holds |",
        "|---|---:|---|",
        *(
            f"| {c['target']} | {c['measured']} | {'yes' if c['ok'] else '**no**'} |"
            for c in checks
        ),
        "",
        "## Endpoints",
        "",
        *table(rows),
        "",
        f"Requests per second over {run['rounds']} run{'s' * (run['rounds'] > 1)} of "
        f"{run['duration']:g} s each at {run['connections']} connections (wrk, one "
        f"thread, {'keep-alive' if run['keep_alive'] else 'a connection per request'});"
        " p50 and p99 are the medians of the runs' percentiles. Each run of an "
        "endpoint is set against the mean of the ceiling runs just before and after "
        "it; its ratio is the median over the rounds. Queries are those of one "
        "request after a first one "
        + (
            "(the caller's user cached by then)."
            if run["cache"] == "Redis"
            else "(without Redis the caller's user is read on every request)."
        ),
        "",
        "![requests per second and latency](results.png)",
        "",
        "## Setup",
        "",
        f"- machine: {run['machine']}",
        f"- data: {', '.join(f'{n:,} {what}' for what, n in seeded['counts'].items())}"
        f"; seeded in {seeded['seconds']:.0f} s",
        f"- gunicorn with gunicorn.conf.py: {run['workers']} workers x "
        f"{run['threads']} threads (gthread), DJANGO_DEBUG=0, cache: {run['cache']}, "
        "throttles at their production rates, client addresses in X-Forwarded-For",
        f"- load: {run['wrk']} on the same machine",
        "",
        "## Query plans",
        "",
        "How the database runs each query of a warm request (EXPLAIN):",
        "",
    ]
    for endpoint in run["planned"].values():
        lines.append(f"- `{endpoint['title']}`")
        lines += [f"  - {plan}" for plan in endpoint["plans"]]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


def draw_chart(run: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = run["rows"]
    names = [row["name"] for row in rows]
    figure, (rates, latency) = plt.subplots(
        1, 2, figsize=(13, 0.45 * len(rows) + 2), sharey=True
    )
    positions = range(len(rows))
    colours = ["#888888" if n == CEILING else "#3b6ea8" for n in names]
    rates.barh(positions, [row["rps"] for row in rows], color=colours)
    for position, row in zip(positions, rows, strict=True):
        rates.text(
            row["rps"],
            position,
            f" {row['ratio']:.2f}x · {row['queries']} q",
            va="center",
            fontsize=8,
        )
    rates.set_yticks(list(positions), names)
    rates.invert_yaxis()
    rates.set_xlabel("requests per second (label: ratio to ceiling · queries)")
    rates.set_xlim(0, max(row["rps"] for row in rows) * 1.3)
    height = 0.4
    latency.barh(
        [p - height / 2 for p in positions],
        [row["p50_ms"] for row in rows],
        height,
        label="p50",
        color="#3b6ea8",
    )
    latency.barh(
        [p + height / 2 for p in positions],
        [row["p99_ms"] for row in rows],
        height,
        label="p99",
        color="#e08a3c",
    )
    latency.set_xlabel("latency, ms")
    latency.legend(loc="lower left", bbox_to_anchor=(0, 1), ncol=2, frameon=False)
    figure.suptitle(
        f"Overworld at {run['seeded']['counts']['users']:,} users, "
        f"{run['database']}, {run['connections']} connections — {run['verdict']}"
    )
    figure.tight_layout()
    figure.savefig(CHART, dpi=110)
    plt.close(figure)


# -- the run ---------------------------------------------------------------------------


def prepare_data(run: dict, env: dict) -> dict:
    seeded, planned = OUTPUT / "seed.json", OUTPUT / "plan.json"
    with (OUTPUT / "setup.log").open("w") as setup_log:
        manage(env, "migrate", "--noinput", logfile=setup_log)
        log("seeding (bench.seed)")
        seed = ["bench.seed", "--users", str(run["users"]), "--output", str(seeded)]
        run_python(env, "-m", *seed, logfile=setup_log)
        log("recording queries and plans (bench.plan)")
        run_python(env, "-m", "bench.plan", str(planned), logfile=setup_log)
    run["seeded"] = json.loads(seeded.read_text(encoding="utf-8"))
    endpoints = json.loads(planned.read_text(encoding="utf-8"))
    return {endpoint["name"]: endpoint for endpoint in endpoints}


def execute(run: dict, resources: Resources) -> None:
    OUTPUT.mkdir(exist_ok=True)
    for old in OUTPUT.iterdir():
        old.unlink()
    run["wrk"] = ensure_tools()

    if run["database"] == "postgresql":
        check_postgres()
        check_redis()
        database_url = resources.create_database()
        redis_url = resources.claim_redis_db()
    else:
        database_url = f"sqlite:///{OUTPUT / 'bench.sqlite3'}"
        try:
            check_redis()
            redis_url = resources.claim_redis_db()
        except SetupError:
            redis_url = ""
    run["cache"] = "Redis" if redis_url else "local memory (no Redis)"
    port = free_port()
    env = server_env(database_url=database_url, redis_url=redis_url, port=port)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    # A worker that restarts mid-run costs a second of CPU and drops its keep-alive
    # connections; production recycles after 10,000 requests, here every few seconds.
    env["GUNICORN_MAX_REQUESTS"] = "0"
    # The throttles at their production rates, which the benchmark's users and client
    # addresses all stay below: the request history that a throttle reads and writes
    # on every request is as long as in production. The addresses come in
    # X-Forwarded-For, as from the reverse proxy in front of production.
    for name in THROTTLES:
        env.pop(name)
    env["DJANGO_NUM_PROXIES"] = "1"
    run["workers"] = env.get("GUNICORN_WORKERS", f"{(os.cpu_count() or 1) * 2 + 1}")
    run["threads"] = env.get("GUNICORN_THREADS", "4")

    started = time.monotonic()
    planned = prepare_data(run, env)
    log(
        f"seeded in {run['seeded']['seconds']:.0f} s, set up in "
        f"{time.monotonic() - started:.0f} s"
    )
    run["planned"] = planned
    run["machine"] = machine(env)

    base = f"http://{HOST}:{port}"
    gunicorn_log = (OUTPUT / "gunicorn.log").open("a")
    gunicorn = resources.start(
        [str(VENV / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "overworld.wsgi"],
        env,
        gunicorn_log,
    )
    wait_healthy(f"{base}/healthz", gunicorn)
    names = [name for name in planned if name != CEILING]
    if run["only"]:
        unknown = sorted(set(run["only"]) - set(names))
        if unknown:
            raise SetupError(
                f"no endpoint named {', '.join(unknown)}; there are {', '.join(names)}"
            )
        names = [name for name in names if name in run["only"]]
    load = Load(base, list(planned.values()), run["connections"], run["keep_alive"])
    log(f"gunicorn up on {base}; measuring {len(names)} endpoints")
    measured = measure(load, names, run["duration"], run["rounds"])
    resources.stop_process(gunicorn)
    gunicorn_log.close()

    run["rows"] = results(measured, planned)
    run["checks"] = verdicts(run["rows"])
    run["verdict"] = "PASS" if all(c["ok"] for c in run["checks"]) else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", choices=sorted(DEFAULT_USERS), default="postgresql"
    )
    parser.add_argument(
        "--users",
        type=int,
        help="at least 1,000; default 10,000 on PostgreSQL, 1,000 on SQLite",
    )
    parser.add_argument(
        "--duration", type=float, default=2, help="seconds per run (default 2)"
    )
    parser.add_argument(
        "--connections", type=int, default=16, help="wrk's connections (default 16)"
    )
    parser.add_argument("--rounds", type=int, default=10, help="default 10")
    parser.add_argument(
        "--only",
        nargs="+",
        default=[],
        metavar="NAME",
        help="measure these endpoints only: actions, rating, like, rate, "
        "journal-5000, journal-50, game, popular, profile, played, feed",
    )
    parser.add_argument(
        "--keep-alive",
        action="store_true",
        help="reuse connections (default: one per request, as from a reverse proxy)",
    )
    args = parser.parse_args()
    if args.users is not None and args.users < 1_000:
        parser.error("--users must be at least 1000 (the journal needs them)")
    if args.duration <= 0 or args.rounds < 1 or args.connections < 1:
        parser.error("--duration, --rounds and --connections must be positive")
    reexec_in_venv(__file__)

    def interrupted(signum, _frame):
        raise SystemExit(f"interrupted by signal {signum}")

    # Stopped from outside, the run still drops its database and stops gunicorn.
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, interrupted)

    run = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "revision": git_revision(
            ignore=(str(RESULTS.relative_to(ROOT)), str(CHART.relative_to(ROOT)))
        ),
        "command": " ".join(["bench/run.py", *sys.argv[1:]]),
        "database": args.database,
        "users": args.users or DEFAULT_USERS[args.database],
        "duration": args.duration,
        "connections": args.connections,
        "rounds": args.rounds,
        "only": args.only,
        "keep_alive": args.keep_alive,
    }
    resources = Resources("bench")
    try:
        execute(run, resources)
    except SetupError as error:
        log(f"could not run: {error}")
        return 2
    finally:
        resources.cleanup()
        for leftover in OUTPUT.glob("bench.sqlite3*"):
            leftover.unlink()
    write_results(run)
    draw_chart(run)
    for check in run["checks"]:
        verdict = "ok  " if check["ok"] else "FAIL"
        log(f"{verdict} {check['target']}: {check['measured']}")
    log(f"{run['verdict']}: {RESULTS.relative_to(ROOT)}, {CHART.relative_to(ROOT)}")
    return 0 if run["verdict"] == "PASS" else 1


if __name__ == "__main__":
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    sys.exit(main())
