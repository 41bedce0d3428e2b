"""A per-process cache of IVR configuration (prompt overrides, departments), kept honest
across web processes by one version counter in Redis.

Every change to prompts or departments is committed to SQL first and then bumps the counter;
a process reads the counter at most once every `IVR_VERSION_POLL_SECONDS` (0.25 s: a Redis
GET per request cost as much as the rest of the greeting's configuration) and reloads what is
stale, so an edit made in another process is heard within that long; the process that made
the edit sees it at once. If Redis is unreachable the cache is bypassed and SQL is read
directly, so an outage costs speed, never correctness. Entries also expire after
`IVR_CACHE_SECONDS`, bounding staleness in the one case the counter cannot cover: a change
made while Redis was down.
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
from config import app_settings
from config.settings import declared_default

log = logging.getLogger(__name__)

T = TypeVar("T")
_NO_VERSION = "-"
DEFAULT_VERSION_POLL_SECONDS: float = declared_default("IVR_VERSION_POLL_SECONDS")


def _monotonic() -> float:
    # Real time even under freezegun (which freezes time.monotonic): the poll interval is
    # about other processes' edits reaching this one, which frozen test time must not stop.
    return time.clock_gettime(time.CLOCK_MONOTONIC)


@dataclass(frozen=True)
class _Entry:
    version: str
    loaded_at: float
    value: Any


class ConfigCache:
    def __init__(self, max_age: float, version_poll: float = DEFAULT_VERSION_POLL_SECONDS
                 ) -> None:
        self.max_age = max_age
        self.version_poll = version_poll
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        # The last version read from Redis and when (real monotonic seconds); None: re-read.
        self._version: tuple[str, float] | None = None

    def remembered_version(self) -> str | None:
        """The version read less than `version_poll` seconds ago, if any."""
        seen = self._version
        if seen is None:
            return None
        age = _monotonic() - seen[1]
        return seen[0] if 0 <= age < self.version_poll else None

    def remember_version(self, version: str) -> None:
        self._version = (version, _monotonic())

    def forget_version(self) -> None:
        self._version = None

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
        self.forget_version()


def version_key() -> str:
    return "{" + app_settings().REDIS_KEY_TAG + "}:ivr:config-version"


def current_version() -> str | None:
    """The configuration version, fixed for the request and read from Redis at most once per
    poll interval per process; None when Redis is unreachable."""
    if "_ivr_config_version" not in g:
        shared = cache()
        version = shared.remembered_version()
        if version is None:
            try:
                version = redis_client.get(version_key()) or _NO_VERSION
                shared.remember_version(version)
            except redis.RedisError as err:
                log.warning("Redis unreachable (%s): reading IVR configuration from SQL", err)
        g._ivr_config_version = version
    return g._ivr_config_version


class StaleVersion(Exception):  # noqa: N818 - a signal, not an error; never leaves the IVR
    """The configuration changed while a first webhook rendered with an assumed version:
    render again (`current_version()` now returns the version Redis reported)."""


def assume_last_version() -> None:
    """For the incoming-call webhook: render with the version this process saw last, without
    reading it now. The answer must then be checked before anything is written: by the
    version-guarded staging of the call's row (`app.interactions.pending.stage`, which reads
    the version in the same round trip) or by `confirm_version()`; a changed version raises
    StaleVersion, so a prompt edit is still heard on the very next call."""
    seen = cache()._version
    if seen is not None and "_ivr_config_version" not in g:
        g._ivr_config_version = seen[0]
        g._ivr_version_assumed = True


def version_assumed() -> bool:
    return bool(g.get("_ivr_version_assumed"))


def settle_version(current: str | None) -> None:
    """Record the version Redis reported (None: unreachable) for this request and process;
    raise StaleVersion if the request had rendered with another one."""
    used = g.get("_ivr_config_version")
    g._ivr_config_version = current
    g._ivr_version_assumed = False
    if current is not None:
        cache().remember_version(current)
    if current != used:
        raise StaleVersion(current)


def confirm_version() -> None:
    """Check an assumed version before a side effect it could not take back (a hand-off)."""
    if not version_assumed():
        return
    try:
        current = redis_client.get(version_key()) or _NO_VERSION
    except redis.RedisError as err:
        log.warning("Redis unreachable (%s): reading IVR configuration from SQL", err)
        current = None
    settle_version(current)


def cache() -> ConfigCache:
    app = current_app._get_current_object()
    existing = app.extensions.get("ivr.cache")
    if existing is None:
        settings = app_settings(app)
        existing = app.extensions["ivr.cache"] = ConfigCache(
            settings.IVR_CACHE_SECONDS, settings.IVR_VERSION_POLL_SECONDS)
    return existing


def changed() -> None:
    """Tell every process that prompts or departments changed (call after the commit)."""
    cache().clear()
    g.pop("_ivr_config_version", None)
    try:
        redis_client.incr(version_key())
        cache().forget_version()  # a request that raced the bump must not pin the old one
    except redis.RedisError as err:
        log.warning("Redis unreachable (%s): other processes see this change within %ss",
                    err, cache().max_age)
