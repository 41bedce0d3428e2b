"""Supervisors on the floor: live calls, reassign, take back, listen, whisper, barge, audit.

`register(app)` brings the JSON API under /api/supervisor, the webhook of the
supervisors' monitoring legs, a hook on the caller's conference events (a whisper follows
the call to a new agent), and `flask supervision audit`.
"""

from flask import Blueprint, Flask

bp = Blueprint('supervision', __name__, cli_group='supervision')


def register(app: Flask) -> None:
    """Wire this package into `app`: its blueprint (routes, CLI) and its hooks."""
    from app.queue.hooks import queue_hooks
    from app.supervision.hooks import on_conference_event

    app.register_blueprint(bp)

    queue_hooks(app).conference_hooks.append(on_conference_event)


from app.supervision import api, cli, webhooks  # noqa: E402,F401  (attach to bp)
