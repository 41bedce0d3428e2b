"""What the packages above the queue plug into it, as one typed object per app.

The queue cannot import call controls, voicemail, wrap-up or supervision (they sit above it,
docs/architecture.md "Layers"), so each of them sets its part in its `register(app)`:

    queue_hooks(app).start_callback = start_callback_call           # voicemail
    queue_hooks(app).conference_hooks.append(on_conference_event)   # calls, supervision
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field

from flask import Flask

from app.queue.holdclock import Handler
from app.queue.services import (
    AbandonHook,
    AfterCall,
    AgentLost,
    AnswerHook,
    CallbackOnLine,
    OfferHandler,
    StartCallback,
)

# (call SID, StatusCallbackEvent, the webhook's form), run after the queue has handled each
# event of a caller's conference.
ConferenceHook = Callable[[str, str, MutableMapping[str, str]], None]


@dataclass
class QueueHooks:
    # The hold-clock offer's keys, {"2": handler, "3": handler} (voicemail); None: no offer.
    offer_handlers: dict[str, OfferHandler] | None = None
    # More hold-clock deadline kinds, {kind: handler(deadline, now)} (call controls).
    clock_handlers: dict[str, Handler] = field(default_factory=dict)
    conference_hooks: list[ConferenceHook] = field(default_factory=list)
    # (agent identity, callback id, *, status_callback, timeout) -> leg SID (voicemail).
    start_callback: StartCallback | None = None
    # (agent identity, callback id, line SID, home URL): the callback on the agent's
    # persistent line instead (voicemail).
    callback_on_line: CallbackOnLine | None = None
    # (call SID, call hash) -> the caller's TwiML or None once their agent hangs up first
    # (wrap-up's survey).
    after_call: AfterCall | None = None
    # (call SID) -> TwiML putting a caller back in line whose agent's line dropped mid-call,
    # or None (call controls).
    agent_lost: AgentLost | None = None
    # A caller hung up before an agent answered / an agent answered a caller (voicemail's
    # missed-call callbacks: opened on the one, closed on the other).
    abandon_hooks: list[AbandonHook] = field(default_factory=list)
    answer_hooks: list[AnswerHook] = field(default_factory=list)


_KEY = "queue.hooks"


def queue_hooks(app: Flask) -> QueueHooks:
    """The app's queue hooks, to read them or to register one."""
    return app.extensions.setdefault(_KEY, QueueHooks())
