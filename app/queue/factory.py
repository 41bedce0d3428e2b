"""Builds the queue's services for the current app (composition root)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app

from app.clock import timestamp
from app.extensions import db, redis_client
from app.floor import languages, prompts
from app.queue.escalation import Escalations
from app.queue.events import FloorEvents
from app.queue.governor import CpsGovernor
from app.queue.holdclock import HoldClock
from app.queue.hooks import queue_hooks
from app.queue.keys import Keys
from app.queue.services import QueueService, QueueSettings
from app.queue.store import QueueStore
from app.queue.twiml import Voice
from app.telephony import gateway
from config import app_settings


def voice_of(language: str) -> Voice:
    """How a language is spoken, from the floor's table (the default one for unknown codes)."""
    spoken = languages.language(language)
    return Voice(spoken.voice, spoken.say_language)


class QueuePhrases:
    """The queue's prompts from the prompt catalogue (so operators can edit them at run time),
    spoken with the language's voice; unknown languages fall back to the default."""

    def text(self, key: str, language: str, **values: Any) -> str:
        return prompts.text(key, languages.language(language).code, **values)

    def voice(self, language: str) -> Voice:
        return voice_of(language)


# Queue events that change the interaction row itself; the rest are history only.
OUTCOME_EVENTS = {"queued", "answered", "abandoned"}


def _timeline(call_sid: str, kind: str, detail: dict[str, Any]) -> None:
    from app.interactions import services as interactions

    if kind not in OUTCOME_EVENTS:
        # The hot path of the clock (thousands of steps a minute): one INSERT by the id the
        # caller carries in Redis, no lookup by call SID, nothing for calls with no row.
        store = queue_store()
        interaction_id = store.redis.hget(store.keys.call(call_sid), "interaction_id")
        if interaction_id and interaction_id.isdigit():
            interactions.insert_event(int(interaction_id), kind, detail)
            db.session.commit()
        return
    interaction = interactions.find_by_call_sid(call_sid)
    if interaction is not None:
        interactions.add_event(interaction, kind, **detail)
        interactions.apply_queue_event(interaction, kind, detail)
        db.session.commit()


def _screen_pop(call_sid: str) -> dict[str, Any] | None:
    from app.customers.context import call_context
    from app.errors import NotFound

    try:
        return call_context(call_sid, app_settings().DEFAULT_REGION)
    except NotFound:
        return None  # a call the IVR never recorded (e.g. a test dialling the queue directly)


def queue_store() -> QueueStore:
    """The app's one store: it holds only the Redis client, the key layout and the
    registered scripts, so every request, clock step and event can share it."""
    store = current_app.extensions.get("queue_store")
    if store is None:
        store = QueueStore(redis_client._get_current_object(),
                           Keys(app_settings().REDIS_KEY_TAG))
        current_app.extensions["queue_store"] = store
    return store


def cps_governor() -> CpsGovernor:
    """The account's calls-per-second budget (TWILIO_CPS), shared through Redis."""
    store = queue_store()
    return CpsGovernor(store.redis, store.keys, app_settings().TWILIO_CPS)


def floor_events() -> FloorEvents:
    store = queue_store()
    return FloorEvents(store.redis, store.keys, _timeline, timestamp)


def queue_service() -> QueueService:
    config = app_settings()
    settings = QueueSettings(
        public_base_url=config.PUBLIC_BASE_URL,
        hold_music_url=config.HOLD_MUSIC_URL,
        ring_timeout=config.RING_TIMEOUT_SECONDS,
        wrap_up_seconds=config.WRAP_UP_SECONDS,
        caller_id=config.TWILIO_PHONE_NUMBER,
    )
    hooks = queue_hooks(current_app)
    return QueueService(queue_store(), gateway(), QueuePhrases(), floor_events(), settings,
                        timestamp, offer_handlers=hooks.offer_handlers,
                        screen_pop=_screen_pop,
                        start_callback=hooks.start_callback,
                        after_call=hooks.after_call,
                        governor=cps_governor())


def hold_clock(now: Callable[[], float] = timestamp, workers: int = 1) -> HoldClock:
    from app.interactions.timeline import TimelineBuffer

    service = queue_service()
    app = current_app._get_current_object()
    store = service.store
    # Ladder steps fire a batch at a time, their timeline rows buffered in Redis and written
    # once per batch: no SQL per step on the clock's path.
    timeline = TimelineBuffer(store.redis, f"{store.keys.prefix}:timeline:pending")
    escalations = Escalations(service, timeline, context=app.app_context,
                              offer_threads=app_settings(app).HOLD_CLOCK_OFFER_THREADS)
    extra = queue_hooks(app).clock_handlers
    handlers = {**escalations.handlers(), **extra}
    batch = {k: h for k, h in escalations.batch_handlers().items() if k not in extra}
    return HoldClock(store, handlers, now, workers=workers, context=app.app_context,
                     batch_handlers=batch, settle=escalations.settle)
