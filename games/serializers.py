import unicodedata
from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from overworld.fields import IGDBIdField

from .models import Game

METADATA_FIELDS = ("name", "slug", "cover_id", "backdrop_id")


def visible_text(value: str) -> None:
    """Refuse control characters, and text with nothing a reader could see."""
    categories = [unicodedata.category(character) for character in value]
    if "Cc" in categories:
        raise serializers.ValidationError("Control characters are not allowed.")
    if not any(category[0] in "LNPS" for category in categories):
        raise serializers.ValidationError("Enter a name with visible characters.")


def image_id_field():
    """An IGDB image id, which goes into image URLs: letters, digits, - and _."""
    return serializers.RegexField(
        r"^[A-Za-z0-9_-]+$",
        max_length=64,
        required=False,
        allow_blank=True,
        allow_null=True,
        error_messages={"invalid": "Enter an IGDB image id: letters and digits."},
    )


METADATA_DESCRIPTION = (
    "`name`, `slug`, `cover_id` and `backdrop_id` only serve to create a game not in "
    "the database yet (then `name` is required); an existing game is never changed."
)


@extend_schema_serializer(description=METADATA_DESCRIPTION)
class GameMetadataSerializer(serializers.Serializer):
    """Metadata a client may send along with a game it uses.

    It is only used to create a game that is not known yet; see game_get_or_create.
    """

    name = serializers.CharField(
        max_length=255, required=False, validators=[visible_text]
    )
    slug = serializers.SlugField(
        max_length=255, allow_unicode=True, required=False, allow_blank=True
    )
    cover_id = image_id_field()
    backdrop_id = image_id_field()

    # Other spellings clients use for a field: alias -> field name.
    aliases = {"backdrop_Id": "backdrop_id"}

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            data = self.resolve_aliases(data)
        return super().to_internal_value(data)

    def resolve_aliases(self, data):
        missing = {
            alias: field
            for alias, field in self.aliases.items()
            if alias in data and field not in data
        }
        if not missing:
            return data
        # A plain dict: copying form data would deep-copy any uploaded files too.
        data = data.dict() if hasattr(data, "dict") else dict(data)
        for alias, field in missing.items():
            data[field] = data[alias]
        return data


def game_metadata(validated: dict) -> dict:
    """The metadata fields of validated input, as keyword arguments for the service."""
    return {key: validated[key] for key in METADATA_FIELDS if key in validated}


@extend_schema_serializer(
    description=f"{METADATA_DESCRIPTION} `id`, IGDB's own name, is accepted for `igdb`."
)
class GameReferenceSerializer(GameMetadataSerializer):
    """A game given by its IGDB id as `igdb` (or `id`, IGDB's own name for it)."""

    igdb = IGDBIdField()
    aliases = {**GameMetadataSerializer.aliases, "id": "igdb"}


class GameSummarySerializer(serializers.ModelSerializer):
    """How a game appears inside journal entries and lists."""

    class Meta:
        model = Game
        fields = ["igdb", "name", "slug", "cover_id", "backdrop_id"]
        read_only_fields = fields


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=255)


# The answers of /api/games/ as games.shapes builds them, for the schema: the views
# answer with those dicts as they are. Names follow IGDB's; null or [] where IGDB (or
# the catalog) does not know.


class IGDBImageSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    image_id = serializers.CharField()
    url = serializers.URLField()


class IGDBReferenceSerializer(serializers.Serializer):
    """A genre, platform, theme or company."""

    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)


class IGDBInvolvedCompanySerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    company = IGDBReferenceSerializer(allow_null=True)
    developer = serializers.BooleanField()
    publisher = serializers.BooleanField()


class IGDBGameSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The IGDB id.")
    name = serializers.CharField(allow_null=True)
    slug = serializers.CharField(allow_null=True)
    first_release_date = serializers.IntegerField(
        allow_null=True, help_text="Unix timestamp, as IGDB gives it."
    )
    cover = IGDBImageSerializer(allow_null=True)


class IGDBGameDetailSerializer(IGDBGameSerializer):
    summary = serializers.CharField(allow_null=True)
    genres = IGDBReferenceSerializer(many=True)
    platforms = IGDBReferenceSerializer(many=True)
    screenshots = IGDBImageSerializer(many=True)
    involved_companies = IGDBInvolvedCompanySerializer(many=True)
    themes = IGDBReferenceSerializer(many=True)


class IGDBPopularGameSerializer(IGDBGameSerializer):
    popularity = serializers.FloatField(
        allow_null=True,
        help_text="IGDB's popularity, or the number of marks Overworld's users gave "
        "the game when answering from the catalog.",
    )


class IGDBBackdropSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The IGDB id.")
    name = serializers.CharField(allow_null=True)
    slug = serializers.CharField(allow_null=True)
    screenshots = IGDBImageSerializer(many=True)
