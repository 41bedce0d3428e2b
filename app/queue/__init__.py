"""Waiting callers: queues, the hold clock, routing to agents."""

from flask import Blueprint

bp = Blueprint("queue", __name__, url_prefix="/queue", cli_group="queue")


def _install_hooks(state) -> None:
    from app.customers.access import call_access
    from app.floor.prompts import register_defaults
    from app.queue.access import is_live, on_call
    from app.queue.phrases import QUEUE_PROMPTS

    register_defaults(state.app, QUEUE_PROMPTS)  # editable in the catalogue like the IVR's
    access = call_access(state.app)
    access.on_call, access.live = on_call, is_live


bp.record_once(_install_hooks)

from app.queue import cli, webhooks  # noqa: E402,F401  (attach to bp)
