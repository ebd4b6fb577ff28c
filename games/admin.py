from django.contrib import admin

from .models import Game


@admin.register(Game)
class GameAdmin(admin.ModelAdmin):
    list_display = ["igdb", "name", "slug", "first_release_date", "is_placeholder"]
    list_filter = ["is_placeholder"]
    search_fields = ["name", "=igdb", "slug"]
    readonly_fields = ["created_at", "updated_at"]
    ordering = ["name"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None:
            # The IGDB id is the primary key: editing it would create another game.
            return [field for field in fields if field != "igdb"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "igdb"] if obj is not None else readonly
