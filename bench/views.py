from django.http import Http404, JsonResponse

from games.models import Game


def ceiling(request, igdb):
    """What Django itself does per request: one primary-key query, a JSON answer."""
    row = Game.objects.filter(pk=igdb).values("igdb", "name").first()
    if row is None:
        raise Http404
    return JsonResponse(row)
