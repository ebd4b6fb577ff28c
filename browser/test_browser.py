"""A real browser on another origin uses the API: CORS, preflights and Bearer tokens.

browser/page/journey.js, served from http://localhost:5173, registers, logs in, likes a
game, writes and reads journal entries with fetch and `Authorization: Bearer`, and
leaves every answer in window.overworld; these tests read them back and judge them.
Run with browser/run (it installs what it needs).
"""

import json
import secrets
import urllib.error
import urllib.parse
import urllib.request

import pytest
from selenium.webdriver.support.ui import WebDriverWait

DARK_SOULS = 2155
NEW_GAME = 987654321
PASSWORD = "analytical-engine-1843"

# Requests the browser may only send after a successful preflight (a JSON body or an
# Authorization header makes them non-simple); journal-public and the like are simple.
PREFLIGHTED = {
    "register",
    "login",
    "me",
    "like",
    "state",
    "journal-entry",
    "journal-new-game",
    "journal-own",
    "journal-patch",
    "like-anonymous",
    "me-bad-token",
    "rating-out-of-range",
    "journal-delete",
    "refresh",
    "logout",
}


def new_username() -> str:
    return f"browser_{secrets.token_hex(4)}"


def run_journey(browser, origin: str, api, username: str) -> dict:
    query = urllib.parse.urlencode(
        {"api": api.url, "username": username, "password": PASSWORD, "igdb": DARK_SOULS}
    )
    browser.get(f"{origin}/index.html?{query}")
    WebDriverWait(browser, 90, poll_frequency=0.2).until(
        lambda driver: driver.execute_script(
            "return Boolean(window.overworld && window.overworld.done)"
        )
    )
    state = browser.execute_script("return window.overworld")
    assert "crash" not in state, state.get("crash")
    steps = {step["name"]: step for step in state["steps"]}
    assert len(steps) == len(state["steps"]), "step names repeat"
    # The page also wrote every answer into its DOM.
    assert browser.find_element("id", "state").text == "done"
    rows = browser.find_elements("css selector", "#steps tr")
    assert [row.get_attribute("data-step") for row in rows] == list(steps)
    return steps


def browser_console(browser) -> str:
    return "\n".join(entry["message"] for entry in browser.get_log("browser"))


def api_json(api, path: str):
    with urllib.request.urlopen(api.url + path, timeout=10) as response:
        return json.load(response)


def request_lines(api, since: int) -> list[tuple[str, str, int]]:
    """(method, path, status) of the requests the server logged after line `since`."""
    found = []
    for line in api.log_lines()[since:]:
        if " overworld.requests " not in line:
            continue
        method, path, status = line.split(" overworld.requests ", 1)[1].split()[:3]
        found.append((method, path, int(status)))
    return found


def path_of(step: dict) -> str:
    return urllib.parse.urlsplit(step["path"]).path


