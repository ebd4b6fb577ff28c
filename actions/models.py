from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

RATING_MIN = 1
RATING_MAX = 10


class Relation(models.Model):
    """A user's mark on a game, with the moment it was made (the feed shows it)."""

    # Reached through the user's many-to-many fields (user.played and so on).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    game = models.ForeignKey("games.Game", on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.user} {self._meta.verbose_name} {self.game}"


def relation_meta(table: str, verbose_name: str):
    """Meta for a concrete relation: one row per user and game, lists newest first."""
    return type(
        "Meta",
        (),
        {
            "verbose_name": verbose_name,
            "verbose_name_plural": verbose_name,
            "constraints": [
                models.UniqueConstraint(
                    fields=["user", "game"], name=f"actions_{table}_unique"
                )
            ],
            "indexes": [
                models.Index(
                    fields=["user", "-created_at"], name=f"actions_{table}_recent"
                )
            ],
        },
    )


class Played(Relation):
    Meta = relation_meta("played", "played")


class Liked(Relation):
    Meta = relation_meta("liked", "liked")


class Backlog(Relation):
    Meta = relation_meta("backlog", "backlog")


class Wishlist(Relation):
    Meta = relation_meta("wishlist", "wishlist")


# The relations by the names the API uses for them.
RELATIONS = {
    "played": Played,
    "liked": Liked,
    "backlog": Backlog,
    "wishlist": Wishlist,
}


def rating_constraint(name: str, field: str, nullable: bool = False):
    in_range = Q(**{f"{field}__gte": RATING_MIN, f"{field}__lte": RATING_MAX})
    if nullable:
        in_range |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=in_range, name=name)


RATING_VALIDATORS = [MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)]


class Rating(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings"
    )
    game = models.ForeignKey(
        "games.Game", on_delete=models.CASCADE, related_name="ratings"
    )
    rating = models.PositiveSmallIntegerField(validators=RATING_VALIDATORS)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "game"], name="actions_rating_unique"
            ),
            rating_constraint("actions_rating_in_range", "rating"),
        ]
        indexes = [
            models.Index(fields=["user", "-updated_at"], name="actions_rating_recent")
        ]

    def __str__(self):
        return f"{self.user} rated {self.game} {self.rating}"


class JournalEntry(models.Model):
    """A game a user finished on a given day, with an optional review and rating."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="journal_entries",
    )
    game = models.ForeignKey(
        "games.Game", on_delete=models.CASCADE, related_name="journal_entries"
    )
    date = models.DateField()
    review = models.TextField(blank=True, max_length=20_000)
    spoilers = models.BooleanField(default=False)
    liked = models.BooleanField(default=False)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=RATING_VALIDATORS
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "journal entries"
        constraints = [
            rating_constraint("actions_journalentry_rating_in_range", "rating", True)
        ]
        indexes = [
            models.Index(
                fields=["user", "-date", "-id"], name="actions_journal_by_date"
            ),
            models.Index(fields=["user", "-created_at"], name="actions_journal_recent"),
        ]

    def __str__(self):
        return f"{self.user} finished {self.game} on {self.date}"
