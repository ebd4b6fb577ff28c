"""DRF's throttles, counting in one atomic round trip when the cache is Redis.

DRF keeps each client's request times as a pickled list that it reads and then writes
back: two round trips on every request, and two requests of one client at the same
moment both read the same list, so one of them goes uncounted. In Redis the same
sliding window is a sorted set of request times that one script trims, counts and adds
to. Rates, scopes, cache keys and the 429 answer stay DRF's; with any other cache the
throttles are DRF's own.
"""

import functools
import uuid

from rest_framework import throttling

# KEYS[1]: the client's window. ARGV: now, the window's length in seconds, the number
# of requests it admits, and a name for this request. Answers {1} when the request is
# admitted (and counted), else {0, time of the oldest request in the window}; as in
# DRF, a refused request is not counted.
WINDOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return {0, redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]}
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return {1}
"""


@functools.cache
def window_script(client):
    """The script, sent to Redis once and then called by its digest."""
    return client.register_script(WINDOW)


class RedisWindowThrottle(throttling.SimpleRateThrottle):
    """The window's storage; the classes below still choose the rate and the key."""

    # The time of the oldest request in a full window, once a request was refused.
    oldest = None

    def allow_request(self, request, view):
        redis_client = getattr(self.cache, "redis_client", None)
        if redis_client is None:
            return super().allow_request(request, view)
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True

        self.now = self.timer()
        client = redis_client()
        admitted, *oldest = window_script(client)(
            # Not DRF's key: a list that DRF left there is not a sorted set.
            keys=[self.cache.make_key(f"window:{self.key}")],
            args=[repr(self.now), self.duration, self.num_requests, uuid.uuid4().hex],
            client=client,
        )
        if admitted:
            return True
        # A rate of 0 leaves the window empty.
        self.oldest = float(oldest[0]) if oldest else self.now
        return self.throttle_failure()

    def wait(self):
        if self.oldest is None:
            return super().wait()
        # The window has room again once its oldest request has left it.
        return max(self.duration - (self.now - self.oldest), 0)


class AnonRateThrottle(throttling.AnonRateThrottle, RedisWindowThrottle):
    pass


class UserRateThrottle(throttling.UserRateThrottle, RedisWindowThrottle):
    pass


class ScopedRateThrottle(throttling.ScopedRateThrottle, RedisWindowThrottle):
    pass
