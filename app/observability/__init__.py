"""Structured logs, Prometheus metrics at /metrics, and the RQ dashboard.

Import-light: app.telephony imports `context` and `metrics` from here, so this module and
`routes` import nothing of the domain packages at import time.
"""

from flask import Blueprint

bp = Blueprint("observability", __name__)


def _install(state) -> None:
    from app.observability.routes import install

    install(state.app)


bp.record_once(_install)

from app.observability import routes  # noqa: E402,F401  (attach to bp)
