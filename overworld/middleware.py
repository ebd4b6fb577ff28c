import logging
import time
from urllib.parse import quote

logger = logging.getLogger("overworld.requests")
PATH_SAFE = "/:@!$&'()*+,;=-._~"


def head_without_body(get_response):
    """Answer HEAD with the headers of GET and no body.

    Django's development server drops the body itself; gunicorn leaves it to the
    application, and a body after a HEAD answer corrupts a kept-alive connection.
    """

    def middleware(request):
        response = get_response(request)
        if request.method == "HEAD" and not response.streaming:
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response

    return middleware


def log_request(get_response):
    """One line per request: method, path, status, duration and user id.

    The path is logged without its query string, and nothing of headers or bodies,
    so no token, password or review text ever reaches the log.
    """

    def middleware(request):
        started = time.monotonic()
        response = get_response(request)
        milliseconds = (time.monotonic() - started) * 1000
        user = getattr(request, "user", None)
        logger.info(
            "%s %s %s %.1fms user=%s",
            request.method,
            # Percent-encoded again, so that a path cannot write lines into the log.
            quote(request.path, safe=PATH_SAFE),
            response.status_code,
            milliseconds,
            user.pk if user is not None and user.is_authenticated else "-",
        )
        return response

    return middleware
