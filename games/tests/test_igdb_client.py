"""The IGDB client: Twitch token, Apicalypse queries, retries, limits, bad answers."""

import threading
import time
from urllib.parse import parse_qs

import pytest
import requests
import responses

from games import igdb
from games.tests.helpers import (
    TOKEN_URL,
    calls_to,
    igdb_url,
    token_answer,
    token_requests,
)
from games.tests.igdb_standin import parse

GAMES = igdb_url("games")
QUERY = "fields name; limit 1;"


def query(body: str = QUERY) -> list[dict]:
    return igdb.get_client().query("games", body)


def bearer_tokens(mock) -> list[str]:
    return [call.request.headers["Authorization"] for call in calls_to(mock, "games")]


class TestToken:
    def test_token_is_fetched_once_and_reused(self, mocked_igdb):
        mocked_igdb.post(GAMES, json=[{"id": 1, "name": "Doom"}])

        query()
        query()

        assert len(token_requests(mocked_igdb)) == 1
        assert bearer_tokens(mocked_igdb) == ["Bearer token-1", "Bearer token-1"]

    def test_token_comes_from_the_client_credentials_grant(self, mocked_igdb):
        mocked_igdb.post(GAMES, json=[])

        query()

        [call] = token_requests(mocked_igdb)
        assert parse_qs(call.request.body) == {
            "client_id": ["overworld-test"],
            "client_secret": ["test-secret"],
            "grant_type": ["client_credentials"],
        }

    def test_token_is_shared_with_other_clients_through_the_cache(self, mocked_igdb):
        mocked_igdb.post(GAMES, json=[])
        query()
        # What another worker process would do: build its own client.
        igdb._client.cache_clear()

        query()

        assert len(token_requests(mocked_igdb)) == 1

    @pytest.mark.parametrize(
        ("elapsed", "tokens_fetched"),
        [
            pytest.param(3600 - 61, 1, id="61s-before-expiry"),
            pytest.param(3600 - 59, 2, id="59s-before-expiry"),
        ],
    )
    def test_token_is_renewed_a_minute_before_it_expires(
        self, mocked_igdb, clock, elapsed, tokens_fetched
    ):
        mocked_igdb.replace(
            responses.POST, TOKEN_URL, json=token_answer("token-1", expires_in=3600)
        )
        mocked_igdb.post(GAMES, json=[])
        query()

        clock.advance(elapsed)
        query()

        assert len(token_requests(mocked_igdb)) == tokens_fetched

    def test_401_fetches_one_new_token_and_retries_once(self, mocked_igdb):
        mocked_igdb.post(TOKEN_URL, json=token_answer("token-2"))
        mocked_igdb.post(GAMES, status=401, json={"message": "Authorization Failure"})
        mocked_igdb.post(GAMES, json=[{"id": 1, "name": "Doom"}])

        records = query()

        assert records == [{"id": 1, "name": "Doom"}]
        assert bearer_tokens(mocked_igdb) == ["Bearer token-1", "Bearer token-2"]
        assert len(token_requests(mocked_igdb)) == 2

    def test_second_401_in_a_row_is_an_error(self, mocked_igdb):
        mocked_igdb.post(GAMES, status=401, json={"message": "Authorization Failure"})

        with pytest.raises(igdb.IGDBError, match="401"):
            query()

        assert len(calls_to(mocked_igdb, "games")) == 2
        assert len(token_requests(mocked_igdb)) == 2

    @pytest.mark.parametrize(
        "answer",
        [
            pytest.param({"status": 400, "json": {"message": "bad"}}, id="400"),
            pytest.param({"json": {"expires_in": 3600}}, id="no-token"),
            pytest.param({"json": {"access_token": "t"}}, id="no-lifetime"),
            pytest.param({"body": "<html>"}, id="not-json"),
            pytest.param({"body": requests.ConnectionError()}, id="unreachable"),
        ],
    )
    def test_token_refused_is_an_error_and_igdb_is_not_asked(self, mocked_igdb, answer):
        mocked_igdb.replace(responses.POST, TOKEN_URL, **answer)

        with pytest.raises(igdb.IGDBError):
            query()

        assert calls_to(mocked_igdb, "games") == []


