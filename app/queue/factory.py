"""The queue's composition root: builds its services for an app, once.

Private to app.queue (an import-linter contract): other packages reach the services through
`app.queue.queue_services()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import Flask

from app.clock import timestamp
from app.extensions import db
from app.floor import languages, prompts
from app.queue.agentline import AgentLines
from app.queue.escalation import Escalations
from app.queue.events import FloorEvents
from app.queue.governor import CpsGovernor
from app.queue.holdclock import HoldClock
from app.queue.hooks import queue_hooks
from app.queue.keys import Keys
from app.queue.lines import LineBook
from app.queue.services import QueueService, QueueSettings
from app.queue.store import QueueStore
from app.queue.twiml import Voice
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


def _timeline(store: QueueStore, call_sid: str, kind: str, detail: dict[str, Any]) -> None:
    from app.interactions import services as interactions

    if kind not in OUTCOME_EVENTS:
        # The hot path of the clock (thousands of steps a minute): one INSERT by the id the
        # caller carries in Redis, no lookup by call SID, nothing for calls with no row.
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


@dataclass(frozen=True)
class _Built:
    """The services built from one set of inputs (`QueueServices._inputs`)."""

    inputs: tuple[object, ...]
    store: QueueStore
    events: FloorEvents
    governor: CpsGovernor
    service: QueueService
    lines: LineBook
    agent_lines: AgentLines


class QueueServices:
    """The queue's services for one app: the only way packages above reach the queue's store,
    service, floor events, calls-per-second governor, phrases and hold clock.

    `register(app)` makes one per app (`app.queue.queue_services()` returns it). Its services
    are built on first use, after every package has registered its hooks, and then kept; they
    are built again only when what they are made of changes: the settings (a test or CLI
    setting `app.config[...]`), the Redis client or the Twilio gateway (a test swapping
    either in `app.extensions`), or a queue hook. Everything kept is safe to share across
    requests and the hold clock's threads: the store holds only the client, key layout and
    registered scripts, and no service keeps per-call state.
    """

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._built: _Built | None = None
        self.phrases = QueuePhrases()

    def _inputs(self) -> tuple[object, ...]:
        app = self._app
        hooks = queue_hooks(app)
        return (app_settings(app), app.extensions["redis"], app.extensions["twilio_gateway"],
                hooks.offer_handlers, hooks.start_callback, hooks.after_call,
                hooks.callback_on_line, hooks.agent_lost)

    def _current(self) -> _Built:
        inputs = self._inputs()
        built = self._built
        if built is None or any(a is not b for a, b in zip(built.inputs, inputs, strict=True)):
            # Two threads racing here build twice and keep either: both are equivalent.
            built = self._built = self._build(inputs)
        return built

    def _build(self, inputs: tuple[object, ...]) -> _Built:
        app = self._app
        config = app_settings(app)
        hooks = queue_hooks(app)
        store = QueueStore(app.extensions["redis"], Keys(config.REDIS_KEY_TAG))
        events = FloorEvents(store.redis, store.keys, partial(_timeline, store), timestamp)
        # The account's calls-per-second budget (TWILIO_CPS), shared through Redis.
        governor = CpsGovernor(store.redis, store.keys, config.TWILIO_CPS)
        lines = LineBook(store.redis, store.keys)
        settings = QueueSettings(
            public_base_url=config.PUBLIC_BASE_URL,
            hold_music_url=config.HOLD_MUSIC_URL,
            ring_timeout=config.RING_TIMEOUT_SECONDS,
            wrap_up_seconds=config.WRAP_UP_SECONDS,
            caller_id=config.TWILIO_PHONE_NUMBER,
        )
        gateway = app.extensions["twilio_gateway"]
        line_mode = config.AGENT_RING_MODE == "line"
        service = QueueService(store, gateway, self.phrases, events,
                               settings, timestamp, offer_handlers=hooks.offer_handlers,
                               screen_pop=_screen_pop,
                               start_callback=hooks.start_callback,
                               callback_on_line=hooks.callback_on_line,
                               agent_lost=hooks.agent_lost,
                               after_call=hooks.after_call,
                               governor=governor,
                               # Lists the packages above append to: the service sees them.
                               abandon_hooks=hooks.abandon_hooks,
                               answer_hooks=hooks.answer_hooks,
                               # In line mode (AGENT_RING_MODE) only: lines exist then.
                               line_ready=lines.ready if line_mode else None,
                               line_held=lines.held if line_mode else None)
        # The lines are built on the service, which asks them in turn when a caller hangs
        # up or their room ends under them.
        agent_lines = AgentLines(service, lines, gateway)
        service.caller_gone = agent_lines.caller_gone
        service.line_lost = agent_lines.lost_agent
        return _Built(inputs, store, events, governor, service, lines, agent_lines)

    @property
    def store(self) -> QueueStore:
        """The callers, agents and offers in Redis, and the queue's scripts."""
        return self._current().store

    @property
    def service(self) -> QueueService:
        """Joining, waiting, offering, answering, leaving: the queue's use cases."""
        return self._current().service

    @property
    def events(self) -> FloorEvents:
        """The floor's event streams (calls, agents, supervisors) and the call timeline."""
        return self._current().events

    @property
    def governor(self) -> CpsGovernor:
        """The account's calls-per-second budget (TWILIO_CPS)."""
        return self._current().governor

    @property
    def line_book(self) -> LineBook:
        """The agents' persistent lines as the floor knows them (app/queue/lines.py)."""
        return self._current().lines

    @property
    def lines(self) -> AgentLines:
        """Opening, offering on, accepting with and dropping agents' persistent lines."""
        return self._current().agent_lines

    def hold_clock(self, now: Callable[[], float] = timestamp, workers: int = 1) -> HoldClock:
        """A hold clock over this app's queue (`flask queue clock` runs one); a new one each
        time: a clock is a loop with threads, not a shared service."""
        from app.interactions.timeline import TimelineBuffer

        app = self._app
        service = self.service
        store = service.store
        # Ladder steps fire a batch at a time, their timeline rows buffered in Redis and
        # written once per batch: no SQL per step on the clock's path.
        timeline = TimelineBuffer(store.redis, f"{store.keys.prefix}:timeline:pending")
        escalations = Escalations(service, timeline, context=app.app_context,
                                  offer_threads=app_settings(app).HOLD_CLOCK_OFFER_THREADS)
        extra = queue_hooks(app).clock_handlers
        handlers = {**escalations.handlers(), **extra}
        batch = {k: h for k, h in escalations.batch_handlers().items() if k not in extra}
        return HoldClock(store, handlers, now, workers=workers, context=app.app_context,
                         batch_handlers=batch, settle=escalations.settle)


_KEY = "queue.services"


def install(app: Flask) -> QueueServices:
    """Make `app`'s queue services (from the queue's `register(app)`)."""
    services = app.extensions[_KEY] = QueueServices(app)
    return services


def services_of(app: Flask) -> QueueServices:
    return app.extensions[_KEY]
