"""The hot reads check their query with fields that every request thread shares."""

import pytest
from django.http import QueryDict
from rest_framework.exceptions import ValidationError

from actions.serializers import GameQuerySerializer
from actions.views import GAME_QUERY, RATING_QUERY, QueryParameters
from conftest import race


@pytest.mark.parametrize("query", [GAME_QUERY, RATING_QUERY])
def test_shared_fields_hold_only_finished_messages(query):
    """DRF formats a min or max message on first use and then drops its arguments,
    which two threads at once can break; shared fields hold plain text instead."""
    validators = [v for field in query.fields.values() for v in field.validators]

    assert validators
    for validator in validators:
        assert type(validator.message) is str, validator


def test_threads_validating_at_once_each_get_their_own_answer():
    query = QueryParameters(GameQuerySerializer)
    values = ["0", "2147483648", "7", "x"] * 8

    def check(value):
        try:
            return query.validated(QueryDict(f"igdb={value}"))
        except ValidationError as error:
            return error.detail

    answers = race([lambda value=value: check(value) for value in values])

    assert answers == [check(value) for value in values]
    assert answers[2] == {"igdb": 7}
    assert str(answers[1]["igdb"][0]) == (
        "Ensure this value is less than or equal to 2147483647."
    )
