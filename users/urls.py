from overworld.routers import optional_slash

from . import views
from .models import USERNAME_PATTERN

USERNAME = rf"(?P<username>{USERNAME_PATTERN})"

urlpatterns = [
    optional_slash("register", views.RegisterView.as_view(), "register"),
    optional_slash("login", views.LoginView.as_view(), "login"),
    optional_slash("token/refresh", views.RefreshView.as_view(), "token-refresh"),
    optional_slash("logout", views.LogoutView.as_view(), "logout"),
    optional_slash("user", views.CurrentUserView.as_view(), "current-user"),
    optional_slash("profile", views.ProfileUpdateView.as_view(), "profile-update"),
    optional_slash("follow", views.FollowView.as_view(), "follow"),
    optional_slash("unfollow", views.FollowView.as_view(following=False), "unfollow"),
    optional_slash("feed", views.FeedView.as_view(), "feed"),
    optional_slash(USERNAME, views.ProfileView.as_view(), "profile"),
    optional_slash(
        rf"{USERNAME}/(?P<direction>followers|following)",
        views.FollowListView.as_view(),
        "follow-list",
    ),
    optional_slash(
        rf"{USERNAME}/(?P<relation>played|liked|backlog|wishlist)",
        views.GameListView.as_view(),
        "game-list",
    ),
]