class TestRequests:
    def test_query_is_posted_with_client_id_and_bearer_token(self, mocked_igdb):
        mocked_igdb.post(GAMES, json=[])

        query("fields name; where id = (7); limit 1;")

        [call] = calls_to(mocked_igdb, "games")
        assert call.request.method == "POST"
        assert call.request.headers["Client-ID"] == "overworld-test"
        assert call.request.headers["Authorization"] == "Bearer token-1"
        assert call.request.body == b"fields name; where id = (7); limit 1;"

    @pytest.mark.parametrize("status", [500, 502, 503, 504])
    def test_server_error_is_retried_twice_then_given_up(self, mocked_igdb, status):
        mocked_igdb.post(GAMES, status=status)

        with pytest.raises(igdb.IGDBError, match=str(status)):
            query()

        assert len(calls_to(mocked_igdb, "games")) == 3

    def test_server_error_then_an_answer_is_an_answer(self, mocked_igdb):
        mocked_igdb.post(GAMES, status=502)
        mocked_igdb.post(GAMES, json=[{"id": 1, "name": "Doom"}])

        assert query() == [{"id": 1, "name": "Doom"}]
        assert len(calls_to(mocked_igdb, "games")) == 2

    @pytest.mark.parametrize("status", [400, 404])
    def test_client_error_is_not_retried(self, mocked_igdb, status):
        mocked_igdb.post(GAMES, status=status, json=[{"title": "Syntax Error"}])

        with pytest.raises(igdb.IGDBError, match=str(status)):
            query()

        assert len(calls_to(mocked_igdb, "games")) == 1

    @pytest.mark.parametrize(
        "error",
        [requests.ReadTimeout, requests.ConnectTimeout, requests.ConnectionError],
    )
    def test_timeout_or_connection_error_is_an_igdb_error(self, mocked_igdb, error):
        mocked_igdb.post(GAMES, body=error("IGDB is away"))

        with pytest.raises(igdb.IGDBError, match="IGDB is away"):
            query()

    @pytest.mark.parametrize(
        "body",
        [
            pytest.param("", id="empty"),
            pytest.param("<html>Bad gateway</html>", id="html"),
            pytest.param('[{"id": 1, "name": "Do', id="truncated"),
            pytest.param('{"message": "ok"}', id="object"),
            pytest.param("null", id="null"),
            pytest.param("[1, 2]", id="list-of-numbers"),
            pytest.param('[{"name": "Doom"}]', id="record-without-id"),
            pytest.param('[{"id": "1", "name": "Doom"}]', id="id-as-text"),
            pytest.param('[{"id": true, "name": "Doom"}]', id="id-as-bool"),
        ],
    )
    def test_malformed_answer_is_an_igdb_error(self, mocked_igdb, body):
        mocked_igdb.post(GAMES, body=body, content_type="application/json")

        with pytest.raises(igdb.IGDBError, match=r"malformed|other than records"):
            query()


class TestRateLimitAnswer:
    def test_429_starts_a_cool_down_without_anyone_waiting(self, mocked_igdb, clock):
        mocked_igdb.post(GAMES, status=429, headers={"Retry-After": "30"})
        mocked_igdb.post(GAMES, json=[])

        with pytest.raises(igdb.IGDBError, match="429"):
            query()
        with pytest.raises(igdb.IGDBError, match="cooling down"):
            query()

        assert len(calls_to(mocked_igdb, "games")) == 1
        assert clock.slept == []

    @pytest.mark.parametrize(
        ("retry_after", "seconds"),
        [
            pytest.param("30", 30, id="as-asked"),
            pytest.param(None, 1, id="missing"),
            pytest.param("soon", 1, id="not-a-number"),
            pytest.param("0", 1, id="zero"),
            pytest.param("3600", igdb.MAX_COOLDOWN, id="capped"),
        ],
    )
    def test_cool_down_lasts_as_long_as_igdb_asked(
        self, mocked_igdb, clock, retry_after, seconds
    ):
        headers = {"Retry-After": retry_after} if retry_after else {}
        mocked_igdb.post(GAMES, status=429, headers=headers)
        mocked_igdb.post(GAMES, json=[])
        with pytest.raises(igdb.IGDBError):
            query()

        clock.advance(seconds - 0.5)
        with pytest.raises(igdb.IGDBError, match="cooling down"):
            query()
        clock.advance(1)
        query()

        assert len(calls_to(mocked_igdb, "games")) == 2

    def test_batch_job_may_wait_out_the_cool_down(self, mocked_igdb, clock):
        mocked_igdb.post(GAMES, status=429, headers={"Retry-After": "7"})
        mocked_igdb.post(GAMES, json=[])
        client = igdb.get_client()
        with pytest.raises(igdb.IGDBError):
            client.query("games", QUERY)

        assert client.query("games", QUERY, wait=True) == []
        assert clock.slept == [7]


