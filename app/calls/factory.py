"""The call controls' composition root: `Controls` for the current app.

Private to app.calls (an import-linter contract): other packages use `app.calls.call_controls()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app

from app.calls.store import ControlStore
from app.queue import queue_services
from app.queue.livecall import LiveCall
from app.queue.services import QueueService
from config import AppSettings, app_settings


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

    def call(self, call_sid: str) -> LiveCall | None:
        """The caller's live call as the queue keeps it, or None if it has none."""
        return self.queue.store.live(call_sid)


@dataclass(frozen=True)
class _Built:
    queue: QueueService
    settings_of: AppSettings
    controls: Controls


_KEY = "calls.controls"


def _warnings(raw: Any) -> tuple[int, ...]:
    if isinstance(raw, list | tuple):
        return tuple(int(v) for v in raw)
    return tuple(int(v) for v in str(raw).replace(" ", "").split(",") if v)


def controls() -> Controls:
    """The current app's call controls, built once and again only when the queue's service
    or the settings they are made of change (a test swapping the gateway or a setting)."""
    config = app_settings()
    queue = queue_services().service
    built = current_app.extensions.get(_KEY)
    if built is not None and built.queue is queue and built.settings_of is config:
        return built.controls
    settings = CallSettings(
        hold_warnings=_warnings(config.AGENT_HOLD_WARNINGS),
        hold_limit=config.AGENT_HOLD_LIMIT_SECONDS,
        transfer_ring_timeout=config.TRANSFER_RING_TIMEOUT_SECONDS,
        default_region=config.DEFAULT_REGION,
    )
    made = Controls(queue, ControlStore(queue.store), settings)
    current_app.extensions[_KEY] = _Built(queue, config, made)
    return made
