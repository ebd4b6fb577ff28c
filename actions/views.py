from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField
from rest_framework.response import Response
from rest_framework.views import APIView

from games.serializers import game_metadata
from overworld.schema import EmptyObjectSerializer, ErrorSerializer

from . import selectors, services
from .models import RELATIONS, JournalEntry
from .permissions import IsAuthorOrReadOnly
from .serializers import (
    GameQuerySerializer,
    JournalEntryFieldsSerializer,
    JournalEntryInputSerializer,
    JournalEntrySerializer,
    JournalQuerySerializer,
    JournalYearSerializer,
    RatingInputSerializer,
    RatingQuerySerializer,
    RatingSerializer,
    RelationInputSerializer,
    journal_by_month,
)

# The last path segment of each relation endpoint, and the relation it sets.
RELATION_ACTIONS = {
    "log": "played",
    "like": "liked",
    "backlog": "backlog",
    "wishlist": "wishlist",
}


RELATION_STATE = PolymorphicProxySerializer(
    component_name="RelationStateOrNothing",
    serializers=[
        inline_serializer(
            "RelationState",
            {relation: serializers.BooleanField() for relation in RELATIONS},
        ),
        EmptyObjectSerializer,
    ],
    resource_type_field_name=None,
    many=False,
)
RELATION_CHANGE = inline_serializer(
    "RelationChange",
    {
        "game": serializers.IntegerField(),
        "user": serializers.IntegerField(),
        "action": serializers.ChoiceField(choices=list(RELATION_ACTIONS)),
        "value": serializers.BooleanField(),
        "removed_from_backlog": serializers.BooleanField(
            required=False,
            help_text="Only there, and true, when logging a game as played took "
            "it out of the backlog.",
        ),
    },
)
RATING_OR_NOTHING = PolymorphicProxySerializer(
    component_name="RatingOrNothing",
    serializers=[RatingSerializer, EmptyObjectSerializer],
    resource_type_field_name=None,
)
ENTRY_ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
NOT_THE_AUTHOR = OpenApiResponse(
    ErrorSerializer, description="Only the author may change or delete an entry."
)


def validated(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class QueryParameters:
    """A query serializer's checks, with its fields built once.

    Building a serializer deep-copies its fields, which on the API's most frequent
    reads (a game's marks, a rating) costs more than the rest of the validation. A
    field keeps no state between calls, so one bound set serves every request; values
    and errors are the serializer's own (`{"igdb": ["A valid integer is required."]}`).
    """

    def __init__(self, serializer_class):
        self.fields = serializer_class().fields
        # DRF formats a min or max message on its first use and then drops the
        # arguments; two threads doing that at once can fail. Formatted now, once.
        for field in self.fields.values():
            for validator in field.validators:
                if hasattr(validator, "message"):
                    validator.message = str(validator.message)

    def validated(self, params) -> dict:
        values, errors = {}, {}
        for name, field in self.fields.items():
            try:
                values[name] = field.run_validation(field.get_value(params))
            except SkipField:
                continue
            except ValidationError as error:
                errors[name] = error.detail
        if errors:
            raise ValidationError(errors)
        return values


GAME_QUERY = QueryParameters(GameQuerySerializer)
RATING_QUERY = QueryParameters(RatingQuerySerializer)


class ActionViewSet(viewsets.ViewSet):
    """The caller's played, liked, backlog and wishlist marks on one game."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[GameQuerySerializer],
        responses=RELATION_STATE,
        description="The caller's marks on a game; `{}` for a game not in the "
        "database.",
    )
    def list(self, request):
        query = GAME_QUERY.validated(request.query_params)
        state = selectors.relation_state(user=request.user, igdb=query["igdb"])
        return Response(state or {})

    @extend_schema(
        request=RelationInputSerializer,
        responses=RELATION_CHANGE,
        description="Set the mark to `value`, or toggle it without one. `log` is "
        "the played mark.",
    )
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
            "game": change.igdb,
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

    @extend_schema(
        parameters=[RatingQuerySerializer],
        responses=RATING_OR_NOTHING,
        description="The caller's rating; `{}` when there is none.",
    )
    def get(self, request):
        query = RATING_QUERY.validated(request.query_params)
        rating = selectors.rating_of(user=request.user, igdb=query["game"])
        if rating is None:
            return Response({})
        return Response(
            {"game": query["game"], "user": request.user.pk, "rating": rating}
        )

    @extend_schema(request=RatingInputSerializer, responses=RatingSerializer)
    def post(self, request):
        data = validated(RatingInputSerializer, request.data)
        rating = services.rating_set(
            user=request.user,
            igdb=data["game"],
            metadata=game_metadata(data),
            rating=data["rating"],
        )
        return Response(RatingSerializer(rating).data)

    @extend_schema(parameters=[RatingQuerySerializer], responses={204: None})
    def delete(self, request):
        query = RATING_QUERY.validated(request.query_params)
        services.rating_delete(user=request.user, igdb=query["game"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    retrieve=extend_schema(parameters=[ENTRY_ID]),
    partial_update=extend_schema(parameters=[ENTRY_ID]),
    destroy=extend_schema(
        parameters=[ENTRY_ID], responses={204: None, 403: NOT_THE_AUTHOR}
    ),
)
class JournalViewSet(
    mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Journal entries: anyone reads them, only their author changes them."""

    # A deactivated user's entries are hidden with the rest of them.
    queryset = JournalEntry.objects.filter(user__is_active=True).select_related("game")
    serializer_class = JournalEntrySerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsAuthorOrReadOnly]
    lookup_value_regex = r"[0-9]+"
    # The journal is grouped by month, not paginated.
    pagination_class = None
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @extend_schema(
        parameters=[JournalQuerySerializer],
        responses={
            200: JournalYearSerializer(many=True),
            404: OpenApiResponse(ErrorSerializer, description="No such user."),
        },
        description="A journal, grouped by year and month, newest first. Without "
        "`username`, the caller's own.",
    )
    def list(self, request):
        query = validated(JournalQuerySerializer, request.query_params)
        user = self.journal_owner(request, query.get("username"))
        entries = selectors.journal_entries(
            user=user, year=query.get("year"), limit=query.get("limit")
        )
        return Response(
            JournalYearSerializer(journal_by_month(entries), many=True).data
        )

    @extend_schema(
        request=JournalEntryInputSerializer,
        responses={200: JournalEntrySerializer},
        description="Write an entry for a finished game. The game is marked played "
        "and leaves the backlog; `liked` likes it, `rating` rates it.",
    )
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

    @extend_schema(
        request=JournalEntryFieldsSerializer,
        responses={200: JournalEntrySerializer, 403: NOT_THE_AUTHOR},
    )
    def partial_update(self, request, pk=None):
        entry = self.get_object()
        changes = validated(JournalEntryFieldsSerializer, request.data, partial=True)
        entry = services.journal_entry_update(entry=entry, changes=dict(changes))
        return Response(JournalEntrySerializer(entry).data)

    @staticmethod
    def journal_owner(request, username: str | None):
        if username is not None:
            return get_object_or_404(
                get_user_model().objects.named(username), is_active=True
            )
        if request.user.is_authenticated:
            return request.user
        raise ValidationError(
            {"username": ["This field is required unless you are logged in."]}
        )
