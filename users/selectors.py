"""Reads of users and their follows.

A deactivated user's profile is a 404, so they are also left out of every follower
and following list and count (and of the feed) until they are reactivated.
"""

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from actions.models import RELATIONS, JournalEntry, Rating

from .models import Follow, User


def count_of(model, field: str = "user", **conditions):
    """The number of `model` rows pointing at the outer user, as a subquery."""
    rows = (
        model.objects.filter(**{field: OuterRef("pk")}, **conditions)
        .order_by()
        .values(field)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def profiles(viewer: User | None = None):
    """Users with every count a profile shows, computed in the same query."""
    counts = {f"{name}_count": count_of(model) for name, model in RELATIONS.items()}
    users = User.objects.filter(is_active=True).annotate(
        **counts,
        journal_count=count_of(JournalEntry),
        ratings_count=count_of(Rating),
        followers_count=count_of(Follow, "followed", follower__is_active=True),
        following_count=count_of(Follow, "follower", followed__is_active=True),
    )
    if viewer is not None and viewer.is_authenticated:
        users = users.annotate(
            is_following=Exists(
                Follow.objects.filter(follower=viewer, followed=OuterRef("pk"))
            )
        )
    return users


def followers_of(user: User):
    """The users following `user`, most recent first."""
    return User.objects.filter(is_active=True, following_set__followed=user).order_by(
        "-following_set__created_at", "-pk"
    )


def followed_by(user: User):
    """The users `user` follows, most recent first."""
    return User.objects.filter(is_active=True, follower_set__follower=user).order_by(
        "-follower_set__created_at", "-pk"
    )


def game_list(user: User, relation: str):
    """A user's played, liked, backlog or wishlist rows, most recently added first."""
    return (
        RELATIONS[relation]
        .objects.filter(user=user)
        .select_related("game")
        .order_by("-created_at", "-pk")
    )
