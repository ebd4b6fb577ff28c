from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from overworld.health import healthz

urlpatterns = [
    re_path(r"^healthz/?$", healthz, name="healthz"),
    path("admin", RedirectView.as_view(url="/admin/", permanent=True)),
    path("admin/", admin.site.urls),
    path("api/users/", include("users.urls")),
    path("api/games/", include("games.urls")),
    path("api/", include("actions.urls")),
]

handler400 = "overworld.views.bad_request"
handler404 = "overworld.views.not_found"
handler500 = "overworld.views.server_error"
