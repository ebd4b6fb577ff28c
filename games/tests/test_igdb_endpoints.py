"""/api/games/ with IGDB configured: queries, answers, caching, catalog upserts."""

import datetime

import pytest
import responses
from django.urls import reverse

from games.models import Game
from games.tests.factories import GameFactory
from games.tests.helpers import (
    DARK_SOULS,
    DAY,
    HOUR,
    IMAGES,
    calls_to,
    igdb_url,
    sent_queries,
)

pytestmark = pytest.mark.django_db

CELESTE = {
    "id": 26226,
    "name": "Celeste",
    "slug": "celeste",
    "first_release_date": 1516838400,
    "cover": {"id": 3, "image_id": "co3byy"},
}
DARK_SOULS_II = {"id": 2368, "name": "Dark Souls II", "slug": "dark-souls-ii"}
POPULARITY_TYPES = [
    {"id": 1, "name": "Want to Play"},
    {"id": 7, "name": "Visits"},
    {"id": 9, "name": "Playing"},
]
PRIMITIVES = [
    {"id": 31, "game_id": 26226, "value": 0.0093},
    {"id": 32, "game_id": 2155, "value": 0.0051},
]
DETAIL_KEYS = {
    "id",
    "name",
    "slug",
    "summary",
    "first_release_date",
    "cover",
    "genres",
    "platforms",
    "screenshots",
    "involved_companies",
    "themes",
}
SUMMARY_KEYS = {"id", "name", "slug", "first_release_date", "cover"}
TRICKY_TERM = 'Baldur\'s "Gate"; fields *; where id = 1'


def detail_url(igdb: int = 2155) -> str:
    return reverse("game-detail", kwargs={"igdb": igdb})


def backdrop_url(igdb: int = 2155) -> str:
    return reverse("game-backdrop", kwargs={"igdb": igdb})


def search_url(query: str = "dark souls") -> str:
    return reverse("game-search-name", kwargs={"name": query})


def query_fields(body: str) -> set[str]:
    """The field names of an Apicalypse query's `fields` statement."""
    fields = body.split(";")[0].removeprefix("fields ")
    return set(fields.split(","))


@pytest.fixture
def igdb_games(mocked_igdb):
    """IGDB answers every games query with Dark Souls and its popularity."""
    mocked_igdb.post(igdb_url("games"), json=[DARK_SOULS])
    mocked_igdb.post(igdb_url("popularity_types"), json=POPULARITY_TYPES)
    mocked_igdb.post(igdb_url("popularity_primitives"), json=PRIMITIVES[1:])
    return mocked_igdb


