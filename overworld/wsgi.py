import codecs
import os

from django.core.handlers.wsgi import WSGIRequest
from django.core.wsgi import get_wsgi_application
from django.utils.http import parse_header_parameters

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "overworld.settings")


def is_text_encoding(name: str) -> bool:
    """Whether a charset can decode text: zlib, base64, rot13 and the like cannot."""
    try:
        codecs.lookup(name)
        "é".encode(name, "replace").decode(name, "replace")
        b"\xff".decode(name, "replace")
    except (LookupError, UnicodeError, ValueError, TypeError):
        return False
    return True


class TextCharsetWSGIRequest(WSGIRequest):
    """A request whose charset, when it is not a text encoding, is ignored.

    Django takes any codec named in the Content-Type charset as the request's
    encoding and decodes the query string with it, so "charset=zlib" would fail
    before any view or middleware could answer. UTF-8 is used instead.
    """

    def _set_content_type_params(self, meta):
        content_type, params = parse_header_parameters(meta.get("CONTENT_TYPE", ""))
        if "charset" in params and not is_text_encoding(params["charset"]):
            meta = {**meta, "CONTENT_TYPE": content_type}
        super()._set_content_type_params(meta)


application = get_wsgi_application()
application.request_class = TextCharsetWSGIRequest
