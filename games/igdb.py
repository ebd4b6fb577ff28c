"""A small client for the IGDB v4 API.

IGDB takes POST requests whose body is an Apicalypse query, authenticated with a
Twitch app token. The token is kept in Django's cache so that every process shares it
when the cache is Redis. Every failure — connection, timeout, rate limit, server error,
malformed answer — surfaces as IGDBError, so callers have one thing to fall back on.
"""

import json
import logging
import math
import time
from collections.abc import Iterable
from functools import lru_cache

import requests
from django.conf import settings
from django.core.cache import cache
from requests.adapters import HTTPAdapter
from requests_ratelimiter import LimiterAdapter
from urllib3.util.retry import Retry

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 3
READ_TIMEOUT = 10
REQUESTS_PER_SECOND = 4
MAX_IN_FLIGHT = 8
IGDB_ID_MAX = 2**31 - 1
# How long a request may wait for the per-process rate limit before giving up.
MAX_RATE_LIMIT_WAIT = 2
RATE_LIMIT_BUCKET = "igdb"
RETRIES = 2
RETRY_BACKOFF = 0.2
TOKEN_CACHE_KEY = "igdb:token"
TOKEN_EXPIRY_MARGIN = 60
# Twitch app tokens last about 60 days; a longer promise is not believed.
MAX_TOKEN_LIFETIME = 60 * 24 * 60 * 60
COOLDOWN_CACHE_KEY = "igdb:cooldown"
MAX_COOLDOWN = 60


class IGDBError(Exception):
    """IGDB gave no usable answer."""


def escape(term: str) -> str:
    """A string safe inside an Apicalypse double-quoted literal."""
    term = " ".join(term.split())
    return term.replace("\\", "\\\\").replace('"', '\\"')


def apicalypse(
    *,
    fields: Iterable[str],
    search: str | None = None,
    where: Iterable[str] = (),
    ids: Iterable[int] | None = None,
    sort: str | None = None,
    limit: int | None = None,
) -> str:
    """Write an Apicalypse query: the only place a query body is put together.

    `fields`, `where` and `sort` are fixed strings from this codebase; anything that
    comes from a request goes in as `search` (escaped) or `ids` (integers only).
    """
    parts = [f"fields {','.join(fields)};"]
    if search is not None:
        parts.append(f'search "{escape(search)}";')

    conditions = list(where)
    if ids is not None:
        ids = list(ids)
        if not ids or not all(type(igdb) is int for igdb in ids):
            raise TypeError("IGDB ids must be a non-empty list of integers")
        conditions.append(f"id = ({','.join(str(igdb) for igdb in ids)})")
    if conditions:
        parts.append(f"where {' & '.join(conditions)};")

    if sort is not None:
        parts.append(f"sort {sort};")
    if limit is not None:
        parts.append(f"limit {int(limit)};")
    return " ".join(parts)


class MeteredRetry(Retry):
    """A Retry that takes a turn in the rate limit before each retry.

    requests-ratelimiter counts a request once, when the adapter sends it; without
    this, the retries urllib3 makes underneath would go out uncounted, and a burst
    of server errors would exceed IGDB's limit.
    """

    # The API adapter's limiter, set by IGDBClient; without one nothing is metered.
    limiter = None

    def new(self, **kw) -> "MeteredRetry":
        retry = super().new(**kw)
        retry.limiter = self.limiter
        return retry

    def sleep(self, response=None) -> None:
        super().sleep(response)
        if self.limiter is not None and not self.limiter.try_acquire(
            RATE_LIMIT_BUCKET, blocking=True, timeout=MAX_RATE_LIMIT_WAIT
        ):
            raise IGDBError("IGDB rate limit not cleared for a retry")


def refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is out of range")
    return number


def strict_json(content: bytes):
    """JSON as the standard defines it: no NaN or Infinity, no 1e999."""
    return json.loads(content, parse_constant=refuse_constant, parse_float=finite_float)


def retry_policy() -> MeteredRetry:
    """Retry refused connections and server errors a couple of times, quickly.

    Read timeouts are not retried (a slow IGDB would hold the request thread for
    several read timeouts), nor are 429s, which open a cool-down instead.
    """
    return MeteredRetry(
        total=RETRIES,
        connect=RETRIES,
        read=0,
        status=RETRIES,
        backoff_factor=RETRY_BACKOFF,
        status_forcelist=(500, 502, 503, 504),
        allowed_methods=None,
        raise_on_status=False,
        respect_retry_after_header=False,
    )


