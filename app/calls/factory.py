"""Builds the call controls for the current app (composition root)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app

from app.calls.store import ControlStore
from app.queue.factory import queue_service
from app.queue.services import QueueService
from config import app_settings


@dataclass(frozen=True)
class CallSettings:
    """The call controls' settings, from the app's (config.settings declares their defaults)."""

    hold_warnings: tuple[int, ...]
    hold_limit: int
    transfer_ring_timeout: int
    default_region: str


@dataclass
class Controls:
    """What every call-control operation needs: the queue's service (its store, gateway,
    phrases, events, clock) and the call controls' own store and settings."""

    queue: QueueService
    store: ControlStore
    settings: CallSettings

    @property
    def gateway(self) -> Any:
        return self.queue.gateway

    @property
    def events(self) -> Any:
        return self.queue.events

    @property
    def now(self) -> Callable[[], float]:
        return self.queue.now

    def url(self, path: str) -> str:
        return self.queue.url(path)

    def call(self, call_sid: str) -> dict[str, str]:
        return self.queue.store.call(call_sid)


def _warnings(raw: Any) -> tuple[int, ...]:
    if isinstance(raw, list | tuple):
        return tuple(int(v) for v in raw)
    return tuple(int(v) for v in str(raw).replace(" ", "").split(",") if v)


def controls() -> Controls:
    config = app_settings()
    queue = queue_service()
    store = current_app.extensions.get("calls.store")
    if store is None or store.queue is not queue.store:
        store = ControlStore(queue.store)
        current_app.extensions["calls.store"] = store
    settings = CallSettings(
        hold_warnings=_warnings(config.AGENT_HOLD_WARNINGS),
        hold_limit=config.AGENT_HOLD_LIMIT_SECONDS,
        transfer_ring_timeout=config.TRANSFER_RING_TIMEOUT_SECONDS,
        default_region=config.DEFAULT_REGION,
    )
    return Controls(queue, store, settings)
