"""GET /metrics, the request counters, and the RQ dashboard at /admin/rq (supervisors)."""

from __future__ import annotations

import hmac

from flask import Flask, Response, request

from app.auth import Unauthorised, bearer_token
from app.monitoring import bp
from app.observability.metrics import count_response, exposition
from config import app_settings

RQ_DASHBOARD_PREFIX = "/admin/rq"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus exposition. With METRICS_TOKEN set, the scraper must send it as a bearer
    token (the operator's ADMIN_API_TOKEN also works)."""
    required = app_settings().METRICS_TOKEN
    if required:
        sent = bearer_token()
        allowed = [required, app_settings().ADMIN_API_TOKEN]
        if not sent or not any(t and hmac.compare_digest(sent, t) for t in allowed):
            raise Unauthorised("Send the metrics token as a bearer token.")
    from app.monitoring.floor import FloorCollector

    return Response(exposition(FloorCollector()), mimetype=None, content_type=CONTENT_TYPE)


def _count(response: Response) -> Response:
    count_response(request.endpoint, request.method, response.status_code)
    return response


def install(app: Flask) -> None:
    app.after_request(_count)
    from app.monitoring.rq import mount_rq_dashboard

    mount_rq_dashboard(app, RQ_DASHBOARD_PREFIX)
