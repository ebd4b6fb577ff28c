from overworld.routers import optional_slash

from . import views

urlpatterns = [
    optional_slash("register", views.RegisterView.as_view(), "register"),
    optional_slash("login", views.LoginView.as_view(), "login"),
    optional_slash("token/refresh", views.RefreshView.as_view(), "token-refresh"),
    optional_slash("logout", views.LogoutView.as_view(), "logout"),
    optional_slash("user", views.CurrentUserView.as_view(), "current-user"),
]
