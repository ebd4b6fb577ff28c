"""The Django admin as moderators use it."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from rest_framework_simplejwt.tokens import RefreshToken

from actions.models import JournalEntry
from actions.tests.factories import (
    BacklogFactory,
    JournalEntryFactory,
    LikedFactory,
    PlayedFactory,
    RatingFactory,
    WishlistFactory,
)
from conftest import bearer_client
from games.models import Game
from games.tests.factories import GameFactory
from users.models import Follow, User
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The models moderators edit; the admin also lists groups and JWT bookkeeping.
MODELS = [
    "users.user",
    "users.follow",
    "games.game",
    "actions.journalentry",
    "actions.rating",
    "actions.played",
    "actions.liked",
    "actions.backlog",
    "actions.wishlist",
]
REGISTERED = [
    *MODELS,
    "auth.group",
    "token_blacklist.outstandingtoken",
    "token_blacklist.blacklistedtoken",
]


@pytest.fixture
def moderator():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(moderator):
    client = Client()
    client.force_login(moderator)
    return client


@pytest.fixture
def rows(user, other_user):
    """One row of every model a moderator looks after."""
    celeste = GameFactory(igdb=26226, name="Celeste", slug="celeste")
    token = RefreshToken.for_user(user)
    blacklisted, _ = token.blacklist()
    return {
        "auth.group": Group.objects.create(name="moderators"),
        "token_blacklist.outstandingtoken": blacklisted.token,
        "token_blacklist.blacklistedtoken": blacklisted,
        "users.user": user,
        "users.follow": Follow.objects.create(follower=user, followed=other_user),
        "games.game": celeste,
        "actions.journalentry": JournalEntryFactory(user=user, game=celeste),
        "actions.rating": RatingFactory(user=user, game=celeste),
        "actions.played": PlayedFactory(user=user, game=celeste),
        "actions.liked": LikedFactory(user=user, game=celeste),
        "actions.backlog": BacklogFactory(user=other_user, game=celeste),
        "actions.wishlist": WishlistFactory(user=other_user, game=celeste),
    }


def admin_url(model: str, view: str, *args) -> str:
    app_label, model_name = model.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


def found(response) -> list:
    return list(response.context["cl"].result_list)


def test_every_admin_model_is_covered_here():
    registered = {model._meta.label_lower for model in admin.site._registry}

    assert registered == set(REGISTERED)


@pytest.mark.parametrize("model", REGISTERED)
def test_changelist_loads(admin_client, rows, model):
    r = admin_client.get(admin_url(model, "changelist"))

    assert r.status_code == 200
    assert found(r) != []


@pytest.mark.parametrize("model", REGISTERED)
def test_changelist_search_loads(admin_client, rows, model):
    r = admin_client.get(admin_url(model, "changelist"), {"q": "celeste 100% 'x"})

    assert r.status_code == 200


@pytest.mark.parametrize("model", REGISTERED)
def test_change_page_loads(admin_client, rows, model):
    r = admin_client.get(admin_url(model, "change", rows[model].pk))

    assert r.status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_add_page_loads(admin_client, rows, model):
    r = admin_client.get(admin_url(model, "add"))

    assert r.status_code == 200


def test_admin_index_loads(admin_client):
    r = admin_client.get(reverse("admin:index"))

    assert r.status_code == 200


def test_admin_needs_a_staff_login(user):
    client = Client()
    client.force_login(user)

    r = client.get(admin_url("games.game", "changelist"))

    assert r.status_code == 302
    assert r["Location"].startswith(reverse("admin:login"))


class TestGames:
    @pytest.fixture(autouse=True)
    def games(self):
        GameFactory(igdb=26226, name="Celeste")
        GameFactory(igdb=2155, name="Dark Souls")
        GameFactory(igdb=1877, name="Cyberpunk 2077")

    @pytest.mark.parametrize(
        ("term", "igdb"),
        [("celeste", [26226]), ("Dark", [2155]), ("26226", [26226]), ("2077", [1877])],
    )
    def test_games_are_found_by_name_or_igdb_id(self, admin_client, term, igdb):
        r = admin_client.get(admin_url("games.game", "changelist"), {"q": term})

        assert r.status_code == 200
        assert [game.igdb for game in found(r)] == igdb

    def test_staff_edit_a_game_but_not_its_igdb_id(self, admin_client):
        r = admin_client.post(
            admin_url("games.game", "change", 2155),
            {
                "igdb": 1,
                "name": "Dark Souls: Remastered",
                "slug": "dark-souls-remastered",
                "cover_id": "co1x",
                "backdrop_id": "",
                "summary": "",
                "first_release_date": "2018-05-24",
            },
        )

        assert r.status_code == 302
        game = Game.objects.get(pk=2155)
        assert game.name == "Dark Souls: Remastered"
        assert not Game.objects.filter(pk=1).exists()


class TestJournalModeration:
    def test_blank_reviews_action_blanks_only_the_selected_entries(self, admin_client):
        chosen = JournalEntryFactory(review="spam spam", spoilers=True)
        kept = JournalEntryFactory(review="a fine review", spoilers=True)

        r = admin_client.post(
            admin_url("actions.journalentry", "changelist"),
            {"action": "blank_reviews", "_selected_action": [chosen.pk]},
        )

        assert r.status_code == 302
        chosen.refresh_from_db()
        kept.refresh_from_db()
        assert (chosen.review, chosen.spoilers) == ("", False)
        assert (kept.review, kept.spoilers) == ("a fine review", True)
        assert JournalEntry.objects.count() == 2

    @pytest.mark.parametrize("term", ["summit", "ada", "CELESTE"])
    def test_entries_are_found_by_review_user_or_game(self, admin_client, term):
        entry = JournalEntryFactory(
            user=UserFactory(username="ada"),
            game=GameFactory(name="Celeste"),
            review="summit reached",
        )
        JournalEntryFactory(review="other")

        r = admin_client.get(
            admin_url("actions.journalentry", "changelist"), {"q": term}
        )

        assert found(r) == [entry]

    def test_entries_filter_by_year(self, admin_client):
        JournalEntryFactory(date=datetime.date(2019, 7, 1))
        recent = JournalEntryFactory(date=datetime.date(2024, 1, 2))

        r = admin_client.get(
            admin_url("actions.journalentry", "changelist"), {"date__year": 2024}
        )

        assert r.status_code == 200
        assert found(r) == [recent]


class TestUserModeration:
    def test_deactivate_action_deactivates_the_selected_users(
        self, admin_client, user, other_user
    ):
        r = admin_client.post(
            admin_url("users.user", "changelist"),
            {"action": "deactivate", "_selected_action": [user.pk]},
        )

        assert r.status_code == 302
        assert list(
            User.objects.filter(pk__in=[user.pk, other_user.pk])
            .order_by("pk")
            .values_list("is_active", flat=True)
        ) == [False, True]

    def test_deactivated_users_token_stops_working(self, admin_client, user):
        client = bearer_client(user)
        # The user is now in the authentication cache.
        assert client.get(reverse("current-user")).status_code == 200

        admin_client.post(
            admin_url("users.user", "changelist"),
            {"action": "deactivate", "_selected_action": [user.pk]},
        )

        r = client.get(reverse("current-user"))
        assert r.status_code == 401, r.data

    def test_activate_action_reactivates_the_selected_users(self, admin_client):
        banned = UserFactory(is_active=False)

        admin_client.post(
            admin_url("users.user", "changelist"),
            {"action": "activate", "_selected_action": [banned.pk]},
        )

        banned.refresh_from_db()
        assert banned.is_active