class TestApicalypse:
    def test_query_by_ids(self):
        body = igdb.apicalypse(
            fields=["name", "cover.image_id"], ids=[7, 2155], limit=2
        )

        assert body == "fields name,cover.image_id; where id = (7,2155); limit 2;"

    @pytest.mark.parametrize(
        "term",
        [
            'Baldur\'s "Gate"; fields *; where id = 1;',
            'ends with a backslash \\";',
            '\\"; limit 500; search "',
        ],
    )
    def test_search_term_with_quotes_and_semicolons_stays_one_string(self, term):
        body = igdb.apicalypse(
            fields=["name"], search=term, where=["version_parent = null"], limit=20
        )

        # Read back as IGDB would: the term is still the term, nothing leaked out.
        parsed = parse(body)
        assert parsed.search == term
        assert parsed.fields == {"name"}
        assert parsed.conditions == [("version_parent", None)]
        assert parsed.limit == 20

    def test_search_term_escapes_quotes_and_backslashes(self):
        body = igdb.apicalypse(fields=["name"], search='say "hi" \\ bye;')

        assert body == 'fields name; search "say \\"hi\\" \\\\ bye;";'

    def test_search_term_whitespace_is_collapsed(self):
        body = igdb.apicalypse(fields=["name"], search="  dark\n\tsouls  ")

        assert body == 'fields name; search "dark souls";'

    @pytest.mark.parametrize(
        "ids",
        [["2155"], [2155.0], [True], [None], ["1); fields *; where (id"], []],
        ids=["text", "float", "bool", "none", "injection", "empty"],
    )
    def test_ids_must_be_integers(self, ids):
        with pytest.raises(TypeError):
            igdb.apicalypse(fields=["name"], ids=ids)


class TestLimits:
    def test_no_more_than_four_requests_a_second(self, mocked_igdb, monkeypatch):
        # No waiting for the limit: the fifth request in the second fails at once.
        monkeypatch.setattr(igdb, "MAX_RATE_LIMIT_WAIT", 0)
        mocked_igdb.post(GAMES, json=[])
        for _ in range(igdb.REQUESTS_PER_SECOND):
            query()

        with pytest.raises(igdb.IGDBError, match="Rate limit"):
            query()

        assert len(calls_to(mocked_igdb, "games")) == 4

    def test_retries_count_towards_the_rate_limit(
        self, standin, quick_retries, monkeypatch
    ):
        monkeypatch.setattr(igdb, "MAX_RATE_LIMIT_WAIT", 0)
        standin.fail("500")
        with pytest.raises(igdb.IGDBError, match="500"):
            query()
        assert len(standin.requests_to("games")) == 3
        standin.recover()

        query()
        with pytest.raises(igdb.IGDBError, match=r"[Rr]ate limit"):
            query()

        assert len(standin.requests_to("games")) == 4

    def test_no_more_than_eight_requests_in_flight(self, standin, monkeypatch):
        monkeypatch.setattr(igdb, "REQUESTS_PER_SECOND", 100)
        monkeypatch.setattr(igdb, "READ_TIMEOUT", 5)
        client = igdb.get_client()
        client.token()
        standin.fail("hang")
        answers = []
        threads = [
            threading.Thread(
                target=lambda: answers.append(client.query("games", QUERY))
            )
            for _ in range(10)
        ]
        for thread in threads:
            thread.start()

        deadline = time.monotonic() + 5
        while standin.in_flight < 8 and time.monotonic() < deadline:
            time.sleep(0.01)
        # Time enough for a ninth request to arrive if the pool let it through.
        time.sleep(0.2)
        most_in_flight = standin.max_in_flight
        standin.recover()
        for thread in threads:
            thread.join()

        assert most_in_flight == igdb.MAX_IN_FLIGHT
        assert len(answers) == 10
