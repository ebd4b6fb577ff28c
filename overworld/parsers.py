from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies larger than DATA_UPLOAD_MAX_MEMORY_SIZE.

    Django enforces that limit for form data but DRF reads a JSON stream to its end.
    Deeply nested JSON, which exhausts Python's recursion limit, is a parse error too.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if stream is not None and limit is not None:
            head = stream.read(limit + 1)
            if len(head) > limit:
                raise RequestDataTooBig("The request body is too large.")
            stream = _Replay(head)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - nested too deeply.") from error


class _Replay:
    """A stream over bytes already read."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, *args):
        data, self.data = self.data, b""
        return data
