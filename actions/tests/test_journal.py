"""POST and GET /api/actions/journal/, and GET, PATCH, DELETE journal/<id>/."""

import datetime
import functools

import pytest
from django.urls import reverse
from rest_framework.exceptions import NotFound

from actions import services
from actions.models import Backlog, JournalEntry, Liked, Played, Rating
from actions.tests.factories import (
    BacklogFactory,
    JournalEntryFactory,
    LikedFactory,
    RatingFactory,
)
from actions.tests.helpers import row_counts, send_json
from conftest import bearer_client, race
from games.tests.factories import GameFactory
from users.tests.factories import UserFactory

NEW_IGDB = 1942


def journal_url(query: str = ""):
    return reverse("journal-list") + query


def entry_url(pk):
    return reverse("journal-detail", args=[pk])


def new_entry(**fields):
    """A journal entry body for a game not in the database yet."""
    return {
        "game": {"igdb": NEW_IGDB, "name": "Outer Wilds"},
        "date": "2023-05-04",
        **fields,
    }


def outline(journal):
    """A grouped journal as (year, [(month, [entry id, ...]), ...]) pairs."""
    return [
        (
            year["year"],
            [
                (month["month"], [entry["id"] for entry in month["entries"]])
                for month in year["months"]
            ],
        )
        for year in journal
    ]


def entry_fields(entry: JournalEntry) -> dict:
    """The fields of an entry that its author writes."""
    return {
        "date": entry.date,
        "review": entry.review,
        "spoilers": entry.spoilers,
        "liked": entry.liked,
        "rating": entry.rating,
    }


# The fields of the `entry` fixture.
ENTRY_FIELDS = {
    "date": datetime.date(2022, 3, 4),
    "review": "Loved it.",
    "spoilers": False,
    "liked": False,
    "rating": 7,
}


@pytest.fixture
def entry(user):
    return JournalEntryFactory(
        user=user, date=datetime.date(2022, 3, 4), review="Loved it.", rating=7
    )


# POST journal/


def test_posting_an_entry_answers_with_the_entry(auth_client, user):
    body = {
        "game": {
            "igdb": NEW_IGDB,
            "name": "Outer Wilds",
            "slug": "outer-wilds",
            "cover_id": "co1ow",
            "backdrop_id": "sc9ow",
        },
        "date": "2023-05-04",
        "review": "Wow.",
        "spoilers": True,
        "liked": True,
        "rating": 9,
    }

    r = auth_client.post(journal_url(), body, format="json")

    assert r.status_code == 200, r.data
    entry = JournalEntry.objects.get()
    assert r.data == {
        "id": entry.pk,
        "game": {
            "igdb": NEW_IGDB,
            "name": "Outer Wilds",
            "slug": "outer-wilds",
            "cover_id": "co1ow",
            "backdrop_id": "sc9ow",
        },
        "date": "2023-05-04",
        "review": "Wow.",
        "spoilers": True,
        "liked": True,
        "rating": 9,
        "user": user.pk,
    }
    assert (entry.user, entry.game_id) == (user, NEW_IGDB)
    assert entry_fields(entry) == {
        "date": datetime.date(2023, 5, 4),
        "review": "Wow.",
        "spoilers": True,
        "liked": True,
        "rating": 9,
    }


def test_an_entry_without_the_optional_fields_gets_their_defaults(auth_client):
    r = auth_client.post(journal_url(), new_entry(), format="json")

    assert r.status_code == 200, r.data
    assert (r.data["review"], r.data["spoilers"], r.data["liked"]) == ("", False, False)
    assert r.data["rating"] is None


def test_a_null_review_is_stored_as_empty(auth_client):
    r = auth_client.post(journal_url(), new_entry(review=None), format="json")

    assert r.status_code == 200, r.data
    assert r.data["review"] == ""
    assert JournalEntry.objects.get().review == ""


@pytest.mark.parametrize("key", ["igdb", "id"])
def test_the_game_is_given_by_igdb_or_by_id(auth_client, game, key):
    r = auth_client.post(journal_url(), new_entry(game={key: game.igdb}), format="json")

    assert r.status_code == 200, r.data
    assert r.data["game"]["igdb"] == game.igdb
    assert JournalEntry.objects.get().game == game


