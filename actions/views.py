from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from games.serializers import game_metadata

from . import selectors, services
from .models import JournalEntry, Rating
from .permissions import IsAuthorOrReadOnly
from .serializers import (
    GameQuerySerializer,
    JournalEntryFieldsSerializer,
    JournalEntryInputSerializer,
    JournalEntrySerializer,
    JournalQuerySerializer,
    JournalSerializer,
    RatingInputSerializer,
    RatingQuerySerializer,
    RatingSerializer,
    RelationInputSerializer,
)

# The last path segment of each relation endpoint, and the relation it sets.
RELATION_ACTIONS = {
    "log": "played",
    "like": "liked",
    "backlog": "backlog",
    "wishlist": "wishlist",
}


def validated(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ActionViewSet(viewsets.ViewSet):
    """The caller's played, liked, backlog and wishlist marks on one game."""

    permission_classes = [permissions.IsAuthenticated]

    def list(self, request):
        query = validated(GameQuerySerializer, request.query_params)
        state = selectors.relation_state(user=request.user, igdb=query["igdb"])
        return Response(state or {})

    @action(
        detail=False,
        methods=["post"],
        url_path=r"(?P<action_name>{})".format("|".join(RELATION_ACTIONS)),
        url_name="relation",
    )
    def relation(self, request, action_name):
        data = validated(RelationInputSerializer, request.data)
        change = services.relation_set(
            user=request.user,
            relation=RELATION_ACTIONS[action_name],
            igdb=data["igdb"],
            metadata=game_metadata(data),
            value=data.get("value"),
        )

        body = {
            "game": change.game.pk,
            "user": request.user.pk,
            "action": action_name,
            "value": change.value,
        }
        if change.removed_from_backlog:
            body["removed_from_backlog"] = True
        return Response(body)


class RatingView(APIView):
    """The caller's rating of one game: read, set or remove it."""

    permission_classes = [permissions.IsAuthenticated]

    def get(self, request):
        query = validated(RatingQuerySerializer, request.query_params)
        rating = Rating.objects.filter(user=request.user, game_id=query["game"]).first()
        return Response(RatingSerializer(rating).data if rating else {})

    def post(self, request):
        data = validated(RatingInputSerializer, request.data)
        rating = services.rating_set(
            user=request.user,
            igdb=data["game"],
            metadata=game_metadata(data),
            rating=data["rating"],
        )
        return Response(RatingSerializer(rating).data)

    def delete(self, request):
        query = validated(RatingQuerySerializer, request.query_params)
        services.rating_delete(user=request.user, igdb=query["game"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class JournalViewSet(
    mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Journal entries: anyone reads them, only their author changes them."""

    queryset = JournalEntry.objects.select_related("game")
    serializer_class = JournalEntrySerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsAuthorOrReadOnly]
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def list(self, request):
        query = validated(JournalQuerySerializer, request.query_params)
        user = self.journal_owner(request, query.get("username"))
        entries = selectors.journal_entries(
            user=user, year=query.get("year"), limit=query.get("limit")
        )
        return Response(JournalSerializer(entries).data)

    def create(self, request):
        data = validated(JournalEntryInputSerializer, request.data)
        entry = services.journal_entry_create(
            user=request.user,
            game={"igdb": data["game"]["igdb"], **game_metadata(data["game"])},
            date=data["date"],
            review=data["review"],
            spoilers=data["spoilers"],
            liked=data["liked"],
            rating=data["rating"],
        )
        return Response(JournalEntrySerializer(entry).data)

    def partial_update(self, request, pk=None):
        entry = self.get_object()
        changes = validated(JournalEntryFieldsSerializer, request.data, partial=True)
        entry = services.journal_entry_update(entry=entry, changes=dict(changes))
        return Response(JournalEntrySerializer(entry).data)

    @staticmethod
    def journal_owner(request, username: str | None):
        if username is not None:
            return get_object_or_404(get_user_model(), username__iexact=username)
        if request.user.is_authenticated:
            return request.user
        raise ValidationError(
            {"username": ["This field is required unless you are logged in."]}
        )
