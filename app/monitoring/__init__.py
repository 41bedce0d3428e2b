"""/metrics (with the floor's gauges) and the RQ dashboard at /admin/rq.

These are pages, at the top of the layers: the floor's gauges read the queue's keys and the
departments' and voicemail's tables, and the RQ dashboard asks app.web who is signed in.
What every package needs to log and count (call context, log format, webhook metrics) is
app.observability, at the bottom. The blueprint keeps the name "observability" so the
endpoint labels of the request counters are what they were.
"""

from flask import Blueprint, Flask

bp = Blueprint("observability", __name__)


def register(app: Flask) -> None:
    """Wire this package into `app`: its blueprint (routes, CLI) and its hooks."""
    from app.monitoring.api import install

    app.register_blueprint(bp)

    install(app)


from app.monitoring import api  # noqa: E402,F401  (attach to bp)