def test_an_entry_for_a_new_game_without_a_name_is_refused_and_writes_nothing(
    auth_client,
):
    before = row_counts()

    body = new_entry(game={"igdb": NEW_IGDB}, liked=True, rating=8)

    r = auth_client.post(journal_url(), body, format="json")

    assert r.status_code == 400, r.data
    assert "name" in r.data["game"]
    assert row_counts() == before


def test_entry_metadata_never_overwrites_an_existing_game(auth_client):
    game = GameFactory(name="Celeste", slug="celeste", cover_id="co1cel")
    body = new_entry(
        game={"id": game.igdb, "name": "Renamed", "slug": "renamed", "cover_id": "x"}
    )

    r = auth_client.post(journal_url(), body, format="json")

    assert r.status_code == 200, r.data
    assert r.data["game"]["name"] == "Celeste"
    game.refresh_from_db()
    assert (game.name, game.slug, game.cover_id) == ("Celeste", "celeste", "co1cel")


# What an entry does besides being an entry


def test_an_entry_marks_the_game_played_and_takes_it_out_of_the_backlog(
    auth_client, user, game
):
    BacklogFactory(user=user, game=game)

    r = auth_client.post(
        journal_url(), new_entry(game={"igdb": game.igdb}), format="json"
    )

    assert r.status_code == 200, r.data
    assert Played.objects.filter(user=user, game=game).exists()
    assert not Backlog.objects.filter(user=user, game=game).exists()


def test_a_liked_entry_likes_the_game(auth_client, user):
    r = auth_client.post(journal_url(), new_entry(liked=True), format="json")

    assert r.status_code == 200, r.data
    assert Liked.objects.filter(user=user, game_id=NEW_IGDB).exists()


def test_an_entry_that_is_not_liked_does_not_like_the_game(auth_client, user):
    r = auth_client.post(journal_url(), new_entry(liked=False), format="json")

    assert r.status_code == 200, r.data
    assert not Liked.objects.filter(user=user, game_id=NEW_IGDB).exists()


def test_an_entry_that_is_not_liked_leaves_an_earlier_like(auth_client, user, game):
    LikedFactory(user=user, game=game)

    r = auth_client.post(
        journal_url(), new_entry(game={"igdb": game.igdb}, liked=False), format="json"
    )

    assert r.status_code == 200, r.data
    assert Liked.objects.filter(user=user, game=game).exists()


def test_a_rated_entry_sets_the_users_rating_of_the_game(auth_client, user, game):
    RatingFactory(user=user, game=game, rating=3)

    r = auth_client.post(
        journal_url(), new_entry(game={"igdb": game.igdb}, rating=9), format="json"
    )

    assert r.status_code == 200, r.data
    assert list(Rating.objects.filter(user=user).values_list("rating", flat=True)) == [
        9
    ]


@pytest.mark.parametrize("rating", [{}, {"rating": None}], ids=["absent", "null"])
def test_an_unrated_entry_leaves_the_users_rating(auth_client, user, game, rating):
    RatingFactory(user=user, game=game, rating=3)

    r = auth_client.post(
        journal_url(), new_entry(game={"igdb": game.igdb}, **rating), format="json"
    )

    assert r.status_code == 200, r.data
    assert Rating.objects.get(user=user, game=game).rating == 3


def test_an_unrated_entry_does_not_rate_the_game(auth_client, user):
    r = auth_client.post(journal_url(), new_entry(), format="json")

    assert r.status_code == 200, r.data
    assert not Rating.objects.filter(user=user).exists()


def test_a_game_may_be_logged_again_on_the_same_day(auth_client, user):
    first = auth_client.post(journal_url(), new_entry(), format="json")
    replay = auth_client.post(journal_url(), new_entry(), format="json")

    assert first.status_code == 200, first.data
    assert replay.status_code == 200, replay.data
    assert first.data["id"] != replay.data["id"]
    assert JournalEntry.objects.filter(user=user, game_id=NEW_IGDB).count() == 2
    assert Played.objects.filter(user=user, game_id=NEW_IGDB).count() == 1


def test_an_entry_and_its_side_effects_are_written_together(
    auth_client, user, monkeypatch
):
    def fail(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "rating_upsert", fail)
    before = row_counts()

    with pytest.raises(RuntimeError):
        auth_client.post(journal_url(), new_entry(liked=True, rating=8), format="json")

    assert row_counts() == before


# Dates, with the clock at 2024-02-28 23:30 UTC