class IGDBClient:
    def __init__(
        self, *, client_id: str, client_secret: str, api_url: str, token_url: str
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.api_url = api_url.rstrip("/")
        self.token_url = token_url
        self.session = requests.Session()
        retries = retry_policy()
        api = LimiterAdapter(
            per_second=REQUESTS_PER_SECOND,
            per_host=False,
            bucket_name=RATE_LIMIT_BUCKET,
            max_delay=MAX_RATE_LIMIT_WAIT,
            limit_statuses=(),
            max_retries=retries,
            pool_maxsize=MAX_IN_FLIGHT,
            pool_block=True,
        )
        retries.limiter = api.limiter
        self.session.mount(self.api_url, api)
        self.session.mount(self.token_url, HTTPAdapter(max_retries=retry_policy()))

    def query(self, endpoint: str, body: str, *, wait: bool = False) -> list[dict]:
        """POST an Apicalypse query to an endpoint; the list of records it answers.

        During a cool-down after a 429 the query fails at once, or with `wait` (for
        batch jobs, never for a request thread) sleeps until the cool-down is over.
        """
        cooldown = self.cooldown_remaining()
        if cooldown and not wait:
            raise IGDBError("IGDB is rate limiting us; cooling down")
        if cooldown:
            time.sleep(cooldown)

        response = self.post(endpoint, body, self.token())
        if response.status_code == 401:
            # The token was revoked or expired early: one new token, one more try.
            response = self.post(endpoint, body, self.token(renew=True))

        if response.status_code == 429:
            self.cool_down(response.headers.get("Retry-After"))
            raise IGDBError("IGDB answered 429 Too Many Requests")
        if response.status_code != 200:
            raise IGDBError(f"IGDB answered {response.status_code} on {endpoint}")
        try:
            records = strict_json(response.content)
        except (ValueError, RecursionError) as error:
            raise IGDBError(f"IGDB answered malformed JSON on {endpoint}") from error
        # Every IGDB record has an integer id; answers are keyed and stored by it.
        if not isinstance(records, list) or not all(
            isinstance(record, dict)
            and type(record.get("id")) is int
            and 0 < record["id"] <= IGDB_ID_MAX
            for record in records
        ):
            raise IGDBError(f"IGDB answered something other than records on {endpoint}")
        return records

    def post(self, endpoint: str, body: str, token: str) -> requests.Response:
        try:
            return self.session.post(
                f"{self.api_url}/{endpoint}",
                data=body.encode(),
                headers={
                    "Client-ID": self.client_id,
                    "Authorization": f"Bearer {token}",
                    "Accept": "application/json",
                },
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            )
        except requests.RequestException as error:
            raise IGDBError(f"IGDB request failed: {error}") from error

    def token(self, renew: bool = False) -> str:
        """The app access token, from the shared cache unless renew is asked for."""
        if not renew:
            token = cache.get(TOKEN_CACHE_KEY)
            if token:
                return token

        try:
            response = self.session.post(
                self.token_url,
                data={
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                    "grant_type": "client_credentials",
                },
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            )
            payload = strict_json(response.content) if response.ok else {}
        except (requests.RequestException, ValueError, RecursionError) as error:
            raise IGDBError(f"Twitch token request failed: {error}") from error

        if not isinstance(payload, dict):
            payload = {}
        token, lifetime = payload.get("access_token"), payload.get("expires_in")
        if not isinstance(token, str) or type(lifetime) is not int or lifetime <= 0:
            raise IGDBError(f"Twitch refused a token ({response.status_code})")
        lifetime = min(lifetime, MAX_TOKEN_LIFETIME)
        cache.set(TOKEN_CACHE_KEY, token, max(lifetime - TOKEN_EXPIRY_MARGIN, 1))
        logger.info("IGDB token fetched, valid for %s s", lifetime)
        return token

    def cool_down(self, retry_after: str | None) -> None:
        """Stop calling IGDB for as long as it asked, so no thread waits on it."""
        try:
            seconds = int(retry_after) if retry_after else 1
        except ValueError:
            seconds = 1
        seconds = min(max(seconds, 1), MAX_COOLDOWN)
        cache.set(COOLDOWN_CACHE_KEY, time.time() + seconds, seconds)

    def cooldown_remaining(self) -> float:
        """Seconds until IGDB may be called again after a 429; 0 when it may now."""
        until = cache.get(COOLDOWN_CACHE_KEY)
        return max(until - time.time(), 0) if isinstance(until, float) else 0


def is_configured() -> bool:
    return bool(settings.IGDB_CLIENT_ID and settings.IGDB_CLIENT_SECRET)


def get_client() -> IGDBClient:
    """The process's client for the configured credentials (one session, one limit)."""
    return _client(
        settings.IGDB_CLIENT_ID,
        settings.IGDB_CLIENT_SECRET,
        settings.IGDB_API_URL,
        settings.TWITCH_TOKEN_URL,
    )


@lru_cache(maxsize=4)
def _client(client_id, client_secret, api_url, token_url) -> IGDBClient:
    return IGDBClient(
        client_id=client_id,
        client_secret=client_secret,
        api_url=api_url,
        token_url=token_url,
    )