@pytest.mark.parametrize("which", [0, 1], ids=["localhost-5173", "127.0.0.1-5173"])
def test_journey_from_an_allowed_origin(browser, api, pages, which):
    origin = pages.allowed[which]
    username = new_username()
    log_start = len(api.log_lines())

    steps = run_journey(browser, origin, api, username)

    failed = {name: step["error"] for name, step in steps.items() if "error" in step}
    assert not failed, f"fetch failed:\n{failed}\n{browser_console(browser)}"
    statuses = {name: step["status"] for name, step in steps.items()}
    assert statuses == {
        "register": 201,
        "login": 200,
        "me": 200,
        "like": 200,
        "state": 200,
        "journal-entry": 200,
        "journal-new-game": 200,
        "journal-own": 200,
        "journal-public": 200,
        "journal-patch": 200,
        "liked-list": 200,
        "like-anonymous": 401,
        "me-bad-token": 401,
        "rating-out-of-range": 400,
        "unknown-user": 404,
        "journal-2018": 200,
        "journal-delete": 204,
        "refresh": 200,
        "logout": 204,
    }, {name: (step["status"], step["body"]) for name, step in steps.items()}
    for name, step in steps.items():
        if step["status"] != 204:
            assert step["contentType"].startswith("application/json"), name

    body = {name: step["body"] for name, step in steps.items()}
    user = body["register"]["user"]
    assert user["username"] == username
    assert user["email"] == f"{username}@example.com"
    assert body["register"]["access"] and body["register"]["refresh"]
    assert body["login"]["user"] == user
    assert body["me"] == user

    assert body["like"] == {
        "game": DARK_SOULS,
        "user": user["id"],
        "action": "like",
        "value": True,
    }
    assert body["state"] == {
        "played": False,
        "liked": True,
        "backlog": False,
        "wishlist": False,
    }

    entry = body["journal-entry"]
    assert entry["game"]["igdb"] == DARK_SOULS
    assert entry["game"]["name"] == "Dark Souls"
    assert entry["user"] == user["id"]
    assert (entry["date"], entry["rating"], entry["liked"], entry["spoilers"]) == (
        "2019-07-01",
        9,
        False,
        False,
    )
    assert entry["review"] == "Praise the sun — from a browser."
    new_entry = body["journal-new-game"]
    assert new_entry["game"]["igdb"] == NEW_GAME
    assert new_entry["game"]["name"] == "Überspiel 🎮"
    assert (new_entry["date"], new_entry["rating"], new_entry["liked"]) == (
        "2018-05-25",
        7,
        True,
    )

    # Grouped by year, then month, newest first; the same for its owner (Bearer, no
    # username) and for anyone (public, by username).
    journal = body["journal-own"]
    assert journal == body["journal-public"]
    assert [
        (year["year"], month["month"], [e["id"] for e in month["entries"]])
        for year in journal
        for month in year["months"]
    ] == [(2019, 7, [entry["id"]]), (2018, 5, [new_entry["id"]])]
    assert journal[0]["months"][0]["entries"][0] == entry

    assert body["journal-patch"] == {**entry, "review": "Edited from the browser."}
    liked = body["liked-list"]
    assert liked["count"] == 2
    assert [game["igdb"] for game in liked["results"]] == [NEW_GAME, DARK_SOULS]

    # Error answers reach the page's code (they carry the CORS headers too).
    assert "detail" in body["like-anonymous"]
    assert "detail" in body["me-bad-token"]
    assert "rating" in body["rating-out-of-range"]
    assert "detail" in body["unknown-user"]

    assert [year["year"] for year in body["journal-2018"]] == [2018]
    assert steps["journal-delete"]["path"].endswith(f"/{new_entry['id']}/")
    assert body["journal-delete"] is None
    assert body["refresh"]["access"] and body["refresh"]["refresh"]
    assert body["logout"] is None

    # What the browser did is what the server saw: a preflight before every request
    # that needs one, answered 200, and the journal as the page left it.
    logged = request_lines(api, log_start)
    preflights = {path for method, path, status in logged if method == "OPTIONS"}
    assert all(status == 200 for method, _, status in logged if method == "OPTIONS")
    needed = {path_of(steps[name]) for name in PREFLIGHTED}
    assert needed <= preflights, (needed - preflights, logged)
    for simple in ("liked-list", "unknown-user"):  # no headers, no body: no preflight
        assert path_of(steps[simple]) not in preflights, (simple, logged)
    profile = api_json(api, f"/api/users/{username}/")
    assert (profile["liked_count"], profile["journal_count"]) == (2, 1), profile


def test_a_disallowed_origin_is_refused(browser, api, pages):
    """From an origin the API does not allow, the browser sends no write at all."""
    username = new_username()
    log_start = len(api.log_lines())

    steps = run_journey(browser, pages.disallowed, api, username)

    assert steps, "the page made no request"
    for name, step in steps.items():
        assert "status" not in step, (name, step)
        assert step["error"] == "TypeError: Failed to fetch", (name, step)
    console = browser_console(browser)
    assert "blocked by CORS policy" in console, console
    assert "No 'Access-Control-Allow-Origin' header" in console, console

    logged = request_lines(api, log_start)
    # The preflight was asked and refused; the registration itself never arrived.
    assert ("OPTIONS", "/api/users/register/", 200) in logged, logged
    assert not [line for line in logged if line[0] in {"POST", "PATCH", "DELETE"}]
    with pytest.raises(urllib.error.HTTPError) as unknown:
        api_json(api, f"/api/users/{username}/")
    assert unknown.value.code == 404


