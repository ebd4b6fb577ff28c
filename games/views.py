from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from overworld.schema import BAD_REQUEST, ErrorSerializer

from . import sources
from .serializers import (
    IGDBBackdropSerializer,
    IGDBGameDetailSerializer,
    IGDBGameSerializer,
    IGDBPopularGameSerializer,
    SearchQuerySerializer,
)

IGDB_ID = OpenApiParameter(
    "igdb", OpenApiTypes.INT, OpenApiParameter.PATH, description="The IGDB id."
)
UNAVAILABLE = OpenApiResponse(
    ErrorSerializer,
    description="IGDB failed and neither a cached answer nor the catalog has one.",
)
SEARCH_RESULTS = {200: IGDBGameSerializer(many=True), 503: UNAVAILABLE}


class GameView(APIView):
    permission_classes = [permissions.AllowAny]


class GameDetailView(GameView):
    @extend_schema(
        parameters=[IGDB_ID],
        responses={200: IGDBGameDetailSerializer, 503: UNAVAILABLE},
    )
    def get(self, request, igdb):
        return Response(sources.game_detail(int(igdb)))


class GameSearchView(GameView):
    """Search by name, given as ?q=; best matches first."""

    @extend_schema(
        operation_id="games_search",
        parameters=[SearchQuerySerializer],
        responses=SEARCH_RESULTS,
    )
    def get(self, request):
        return self.search(request.query_params)

    def search(self, data):
        query = SearchQuerySerializer(data=data)
        query.is_valid(raise_exception=True)
        return Response(sources.game_search(query.validated_data["q"]))


class GameNameSearchView(GameSearchView):
    """Search by name, given in the path; best matches first."""

    @extend_schema(
        operation_id="games_search_by_name",
        responses={
            **SEARCH_RESULTS,
            400: OpenApiResponse(BAD_REQUEST, description="The name is too long."),
        },
    )
    def get(self, request, name):
        return self.search({"q": name})


class PopularGamesView(GameView):
    @extend_schema(
        responses={200: IGDBPopularGameSerializer(many=True), 503: UNAVAILABLE}
    )
    def get(self, request):
        return Response(sources.popular_games())


class GameBackdropView(GameView):
    @extend_schema(
        parameters=[IGDB_ID],
        responses={200: IGDBBackdropSerializer, 503: UNAVAILABLE},
    )
    def get(self, request, igdb):
        return Response(sources.game_backdrop(int(igdb)))
