from overworld.routers import optional_slash

from . import views

IGDB_ID = r"(?P<igdb>[0-9]{1,10})"

urlpatterns = [
    optional_slash("search", views.GameSearchView.as_view(), "game-search"),
    optional_slash(
        r"search/(?P<name>[^/]+)",
        views.GameNameSearchView.as_view(),
        "game-search-name",
    ),
    optional_slash("popular", views.PopularGamesView.as_view(), "game-popular"),
    optional_slash(
        f"backdrop/{IGDB_ID}", views.GameBackdropView.as_view(), "game-backdrop"
    ),
    optional_slash(IGDB_ID, views.GameDetailView.as_view(), "game-detail"),
]
