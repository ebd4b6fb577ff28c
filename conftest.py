import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import schemathesis
from django.core.cache import cache, caches
from django.db import connection
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from users.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def clear_cache():
    """Throttle counters and cached answers must not leak from one test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def users_cache(clear_cache, settings):
    """Authenticated users cached in local memory, as production caches them in Redis
    (without Redis the server caches none): every test runs with that cache on.

    A user changed in a test (factories save twice) stays out of the cache for a
    minute, as in production; users/tests/test_auth_cache.py covers the cached path.
    Depends on clear_cache so that its settings are undone before that one clears.
    """
    settings.CACHES = {
        **settings.CACHES,
        "users": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    caches["users"].clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """MD5 in tests: the production hasher spends a third of a second per password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_client():
    return APIClient()


def bearer_client(user) -> APIClient:
    """A client that authenticates as a real API client does: with a JWT."""
    client = APIClient()
    token = RefreshToken.for_user(user).access_token
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def auth_client(user):
    return bearer_client(user)


@pytest.fixture
def other_client(other_user):
    return bearer_client(other_user)


def race(requests: list) -> list:
    """Call each request in its own thread, all released at the same moment.

    Each thread closes its own database connection when done; tests that race must
    commit for real (django_db(transaction=True)) so that one thread sees another's.
    """
    barrier = threading.Barrier(len(requests))

    def send(request):
        try:
            barrier.wait()
            return request()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


@pytest.fixture(scope="session")
def openapi():
    """The API's OpenAPI schema, as a client reads it from /api/schema/."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


@pytest.fixture(scope="session")
def conforms(openapi):
    """A check that an answer is one the schema describes for that operation.

    The status code must be documented, and the body must match its schema: what
    the contract fuzzer (fuzz/run.py) checks, for answers a test chose.
    """
    operations = schemathesis.openapi.from_dict(openapi)

    def check(response, path: str, method: str = "GET") -> None:
        operation = operations[path][method.upper()]
        documented = openapi["paths"][path][method.lower()]["responses"]
        assert str(response.status_code) in documented, (response.status_code, path)
        operation.validate_response(
            schemathesis.Response(
                status_code=response.status_code,
                headers={name: [value] for name, value in response.headers.items()},
                content=response.content,
                request=requests.Request(method, f"http://testserver{path}").prepare(),
                elapsed=0,
                verify=True,
            )
        )

    return check
