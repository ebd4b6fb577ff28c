from django.db import models


class Game(models.Model):
    """A game as IGDB knows it; the primary key is IGDB's own id."""

    igdb = models.PositiveIntegerField("IGDB id", primary_key=True)
    name = models.CharField(max_length=255, db_index=True)
    slug = models.SlugField(max_length=255, allow_unicode=True)
    cover_id = models.CharField("cover image id", max_length=64, blank=True)
    backdrop_id = models.CharField("backdrop image id", max_length=64, blank=True)
    summary = models.TextField(blank=True)
    first_release_date = models.DateField(null=True, blank=True)
    # True while the metadata is what a client sent when it first used the game;
    # the next fetch from IGDB replaces it.
    is_placeholder = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.igdb})"
