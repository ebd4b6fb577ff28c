from django.urls import re_path
from rest_framework.routers import SimpleRouter


class OptionalSlashRouter(SimpleRouter):
    """A router whose routes answer with and without the trailing slash."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"


def optional_slash(route: str, view, name: str):
    """A URL pattern for `route` that matches with or without its trailing slash."""
    return re_path(rf"^{route}/?$", view, name=name)
