"""Overworld's settings, plus the benchmark's ceiling view in the URLconf.

Nothing else differs from what production runs: the ceiling is measured under the same
middleware, database connection settings and gunicorn configuration as the API.
"""

from overworld.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
