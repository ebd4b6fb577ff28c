"""Serializer fields shared by the apps."""

import re

from rest_framework import serializers
from rest_framework.fields import empty

IGDB_ID_MAX = 2**31 - 1


class StrictIntegerField(serializers.IntegerField):
    """An integer that refuses booleans and floats, 7.0 as well as 7.5.

    A string must be plain ASCII digits: Python's int() would also read "1_000" and
    the digits of other scripts, and DRF strips the ".0" from "7.0".
    """

    digits = re.compile(r"\s*[+-]?[0-9]+\s*")

    def to_internal_value(self, data):
        if isinstance(data, bool | float):
            self.fail("invalid")
        if isinstance(data, str) and not self.digits.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class IGDBIdField(StrictIntegerField):
    """A game's IGDB id: a positive 32-bit integer."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", IGDB_ID_MAX)
        super().__init__(**kwargs)


class OptionalBooleanField(serializers.BooleanField):
    """A boolean whose absence means "not given", in form data too.

    DRF reads a missing checkbox in form data as False; for a field whose absence
    changes the meaning of the request (toggle instead of set) that would be wrong.
    """

    default_empty_html = empty


class DateOnlyField(serializers.DateField):
    """A date written exactly as YYYY-MM-DD: no datetimes, week dates or short forms."""

    # [0-9], not \d, which also matches the digits of other scripts.
    pattern = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

    def to_internal_value(self, value):
        if not isinstance(value, str) or not self.pattern.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)
