from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework import serializers
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.tokens import RefreshToken

from .models import RESERVED_USERNAMES, User

PASSWORD_MAX_LENGTH = 256


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email"]
        read_only_fields = fields


def tokens_for(user: User) -> dict:
    refresh = RefreshToken.for_user(user)
    return {
        "user": UserSerializer(user).data,
        "access": str(refresh.access_token),
        "refresh": str(refresh),
    }


def email_taken(email: str, exclude: User | None = None) -> bool:
    users = User.objects.filter(email__iexact=email)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return users.exists()


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(
        max_length=150, validators=[User.username_validator]
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
        if User.objects.filter(username__iexact=username).exists():
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
            raise serializers.ValidationError(
                {"username": ["A user with that username or email already exists."]}
            ) from error


class LoginSerializer(TokenObtainPairSerializer):
    """simplejwt's login, answering with the user beside the tokens."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.username_field] = serializers.CharField(
            write_only=True, max_length=150
        )
        self.fields["password"] = serializers.CharField(
            write_only=True, max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False
        )

    def validate(self, attrs):
        super().validate(attrs)
        return tokens_for(self.user)


class RefreshSerializer(TokenRefreshSerializer):
    """simplejwt's rotating refresh, with a deleted user's token refused, not a 500."""

    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except User.DoesNotExist as error:
            raise AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            ) from error


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField()
