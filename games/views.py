from django.shortcuts import get_object_or_404
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from . import catalog
from .models import Game
from .serializers import SearchQuerySerializer


class GameView(APIView):
    permission_classes = [permissions.AllowAny]


class GameDetailView(GameView):
    def get(self, request, igdb):
        return Response(catalog.game_detail(get_object_or_404(Game, pk=igdb)))


class GameSearchView(GameView):
    """Search by name, given in the path (search/<name>/) or as ?q=."""

    def get(self, request, name=None):
        data = {"q": name} if name is not None else request.query_params
        query = SearchQuerySerializer(data=data)
        query.is_valid(raise_exception=True)
        return Response(catalog.search(query.validated_data["q"]))


class PopularGamesView(GameView):
    def get(self, request):
        return Response(catalog.popular())


class GameBackdropView(GameView):
    def get(self, request, igdb):
        return Response(catalog.game_backdrop(get_object_or_404(Game, pk=igdb)))
