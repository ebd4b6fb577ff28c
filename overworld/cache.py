"""Django's Redis cache backend, with one Redis client per connection pool.

Django's client builds a new redis.Redis object for every cache operation, and
building one costs more than the round trip to Redis it is for. A redis.Redis is safe
to share (each command borrows a connection from the pool), so one is kept per pool.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def redis_client(self):
        """The redis.Redis behind the cache, for what the cache API cannot say (the
        throttles' sorted sets); keys made with make_and_validate_key()."""
        return self._cache.get_client(write=True)
