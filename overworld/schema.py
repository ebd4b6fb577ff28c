"""What the OpenAPI schema says of every operation: its errors and its authentication.

Each view describes its own parameters, bodies and successful answers next to its code
(`extend_schema`); the error answers follow from how the view is built, so they are
added here once: 400 for input, 401 where a token is read, 404 for paths with an id or
a name and for pages, 429 where a throttle applies.
"""

import re

from drf_spectacular import openapi
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import get_override
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class FieldErrorsSerializer(serializers.Serializer):
    """Messages by field name; a nested object's field names map to its own errors."""


class FieldErrorsSchema(OpenApiSerializerExtension):
    target_class = FieldErrorsSerializer

    def map_serializer(self, auto_schema, direction):
        messages = {"type": "array", "items": {"type": "string"}}
        return {
            "type": "object",
            "description": "Messages by field name, `non_field_errors` for the "
            "body as a whole, and an object of the same kind for a nested object.",
            "additionalProperties": {"anyOf": [messages, {"type": "object"}]},
            "example": {"rating": ["Ensure this value is less than or equal to 10."]},
        }


class EmptyObjectSerializer(serializers.Serializer):
    """The answer `{}`: nothing known about what was asked."""


class EmptyObjectSchema(OpenApiSerializerExtension):
    target_class = EmptyObjectSerializer

    def map_serializer(self, auto_schema, direction):
        return {"type": "object", "additionalProperties": False}


class JWTScheme(SimpleJWTScheme):
    """simplejwt's bearer scheme, for the project's hardened subclass of it."""

    target_class = "users.authentication.JWTAuthentication"


BAD_REQUEST = PolymorphicProxySerializer(
    component_name="BadRequest",
    serializers=[ErrorSerializer, FieldErrorsSerializer],
    resource_type_field_name=None,
)

ERRORS = {
    400: "Invalid input: messages by field, or a `detail` (malformed JSON, say).",
    401: "No valid access token: missing, expired, malformed or of a deactivated user.",
    403: "Authenticated, but not allowed to do this.",
    404: "Not found.",
    429: "Throttled: too many requests; `Retry-After` says when to try again.",
}


class AutoSchema(openapi.AutoSchema):
    def _map_basic_serializer(self, serializer, direction):
        """A serializer's schema, described by `extend_schema_serializer` alone.

        Docstrings are written for the readers of this code, not for API clients.
        """
        schema = super()._map_basic_serializer(serializer, direction)
        if not get_override(serializer, "description"):
            schema.pop("description", None)
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in self.error_responses().items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    response, str(code), direction=direction
                )
        return responses

    def error_responses(self) -> dict:
        errors = {}
        if self.method in ("POST", "PUT", "PATCH") or self.get_override_parameters():
            errors[400] = OpenApiResponse(BAD_REQUEST, description=ERRORS[400])
        if self.view.get_authenticators():
            errors[401] = ERRORS[401]
        if "{" in self.path or self._get_paginator():
            errors[404] = ERRORS[404]
        if self.view.get_throttles():
            errors[429] = ERRORS[429]
        return {
            code: error
            if isinstance(error, OpenApiResponse)
            else OpenApiResponse(ErrorSerializer, description=error)
            for code, error in errors.items()
        }


CHOICE = re.compile(r"\(\?P<(?P<name>\w+)>(?P<words>[\w-]+(?:\|[\w-]+)+)\)")


def expand_choice_paths(endpoints):
    """List a path with a segment that is one of a few words once per word.

    `(?P<relation>played|liked|...)` is a path parameter to Django, but to OpenAPI
    `/api/users/{username}/{relation}/` and `/api/users/{username}/{direction}/`
    would be the same path twice, and a parameter hides which words there are.
    """
    expanded = []
    pending = list(endpoints)
    while pending:
        path, path_regex, method, callback = pending.pop(0)
        match = CHOICE.search(path_regex)
        if match is None:
            expanded.append((path, path_regex, method, callback))
            continue
        pending[:0] = [
            (
                path.replace(f"{{{match['name']}}}", word),
                path_regex.replace(match[0], word),
                method,
                callback,
            )
            for word in match["words"].split("|")
        ]
    return expanded
