"""Waiting callers: queues, the hold clock, routing to agents."""

from flask import Blueprint, Flask

bp = Blueprint("queue", __name__, url_prefix="/queue", cli_group="queue")


def register(app: Flask) -> None:
    """Wire this package into `app`: its blueprint (routes, CLI) and its hooks."""
    from app.customers.access import call_access
    from app.floor.prompts import register_defaults
    from app.queue.access import is_live, on_call
    from app.queue.phrases import QUEUE_PROMPTS

    app.register_blueprint(bp)

    register_defaults(app, QUEUE_PROMPTS)  # editable in the catalogue like the IVR's
    access = call_access(app)
    access.on_call, access.live = on_call, is_live


from app.queue import cli, webhooks  # noqa: E402,F401  (attach to bp)
