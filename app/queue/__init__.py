"""Waiting callers: queues, the hold clock, routing to agents."""

from flask import Blueprint

bp = Blueprint("queue", __name__, url_prefix="/queue", cli_group="queue")

from app.queue import cli, routes  # noqa: E402,F401  (attach to bp)