@pytest.mark.parametrize(
    "date", ["2024-02-29", "2024-02-28", "2000-02-29", "1950-01-01"]
)
def test_a_date_from_1950_to_tomorrow_is_accepted(auth_client, frozen_now, date):
    r = auth_client.post(journal_url(), new_entry(date=date), format="json")

    assert r.status_code == 200, r.data
    assert r.data["date"] == date


@pytest.mark.parametrize(
    "date",
    [
        "2024-03-01",
        "9999-12-31",
        "1949-12-31",
        "0001-01-01",
        "0000-01-01",
        "2023-02-30",
        "2023-02-29",
        "2023-13-01",
        "2023-00-10",
        "20230101",
        "2023-1-1",
        "01/02/2023",
        "2023-01-01T00:00:00",
        "2023-01-01T00:00:00Z",
        "2023-01-01 10:00",
        "2023-W01-1",
        "\uff12\uff10\uff12\uff13-\uff10\uff11-\uff10\uff11",
        "\u0662\u0660\u0662\u0663-\u0660\u0661-\u0660\u0661",
        "",
        None,
        20230101,
    ],
)
def test_a_date_that_is_not_a_real_day_from_1950_to_tomorrow_is_refused(
    auth_client, frozen_now, date
):
    before = row_counts()

    r = auth_client.post(journal_url(), new_entry(date=date), format="json")

    assert r.status_code == 400, r.data
    assert "date" in r.data
    assert row_counts() == before


def test_a_review_of_20000_characters_is_accepted(auth_client):
    r = auth_client.post(journal_url(), new_entry(review="x" * 20_000), format="json")

    assert r.status_code == 200, r.data
    assert len(JournalEntry.objects.get().review) == 20_000


def test_a_review_over_20000_characters_is_refused(auth_client):
    before = row_counts()

    r = auth_client.post(journal_url(), new_entry(review="x" * 20_001), format="json")

    assert r.status_code == 400, r.data
    assert "review" in r.data
    assert row_counts() == before


# GET journal/


def test_the_journal_groups_entries_by_year_then_month_newest_first(auth_client, user):
    def add(day):
        return JournalEntryFactory(user=user, date=datetime.date.fromisoformat(day)).pk

    march_2021 = add("2021-03-10")
    july_2023_late = add("2023-07-20")
    january_2023 = add("2023-01-05")
    july_2023_early = add("2023-07-02")
    july_2023_late_replay = add("2023-07-20")
    december_2022 = add("2022-12-31")

    r = auth_client.get(journal_url())

    assert r.status_code == 200, r.data
    assert outline(r.data) == [
        (
            2023,
            [
                (7, [july_2023_late_replay, july_2023_late, july_2023_early]),
                (1, [january_2023]),
            ],
        ),
        (2022, [(12, [december_2022])]),
        (2021, [(3, [march_2021])]),
    ]


def test_journal_entries_have_the_entry_shape(api_client, user, entry):
    r = api_client.get(journal_url(), {"username": user.username})

    assert r.status_code == 200, r.data
    assert r.data == [
        {
            "year": 2022,
            "months": [
                {
                    "month": 3,
                    "entries": [
                        {
                            "id": entry.pk,
                            "game": {
                                "igdb": entry.game.igdb,
                                "name": entry.game.name,
                                "slug": entry.game.slug,
                                "cover_id": entry.game.cover_id,
                                "backdrop_id": entry.game.backdrop_id,
                            },
                            "date": "2022-03-04",
                            "review": "Loved it.",
                            "spoilers": False,
                            "liked": False,
                            "rating": 7,
                            "user": user.pk,
                        }
                    ],
                }
            ],
        }
    ]


def test_an_empty_journal_is_an_empty_list(auth_client):
    r = auth_client.get(journal_url())

    assert r.status_code == 200, r.data
    assert r.data == []


def test_year_keeps_one_year(auth_client, user):
    JournalEntryFactory(user=user, date=datetime.date(2022, 5, 1))
    kept = JournalEntryFactory(user=user, date=datetime.date(2021, 5, 1))
    JournalEntryFactory(user=user, date=datetime.date(2020, 5, 1))

    r = auth_client.get(journal_url(), {"year": 2021})

    assert r.status_code == 200, r.data
    assert outline(r.data) == [(2021, [(5, [kept.pk])])]


