import re

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Lower

from .auth_cache import forget_users

# A username in a URL: what ASCIIUsernameValidator allows, at most 150 characters.
USERNAME_PATTERN = r"[A-Za-z0-9.@+_-]{1,150}"
# Usernames that would shadow the fixed paths under /api/users/.
RESERVED_USERNAMES = frozenset(
    {
        "user",
        "register",
        "login",
        "logout",
        "profile",
        "follow",
        "unfollow",
        "token",
        "feed",
    }
)


class UserQuerySet(models.QuerySet):
    def named(self, username: str):
        """The user with this username, whatever its case, found through the index on
        LOWER(username) (a plain iexact lookup compares UPPER() and reads every row).

        Only a name a user could have is looked up: PostgreSQL's LOWER() folds some
        non-ASCII letters into ASCII ones (the Kelvin sign into "k"), SQLite's none.
        """
        if not re.fullmatch(USERNAME_PATTERN, username):
            return self.none()
        return self.alias(username_lower=Lower("username")).filter(
            username_lower=Lower(Value(username))
        )

    def update(self, **kwargs):
        """Update the rows, and drop the changed users from the authentication cache
        (an update sends no signal).

        Exactly the rows read are updated: a row that starts to match the filter in
        between (through another table) would otherwise change without being dropped.
        """
        with transaction.atomic(using=self.db):
            changed = list(self.values_list("pk", flat=True))
            rows = models.QuerySet(self.model, using=self.db).filter(pk__in=changed)
            count = rows.update(**kwargs)
            forget_users(changed)
        return count

    update.alters_data = True


class OverworldUserManager(UserManager.from_queryset(UserQuerySet)):
    def get_by_natural_key(self, username):
        """Log in without regard to the case of the username."""
        return self.named(username).get()


class User(AbstractUser):
    # ASCII only, so that "unique without regard to case" means the same on SQLite,
    # whose LOWER() folds ASCII letters only, and on PostgreSQL.
    username_validator = ASCIIUsernameValidator()

    username = models.CharField(
        "username",
        max_length=150,
        unique=True,
        help_text="150 characters or fewer: letters, digits and @ . + - _ only.",
        validators=[username_validator],
        error_messages={"unique": "A user with that username already exists."},
    )
    bio = models.TextField(blank=True, max_length=1000)
    location = models.CharField(blank=True, max_length=100)
    twitter = models.CharField(blank=True, max_length=15)

    played = models.ManyToManyField(
        "games.Game", through="actions.Played", related_name="played_by"
    )
    liked = models.ManyToManyField(
        "games.Game", through="actions.Liked", related_name="liked_by"
    )
    backlog = models.ManyToManyField(
        "games.Game", through="actions.Backlog", related_name="backlogged_by"
    )
    wishlist = models.ManyToManyField(
        "games.Game", through="actions.Wishlist", related_name="wishlisted_by"
    )

    objects = OverworldUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("username"), name="users_user_username_ci_unique"
            ),
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="users_user_email_ci_unique",
            ),
        ]


class Follow(models.Model):
    """One user following another; one row per pair."""

    follower = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="following_set"
    )
    followed = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="follower_set"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["follower", "followed"], name="users_follow_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(follower=models.F("followed")),
                name="users_follow_not_self",
            ),
        ]
        indexes = [models.Index(fields=["followed", "-created_at"])]

    def __str__(self):
        return f"{self.follower} follows {self.followed}"
