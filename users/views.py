from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from overworld.schema import ErrorSerializer

from . import selectors, services
from .authentication import read_token, user_id_claim
from .feed import ActivityFeed
from .models import RESERVED_USERNAMES, USERNAME_PATTERN, User
from .serializers import (
    ActivitySerializer,
    AuthSerializer,
    FollowSerializer,
    GameListItemSerializer,
    LoginSerializer,
    LogoutSerializer,
    ProfileSerializer,
    ProfileUpdateSerializer,
    RefreshSerializer,
    RegisterSerializer,
    UserReferenceSerializer,
    UserSerializer,
    tokens_for,
)


class RegisterView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_scope = "register"

    @extend_schema(request=RegisterSerializer, responses={201: AuthSerializer})
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.save()
        return Response(tokens_for(user), status=status.HTTP_201_CREATED)


WRONG_TOKEN = OpenApiResponse(
    ErrorSerializer, description="The refresh token is invalid, expired or spent."
)


@extend_schema_view(
    post=extend_schema(
        description="Trade a username and password for the user and a pair of "
        "tokens. Throttled per client.",
        request=LoginSerializer,
        responses={
            200: AuthSerializer,
            401: OpenApiResponse(
                ErrorSerializer, description="Wrong username or password."
            ),
        },
    )
)
class LoginView(TokenObtainPairView):
    serializer_class = LoginSerializer
    throttle_scope = "login"


@extend_schema_view(
    post=extend_schema(
        description="Trade a refresh token for a new pair; the old refresh token "
        "can never be used again.",
        responses={200: RefreshSerializer, 401: WRONG_TOKEN},
    )
)
class RefreshView(TokenRefreshView):
    serializer_class = RefreshSerializer
    throttle_scope = "refresh"


class LogoutView(APIView):
    """Blacklist the caller's refresh token so that it can never be used again."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=LogoutSerializer, responses={204: None})
    def post(self, request):
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token = read_token(RefreshToken, serializer.validated_data["refresh"])
            owner = user_id_claim(token)
        except TokenError as error:
            return Response({"refresh": [str(error)]}, status.HTTP_400_BAD_REQUEST)
        if owner != request.user.pk:
            return Response(
                {"refresh": ["This refresh token belongs to another user."]},
                status.HTTP_400_BAD_REQUEST,
            )

        _, spent_now = token.blacklist()
        if not spent_now:
            # A refresh with the same token won the race and rotated it.
            return Response(
                {"refresh": ["Token is blacklisted"]}, status.HTTP_400_BAD_REQUEST
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CurrentUserView(generics.RetrieveAPIView):
    serializer_class = UserSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_object(self):
        return self.request.user


def active_user_or_404(username: str) -> User:
    return get_object_or_404(User.objects.named(username), is_active=True)


# /api/users/user/, feed/, login/ and the other fixed paths are not profiles.
PROFILE_USERNAME = OpenApiParameter(
    "username",
    {
        "type": "string",
        "pattern": f"^{USERNAME_PATTERN}$",
        "not": {"enum": sorted(RESERVED_USERNAMES)},
    },
    OpenApiParameter.PATH,
)


@extend_schema_view(get=extend_schema(parameters=[PROFILE_USERNAME]))
class ProfileView(generics.RetrieveAPIView):
    serializer_class = ProfileSerializer
    permission_classes = [permissions.AllowAny]

    def get_object(self):
        return get_object_or_404(
            selectors.profiles(viewer=self.request.user).named(self.kwargs["username"])
        )


class ProfileUpdateView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=ProfileUpdateSerializer, responses=ProfileSerializer)
    def patch(self, request):
        serializer = ProfileUpdateSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        services.profile_update(user=request.user, changes=serializer.validated_data)

        profile = selectors.profiles(viewer=request.user).get(pk=request.user.pk)
        return Response(ProfileSerializer(profile, context={"request": request}).data)


class FollowView(APIView):
    """Follow (or, with following=False, unfollow) the user named in the body."""

    permission_classes = [permissions.IsAuthenticated]
    following = True

    @extend_schema(
        description="Follow the user named in the body (`unfollow/`: stop "
        "following them). Doing it twice changes nothing.",
        request=FollowSerializer,
        responses={
            200: inline_serializer(
                "FollowState",
                {
                    "username": serializers.CharField(),
                    "following": serializers.BooleanField(),
                },
            ),
            404: OpenApiResponse(ErrorSerializer, description="No such user."),
        },
    )
    def post(self, request):
        serializer = FollowSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target = active_user_or_404(serializer.validated_data["username"])
        if target.pk == request.user.pk:
            raise ValidationError({"username": ["You cannot follow yourself."]})

        services.follow_set(
            follower=request.user, followed=target, following=self.following
        )
        return Response({"username": target.username, "following": self.following})


class FollowListView(generics.ListAPIView):
    """A user's followers, or the users they follow, most recent first."""

    serializer_class = UserReferenceSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        user = active_user_or_404(self.kwargs["username"])
        if self.kwargs["direction"] == "followers":
            return selectors.followers_of(user)
        return selectors.followed_by(user)


class GameListView(generics.ListAPIView):
    """A user's played, liked, backlog or wishlist games, most recent first."""

    serializer_class = GameListItemSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        user = active_user_or_404(self.kwargs["username"])
        return selectors.game_list(user, self.kwargs["relation"])


class FeedPagination(CursorPagination):
    ordering = "-position"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request):
        """DRF's cursor, limited to the kind the feed makes: a position, no offset.

        Positions are unique, so a link always names one and never needs an offset to
        step over ties. DRF would read a cursor without a position (or text that
        decodes to nothing) as the first page, and a forged offset of up to 1,000
        would make every kind of activity read that many more rows.
        """
        cursor = super().decode_cursor(request)
        if cursor is not None and (cursor.position is None or cursor.offset):
            raise NotFound(self.invalid_cursor_message)
        return cursor


class FeedView(generics.ListAPIView):
    serializer_class = ActivitySerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = FeedPagination

    def get_queryset(self):
        return ActivityFeed(self.request.user)