PROBE = """
const [api, done] = [arguments[0], arguments[arguments.length - 1]];
const probes = {
  "games-detail": [`${api}/api/games/2155/`, {}],
  "games-search": [`${api}/api/games/search/?q=dark%20souls`, {}],
  "wrong-method": [`${api}/api/users/register/`, {}],
  "unknown-path": [`${api}/api/no-such-endpoint/`, {}],
  "malformed-json": [`${api}/api/users/register/`, {
    method: "POST", headers: {"Content-Type": "application/json"}, body: "{nope",
  }],
  "journal-without-anyone": [`${api}/api/actions/journal/`, {}],
};
(async () => {
  const answers = {};
  for (const [name, [url, init]] of Object.entries(probes)) {
    try {
      const response = await fetch(url, init);
      const text = await response.text();
      let body;
      try {
        body = JSON.parse(text);
      } catch (error) {
        body = {notJson: text.slice(0, 200)};
      }
      answers[name] = {status: response.status, body};
    } catch (error) {
      answers[name] = {error: `${error.name}: ${error.message}`};
    }
  }
  done(answers);
})();
"""


def test_other_answers_are_readable_from_the_allowed_origin(browser, api, pages):
    browser.get(f"{pages.allowed[0]}/index.html")
    assert browser.find_element("id", "state").text == "idle"
    answers = browser.execute_async_script(PROBE, api.url)

    failed = {name: answer for name, answer in answers.items() if "error" in answer}
    assert not failed, f"{failed}\n{browser_console(browser)}"
    assert answers["games-detail"]["status"] == 200
    assert answers["games-detail"]["body"]["name"] == "Dark Souls"
    assert answers["games-search"]["status"] == 200
    assert DARK_SOULS in [game["id"] for game in answers["games-search"]["body"]]
    assert answers["wrong-method"]["status"] == 405
    assert answers["unknown-path"]["status"] == 404
    assert answers["malformed-json"]["status"] == 400
    assert answers["journal-without-anyone"]["status"] == 400
    # (An unknown path gets Django's HTML debug page: the API runs with DEBUG on.)
    assert "detail" in answers["wrong-method"]["body"]
    assert "detail" in answers["malformed-json"]["body"]
    assert "username" in answers["journal-without-anyone"]["body"]


@pytest.mark.parametrize("allowed", [True, False], ids=["allowed", "disallowed"])
def test_preflight_answer(api, pages, allowed):
    """The preflight as Chromium sends it, from Python: what the browser relies on."""
    origin = pages.allowed[0] if allowed else pages.disallowed
    status, headers = api.get(
        "/api/actions/journal/1/",
        method="OPTIONS",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert status == 200
    if not allowed:
        assert headers.get("Access-Control-Allow-Origin") is None
        return
    assert headers["Access-Control-Allow-Origin"] == origin
    allowed_headers = headers["Access-Control-Allow-Headers"].lower()
    assert {"authorization", "content-type"} <= {
        name.strip() for name in allowed_headers.split(",")
    }
    allowed_methods = headers["Access-Control-Allow-Methods"].upper()
    assert {"GET", "POST", "PATCH", "DELETE"} <= {
        name.strip() for name in allowed_methods.split(",")
    }
    assert "origin" in headers.get("Vary", "").lower()


THROTTLE_PROBE = """
const [api, done] = [arguments[0], arguments[arguments.length - 1]];
(async () => {
  const answers = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const response = await fetch(`${api}/api/users/login/`, {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({username: "nobody", password: "wrong-password-1"}),
      });
      answers.push({
        status: response.status,
        retryAfter: response.headers.get("Retry-After"),
        body: await response.json(),
      });
    } catch (error) {
      answers.push({error: `${error.name}: ${error.message}`});
    }
  }
  done(answers);
})();
"""


@pytest.fixture
def throttled_logins(browser, throttled_api, pages):
    browser.get(f"{pages.allowed[0]}/index.html")
    answers = browser.execute_async_script(THROTTLE_PROBE, throttled_api.url)
    assert [answer.get("status") for answer in answers] == [401, 429, 429], answers
    # The server does send Retry-After, to anyone who may read it.
    status, headers = throttled_api.get(
        "/api/users/login/", method="POST", headers={"Origin": pages.allowed[0]}
    )
    assert status == 429
    assert int(headers["Retry-After"]) > 0
    assert headers["Access-Control-Allow-Origin"] == pages.allowed[0]
    return answers


# One test: the throttled server allows one login a minute, for the whole session.
def test_a_throttled_answer_and_its_retry_after_are_readable(throttled_logins):
    assert "detail" in throttled_logins[1]["body"]
    assert int(throttled_logins[1]["retryAfter"]) > 0