class TestDetail:
    def test_detail_answers_the_igdb_game_with_image_urls(self, api_client, igdb_games):
        r = api_client.get(detail_url())

        assert r.status_code == 200, r.data
        assert r.data == {
            "id": 2155,
            "name": "Dark Souls",
            "slug": "dark-souls",
            "summary": DARK_SOULS["summary"],
            "first_release_date": 1316649600,
            "cover": {
                "id": 83066,
                "image_id": "co2uro",
                "url": f"{IMAGES}/t_cover_big/co2uro.jpg",
            },
            "genres": [{"id": 12, "name": "Role-playing (RPG)"}],
            "platforms": [
                {"id": 6, "name": "PC (Microsoft Windows)"},
                {"id": 9, "name": "PlayStation 3"},
            ],
            "screenshots": [
                {
                    "id": 9613,
                    "image_id": "sc8kj1",
                    "url": f"{IMAGES}/t_screenshot_big/sc8kj1.jpg",
                },
                {
                    "id": 9614,
                    "image_id": "sc8kj2",
                    "url": f"{IMAGES}/t_screenshot_big/sc8kj2.jpg",
                },
            ],
            "involved_companies": [
                {
                    "id": 1567,
                    "company": {"id": 1011, "name": "FromSoftware"},
                    "developer": True,
                    "publisher": False,
                },
                {
                    "id": 1568,
                    "company": {"id": 248, "name": "Namco Bandai Games"},
                    "developer": False,
                    "publisher": True,
                },
            ],
            "themes": [{"id": 1, "name": "Action"}, {"id": 17, "name": "Fantasy"}],
        }

    def test_detail_asks_igdb_for_one_game_with_every_field_it_shows(
        self, api_client, igdb_games
    ):
        api_client.get(detail_url())

        [body] = sent_queries(igdb_games, "games")
        assert "where id = (2155);" in body
        assert "limit 1;" in body
        assert query_fields(body) >= {
            "name",
            "slug",
            "summary",
            "first_release_date",
            "cover.image_id",
            "genres.name",
            "platforms.name",
            "screenshots.image_id",
            "involved_companies.company.name",
            "themes.name",
        }

    @pytest.mark.parametrize(
        ("missing", "shown"),
        [
            ("cover", None),
            ("first_release_date", None),
            ("summary", None),
            ("genres", []),
            ("platforms", []),
            ("screenshots", []),
            ("involved_companies", []),
            ("themes", []),
        ],
    )
    def test_game_without_a_field_shows_null_or_an_empty_list(
        self, api_client, mocked_igdb, missing, shown
    ):
        record = {key: value for key, value in DARK_SOULS.items() if key != missing}
        mocked_igdb.post(igdb_url("games"), json=[record])

        r = api_client.get(detail_url())

        assert r.status_code == 200, r.data
        assert r.data[missing] == shown
        assert set(r.data) == DETAIL_KEYS

    def test_game_with_only_a_name_has_every_key(self, api_client, mocked_igdb):
        mocked_igdb.post(igdb_url("games"), json=[{"id": 2155, "name": "Dark Souls"}])

        r = api_client.get(detail_url())

        assert r.status_code == 200, r.data
        assert r.data == {
            "id": 2155,
            "name": "Dark Souls",
            "slug": None,
            "summary": None,
            "first_release_date": None,
            "cover": None,
            "genres": [],
            "platforms": [],
            "screenshots": [],
            "involved_companies": [],
            "themes": [],
        }

    def test_involved_company_without_a_company_shows_null(
        self, api_client, mocked_igdb
    ):
        involvement = {"id": 5, "developer": True}
        record = {**DARK_SOULS, "involved_companies": [involvement]}
        mocked_igdb.post(igdb_url("games"), json=[record])

        r = api_client.get(detail_url())

        assert r.data["involved_companies"] == [
            {"id": 5, "company": None, "developer": True, "publisher": False}
        ]

    def test_game_igdb_does_not_know_is_a_404(self, api_client, mocked_igdb):
        GameFactory(igdb=2155)
        mocked_igdb.post(igdb_url("games"), json=[])

        r = api_client.get(detail_url())

        assert r.status_code == 404, r.data
        assert "detail" in r.data


class TestSearch:
    def test_search_asks_igdb_for_twenty_games_without_editions(
        self, api_client, mocked_igdb
    ):
        mocked_igdb.post(igdb_url("games"), json=[])

        api_client.get(reverse("game-search"), {"q": "dark souls"})

        [body] = sent_queries(mocked_igdb, "games")
        assert 'search "dark souls";' in body
        assert "where version_parent = null;" in body
        assert "limit 20;" in body
        # IGDB ranks search results itself; a sort would undo that.
        assert "sort" not in body

    def test_search_answers_in_igdb_order_with_covers(self, api_client, mocked_igdb):
        mocked_igdb.post(igdb_url("games"), json=[DARK_SOULS, DARK_SOULS_II])

        r = api_client.get(search_url())

        assert r.status_code == 200, r.data
        assert r.data == [
            {
                "id": 2155,
                "name": "Dark Souls",
                "slug": "dark-souls",
                "first_release_date": 1316649600,
                "cover": {
                    "id": 83066,
                    "image_id": "co2uro",
                    "url": f"{IMAGES}/t_cover_big/co2uro.jpg",
                },
            },
            {
                "id": 2368,
                "name": "Dark Souls II",
                "slug": "dark-souls-ii",
                "first_release_date": None,
                "cover": None,
            },
        ]

    @pytest.mark.parametrize(
        ("url", "params"),
        [
            pytest.param(reverse("game-search"), {"q": TRICKY_TERM}, id="query"),
            pytest.param(search_url(TRICKY_TERM), {}, id="path"),
        ],
    )
    def test_search_term_with_quotes_and_semicolons_is_escaped(
        self, api_client, mocked_igdb, url, params
    ):
        mocked_igdb.post(igdb_url("games"), json=[])

        r = api_client.get(url, params)

        assert r.status_code == 200, r.data
        [body] = sent_queries(mocked_igdb, "games")
        assert 'search "Baldur\'s \\"Gate\\"; fields *; where id = 1";' in body

    def test_searches_differing_in_case_share_a_cached_answer(
        self, api_client, igdb_games
    ):
        api_client.get(search_url("Dark Souls"))

        r = api_client.get(search_url("dark souls"))

        assert r.status_code == 200, r.data
        assert len(calls_to(igdb_games, "games")) == 1


