from django.contrib import admin

from .models import Backlog, JournalEntry, Liked, Played, Rating, Wishlist


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    list_display = ["user", "game", "date", "rating", "liked", "spoilers"]
    list_filter = ["spoilers", "liked", ("date", admin.DateFieldListFilter)]
    search_fields = ["review", "user__username", "game__name"]
    date_hierarchy = "date"
    raw_id_fields = ["user", "game"]
    list_select_related = ["user", "game"]
    actions = ["blank_reviews"]

    @admin.action(description="Blank the reviews of the selected entries")
    def blank_reviews(self, request, queryset):
        updated = queryset.update(review="", spoilers=False)
        self.message_user(request, f"{updated} reviews blanked.")


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["user", "game", "rating", "updated_at"]
    list_filter = ["rating"]
    search_fields = ["user__username", "game__name"]
    raw_id_fields = ["user", "game"]
    list_select_related = ["user", "game"]


@admin.register(Played, Liked, Backlog, Wishlist)
class RelationAdmin(admin.ModelAdmin):
    list_display = ["user", "game", "created_at"]
    search_fields = ["user__username", "game__name"]
    raw_id_fields = ["user", "game"]
    list_select_related = ["user", "game"]
