from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework_simplejwt.exceptions import AuthenticationFailed, TokenError
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from actions.serializers import JournalEntrySerializer
from games.models import Game

from .authentication import read_token, user_id_claim
from .feed import SOURCES
from .models import RESERVED_USERNAMES, User

PASSWORD_MAX_LENGTH = 256
USERNAME_MAX_LENGTH = 150


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email"]
        read_only_fields = fields


class AuthSerializer(serializers.Serializer):
    """What register and login answer: the user and a new pair of tokens."""

    user = UserSerializer()
    access = serializers.CharField()
    refresh = serializers.CharField()


def tokens_for(user: User) -> dict:
    refresh = RefreshToken.for_user(user)
    return AuthSerializer(
        {"user": user, "access": str(refresh.access_token), "refresh": str(refresh)}
    ).data


def email_taken(email: str, exclude: User | None = None) -> bool:
    users = User.objects.filter(email__iexact=email)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return users.exists()


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(
        max_length=USERNAME_MAX_LENGTH, validators=[User.username_validator]
    )
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        write_only=True,
        max_length=PASSWORD_MAX_LENGTH,
        trim_whitespace=False,
        style={"input_type": "password"},
    )

    def validate_username(self, username):
        if username.lower() in RESERVED_USERNAMES:
            raise serializers.ValidationError("This username is reserved.")
        if not any(character.isalnum() for character in username):
            # "." and ".." could never be reached at /api/users/<username>/.
            raise serializers.ValidationError(
                "A username needs at least one letter or digit."
            )
        if User.objects.named(username).exists():
            raise serializers.ValidationError(
                "A user with that username already exists."
            )
        return username

    def validate_email(self, email):
        email = User.objects.normalize_email(email)
        if email_taken(email):
            raise serializers.ValidationError("A user with that email already exists.")
        return email

    def validate(self, attrs):
        candidate = User(username=attrs["username"], email=attrs["email"])
        try:
            password_validation.validate_password(attrs["password"], candidate)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"password": error.messages}) from error
        return attrs

    def create(self, validated_data):
        try:
            with transaction.atomic():
                return User.objects.create_user(**validated_data)
        except IntegrityError as error:
            # Another registration took the name or email between validation and now.
            field = "email" if email_taken(validated_data["email"]) else "username"
            raise serializers.ValidationError(
                {field: [f"A user with that {field} already exists."]}
            ) from error


class LoginSerializer(TokenObtainPairSerializer):
    """simplejwt's login, answering with the user beside the tokens."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.username_field] = serializers.CharField(write_only=True)
        self.fields["password"] = serializers.CharField(
            write_only=True, trim_whitespace=False
        )

    def validate(self, attrs):
        # Credentials no account can have are wrong credentials, answered as such.
        if len(attrs[self.username_field]) > USERNAME_MAX_LENGTH or (
            len(attrs["password"]) > PASSWORD_MAX_LENGTH
        ):
            raise AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )
        super().validate(attrs)
        return tokens_for(self.user)


class RefreshSerializer(TokenRefreshSerializer):
    """A rotating refresh in which each refresh token can be spent exactly once.

    simplejwt checks the blacklist and blacklists the token in two steps, so several
    requests racing with one token could each get a new pair. Here only the request
    whose blacklisting creates the row wins; the others are refused.
    """

    def validate(self, attrs):
        refresh = read_token(self.token_class, attrs["refresh"])
        user = User.objects.filter(pk=user_id_claim(refresh)).first()
        if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
            raise AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )

        _, spent_now = refresh.blacklist()
        if not spent_now:
            raise TokenError("Token is blacklisted")

        access = str(refresh.access_token)
        refresh.set_jti()
        refresh.set_exp()
        refresh.set_iat()
        refresh.outstand()
        return {"access": access, "refresh": str(refresh)}


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class UserReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]
        read_only_fields = fields


@extend_schema_serializer(
    description="`email` is there for the user themself only, `is_following` for "
    "an authenticated caller only."
)
class ProfileSerializer(serializers.ModelSerializer):
    """A public profile; expects a user from users.selectors.profiles()."""

    played_count = serializers.IntegerField()
    liked_count = serializers.IntegerField()
    backlog_count = serializers.IntegerField()
    wishlist_count = serializers.IntegerField()
    journal_count = serializers.IntegerField()
    ratings_count = serializers.IntegerField()
    followers_count = serializers.IntegerField()
    following_count = serializers.IntegerField()
    # Shown to some callers only (see get_fields), so not required in the schema.
    email = serializers.EmailField(required=False)
    is_following = serializers.BooleanField(required=False)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "bio",
            "location",
            "twitter",
            "date_joined",
            "played_count",
            "liked_count",
            "backlog_count",
            "wishlist_count",
            "journal_count",
            "ratings_count",
            "followers_count",
            "following_count",
            "is_following",
        ]
        read_only_fields = fields

    def get_fields(self):
        """Email for the user themself only, is_following for logged-in callers only.

        Without a user to show (as when the schema is made), every field.
        """
        fields = super().get_fields()
        if self.instance is None:
            return fields
        viewer = self.context["request"].user
        if not viewer.is_authenticated:
            del fields["is_following"]
        if getattr(self.instance, "pk", None) != viewer.pk:
            del fields["email"]
        return fields


TWITTER_HANDLE = r"^@?[A-Za-z0-9_]{1,15}$"


@extend_schema_serializer(description="Any of these fields; others are ignored.")
class ProfileUpdateSerializer(serializers.Serializer):
    """The profile fields a user may change; anything else in the body is ignored."""

    bio = serializers.CharField(max_length=1000, allow_blank=True, required=False)
    location = serializers.CharField(max_length=100, allow_blank=True, required=False)
    twitter = serializers.RegexField(
        TWITTER_HANDLE,
        allow_blank=True,
        required=False,
        error_messages={
            "invalid": "Enter a Twitter/X handle: up to 15 letters, "
            "digits or underscores."
        },
    )
    email = serializers.EmailField(max_length=254, required=False)

    def validate_twitter(self, handle):
        return handle.removeprefix("@")

    def validate_email(self, email):
        email = User.objects.normalize_email(email)
        if email_taken(email, exclude=self.context["request"].user):
            raise serializers.ValidationError("A user with that email already exists.")
        return email


class FollowSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)


class GameListItemSerializer(serializers.Serializer):
    """A game in one of a user's lists, with when it was added; from a relation row."""

    igdb = serializers.IntegerField(source="game.igdb")
    name = serializers.CharField(source="game.name")
    slug = serializers.CharField(source="game.slug")
    cover_id = serializers.CharField(source="game.cover_id")
    backdrop_id = serializers.CharField(source="game.backdrop_id")
    added_at = serializers.DateTimeField(source="created_at")


class FeedGameSerializer(serializers.ModelSerializer):
    class Meta:
        model = Game
        fields = ["igdb", "name", "slug", "cover_id"]
        read_only_fields = fields


class ActivitySerializer(serializers.Serializer):
    user = UserReferenceSerializer()
    verb = serializers.ChoiceField(choices=list(SOURCES))
    game = FeedGameSerializer()
    at = serializers.DateTimeField()
    entry = JournalEntrySerializer(allow_null=True)
    rating = serializers.IntegerField(allow_null=True)
