"""The supervisor dashboard in the browser, updated live.

`/supervisor` (supervisors only): queues with their waiting callers and hold clocks, each
escalation step as it fires, agents, live calls, the callback backlog, alerts, and today's
figures per department; `/supervisor/events` feeds it by server-sent events;
`/supervisor/api/floor` and `/supervisor/api/figures` give the same as JSON.
"""

from flask import Blueprint, Flask

bp = Blueprint('dashboard', __name__, url_prefix='/supervisor', template_folder="templates",
               static_folder="static")


def register(app: Flask) -> None:
    """Wire this package into `app`: its blueprint (routes, CLI)."""
    app.register_blueprint(bp)


from app.dashboard import filters, pages  # noqa: E402,F401  (attach to bp)
