from overworld.routers import OptionalSlashRouter, optional_slash

from . import views

router = OptionalSlashRouter()
router.register("actions/journal", views.JournalViewSet, basename="journal")
router.register("actions", views.ActionViewSet, basename="actions")

urlpatterns = [
    optional_slash("actions/ratings", views.RatingView.as_view(), "ratings"),
    *router.urls,
]
