// What a web front end on another origin does with the Overworld API: register, log in,
// like a game, write journal entries and read the journal back, with fetch and an
// `Authorization: Bearer` header (so every write is a CORS request with a preflight).
//
// Query string: api (the API's origin), username, password, and igdb (a game of the
// catalog). Every request becomes a step {name, method, path, status, body,
// contentType} or, when fetch itself fails (CORS refused, server down), {..., error}.
// When all are done: window.overworld = {done: true, steps}, <body data-state="done">.
"use strict";

(async () => {
  const params = new URLSearchParams(window.location.search);
  const api = (params.get("api") || "").replace(/\/+$/, "");
  const username = params.get("username");
  const password = params.get("password");
  const igdb = Number(params.get("igdb"));
  const steps = [];
  window.overworld = { done: false, steps };
  document.getElementById("api").textContent = api;
  if (!api) {
    // Opened without an API to talk to (the test's own probes load it that way).
    document.getElementById("state").textContent = "idle";
    document.body.dataset.state = "idle";
    return;
  }

  function render(step) {
    const row = document.createElement("tr");
    row.dataset.step = step.name;
    const answer = step.error !== undefined ? step.error : JSON.stringify(step.body);
    for (const text of [
      step.name,
      `${step.method} ${step.path}`,
      step.status === undefined ? "-" : String(step.status),
      answer,
    ]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.appendChild(cell);
    }
    document.getElementById("steps").appendChild(row);
  }

  async function call(name, method, path, { token, body } = {}) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    const step = { name, method, path };
    try {
      const response = await fetch(api + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
      });
      step.status = response.status;
      step.contentType = response.headers.get("Content-Type");
      const text = await response.text();
      try {
        step.body = text === "" ? null : JSON.parse(text);
      } catch (parseError) {
        step.body = { unparsable: text.slice(0, 500) };
      }
    } catch (error) {
      step.error = `${error.name}: ${error.message}`;
    }
    steps.push(step);
    render(step);
    return step;
  }

  const token = (step) => (step.body && step.body.access) || null;
  const firstEntryId = (journal) => {
    try {
      return journal.body[0].months[0].entries[0].id;
    } catch (error) {
      return "missing";
    }
  };

  try {
    const email = `${username}@example.com`;
    const registered = await call("register", "POST", "/api/users/register/", {
      body: { username, email, password },
    });
    // Without the trailing slash on purpose: no redirect may break a CORS request.
    const login = await call("login", "POST", "/api/users/login", {
      body: { username, password },
    });
    const access = token(login) || token(registered);

    await call("me", "GET", "/api/users/user/", { token: access });
    await call("like", "POST", "/api/actions/like/", {
      token: access,
      body: { igdb, value: true },
    });
    await call("state", "GET", `/api/actions/?igdb=${igdb}`, { token: access });
    await call("journal-entry", "POST", "/api/actions/journal/", {
      token: access,
      body: {
        game: { igdb },
        date: "2019-07-01",
        review: "Praise the sun — from a browser.",
        spoilers: false,
        rating: 9,
      },
    });
    await call("journal-new-game", "POST", "/api/actions/journal", {
      token: access,
      body: {
        game: { id: 987654321, name: "Überspiel 🎮", cover_id: null },
        date: "2018-05-25",
        liked: true,
        rating: 7,
      },
    });
    await call("journal-own", "GET", "/api/actions/journal/", { token: access });
    // Public and without headers: a "simple" request, no preflight.
    const publicJournal = await call(
      "journal-public",
      "GET",
      `/api/actions/journal/?username=${encodeURIComponent(username)}`,
    );
    const newest = firstEntryId(publicJournal);
    await call("journal-patch", "PATCH", `/api/actions/journal/${newest}/`, {
      token: access,
      body: { review: "Edited from the browser." },
    });
    await call("liked-list", "GET", `/api/users/${encodeURIComponent(username)}/liked/`);

    // Error answers must carry the CORS headers too, or the front end cannot read them.
    await call("like-anonymous", "POST", "/api/actions/like/", {
      body: { igdb, value: true },
    });
    await call("me-bad-token", "GET", "/api/users/user/", { token: "not-a-jwt" });
    await call("rating-out-of-range", "POST", "/api/actions/ratings/", {
      token: access,
      body: { game: igdb, rating: 11 },
    });
    await call("unknown-user", "GET", "/api/users/nobody-here-at-all/");

    const older = await call(
      "journal-2018",
      "GET",
      `/api/actions/journal/?username=${encodeURIComponent(username)}&year=2018`,
    );
    await call("journal-delete", "DELETE", `/api/actions/journal/${firstEntryId(older)}/`, {
      token: access,
    });
    const refreshed = await call("refresh", "POST", "/api/users/token/refresh/", {
      body: { refresh: (login.body && login.body.refresh) || "missing" },
    });
    await call("logout", "POST", "/api/users/logout/", {
      token: access,
      body: { refresh: (refreshed.body && refreshed.body.refresh) || "missing" },
    });
  } catch (error) {
    window.overworld.crash = `${error.name}: ${error.message}`;
  }
  window.overworld.done = true;
  document.getElementById("state").textContent = "done";
  document.body.dataset.state = "done";
})();
