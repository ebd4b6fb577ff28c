import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

logger = logging.getLogger(__name__)

CHECKS = ["database", "redis"]


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger.exception("health check: database does not answer")
        return False


def cache_answers() -> bool:
    try:
        cache.set("healthz", "ok", 5)
        return cache.get("healthz") == "ok"
    except Exception:
        logger.exception("health check: cache does not answer")
        return False


class AlwaysJSON(BaseContentNegotiation):
    """JSON whatever the Accept header asks for: a probe never gets a 406."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class HealthView(APIView):
    """200 when the database (and Redis, when configured) answer; 503 otherwise."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    # Load balancers probe often, from few addresses.
    throttle_classes = []
    renderer_classes = [JSONRenderer]
    content_negotiation_class = AlwaysJSON

    @extend_schema(
        operation_id="healthz",
        tags=["health"],
        responses={
            200: inline_serializer(
                "Healthy", {"status": serializers.ChoiceField(choices=["ok"])}
            ),
            503: inline_serializer(
                "Unhealthy",
                {
                    "status": serializers.ChoiceField(choices=["unavailable"]),
                    "failed": serializers.ListField(
                        child=serializers.ChoiceField(choices=CHECKS)
                    ),
                },
            ),
        },
    )
    def get(self, request):
        checks = {"database": database_answers()}
        if settings.REDIS_URL:
            checks["redis"] = cache_answers()
        failed = sorted(name for name, ok in checks.items() if not ok)
        if failed:
            return Response({"status": "unavailable", "failed": failed}, status=503)
        return Response({"status": "ok"})
