"""The games endpoints answer in the IGDB shapes the OpenAPI schema describes."""

import pytest
import responses
from django.urls import reverse

from actions.tests.factories import LikedFactory
from games.tests.factories import GameFactory
from games.tests.helpers import DARK_SOULS, igdb_url

pytestmark = pytest.mark.django_db

DETAIL = "/api/games/{igdb}/"
BACKDROP = "/api/games/backdrop/{igdb}/"
SEARCH = "/api/games/search/"
SEARCH_BY_NAME = "/api/games/search/{name}/"
POPULAR = "/api/games/popular/"


@pytest.fixture
def catalog(db):
    LikedFactory(game=GameFactory(igdb=2155, name="Dark Souls", backdrop_id="sc8kj1"))
    GameFactory(name="Dark Souls II", cover_id="", first_release_date=None)


@pytest.mark.parametrize("igdb", [2155, 424242])
def test_catalog_detail_and_backdrop_match(api_client, catalog, conforms, igdb):
    conforms(api_client.get(reverse("game-detail", args=[igdb])), DETAIL)
    conforms(api_client.get(reverse("game-backdrop", args=[igdb])), BACKDROP)


def test_catalog_search_and_popular_match(api_client, catalog, conforms):
    conforms(api_client.get(reverse("game-search"), {"q": "dark"}), SEARCH)
    conforms(api_client.get(reverse("game-search")), SEARCH)
    conforms(api_client.get(reverse("game-search-name", args=["dark"])), SEARCH_BY_NAME)
    conforms(
        api_client.get(reverse("game-search-name", args=["x" * 256])), SEARCH_BY_NAME
    )
    conforms(api_client.get(reverse("game-popular")), POPULAR)


def test_igdb_detail_with_every_field_matches(api_client, mocked_igdb, conforms):
    record = {
        **DARK_SOULS,
        "involved_companies": [
            *DARK_SOULS["involved_companies"],
            {"id": 9, "developer": True},
        ],
        "genres": [{"id": 12}],
    }
    mocked_igdb.post(igdb_url("games"), json=[record])

    conforms(api_client.get(reverse("game-detail", args=[2155])), DETAIL)


def test_igdb_outage_with_nothing_to_answer_matches(api_client, mocked_igdb, conforms):
    mocked_igdb.post(igdb_url("games"), body=responses.ConnectionError())

    r = api_client.get(reverse("game-detail", args=[2155]))

    assert r.status_code == 503
    conforms(r, DETAIL)
