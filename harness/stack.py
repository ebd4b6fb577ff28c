"""The whole Overworld stack for the checks that need it: PostgreSQL, Redis, gunicorn.

The load test (loadtest/run.py) and the benchmark (bench/run.py) both run the API
under gunicorn with production settings, on a throwaway database and an empty Redis
database number, and remove what they made however they end. This module is that
plumbing; it imports nothing of Django's, so the runners can use it before the
project's virtual environment exists.
"""

import contextlib
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"

HOST = "127.0.0.1"
PG_URL = f"postgres://postgres@{HOST}:5432"
REDIS_PORT = 6379
REDIS_URL = f"redis://{HOST}:{REDIS_PORT}"

# Everything comes from one address and a handful of users: at the production rates the
# throttles would answer 429 after 10 logins a minute, and a run would measure the
# throttle. The rates are raised far above any load instead, so that the throttle
# classes still run, with their counters in Redis as in production.
UNTHROTTLED = "1000000/min"
THROTTLES = {
    f"THROTTLE_{scope}_RATE": UNTHROTTLED
    for scope in ("ANON", "USER", "LOGIN", "REGISTER", "REFRESH")
}

logger = logging.getLogger("harness")


class SetupError(Exception):
    """The check could not be run at all (as opposed to a server that failed it)."""


def reexec_in_venv(script: str) -> None:
    """Run the script under the project's .venv, creating it if there is none."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not PYTHON.exists():
        logger.info("creating .venv")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip_install(ROOT / "requirements.txt")
    os.execv(str(PYTHON), [str(PYTHON), str(Path(script).resolve()), *sys.argv[1:]])


def pip_install(requirements: Path) -> None:
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "-r", str(requirements)],
        check=True,
    )


def check_postgres() -> None:
    import psycopg

    try:
        with psycopg.connect(f"{PG_URL}/postgres", connect_timeout=5):
            pass
    except psycopg.Error as error:
        raise SetupError(f"PostgreSQL is not reachable at {PG_URL}: {error}") from None


def check_redis() -> None:
    import redis

    try:
        redis.Redis(host=HOST, port=REDIS_PORT, socket_timeout=5).ping()
    except redis.RedisError as error:
        raise SetupError(f"Redis is not reachable at {REDIS_URL}: {error}") from None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Resources:
    """What a run creates outside its folder, and their removal."""

    def __init__(self, label: str):
        self.label = label
        self.run_id = f"{os.getpid()}{secrets.token_hex(2)}"
        self.database: str | None = None
        self.redis_db: int | None = None
        self.processes: list[subprocess.Popen] = []

    def create_database(self) -> str:
        """A new, empty PostgreSQL database; its URL."""
        import psycopg

        name = f"overworld_{self.label}_{self.run_id}"
        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.database = name
        return f"{PG_URL}/{name}"

    def claim_redis_db(self) -> str:
        """An empty Redis database number, claimed so that two runs never share one;
        its URL."""
        import redis

        claim_key = f"overworld-{self.label}:claimed-by"
        # Database 0 is everybody's default; take the highest empty one.
        for number in range(15, 0, -1):
            client = redis.Redis(host=HOST, port=REDIS_PORT, db=number)
            try:
                if client.dbsize() == 0 and client.set(
                    claim_key, self.run_id, nx=True, ex=6 * 3600
                ):
                    self.redis_db = number
                    return f"{REDIS_URL}/{number}"
            except redis.ResponseError:
                continue  # a server with fewer databases
        raise SetupError("no empty Redis database (1-15) to use")

    def start(self, command: list[str], env: dict, logfile, cwd: Path = ROOT):
        """A process in a session of its own, stopped at cleanup if still running."""
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def stop_process(self, process: subprocess.Popen, grace: float = 30) -> None:
        """SIGTERM to the process group, then SIGKILL if it lingers."""
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                logger.info(
                    "pid %s did not stop in %.0f s: killing it", process.pid, grace
                )
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if process in self.processes:
            self.processes.remove(process)

    def cleanup(self) -> None:
        for process in list(self.processes):
            self.stop_process(process)
        if self.database:
            import psycopg

            try:
                with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
                    conn.execute(
                        f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'
                    )
                self.database = None
            except psycopg.Error as error:
                logger.info("could not drop database %s: %s", self.database, error)
        if self.redis_db is not None:
            import redis

            try:
                redis.Redis(host=HOST, port=REDIS_PORT, db=self.redis_db).flushdb()
                self.redis_db = None
            except redis.RedisError as error:
                logger.info(
                    "could not flush Redis database %s: %s", self.redis_db, error
                )


def server_env(*, database_url: str, redis_url: str, port: int) -> dict:
    """The environment of a production server on the loopback, throttles raised."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            # Production settings, with a key made for this run.
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
            # Plain HTTP on the loopback: no TLS to redirect to, no proxy in front.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_PROXY_SSL_HEADER": "0",
            "DJANGO_NUM_PROXIES": "0",
            "DJANGO_LOG_LEVEL": "INFO",
            # Games come from the local database: no request ever leaves the machine.
            "IGDB_CLIENT_ID": "",
            "IGDB_CLIENT_SECRET": "",
            "GUNICORN_BIND": f"{HOST}:{port}",
            "PYTHONUNBUFFERED": "1",
            **THROTTLES,
        }
    )
    return env


def run_python(env: dict, *args: str, logfile) -> None:
    """The project's Python with these arguments, in the project's folder; its output
    goes to the log file, and a failure is a SetupError."""
    logfile.write(f"$ python {' '.join(args)}\n")
    logfile.flush()
    result = subprocess.run(
        [str(PYTHON), *args],
        cwd=ROOT,
        env=env,
        stdout=logfile,
        stderr=subprocess.STDOUT,
    )
    if result.returncode:
        raise SetupError(f"{' '.join(args[:2])} failed; see {logfile.name}")


def manage(env: dict, *args: str, logfile) -> None:
    run_python(env, "manage.py", *args, logfile=logfile)


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SetupError("gunicorn exited while starting; see its log")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SetupError(f"gunicorn did not answer {url} in {timeout:.0f} s")


def wait_with_usage(process: subprocess.Popen, timeout: float) -> tuple[int, float]:
    """Wait for a child: its exit code and the CPU seconds it and its children used."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, usage.ru_utime + usage.ru_stime
        if time.monotonic() > deadline:
            raise TimeoutError
        time.sleep(0.2)


def git_revision(*, ignore: tuple[str, ...] = ()) -> str:
    """The checked-out commit, and whether tracked files (but `ignore`) differ."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            [
                *("git", "status", "--porcelain", "--untracked-files=no", "--", "."),
                *(f":!{path}" for path in ignore),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}{' with uncommitted changes' if dirty else ''}"
