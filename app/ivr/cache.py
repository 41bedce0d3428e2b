"""A per-process cache of IVR configuration (prompt overrides, departments), kept honest
across web processes by one version counter in Redis.

Every change to prompts or departments is committed to SQL first and then bumps the counter;
each request reads the counter once (one Redis GET) and reloads what is stale. If Redis is
unreachable the cache is bypassed and SQL is read directly, so an outage costs speed, never
correctness. Entries also expire after `IVR_CACHE_SECONDS`, bounding staleness in the one
case the counter cannot cover: a change made while Redis was down.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import redis
from flask import current_app, g

from app.extensions import redis_client

log = logging.getLogger(__name__)

T = TypeVar("T")
_NO_VERSION = "-"


@dataclass(frozen=True)
class _Entry:
    version: str
    loaded_at: float
    value: Any


class ConfigCache:
    def __init__(self, max_age: float) -> None:
        self.max_age = max_age
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def get(self, name: str, loader: Callable[[], T]) -> T:
        version = current_version()
        if version is None:
            return loader()
        entry = self._entries.get(name)
        if (entry is not None and entry.version == version
                and time.monotonic() - entry.loaded_at < self.max_age):
            return entry.value
        value = loader()
        with self._lock:
            self._entries[name] = _Entry(version, time.monotonic(), value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def version_key() -> str:
    return "{" + current_app.config.get("REDIS_KEY_TAG", "cc") + "}:ivr:config-version"


def current_version() -> str | None:
    """The configuration version, read once per request; None when Redis is unreachable."""
    if "_ivr_config_version" not in g:
        try:
            g._ivr_config_version = redis_client.get(version_key()) or _NO_VERSION
        except redis.RedisError as err:
            log.warning("Redis unreachable (%s): reading IVR configuration from SQL", err)
            g._ivr_config_version = None
    return g._ivr_config_version


def cache() -> ConfigCache:
    app = current_app._get_current_object()
    existing = app.extensions.get("ivr.cache")
    if existing is None:
        existing = app.extensions["ivr.cache"] = ConfigCache(
            float(app.config.get("IVR_CACHE_SECONDS", 60))
        )
    return existing


def changed() -> None:
    """Tell every process that prompts or departments changed (call after the commit)."""
    cache().clear()
    g.pop("_ivr_config_version", None)
    try:
        redis_client.incr(version_key())
    except redis.RedisError as err:
        log.warning("Redis unreachable (%s): other processes see this change within %ss",
                    err, cache().max_age)
