import datetime

import pytest
from django.urls import reverse

from actions.tests.factories import (
    BacklogFactory,
    LikedFactory,
    PlayedFactory,
    WishlistFactory,
)
from games.tests.factories import GameFactory

pytestmark = pytest.mark.django_db

IMAGES = "https://images.igdb.com/igdb/image/upload"


@pytest.fixture
def dark_souls():
    return GameFactory(
        igdb=2155,
        name="Dark Souls",
        slug="dark-souls",
        summary="Prepare to die.",
        first_release_date=datetime.date(2011, 9, 22),
        cover_id="co2uro",
        backdrop_id="sc8kj1",
    )


def search_names(client, query: str) -> list[str]:
    r = client.get(reverse("game-search"), {"q": query})
    assert r.status_code == 200, r.data
    return [game["name"] for game in r.data]


class TestDetail:
    def test_detail_answers_in_igdb_shape(self, api_client, dark_souls):
        r = api_client.get(reverse("game-detail", kwargs={"igdb": 2155}))

        assert r.status_code == 200, r.data
        assert r.data == {
            "id": 2155,
            "name": "Dark Souls",
            "slug": "dark-souls",
            "summary": "Prepare to die.",
            "first_release_date": 1316649600,
            "cover": {
                "id": None,
                "image_id": "co2uro",
                "url": f"{IMAGES}/t_cover_big/co2uro.jpg",
            },
            "genres": [],
            "platforms": [],
            "screenshots": [
                {
                    "id": None,
                    "image_id": "sc8kj1",
                    "url": f"{IMAGES}/t_screenshot_big/sc8kj1.jpg",
                }
            ],
            "involved_companies": [],
            "themes": [],
        }

    def test_game_without_images_summary_or_date_has_nulls(self, api_client):
        GameFactory(
            igdb=7, cover_id="", backdrop_id="", summary="", first_release_date=None
        )

        r = api_client.get(reverse("game-detail", kwargs={"igdb": 7}))

        assert r.status_code == 200, r.data
        assert r.data["cover"] is None
        assert r.data["screenshots"] == []
        assert r.data["summary"] is None
        assert r.data["first_release_date"] is None

    def test_release_date_before_1970_is_a_negative_timestamp(self, api_client):
        GameFactory(igdb=8, first_release_date=datetime.date(1962, 1, 1))

        r = api_client.get(reverse("game-detail", kwargs={"igdb": 8}))

        assert r.data["first_release_date"] == -252460800

    @pytest.mark.parametrize("igdb", [1, 2155, 2**31 - 1])
    def test_unknown_game_is_a_404(self, api_client, igdb):
        r = api_client.get(reverse("game-detail", kwargs={"igdb": igdb}))

        assert r.status_code == 404, r.data
        assert "detail" in r.data

    @pytest.mark.parametrize("igdb", [0, 2**31, 2**32, 9_999_999_999])
    def test_id_outside_the_igdb_range_is_a_404(self, api_client, igdb):
        r = api_client.get(reverse("game-detail", kwargs={"igdb": igdb}))

        assert r.status_code == 404, r.data
        assert "detail" in r.json()

    @pytest.mark.parametrize("path", ["-1", "12345678901", "1.5", "abc"])
    def test_id_that_is_not_a_short_positive_integer_is_a_404(self, api_client, path):
        r = api_client.get(f"/api/games/{path}/")

        assert r.status_code == 404
        assert "detail" in r.json()


class TestSearch:
    @pytest.fixture
    def souls_games(self):
        for name, year in [
            ("Souls of Darkness", 2003),
            ("Dark Souls III", 2016),
            ("Prepare to Die: Dark Souls Edition", 2012),
            ("Dark Souls II", 2014),
            ("Dark Souls", 2011),
            ("Celeste", 2018),
        ]:
            GameFactory(name=name, first_release_date=datetime.date(year, 1, 1))

    def test_exact_match_comes_first_then_prefixes_then_the_rest(
        self, api_client, souls_games
    ):
        assert search_names(api_client, "dark souls") == [
            "Dark Souls",
            "Dark Souls III",
            "Dark Souls II",
            "Prepare to Die: Dark Souls Edition",
        ]

    def test_equal_matches_come_newest_first_and_undated_last(self, api_client):
        for name, released in [
            ("Tetris 99", datetime.date(2019, 2, 13)),
            ("Tetris Effect", None),
            ("Tetris DS", datetime.date(2006, 3, 20)),
        ]:
            GameFactory(name=name, first_release_date=released)

        assert search_names(api_client, "tetris") == [
            "Tetris 99",
            "Tetris DS",
            "Tetris Effect",
        ]

    def test_search_ignores_case(self, api_client, souls_games):
        assert search_names(api_client, "CELESTE") == ["Celeste"]

    def test_search_by_path_answers_like_search_by_query(self, api_client, souls_games):
        by_query = api_client.get(reverse("game-search"), {"q": "dark souls"})
        by_path = api_client.get(
            reverse("game-search-name", kwargs={"name": "dark souls"})
        )

        assert by_path.status_code == 200, by_path.data
        assert by_path.data == by_query.data

    def test_search_result_shape(self, api_client, dark_souls):
        r = api_client.get(reverse("game-search"), {"q": "dark souls"})

        assert r.data == [
            {
                "id": 2155,
                "name": "Dark Souls",
                "slug": "dark-souls",
                "first_release_date": 1316649600,
                "cover": {
                    "id": None,
                    "image_id": "co2uro",
                    "url": f"{IMAGES}/t_cover_big/co2uro.jpg",
                },
            }
        ]

    def test_search_answers_at_most_twenty_games(self, api_client):
        GameFactory.create_batch(25, name="Zelda")

        assert len(search_names(api_client, "zelda")) == 20

    def test_nothing_found_is_an_empty_list(self, api_client, souls_games):
        assert search_names(api_client, "tetris") == []

    @pytest.mark.parametrize(
        ("query", "found"),
        [
            ("%", ["100% Orange Juice"]),
            ("_", ["Snake_Pass"]),
            ("'", ["Baldur's Gate"]),
            ('"', ['"Quoted"']),
            ("\\", ["Back\\slash"]),
        ],
    )
    def test_wildcards_and_quotes_match_literally(self, api_client, query, found):
        for name in ["100% Orange Juice", "Snake_Pass", "Baldur's Gate"]:
            GameFactory(name=name)
        GameFactory(name='"Quoted"')
        GameFactory(name="Back\\slash")
        GameFactory(name="Celeste")

        assert search_names(api_client, query) == found

    @pytest.mark.parametrize(
        "query_string",
        ["q=%ED%A0%80", "q=%FF", "q=%F0%9F%8E%AE", "q=x&q=y", "q=a%0Ab"],
    )
    def test_odd_query_strings_are_answered(self, api_client, query_string):
        r = api_client.get(f"{reverse('game-search')}?{query_string}")

        assert r.status_code == 200, r.data

    @pytest.mark.parametrize(
        "query_string",
        ["", "q=", "q=%20%20", "q=%00", "q=a%00b", f"q={'a' * 256}"],
        ids=["missing", "empty", "blank", "nul", "inner-nul", "too-long"],
    )
    def test_missing_or_invalid_query_is_a_400(self, api_client, query_string):
        r = api_client.get(f"{reverse('game-search')}?{query_string}")

        assert r.status_code == 400, r.data
        assert "q" in r.data

    @pytest.mark.parametrize("name", ["\u0000", " "])
    def test_invalid_name_in_the_path_is_a_400(self, api_client, name):
        r = api_client.get(reverse("game-search-name", kwargs={"name": name}))

        assert r.status_code == 400, r.data


