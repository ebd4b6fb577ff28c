from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import (
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from overworld.health import HealthView
from overworld.routers import optional_slash
from overworld.views import SchemaView

PAGE = ["get", "head"]

urlpatterns = [
    # Django tries the patterns in turn: the most requested, a user's marks on a game,
    # come first.
    path("api/", include("actions.urls")),
    re_path(r"^healthz/?$", HealthView.as_view(), name="healthz"),
    path("admin", RedirectView.as_view(url="/admin/", permanent=True)),
    path("admin/", admin.site.urls),
    optional_slash("api/schema", SchemaView.as_view(), "schema"),
    # The documentation pages are pages: anything but GET and HEAD is a 405 (an OPTIONS
    # answer rendered into the Swagger UI template would fail).
    optional_slash(
        "api/docs",
        SpectacularSwaggerView.as_view(url_name="schema", http_method_names=PAGE),
        "swagger-ui",
    ),
    optional_slash(
        "api/redoc",
        SpectacularRedocView.as_view(
            url_name="schema",
            template_name="overworld/redoc.html",
            http_method_names=PAGE,
        ),
        "redoc",
    ),
    path("api/users/", include("users.urls")),
    path("api/games/", include("games.urls")),
]

handler400 = "overworld.views.bad_request"
handler404 = "overworld.views.not_found"
handler500 = "overworld.views.server_error"
