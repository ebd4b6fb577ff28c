"""Servers and browser for the browser test; nothing here touches the project's data.

- ``api``: the API under gunicorn on http://127.0.0.1:<free port>, on a throwaway
  SQLite file with the game catalog loaded, with DJANGO_DEBUG=1 so that the default
  CORS origins apply (http://localhost:5173 among them); ``throttled_api``, a second
  one that throttles logins at once.
- ``pages``: browser/page served by a small static server on 127.0.0.1:5173, reached
  as http://localhost:5173 and http://127.0.0.1:5173 (both allowed while debugging),
  and by a second one on a free port, an origin the API does not allow.
- ``browser``: headless Chromium (/usr/bin/chromium through /usr/bin/chromedriver)
  with a fresh profile for every test.

Every server is stopped and every temporary directory removed when the session ends,
also when it ends by SIGTERM (a CI timeout); and if this process is killed outright, a
small reaper process that it leaves behind does the same for it.
"""

import contextlib
import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

REPO = Path(__file__).resolve().parent.parent
PAGE_DIR = Path(__file__).resolve().parent / "page"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
# The front end's origin. 5173 is in the API's default CORS origins; on another port
# (BROWSER_TEST_PAGE_PORT, when 5173 is taken) the test names the origin explicitly.
DEFAULT_PAGE_PORT = 5173
PAGE_PORT = int(os.environ.get("BROWSER_TEST_PAGE_PORT", DEFAULT_PAGE_PORT))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--window-size=1280,900",
]
# Settings of the environment that must not leak into the throwaway API server.
SERVER_ENV_DROPPED = (
    "DJANGO_",
    "CORS_",
    "DATABASE_URL",
    "REDIS_URL",
    "IGDB_",
    "TWITCH_",
    "GUNICORN_",
    "THROTTLE_",
)


@pytest.fixture(scope="session", autouse=True)
def stop_cleanly_on_sigterm():
    """CI timeouts send SIGTERM: end like Ctrl-C, so that fixtures stop the servers."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    yield
    signal.signal(signal.SIGTERM, previous)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Reads "+group PGID", "-group PGID", "+dir PATH", "-dir PATH" lines; when its input
# ends (the test process finished or died) it ends the process groups and removes the
# directories still listed. After a normal teardown nothing is listed any more.
REAPER = """
import os, shutil, signal, sys, time
groups, dirs = set(), set()
for line in sys.stdin:
    action, _, value = line.rstrip("\\n").partition(" ")
    kept = groups if action[1:] == "group" else dirs
    value = int(value) if action[1:] == "group" else value
    (kept.add if action[0] == "+" else kept.discard)(value)
for number in (signal.SIGTERM, signal.SIGKILL):
    for group in groups:
        try:
            os.killpg(group, number)
        except ProcessLookupError:
            pass
    if groups and number == signal.SIGTERM:
        time.sleep(5)
for path in dirs:
    shutil.rmtree(path, ignore_errors=True)
"""


class Reaper:
    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-c", REAPER],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )

    def tell(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(30)


@pytest.fixture(scope="session", autouse=True)
def reaper(stop_cleanly_on_sigterm):
    reaper = Reaper()
    yield reaper
    reaper.close()


@contextlib.contextmanager
def temporary_directory(reaper: Reaper, prefix: str):
    path = Path(tempfile.mkdtemp(prefix=prefix))
    reaper.tell(f"+dir {path}")
    try:
        yield path
    finally:
        if os.environ.get("BROWSER_TEST_KEEP"):
            print(f"\nkept {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)
        reaper.tell(f"-dir {path}")


def stop_process_group(pgid: int, process=None, grace: float = 15) -> None:
    """SIGTERM to the group, SIGKILL to whatever is left of it after `grace` s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if process is not None:
            process.poll()
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    if process is not None:
        process.wait(5)