def test_limit_keeps_the_most_recent_entries(auth_client, user):
    JournalEntryFactory(user=user, date=datetime.date(2021, 1, 1))
    older = JournalEntryFactory(user=user, date=datetime.date(2022, 12, 1))
    newer = JournalEntryFactory(user=user, date=datetime.date(2023, 1, 1))

    r = auth_client.get(journal_url(), {"limit": 2})

    assert r.status_code == 200, r.data
    assert outline(r.data) == [(2023, [(1, [newer.pk])]), (2022, [(12, [older.pk])])]


@pytest.mark.parametrize("limit", ["1", "1000"])
def test_limit_may_be_from_1_to_1000(auth_client, entry, limit):
    r = auth_client.get(journal_url(), {"limit": limit})

    assert r.status_code == 200, r.data
    assert outline(r.data) == [(2022, [(3, [entry.pk])])]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "2.5"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"year": "0"}, "year"),
        ({"year": "10000"}, "year"),
        ({"year": "twenty"}, "year"),
        ({"username": "\x00"}, "username"),
        ({"username": "x" * 151}, "username"),
    ],
)
def test_bad_journal_queries_are_refused(auth_client, query, field):
    r = auth_client.get(journal_url(), query)

    assert r.status_code == 400, r.data
    assert field in r.data


def test_anyone_may_read_a_users_journal_by_username(api_client, user, entry):
    r = api_client.get(journal_url(), {"username": user.username})

    assert r.status_code == 200, r.data
    assert outline(r.data) == [(2022, [(3, [entry.pk])])]


def test_a_journal_holds_only_its_users_entries(auth_client, other_user, entry):
    theirs = JournalEntryFactory(user=other_user, date=datetime.date(2022, 3, 5))

    mine = auth_client.get(journal_url())
    by_name = auth_client.get(journal_url(), {"username": other_user.username})

    assert mine.status_code == 200, mine.data
    assert by_name.status_code == 200, by_name.data
    assert outline(mine.data) == [(2022, [(3, [entry.pk])])]
    assert outline(by_name.data) == [(2022, [(3, [theirs.pk])])]


def test_an_unknown_username_is_404(auth_client):
    r = auth_client.get(journal_url(), {"username": "nobody-here"})

    assert r.status_code == 404, r.data
    assert "detail" in r.data


def test_without_a_username_the_journal_is_the_callers_own(auth_client, entry):
    UserFactory()

    r = auth_client.get(journal_url())

    assert r.status_code == 200, r.data
    assert outline(r.data) == [(2022, [(3, [entry.pk])])]


def test_without_a_username_or_a_login_the_journal_is_a_400(api_client, entry):
    r = api_client.get(journal_url())

    assert r.status_code == 400, r.data
    assert "username" in r.data


# GET, PATCH, DELETE journal/<id>/


@pytest.mark.parametrize("client", ["api_client", "auth_client", "other_client"])
def test_anyone_may_read_an_entry(request, entry, client):
    r = request.getfixturevalue(client).get(entry_url(entry.pk))

    assert r.status_code == 200, r.data
    assert r.data["id"] == entry.pk
    assert r.data["review"] == "Loved it."


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
@pytest.mark.parametrize("pk", ["999999", "9" * 30])
def test_an_entry_that_does_not_exist_is_404(auth_client, method, pk):
    r = send_json(auth_client, method, entry_url(pk), {})

    assert r.status_code == 404, r.data
    assert "detail" in r.data


def test_the_author_may_change_an_entry(auth_client, user, entry):
    changes = {"date": "2022-04-01", "review": "Still great.", "spoilers": True}

    r = auth_client.patch(entry_url(entry.pk), changes, format="json")

    assert r.status_code == 200, r.data
    assert r.data["id"] == entry.pk
    assert (r.data["date"], r.data["review"], r.data["spoilers"]) == (
        "2022-04-01",
        "Still great.",
        True,
    )
    entry.refresh_from_db()
    assert entry_fields(entry) == {
        **ENTRY_FIELDS,
        "date": datetime.date(2022, 4, 1),
        "review": "Still great.",
        "spoilers": True,
    }


def test_changing_an_entry_deleted_since_it_was_read_is_404(entry):
    read_before = JournalEntry.objects.get(pk=entry.pk)
    JournalEntry.objects.filter(pk=entry.pk).delete()

    with pytest.raises(NotFound):
        services.journal_entry_update(
            entry=read_before, changes={"review": "Too late.", "liked": True}
        )

    assert not Liked.objects.filter(game=entry.game).exists()


