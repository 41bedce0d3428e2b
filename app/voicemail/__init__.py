"""Voicemail boxes and callbacks (R10): every message is returned, promptly, and none is lost.

`register(app)` is all it takes: it brings the webhooks, the JSON API, the
`flask voicemail` commands, the app's safe fallback (a message into the general box) and
the queue's offer-menu handlers (2: a message, 3: a callback keeping the caller's place),
its abandon and answer hooks (missed-call callbacks, app/voicemail/missed.py), and on the
screen-pop the caller's open callbacks and what each earlier call left in a box.
"""

from flask import Blueprint, Flask

bp = Blueprint("voicemail", __name__, cli_group="voicemail")


def register(app: Flask) -> None:
    """Wire this package into `app`: its blueprint (routes, CLI) and its hooks."""
    from app.customers.hooks import screen_pop_hooks
    from app.floor.prompts import register_defaults
    from app.queue.cli import clock_sweeps
    from app.queue.hooks import queue_hooks
    from app.voicemail.dialer import start_callback_call, take_callback_on_line
    from app.voicemail.jobs import periodic
    from app.voicemail.missed import caller_abandoned, caller_answered
    from app.voicemail.phrases import VOICEMAIL_PROMPTS
    from app.voicemail.screenpop import interaction_callbacks, open_callbacks
    from app.voicemail.ways_in import (
        fallback_twiml,
        leave_message_from_offer,
        request_callback_from_offer,
    )

    app.register_blueprint(bp)

    register_defaults(app, VOICEMAIL_PROMPTS)  # editable in the catalogue like the rest
    app.extensions["safe_fallback"] = fallback_twiml
    queue_hooks(app).offer_handlers = {"2": leave_message_from_offer,
                                       "3": request_callback_from_offer}
    # For the router, when a requested callback reaches the head of the line.
    queue_hooks(app).start_callback = start_callback_call
    # Or, for an agent whose console holds a persistent line, on that line (no API call).
    queue_hooks(app).callback_on_line = take_callback_on_line
    # Nobody ignored: unserved hang-ups become missed-call callbacks, an answer closes them.
    queue_hooks(app).abandon_hooks.append(caller_abandoned)
    queue_hooks(app).answer_hooks.append(caller_answered)
    # Overdue callbacks and expired recordings, swept on the hold clock's loop.
    clock_sweeps(app)["voicemail"] = periodic
    screen_pop_hooks(app).contribute("open_callbacks", open_callbacks)
    screen_pop_hooks(app).interaction_fields("callbacks", interaction_callbacks)


from app.voicemail import api, cli, webhooks  # noqa: E402,F401  (attach to bp)
from app.voicemail.dialer import start_callback_call  # noqa: E402
from app.voicemail.jobs import check_overdue_callbacks, periodic  # noqa: E402
from app.voicemail.ways_in import (  # noqa: E402
    no_agents_message,
    ring_agent_or_voicemail,
    take_message,
)

__all__ = ["bp", "check_overdue_callbacks", "no_agents_message", "periodic",
           "ring_agent_or_voicemail", "start_callback_call", "take_message"]
