import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from games import catalog
from games.models import Game
from games.tests.factories import GameFactory

pytestmark = pytest.mark.django_db

DARK_SOULS = {
    "id": 2155,
    "name": "Dark Souls",
    "slug": "dark-souls",
    "summary": "Prepare to die.",
    "first_release_date": 1316649600,
    "cover": {"id": 83066, "image_id": "co2uro"},
    "screenshots": [{"id": 9, "image_id": "sc8kj1"}, {"id": 10, "image_id": "sc2"}],
}
CELESTE = {"id": 26226, "name": "Celeste", "slug": "celeste"}
# Well-known games the shipped catalog must hold; the README walk-through uses some.
SHIPPED_GAMES = {2155, 26226, 431, 76882, 23248, 19560, 1877, 11156}


def write_array(path, records) -> str:
    path.write_text(json.dumps(records, indent=1), encoding="utf-8")
    return str(path)


def write_lines(path, records) -> str:
    path.write_text(
        "".join(json.dumps(record) + "\n" for record in records), encoding="utf-8"
    )
    return str(path)


def load(*args) -> str:
    out = StringIO()
    call_command("load_catalog", *args, stdout=out)
    return out.getvalue()


def catalog_rows() -> list[tuple]:
    return list(Game.objects.order_by("igdb").values_list("igdb", "name", "slug"))


def test_loads_a_json_array(tmp_path):
    out = load(write_array(tmp_path / "games.json", [DARK_SOULS, CELESTE]))

    assert "Loaded 2 games" in out
    assert catalog_rows() == [
        (2155, "Dark Souls", "dark-souls"),
        (26226, "Celeste", "celeste"),
    ]


def test_loads_json_lines(tmp_path):
    load(write_lines(tmp_path / "games.jsonl", [DARK_SOULS, CELESTE]))

    assert catalog_rows() == [
        (2155, "Dark Souls", "dark-souls"),
        (26226, "Celeste", "celeste"),
    ]


def test_json_lines_may_have_blank_lines(tmp_path):
    path = tmp_path / "games.jsonl"
    path.write_text(f"\n{json.dumps(DARK_SOULS)}\n\n{json.dumps(CELESTE)}\n\n")

    load(str(path))

    assert Game.objects.count() == 2


def test_record_becomes_an_igdb_shaped_game(tmp_path):
    load(write_array(tmp_path / "games.json", [DARK_SOULS]))

    game = Game.objects.get(pk=2155)
    assert game.cover_id == "co2uro"
    assert game.backdrop_id == "sc8kj1"
    assert game.summary == "Prepare to die."
    assert game.first_release_date == datetime.date(2011, 9, 22)
    assert game.is_placeholder is False


def test_record_with_only_id_and_name_gets_defaults(tmp_path):
    load(write_array(tmp_path / "games.json", [{"id": 7, "name": "  Tetris  "}]))

    game = Game.objects.get(pk=7)
    assert (game.name, game.slug, game.cover_id, game.backdrop_id) == (
        "Tetris",
        "7",
        "",
        "",
    )
    assert game.first_release_date is None


def test_loading_twice_yields_the_same_rows(tmp_path):
    path = write_lines(tmp_path / "games.jsonl", [DARK_SOULS, CELESTE])
    load(path)
    first = list(Game.objects.order_by("igdb").values())

    load(path)

    second = list(Game.objects.order_by("igdb").values())
    ignore = {"updated_at"}
    assert [{k: v for k, v in row.items() if k not in ignore} for row in second] == [
        {k: v for k, v in row.items() if k not in ignore} for row in first
    ]


def test_reloading_replaces_names_and_keeps_other_games(tmp_path):
    GameFactory(igdb=1877, name="Cyberpunk 2077")
    load(write_array(tmp_path / "old.json", [DARK_SOULS, CELESTE]))
    renamed = {**DARK_SOULS, "name": "Dark Souls: Prepare to Die Edition"}

    load(write_array(tmp_path / "new.json", [renamed]))

    assert Game.objects.get(pk=2155).name == "Dark Souls: Prepare to Die Edition"
    assert Game.objects.get(pk=26226).name == "Celeste"
    assert Game.objects.get(pk=1877).name == "Cyberpunk 2077"


def test_loading_refreshes_a_placeholder_game(tmp_path):
    GameFactory(igdb=2155, name="dark soulz", is_placeholder=True)

    load(write_array(tmp_path / "games.json", [DARK_SOULS]))

    game = Game.objects.get(pk=2155)
    assert (game.name, game.is_placeholder) == ("Dark Souls", False)


def test_last_record_wins_for_a_repeated_id(tmp_path):
    records = [DARK_SOULS, {**DARK_SOULS, "name": "Dark Souls Remastered"}]

    load(write_lines(tmp_path / "games.jsonl", records))

    assert catalog_rows() == [(2155, "Dark Souls Remastered", "dark-souls")]


def test_loads_more_games_than_one_batch(tmp_path, monkeypatch):
    monkeypatch.setattr(catalog, "UPSERT_BATCH", 2)
    records = [{"id": igdb, "name": f"Game {igdb}"} for igdb in range(1, 6)]

    out = load(write_lines(tmp_path / "games.jsonl", records))

    assert "Loaded 5 games" in out
    assert Game.objects.count() == 5


