"""The activity feed: what the people a user follows did, newest first.

Nothing is copied into a feed table: each page is read from the timestamped played,
liked, backlog, wishlist, rating and journal rows, so undoing an action takes it out of
the feed at once. ActivityFeed offers just the part of the QuerySet interface that
DRF's CursorPagination uses (order_by, a filter on `position`, slicing), and answers a
page with one query per kind of activity, whatever the number of rows.

An activity's position is its time, verb and row id together. Unlike the time alone
it is unique, so a cursor marks exactly where a page ended: activity of the same
moment, new activity and undone activity never shift the next page.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Q
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

    @property
    def position(self) -> str:
        """Where a cursor marks the activity: its sort key, as text."""
        return f"{self.at.isoformat()}|{self.verb}|{self.row_id}"

    def sort_key(self):
        return (self.at, self.verb, self.row_id)


POSITION = re.compile(r"(?P<at>[^|]+)\|(?P<verb>[a-z]+)\|(?P<row_id>[0-9]{1,18})")


def position_key(position: str) -> tuple[datetime, str, int]:
    """The sort key a cursor's position names; any other text is an invalid cursor."""
    match = POSITION.fullmatch(position)
    if match is None or match["verb"] not in SOURCES:
        raise NotFound("Invalid cursor")
    try:
        moment = parse_datetime(match["at"])
        # In UTC now, so that a moment near year 1 or 9999 fails here, not in SQL.
        moment = moment.astimezone(UTC) if moment and moment.tzinfo else None
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise NotFound("Invalid cursor")
    return moment, match["verb"], int(match["row_id"])


def beyond(verb: str, field: str, op: str, bound: tuple[datetime, str, int]) -> Q:
    """The rows of `verb` whose sort key is below ("lt") or above ("gt") `bound`."""
    moment, bound_verb, row_id = bound
    strictly = Q(**{f"{field}__{op}": moment})
    if verb == bound_verb:
        return strictly | Q(**{field: moment, f"pk__{op}": row_id})
    if (verb < bound_verb) == (op == "lt"):
        return strictly | Q(**{field: moment})
    return strictly


class ActivityFeed:
    def __init__(self, viewer: User, descending: bool = True, bounds=()):
        self.viewer = viewer
        self.descending = descending
        self.bounds = bounds

    def order_by(self, *ordering):
        if ordering not in (("-position",), ("position",)):
            raise ValueError(f"The feed is ordered by position only, not {ordering}")
        return ActivityFeed(self.viewer, ordering[0] == "-position", self.bounds)

    def filter(self, **lookups):
        bounds = list(self.bounds)
        for lookup, position in lookups.items():
            if lookup not in ("position__lt", "position__gt"):
                raise ValueError(f"The feed filters on position only, not {lookup}")
            bounds.append((lookup.removeprefix("position__"), position_key(position)))
        return ActivityFeed(self.viewer, self.descending, tuple(bounds))

    def __getitem__(self, window: slice) -> list[Activity]:
        followed = Follow.objects.filter(
            follower=self.viewer, followed__is_active=True
        ).values("followed")
        activities = []
        for verb, (model, field) in SOURCES.items():
            rows = model.objects.filter(user__in=followed)
            for op, bound in self.bounds:
                rows = rows.filter(beyond(verb, field, op, bound))
            # The same order as Activity.sort_key, so that ties cut the same way.
            order = [field, "pk"] if not self.descending else [f"-{field}", "-pk"]
            rows = rows.select_related("user", "game").order_by(*order)[: window.stop]
            activities += [Activity.from_row(verb, row, field) for row in rows]

        activities.sort(key=Activity.sort_key, reverse=self.descending)
        return activities[window]