@dataclass
class Api:
    url: str
    log_path: Path

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(errors="replace").splitlines()

    def get(self, path: str, headers: dict | None = None, method: str = "GET"):
        """(status, headers) of one request from Python, outside the browser."""
        request = urllib.request.Request(
            self.url + path, headers=headers or {}, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.headers


@pytest.fixture(scope="session")
def api(reaper):
    with temporary_directory(reaper, "overworld-browser-api-") as workdir:
        yield from serve_api(reaper, workdir)


@pytest.fixture(scope="session")
def throttled_api(reaper):
    """A second API server that allows one login a minute per client: one worker, so
    that one throttle counter sees every attempt."""
    with temporary_directory(reaper, "overworld-browser-api-") as workdir:
        yield from serve_api(
            reaper, workdir, workers=1, env={"THROTTLE_LOGIN_RATE": "1/min"}
        )


def serve_api(reaper: Reaper, workdir: Path, workers: int = 2, env=None):
    settings = env or {}
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(SERVER_ENV_DROPPED)
    }
    env.update(
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        DJANGO_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if PAGE_PORT != DEFAULT_PAGE_PORT:
        env["CORS_ALLOWED_ORIGINS"] = (
            f"http://localhost:{PAGE_PORT},http://127.0.0.1:{PAGE_PORT}"
        )
    env.update(settings)
    log_path = workdir / "server.log"
    with log_path.open("w") as log:
        for command in (
            ["migrate", "--noinput"],
            ["load_catalog", "games/data/catalog.json"],
        ):
            done = subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=300,
            )
            if done.returncode:
                pytest.fail(f"manage.py {command[0]} failed:\n{log_path.read_text()}")
        port = free_port()
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "overworld.wsgi"),
                *("--config", "gunicorn.conf.py"),
                *("--bind", f"127.0.0.1:{port}"),
                *("--workers", str(workers), "--threads", "4"),
                *("--graceful-timeout", "5"),
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    reaper.tell(f"+group {process.pid}")
    try:
        server = Api(url=f"http://127.0.0.1:{port}", log_path=log_path)
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"the API server exited:\n{log_path.read_text()}")
            with contextlib.suppress(OSError):
                if server.get("/healthz")[0] == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"the API server did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield server
    finally:
        stop_process_group(process.pid, process)
        reaper.tell(f"-group {process.pid}")


class PageHandler(SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def static_server(port: int):
    handler = functools.partial(PageHandler, directory=str(PAGE_DIR))
    try:
        httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as error:
        pytest.fail(
            f"cannot serve the page on 127.0.0.1:{port} ({error}); free the port or "
            "set BROWSER_TEST_PAGE_PORT"
        )
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


@dataclass
class Pages:
    allowed: list[str]
    disallowed: str


@pytest.fixture(scope="session")
def pages():
    other_port = free_port()
    with static_server(PAGE_PORT), static_server(other_port):
        yield Pages(
            allowed=[f"http://localhost:{PAGE_PORT}", f"http://127.0.0.1:{PAGE_PORT}"],
            disallowed=f"http://127.0.0.1:{other_port}",
        )


class ReapedService(Service):
    """chromedriver in a process group of its own (Chromium joins it), told to the
    reaper the moment it starts: being killed while Chromium starts leaves nothing."""

    def __init__(self, reaper: Reaper, path: str):
        super().__init__(
            executable_path=path,
            log_output=subprocess.DEVNULL,
            popen_kw={"start_new_session": True},
        )
        self.reaper = reaper

    def _start_process(self, path: str) -> None:
        super()._start_process(path)
        self.reaper.tell(f"+group {self.process.pid}")

    def forget(self) -> None:
        process = getattr(self, "process", None)
        if process is not None:
            stop_process_group(process.pid, process, grace=5)
            self.reaper.tell(f"-group {process.pid}")


@pytest.fixture
def browser(api, pages, reaper):
    """Headless Chromium with a fresh profile (so no preflight is cached)."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            pytest.fail(f"{path} is missing: apt-get install chromium chromium-driver")
    with temporary_directory(reaper, "overworld-browser-profile-") as profile:
        options = Options()
        options.binary_location = CHROMIUM
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = ReapedService(reaper, CHROMEDRIVER)
        try:
            driver = webdriver.Chrome(options=options, service=service)
        except BaseException:
            service.forget()
            raise
        try:
            driver.set_page_load_timeout(30)
            driver.set_script_timeout(30)
            yield driver
        finally:
            driver.quit()
            service.forget()
