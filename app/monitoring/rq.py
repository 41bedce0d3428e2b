"""rq-dashboard at /admin/rq for supervisors (browser session) and the operator (bearer).

The dashboard has no access control of its own and changes state from its pages (delete,
requeue, empty, some of it over GET), so every request to it passes the guard here first:
a supervisor may look; changing anything needs the operator's token, which a browser never
sends on its own, so no cross-site request can do it.
"""

from __future__ import annotations

import hmac

from flask import Flask, abort, current_app, jsonify, redirect, render_template, request, url_for
from rq.exceptions import NoSuchJobError

from app.errors import error_body
from config import app_settings

BLUEPRINT = "rq_dashboard"
# Paths that change state even when asked with GET.
_STATE_CHANGING = ("/requeue/", "/delete", "/empty", "/compact")


def _operator() -> bool:
    from app.auth import bearer_token

    sent, expected = bearer_token(), app_settings().ADMIN_API_TOKEN
    return bool(sent and expected and hmac.compare_digest(sent, expected))


def _guard():
    if request.blueprint != BLUEPRINT:
        return None
    if not _operator():
        refused = _refused_browser()
        if refused is not None:
            return refused
    instance = (request.view_args or {}).get("instance_number")
    if instance is not None and instance >= len(current_app.config["RQ_DASHBOARD_REDIS_URL"]):
        abort(404)  # the dashboard itself would raise (a 500) for a Redis it does not know
    return None


def _refused_browser():
    from app.web.sessions import current_user

    user = current_user()
    if user is None:
        return redirect(url_for("web.signin", next=request.full_path.rstrip("?")))
    if user.role != "supervisor":
        return render_template("web/forbidden.html", needed="supervisor"), 403
    changes = request.method not in ("GET", "HEAD") or any(
        part in request.path for part in _STATE_CHANGING)
    if changes:
        return render_template("web/forbidden.html", needed="operator"), 403
    return None


def mount_rq_dashboard(app: Flask, prefix: str) -> None:
    import rq_dashboard
    from rq_dashboard.web import setup_rq_connection

    app.config.setdefault("RQ_DASHBOARD_REDIS_URL", app_settings(app).REDIS_URL)
    app.config.setdefault("RQ_DASHBOARD_POLL_INTERVAL", 5000)
    setup_rq_connection(app)
    # Before the dashboard's own before_request (app-wide hooks run first).
    app.before_request(_guard)
    app.register_blueprint(rq_dashboard.blueprint, url_prefix=prefix)
    app.register_error_handler(NoSuchJobError, _no_such_job)


def _no_such_job(error: Exception):
    return jsonify(error_body("not_found", "No such job.")), 404
