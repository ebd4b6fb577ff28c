"""schemathesis hooks for the Overworld fuzz run (loaded by fuzz/run.py)."""

import schemathesis


@schemathesis.hook
def filter_case(context, case):
    """Leave out a case whose path is another operation's fixed path.

    `/api/users/{username}/` excludes `feed`, `user`, `login` and the other fixed
    paths beside it, and schemathesis sends those as invalid usernames. But
    `GET /api/users/feed/` is the feed, not a profile with a bad name, so its answer
    cannot be judged against the profile's.
    """
    operation = case.operation
    path = case.formatted_path
    return path == operation.path or path not in operation.schema.raw_schema["paths"]


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Accept gunicorn's own refusal of a request line over its limit (4094 bytes).

    Such a request never reaches the application: gunicorn answers it with an HTML
    400 page of its own. Clients never come close (a search name of 255 characters
    is well under 4 KB); the fuzzer's negative queries with hundreds of repeated
    parameters do.
    """
    refused = response.status_code == 400 and b"Request Line is too large" in (
        response.content or b""
    )
    return not refused
