"""The activity feed: what the people a user follows did, newest first.

Nothing is copied into a feed table: each page is read from the timestamped played,
liked, backlog, wishlist, rating and journal rows, so undoing an action takes it out of
the feed at once. ActivityFeed offers just the part of the QuerySet interface that
DRF's CursorPagination uses (order_by, a filter on `at`, slicing), and answers a page
with one query per kind of activity, whatever the number of rows.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound

from actions.models import Backlog, JournalEntry, Liked, Played, Rating, Wishlist
from games.models import Game

from .models import Follow, User

# verb -> (model, the field that says when it happened)
SOURCES = {
    "journal": (JournalEntry, "created_at"),
    "rating": (Rating, "updated_at"),
    "like": (Liked, "created_at"),
    "played": (Played, "created_at"),
    "backlog": (Backlog, "created_at"),
    "wishlist": (Wishlist, "created_at"),
}


@dataclass(frozen=True)
class Activity:
    verb: str
    at: datetime
    row_id: int
    user: User
    game: Game
    entry: JournalEntry | None = None
    rating: int | None = None

    @classmethod
    def from_row(cls, verb: str, row, field: str) -> "Activity":
        return cls(
            verb=verb,
            at=getattr(row, field),
            row_id=row.pk,
            user=row.user,
            game=row.game,
            entry=row if verb == "journal" else None,
            rating=getattr(row, "rating", None),
        )

    def sort_key(self):
        return (self.at, self.verb, self.row_id)


class ActivityFeed:
    def __init__(self, viewer: User, descending: bool = True, bounds=()):
        self.viewer = viewer
        self.descending = descending
        self.bounds = bounds

    def order_by(self, *ordering):
        if ordering not in (("-at",), ("at",)):
            raise ValueError(f"The feed is ordered by time only, not {ordering}")
        return ActivityFeed(self.viewer, ordering[0] == "-at", self.bounds)

    def filter(self, **lookups):
        bounds = list(self.bounds)
        for lookup, value in lookups.items():
            if lookup not in ("at__lt", "at__gt"):
                raise ValueError(f"The feed filters on time only, not {lookup}")
            moment = parse_datetime(value) if isinstance(value, str) else value
            if moment is None:
                raise NotFound("Invalid cursor")
            bounds.append((lookup.removeprefix("at"), moment))
        return ActivityFeed(self.viewer, self.descending, tuple(bounds))

    def __getitem__(self, window: slice) -> list[Activity]:
        followed = Follow.objects.filter(follower=self.viewer).values("followed")
        activities = []
        for verb, (model, field) in SOURCES.items():
            rows = model.objects.filter(user__in=followed)
            for suffix, moment in self.bounds:
                rows = rows.filter(**{f"{field}{suffix}": moment})
            # The same order as Activity.sort_key, so that ties cut the same way.
            order = [field, "pk"] if not self.descending else [f"-{field}", "-pk"]
            rows = rows.select_related("user", "game").order_by(*order)[: window.stop]
            activities += [Activity.from_row(verb, row, field) for row in rows]

        activities.sort(key=Activity.sort_key, reverse=self.descending)
        return activities[window]
