"""Call controls on a live call: agent hold, warm and cold transfer, hang-up.

`register(app)` is all it takes: it brings the JSON API (/api/calls/...), the
webhooks it needs (/api/calls/twiml/...), the hold clock's `agenthold` deadlines, a hook on
the caller's conference events, the prompts in the catalogue, and transfers on the
screen-pop (this call's, and each earlier call's in the history).

Packages above use the call controls through `call_controls()` (the queue's service, the
controls' store and settings); `app.calls.factory` builds them and is private to this package.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint('calls', __name__, url_prefix='/api/calls')


def register(app: Flask) -> None:
    """Wire this package into `app`: its blueprint (routes, CLI) and its hooks."""
    from app.calls.hold import HOLD_KIND, hold_limit_hooks, on_deadline
    from app.calls.hooks import on_agent_lost, on_conference_event
    from app.calls.lines import OFFER_KIND
    from app.calls.phrases import CALL_PROMPTS
    from app.calls.screenpop import in_transfer, interaction_transfers, transfer_context
    from app.calls.transfers import on_hold_limit, on_offer_deadline
    from app.customers.access import call_access
    from app.customers.hooks import screen_pop_hooks
    from app.floor.prompts import register_defaults
    from app.queue.hooks import queue_hooks

    app.register_blueprint(bp)

    register_defaults(app, CALL_PROMPTS)
    queue_hooks(app).clock_handlers[HOLD_KIND] = on_deadline
    queue_hooks(app).clock_handlers[OFFER_KIND] = on_offer_deadline  # transfers on a line
    hold_limit_hooks(app).append(on_hold_limit)  # the limit may end a transfer
    queue_hooks(app).conference_hooks.append(on_conference_event)
    # A caller whose agent's line dropped mid-call goes back to the front of the line.
    queue_hooks(app).agent_lost = on_agent_lost
    screen_pop_hooks(app).contribute("transfer", transfer_context)
    screen_pop_hooks(app).interaction_fields("transfers", interaction_transfers)
    call_access(app).in_transfer = in_transfer


def call_controls() -> Controls:
    """The current app's call controls: what every call-control operation takes."""
    return controls()


__all__ = ["Controls", "bp", "call_controls", "register"]

from app.calls import api, webhooks  # noqa: E402,F401  (attach to bp)
from app.calls.factory import Controls, controls  # noqa: E402
