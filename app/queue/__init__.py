"""Waiting callers: queues, the hold clock, routing to agents.

Packages above reach the queue's services through one accessor, `queue_services()` (the
store, the service, the floor's events, the CPS governor, phrases, a hold clock), never by
building them: `app.queue.factory` is the composition root and private to this package.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app

bp = Blueprint("queue", __name__, url_prefix="/queue", cli_group="queue")


def register(app: Flask) -> None:
    """Wire this package into `app`: its services, blueprint (routes, CLI) and hooks."""
    from app.customers.access import call_access
    from app.floor.prompts import register_defaults
    from app.queue.access import is_live, on_call
    from app.queue.phrases import QUEUE_PROMPTS

    install(app)
    app.register_blueprint(bp)

    register_defaults(app, QUEUE_PROMPTS)  # editable in the catalogue like the IVR's
    access = call_access(app)
    access.on_call, access.live = on_call, is_live


def queue_services(app: Flask | None = None) -> QueueServices:
    """The queue's services of `app` (default: the current app), made by `register(app)`."""
    return services_of(app or current_app._get_current_object())


__all__ = ["QueueServices", "bp", "queue_services", "register"]

from app.queue import cli, webhooks  # noqa: E402,F401,I001  (attach to bp)
from app.queue.factory import QueueServices, install, services_of  # noqa: E402