class TestPopular:
    @pytest.fixture
    def popular_igdb(self, mocked_igdb):
        mocked_igdb.post(igdb_url("popularity_types"), json=POPULARITY_TYPES)
        mocked_igdb.post(igdb_url("popularity_primitives"), json=PRIMITIVES)
        # IGDB answers ids in an order of its own.
        mocked_igdb.post(igdb_url("games"), json=[DARK_SOULS, CELESTE])
        return mocked_igdb

    def test_popular_answers_games_most_visited_first(self, api_client, popular_igdb):
        r = api_client.get(reverse("game-popular"))

        assert r.status_code == 200, r.data
        assert [(game["id"], game["popularity"]) for game in r.data] == [
            (26226, 0.0093),
            (2155, 0.0051),
        ]
        assert r.data[0] == {
            "id": 26226,
            "name": "Celeste",
            "slug": "celeste",
            "first_release_date": 1516838400,
            "cover": {
                "id": 3,
                "image_id": "co3byy",
                "url": f"{IMAGES}/t_cover_big/co3byy.jpg",
            },
            "popularity": 0.0093,
        }

    def test_popularity_type_is_read_from_igdb_by_name(self, api_client, popular_igdb):
        api_client.get(reverse("game-popular"))

        [primitives] = sent_queries(popular_igdb, "popularity_primitives")
        assert "where popularity_type = 7;" in primitives
        assert "sort value desc;" in primitives
        assert "limit 20;" in primitives
        [games] = sent_queries(popular_igdb, "games")
        assert "where id = (26226,2155);" in games

    def test_without_a_visits_type_the_first_type_is_used(
        self, api_client, popular_igdb
    ):
        popular_igdb.replace(
            responses.POST,
            igdb_url("popularity_types"),
            json=[{"id": 3, "name": "Playing"}, {"id": 4, "name": "Played"}],
        )

        api_client.get(reverse("game-popular"))

        [primitives] = sent_queries(popular_igdb, "popularity_primitives")
        assert "where popularity_type = 3;" in primitives

    def test_popularity_types_are_read_once_a_day(
        self, api_client, popular_igdb, clock, no_rate_limit
    ):
        api_client.get(reverse("game-popular"))
        clock.advance(HOUR + 1)

        r = api_client.get(reverse("game-popular"))

        assert r.status_code == 200, r.data
        assert len(calls_to(popular_igdb, "popularity_primitives")) == 2
        assert len(calls_to(popular_igdb, "popularity_types")) == 1

    def test_no_popularity_data_is_an_empty_list(self, api_client, popular_igdb):
        popular_igdb.replace(responses.POST, igdb_url("popularity_primitives"), json=[])

        r = api_client.get(reverse("game-popular"))

        assert r.status_code == 200, r.data
        assert r.data == []
        assert calls_to(popular_igdb, "games") == []


class TestBackdrop:
    def test_backdrop_answers_the_screenshots_with_urls(self, api_client, igdb_games):
        r = api_client.get(backdrop_url())

        assert r.status_code == 200, r.data
        assert r.data == {
            "id": 2155,
            "name": "Dark Souls",
            "slug": "dark-souls",
            "screenshots": [
                {
                    "id": 9613,
                    "image_id": "sc8kj1",
                    "url": f"{IMAGES}/t_screenshot_big/sc8kj1.jpg",
                },
                {
                    "id": 9614,
                    "image_id": "sc8kj2",
                    "url": f"{IMAGES}/t_screenshot_big/sc8kj2.jpg",
                },
            ],
        }
        [body] = sent_queries(igdb_games, "games")
        assert "screenshots.image_id" in query_fields(body)


ENDPOINTS = [
    pytest.param(detail_url, DAY, id="detail"),
    pytest.param(backdrop_url, DAY, id="backdrop"),
    pytest.param(search_url, HOUR, id="search"),
    pytest.param(lambda: reverse("game-popular"), HOUR, id="popular"),
]


class TestCaching:
    @pytest.mark.parametrize(("url", "ttl"), ENDPOINTS)
    def test_answer_is_cached_for_its_lifetime(
        self, api_client, igdb_games, clock, url, ttl
    ):
        first = api_client.get(url())
        clock.advance(ttl - 1)

        cached = api_client.get(url())

        assert cached.status_code == 200, cached.data
        assert cached.data == first.data
        assert len(calls_to(igdb_games, "games")) == 1

    @pytest.mark.parametrize(("url", "ttl"), ENDPOINTS)
    def test_expired_answer_is_asked_again(
        self, api_client, igdb_games, clock, no_rate_limit, url, ttl
    ):
        api_client.get(url())
        clock.advance(ttl + 1)

        r = api_client.get(url())

        assert r.status_code == 200, r.data
        assert len(calls_to(igdb_games, "games")) == 2