class TestPopular:
    def test_most_marked_games_come_first(self, api_client):
        celeste = GameFactory(name="Celeste")
        dark_souls = GameFactory(name="Dark Souls")
        hades = GameFactory(name="Hades")
        PlayedFactory.create_batch(2, game=dark_souls)
        LikedFactory(game=dark_souls)
        WishlistFactory(game=hades)
        BacklogFactory(game=hades)
        PlayedFactory(game=celeste)

        r = api_client.get(reverse("game-popular"))

        assert r.status_code == 200, r.data
        assert [(game["id"], game["popularity"]) for game in r.data] == [
            (dark_souls.pk, 3),
            (hades.pk, 2),
            (celeste.pk, 1),
        ]

    def test_popular_game_shape(self, api_client, dark_souls):
        LikedFactory(game=dark_souls)

        r = api_client.get(reverse("game-popular"))

        assert r.data == [
            {
                "id": 2155,
                "name": "Dark Souls",
                "slug": "dark-souls",
                "first_release_date": 1316649600,
                "cover": {
                    "id": None,
                    "image_id": "co2uro",
                    "url": f"{IMAGES}/t_cover_big/co2uro.jpg",
                },
                "popularity": 1,
            }
        ]

    def test_unmarked_games_follow_newest_first_and_undated_last(self, api_client):
        marked = GameFactory(first_release_date=datetime.date(1990, 1, 1))
        LikedFactory(game=marked)
        undated = GameFactory(first_release_date=None)
        older = GameFactory(first_release_date=datetime.date(2011, 9, 22))
        newer = GameFactory(first_release_date=datetime.date(2018, 1, 25))

        r = api_client.get(reverse("game-popular"))

        assert [game["id"] for game in r.data] == [
            marked.pk,
            newer.pk,
            older.pk,
            undated.pk,
        ]
        assert [game["popularity"] for game in r.data] == [1, 0, 0, 0]

    def test_popular_answers_at_most_twenty_games(self, api_client):
        GameFactory.create_batch(25)

        r = api_client.get(reverse("game-popular"))

        assert len(r.data) == 20

    def test_empty_catalog_has_no_popular_games(self, api_client):
        r = api_client.get(reverse("game-popular"))

        assert r.status_code == 200, r.data
        assert r.data == []


class TestBackdrop:
    def test_backdrop_answers_with_the_screenshots(self, api_client, dark_souls):
        r = api_client.get(reverse("game-backdrop", kwargs={"igdb": 2155}))

        assert r.status_code == 200, r.data
        assert r.data == {
            "id": 2155,
            "name": "Dark Souls",
            "slug": "dark-souls",
            "screenshots": [
                {
                    "id": None,
                    "image_id": "sc8kj1",
                    "url": f"{IMAGES}/t_screenshot_big/sc8kj1.jpg",
                }
            ],
        }

    def test_game_without_backdrop_has_no_screenshots(self, api_client):
        GameFactory(igdb=9, backdrop_id="")

        r = api_client.get(reverse("game-backdrop", kwargs={"igdb": 9}))

        assert r.status_code == 200, r.data
        assert r.data["screenshots"] == []

    @pytest.mark.parametrize("igdb", [1, 2**31, 9_999_999_999])
    def test_unknown_game_is_a_404(self, api_client, igdb):
        r = api_client.get(reverse("game-backdrop", kwargs={"igdb": igdb}))

        assert r.status_code == 404, r.data
        assert "detail" in r.json()
