from datetime import date, timedelta
from itertools import groupby

from django.utils import timezone
from rest_framework import serializers

from games.serializers import (
    GameMetadataSerializer,
    GameReferenceSerializer,
    GameSummarySerializer,
)
from overworld.fields import (
    DateOnlyField,
    IGDBIdField,
    OptionalBooleanField,
    StrictIntegerField,
)

from .models import RATING_MAX, RATING_MIN, JournalEntry

EARLIEST_JOURNAL_DATE = date(1950, 1, 1)
REVIEW_MAX_LENGTH = 20_000


def rating_field(**kwargs):
    return StrictIntegerField(min_value=RATING_MIN, max_value=RATING_MAX, **kwargs)


class GameQuerySerializer(serializers.Serializer):
    """?igdb=N, with the `name` the original clients send ignored."""

    igdb = IGDBIdField()


class RatingQuerySerializer(serializers.Serializer):
    game = IGDBIdField()


class RelationInputSerializer(GameMetadataSerializer):
    igdb = IGDBIdField()
    value = OptionalBooleanField(required=False)


class RatingInputSerializer(GameMetadataSerializer):
    game = IGDBIdField()
    rating = rating_field()


class RatingSerializer(serializers.Serializer):
    game = serializers.IntegerField(source="game_id")
    user = serializers.IntegerField(source="user_id")
    rating = serializers.IntegerField()


class JournalEntryFieldsSerializer(serializers.Serializer):
    """The fields of a journal entry that its author writes and may change."""

    date = DateOnlyField()
    review = serializers.CharField(
        max_length=REVIEW_MAX_LENGTH,
        required=False,
        allow_blank=True,
        allow_null=True,
        trim_whitespace=False,
        default="",
    )
    spoilers = serializers.BooleanField(required=False, default=False)
    liked = serializers.BooleanField(required=False, default=False)
    rating = rating_field(required=False, allow_null=True, default=None)

    def validate_date(self, value):
        tomorrow = timezone.now().date() + timedelta(days=1)
        if value > tomorrow:
            raise serializers.ValidationError("The date cannot be in the future.")
        if value < EARLIEST_JOURNAL_DATE:
            raise serializers.ValidationError("The date cannot be before 1950-01-01.")
        return value

    def validate_review(self, value):
        return value or ""


class JournalEntryInputSerializer(JournalEntryFieldsSerializer):
    game = GameReferenceSerializer()


class JournalEntrySerializer(serializers.ModelSerializer):
    game = GameSummarySerializer()

    class Meta:
        model = JournalEntry
        fields = [
            "id",
            "game",
            "date",
            "review",
            "spoilers",
            "liked",
            "rating",
            "user",
        ]
        read_only_fields = fields


class JournalMonthSerializer(serializers.Serializer):
    month = serializers.IntegerField(min_value=1, max_value=12)
    entries = JournalEntrySerializer(many=True)


class JournalYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    months = JournalMonthSerializer(many=True)


def journal_by_month(entries) -> list[dict]:
    """Entries grouped by year, then month, as JournalYearSerializer shows them.

    Expects the entries already ordered newest first (date, then id, descending),
    so that grouping is one pass over one query.
    """
    return [
        {
            "year": year,
            "months": [
                {"month": month, "entries": list(in_month)}
                for month, in_month in groupby(in_year, key=lambda e: e.date.month)
            ],
        }
        for year, in_year in groupby(entries, key=lambda e: e.date.year)
    ]


class JournalQuerySerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, required=False)
    year = StrictIntegerField(min_value=1, max_value=9999, required=False)
    limit = StrictIntegerField(min_value=1, max_value=1000, required=False)