class TestCatalogUpserts:
    def test_detail_replaces_a_placeholder_game_a_client_created(
        self, api_client, auth_client, igdb_games
    ):
        r = auth_client.post(
            reverse("actions-relation", args=["like"]),
            {"igdb": 2155, "name": "dark soulz", "cover_id": "bogus"},
            format="json",
        )
        assert r.status_code == 200, r.data
        assert Game.objects.get(pk=2155).is_placeholder

        api_client.get(detail_url())

        game = Game.objects.get(pk=2155)
        assert (game.name, game.slug, game.cover_id, game.backdrop_id) == (
            "Dark Souls",
            "dark-souls",
            "co2uro",
            "sc8kj1",
        )
        assert game.summary == DARK_SOULS["summary"]
        assert game.first_release_date == datetime.date(2011, 9, 22)
        assert game.is_placeholder is False

    def test_search_adds_new_games_to_the_catalog(self, api_client, mocked_igdb):
        mocked_igdb.post(igdb_url("games"), json=[DARK_SOULS, DARK_SOULS_II])

        api_client.get(search_url())

        assert list(
            Game.objects.order_by("pk").values_list("pk", "name", "cover_id")
        ) == [(2155, "Dark Souls", "co2uro"), (2368, "Dark Souls II", "")]

    def test_search_refreshes_known_games_and_keeps_what_it_did_not_ask(
        self, api_client, mocked_igdb
    ):
        GameFactory(igdb=2155, name="Dark Souls (old name)", summary="Kept.")
        mocked_igdb.post(igdb_url("games"), json=[DARK_SOULS])

        api_client.get(search_url())

        game = Game.objects.get(pk=2155)
        assert (game.name, game.summary, game.is_placeholder) == (
            "Dark Souls",
            "Kept.",
            False,
        )

    def test_popular_games_are_added_to_the_catalog(self, api_client, mocked_igdb):
        mocked_igdb.post(igdb_url("popularity_types"), json=POPULARITY_TYPES)
        mocked_igdb.post(igdb_url("popularity_primitives"), json=PRIMITIVES)
        mocked_igdb.post(igdb_url("games"), json=[DARK_SOULS, CELESTE])

        api_client.get(reverse("game-popular"))

        assert set(Game.objects.values_list("pk", flat=True)) == {2155, 26226}

    def test_backdrop_refreshes_the_backdrop_of_a_known_game(
        self, api_client, igdb_games
    ):
        GameFactory(igdb=2155, backdrop_id="old")

        api_client.get(backdrop_url())

        assert Game.objects.get(pk=2155).backdrop_id == "sc8kj1"


def shape(data):
    """An answer without its values: its keys, and the keys of its images."""
    if isinstance(data, list):
        return [shape(item) for item in data]
    shaped = dict.fromkeys(data)
    if data.get("cover") is not None:
        shaped["cover"] = set(data["cover"])
    if "screenshots" in data:
        shaped["screenshots"] = {frozenset(image) for image in data["screenshots"]}
    return shaped


class TestSameShapeInBothModes:
    @pytest.mark.parametrize(
        ("url", "keys"),
        [
            pytest.param(detail_url, DETAIL_KEYS, id="detail"),
            pytest.param(
                backdrop_url, {"id", "name", "slug", "screenshots"}, id="backdrop"
            ),
            pytest.param(search_url, SUMMARY_KEYS, id="search"),
            pytest.param(
                lambda: reverse("game-popular"),
                SUMMARY_KEYS | {"popularity"},
                id="popular",
            ),
        ],
    )
    def test_igdb_and_catalog_answers_have_the_same_keys(
        self, api_client, igdb_games, settings, url, keys
    ):
        from_igdb = api_client.get(url())
        # The catalog now holds what IGDB answered; without credentials it answers.
        settings.IGDB_CLIENT_ID = ""

        from_catalog = api_client.get(url())

        assert from_catalog.status_code == 200, from_catalog.data
        assert from_igdb.data != from_catalog.data
        assert shape(from_igdb.data) == shape(from_catalog.data)
        answer = (
            from_igdb.data[0] if isinstance(from_igdb.data, list) else from_igdb.data
        )
        assert set(answer) == keys
