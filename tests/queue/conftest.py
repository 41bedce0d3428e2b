from __future__ import annotations

import pytest
import redis

from app.queue.keys import Keys
from app.queue.store import QueueStore


@pytest.fixture
def store(redis_server) -> QueueStore:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    client.flushdb()
    return QueueStore(client, Keys("t"))