def edit(client, url) -> int:
    return client.patch(url, {"review": "Edited."}, format="json").status_code


def remove(client, url) -> int:
    return client.delete(url).status_code


@pytest.mark.django_db(transaction=True)
def test_an_entry_changed_and_deleted_at_once_is_changed_or_gone(user):
    """The author edits an entry in one tab while deleting it in another."""
    statuses = []
    for _ in range(5):
        entry = JournalEntryFactory(user=user)
        url = entry_url(entry.pk)
        clients = [bearer_client(user) for _ in range(6)]
        calls = [functools.partial(edit, client, url) for client in clients[:4]]
        calls += [functools.partial(remove, client, url) for client in clients[4:]]

        statuses += race(calls)

        assert not JournalEntry.objects.filter(pk=entry.pk).exists()
    assert set(statuses) <= {200, 204, 404}, statuses


def test_patching_one_field_leaves_the_others(auth_client, entry):
    r = auth_client.patch(entry_url(entry.pk), {"spoilers": True}, format="json")

    assert r.status_code == 200, r.data
    entry.refresh_from_db()
    assert entry_fields(entry) == {**ENTRY_FIELDS, "spoilers": True}


def test_liking_an_entry_likes_the_game(auth_client, user, entry):
    r = auth_client.patch(entry_url(entry.pk), {"liked": True}, format="json")

    assert r.status_code == 200, r.data
    assert r.data["liked"] is True
    assert Liked.objects.filter(user=user, game=entry.game).exists()


def test_rating_an_entry_rates_the_game(auth_client, user, entry):
    RatingFactory(user=user, game=entry.game, rating=7)

    r = auth_client.patch(entry_url(entry.pk), {"rating": 4}, format="json")

    assert r.status_code == 200, r.data
    assert r.data["rating"] == 4
    assert Rating.objects.get(user=user, game=entry.game).rating == 4


def test_removing_an_entrys_rating_leaves_the_games_rating(auth_client, user, entry):
    RatingFactory(user=user, game=entry.game, rating=7)

    r = auth_client.patch(entry_url(entry.pk), {"rating": None}, format="json")

    assert r.status_code == 200, r.data
    assert r.data["rating"] is None
    assert Rating.objects.get(user=user, game=entry.game).rating == 7


@pytest.mark.parametrize(
    "changes",
    [
        {"date": "2024-03-01"},
        {"date": "1949-12-31"},
        {"date": "2023-02-30"},
        {"date": "2023-01-01T00:00:00"},
        {"date": None},
        {"review": "x" * 20_001},
        {"rating": 11},
        {"liked": "maybe"},
        {"spoilers": None},
    ],
)
def test_a_change_breaking_the_entry_rules_is_refused(
    auth_client, entry, frozen_now, changes
):
    r = auth_client.patch(entry_url(entry.pk), changes, format="json")

    assert r.status_code == 400, r.data
    assert set(r.data) == set(changes)
    entry.refresh_from_db()
    assert entry_fields(entry) == ENTRY_FIELDS


def test_an_entry_may_be_moved_to_tomorrow(auth_client, entry, frozen_now):
    r = auth_client.patch(entry_url(entry.pk), {"date": "2024-02-29"}, format="json")

    assert r.status_code == 200, r.data
    assert r.data["date"] == "2024-02-29"


def test_the_author_may_delete_an_entry(auth_client, entry):
    r = auth_client.delete(entry_url(entry.pk))

    assert r.status_code == 204, r.data
    assert not JournalEntry.objects.filter(pk=entry.pk).exists()


def test_put_is_not_allowed_on_an_entry(auth_client, entry):
    body = {"date": "2022-04-01", "review": "", "spoilers": False, "liked": False}

    r = auth_client.put(entry_url(entry.pk), body, format="json")

    assert r.status_code == 405, r.data
    entry.refresh_from_db()
    assert entry.date == datetime.date(2022, 3, 4)


@pytest.mark.django_db
def test_a_deactivated_users_journal_is_hidden(api_client):
    entry = JournalEntryFactory()
    entry.user.is_active = False
    entry.user.save()

    journal = api_client.get(reverse("journal-list"), {"username": entry.user.username})
    one = api_client.get(reverse("journal-detail", args=[entry.pk]))

    assert (journal.status_code, one.status_code) == (404, 404)
