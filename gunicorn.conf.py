"""gunicorn settings for Overworld; each can be overridden on the command line."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Django is synchronous: worker processes for the cores, threads to overlap the
# waits on the database, Redis and IGDB.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak cannot grow without bound (0: never).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 10_000))
max_requests_jitter = max_requests // 10
# Requests are logged by the application, with the user and without secrets.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