@pytest.mark.parametrize(
    "record",
    [
        pytest.param(None, id="null"),
        pytest.param(42, id="number"),
        pytest.param("Dark Souls", id="string"),
        pytest.param([2155, "Dark Souls"], id="list"),
        pytest.param({"name": "No Id"}, id="no-id"),
        pytest.param({"id": "12", "name": "Id As Text"}, id="id-text"),
        pytest.param({"id": 12.0, "name": "Id As Float"}, id="id-float"),
        pytest.param({"id": True, "name": "Id As Bool"}, id="id-bool"),
        pytest.param({"id": 0, "name": "Id Zero"}, id="id-zero"),
        pytest.param({"id": -5, "name": "Id Negative"}, id="id-negative"),
        pytest.param({"id": 2**31, "name": "Id Too Big"}, id="id-too-big"),
        pytest.param({"id": 12}, id="no-name"),
        pytest.param({"id": 12, "name": None}, id="name-null"),
        pytest.param({"id": 12, "name": 12}, id="name-number"),
        pytest.param({"id": 12, "name": "   "}, id="name-blank"),
        pytest.param({"id": 12, "name": "\u0000"}, id="name-nul"),
    ],
)
def test_malformed_record_is_skipped(tmp_path, record):
    out = load(write_array(tmp_path / "games.json", [CELESTE, record]))

    assert "Loaded 1 games" in out
    assert "1 records skipped" in out
    assert catalog_rows() == [(26226, "Celeste", "celeste")]


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"slug": None}, id="slug-null"),
        pytest.param({"slug": {"a": 1}}, id="slug-object"),
        pytest.param({"summary": ["x"]}, id="summary-list"),
        pytest.param({"cover": "co2uro"}, id="cover-string"),
        pytest.param({"cover": {"image_id": 5}}, id="cover-id-number"),
        pytest.param({"screenshots": {"image_id": "sc1"}}, id="screenshots-object"),
        pytest.param({"screenshots": [None]}, id="screenshots-null-item"),
        pytest.param({"first_release_date": "2011-09-22"}, id="date-text"),
        pytest.param({"first_release_date": True}, id="date-bool"),
        pytest.param({"first_release_date": 10**20}, id="date-too-far"),
        pytest.param({"name": "Cel\u0000este"}, id="name-inner-nul"),
        pytest.param({"summary": "Climb\u0000"}, id="summary-nul"),
        pytest.param({"name": "Celeste\ud800"}, id="name-surrogate"),
        pytest.param({"summary": "\udfffClimb"}, id="summary-surrogate"),
        pytest.param({"cover": {"image_id": "co\u0000x"}}, id="cover-nul"),
        pytest.param({"name": "C" * 300}, id="name-too-long"),
        pytest.param({"slug": "s" * 300}, id="slug-too-long"),
        pytest.param({"cover": {"image_id": "c" * 100}}, id="cover-too-long"),
    ],
)
def test_odd_optional_fields_still_load_the_game(tmp_path, extra):
    # ensure_ascii writes lone surrogates as \ud800 escapes, as a JSON dump can.
    path = tmp_path / "games.json"
    path.write_text(json.dumps([{**CELESTE, **extra}], ensure_ascii=True))

    load(str(path))

    game = Game.objects.get(pk=26226)
    assert game.name.startswith("C")
    assert "\u0000" not in game.name + game.summary + game.cover_id


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        load(str(tmp_path / "missing.json"))


def test_directory_is_refused(tmp_path):
    with pytest.raises(CommandError):
        load(str(tmp_path))


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"this is not json\n", id="text"),
        pytest.param(b'[{"id": 1, "name": "Doom"}', id="truncated-array"),
        pytest.param(b'{"id": 1,\n "name": "Doom"}\n', id="pretty-object"),
        pytest.param(b"\xff\xfe\x00\x01garbage", id="binary"),
        pytest.param(b'[{"id": 1, "name": "Doom"}] trailing', id="trailing"),
    ],
)
def test_file_that_is_not_a_json_dump_is_refused(tmp_path, content):
    path = tmp_path / "games.json"
    path.write_bytes(content)

    with pytest.raises(CommandError, match="not an IGDB JSON dump"):
        load(str(path))

    assert not Game.objects.exists()


def test_refused_file_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(catalog, "UPSERT_BATCH", 1)
    path = tmp_path / "games.jsonl"
    path.write_text(f"{json.dumps(DARK_SOULS)}\n{json.dumps(CELESTE)}\nnot json\n")

    with pytest.raises(CommandError, match="line 3"):
        load(str(path))

    assert not Game.objects.exists()


def test_empty_file_loads_nothing(tmp_path):
    path = tmp_path / "games.json"
    path.write_text("")

    out = load(str(path))

    assert "Loaded 0 games" in out


def test_without_a_file_loads_the_shipped_catalog():
    load()

    loaded = set(Game.objects.values_list("igdb", flat=True))
    assert len(loaded) >= 200
    assert SHIPPED_GAMES - loaded == set()
    assert Game.objects.get(pk=2155).name == "Dark Souls"
    assert Game.objects.get(pk=26226).name == "Celeste"
