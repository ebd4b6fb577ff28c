"""Profile one endpoint in-process with pyinstrument, on a seeded database.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.profile NAME [--requests N]

NAME is one of bench/plan.py's endpoints (actions, rating, like, ...). Sends its
requests through Django's test client, as HTTPS requests from a reverse proxy, with
the environment's database and cache (DATABASE_URL, REDIS_URL, DJANGO_DEBUG=0, ...),
and prints where the time goes. Any answer but 2xx stops it: a profile of error pages
says nothing. README.md ("Performance") shows the whole sequence: environment,
migrate, bench.seed, then this. Needs pyinstrument (bench/requirements.txt).
"""

import argparse
import logging
import sys
import time

import django

django.setup()

from django.test import Client  # noqa: E402

from bench.plan import Sample, endpoints, send  # noqa: E402

try:
    from pyinstrument import Profiler
except ImportError:
    sys.exit("pyinstrument is missing: pip install -r bench/requirements.txt")

logger = logging.getLogger("bench.profile")
SHOW_ALL = False


def sent(client: Client, request) -> None:
    # As the reverse proxy forwards it: over HTTPS, so never redirected to it.
    response = send(client, request, secure=True)
    if not 200 <= response.status_code < 300:
        sys.exit(f"{request.method} {request.path} answered {response.status_code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name")
    parser.add_argument("--requests", type=int, default=2_000)
    args = parser.parse_args()
    by_name = {endpoint.name: endpoint for endpoint in endpoints(Sample())}
    if args.name not in by_name:
        sys.exit(f"no endpoint {args.name!r}; there are {', '.join(by_name)}")
    requests = by_name[args.name].requests
    client = Client(HTTP_HOST="127.0.0.1")
    # One line per request would bury the profile.
    logging.getLogger("overworld.requests").setLevel(logging.WARNING)
    for request in requests[:50]:
        sent(client, request)  # connections, caches and imports warm

    profiler = Profiler(interval=0.0002)
    started = time.perf_counter()
    with profiler:
        for number in range(args.requests):
            sent(client, requests[number % len(requests)])
    elapsed = time.perf_counter() - started
    logger.info(
        "%s: %.2f ms a request\n%s",
        args.name,
        elapsed / args.requests * 1000,
        profiler.output_text(unicode=True, color=False, show_all=SHOW_ALL),
    )


if __name__ == "__main__":
    # Django configured the root logger from DJANGO_LOG_LEVEL; this one always speaks.
    logger.setLevel(logging.INFO)
    main()
