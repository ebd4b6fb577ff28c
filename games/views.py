from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from . import sources
from .serializers import SearchQuerySerializer


class GameView(APIView):
    permission_classes = [permissions.AllowAny]


class GameDetailView(GameView):
    def get(self, request, igdb):
        return Response(sources.game_detail(int(igdb)))


class GameSearchView(GameView):
    """Search by name, given in the path (search/<name>/) or as ?q=."""

    def get(self, request, name=None):
        data = {"q": name} if name is not None else request.query_params
        query = SearchQuerySerializer(data=data)
        query.is_valid(raise_exception=True)
        return Response(sources.game_search(query.validated_data["q"]))


class PopularGamesView(GameView):
    def get(self, request):
        return Response(sources.popular_games())


class GameBackdropView(GameView):
    def get(self, request, igdb):
        return Response(sources.game_backdrop(int(igdb)))
