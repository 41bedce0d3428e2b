"""Failed sign-ins, counted in Redis per identity and per client address.

Fixed windows numbered from `app.clock.timestamp()`, so tests move them with freezegun; the
keys expire a window after they stop mattering, only to keep Redis tidy.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.clock import timestamp
from app.extensions import redis_client
from config import app_settings


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window that blocks ends; 0 when allowed


def _window() -> tuple[int, int]:
    seconds = app_settings().SIGNIN_WINDOW_SECONDS
    return int(timestamp() // seconds), seconds


def _keys(identity: str, address: str) -> list[tuple[str, int]]:
    window, _ = _window()
    prefix = "{" + app_settings().REDIS_KEY_TAG + "}:signin-fail"
    config = app_settings()
    return [(f"{prefix}:id:{identity.lower()}:{window}", config.SIGNIN_MAX_FAILURES),
            (f"{prefix}:ip:{address}:{window}", config.SIGNIN_MAX_FAILURES_PER_ADDRESS)]


def check(identity: str, address: str) -> Verdict:
    """May this identity try to sign in from this address now?"""
    keys = _keys(identity, address)
    counts = redis_client.mget([key for key, _ in keys])
    if all(int(count or 0) < limit for count, (_, limit) in zip(counts, keys, strict=True)):
        return Verdict(True, 0)
    window, seconds = _window()
    return Verdict(False, max(1, int((window + 1) * seconds - timestamp())))


def record_failure(identity: str, address: str) -> None:
    _, seconds = _window()
    pipe = redis_client.pipeline()
    for key, _ in _keys(identity, address):
        pipe.incr(key)
        pipe.expire(key, 2 * seconds)
    pipe.execute()


def clear(identity: str, address: str) -> None:
    """A successful sign-in forgets this identity's failures (the address keeps its count)."""
    redis_client.delete(_keys(identity, address)[0][0])
