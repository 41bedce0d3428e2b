"""GET /healthz: is the database reachable, is Redis reachable."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, jsonify
from sqlalchemy import text

from app.extensions import db, redis_client

bp = Blueprint("health", __name__)


def register(app: Flask) -> None:
    """Wire this package into `app`: its blueprint (routes, CLI)."""
    app.register_blueprint(bp)
log = logging.getLogger(__name__)


def _check(name: str, probe) -> dict[str, str]:
    try:
        probe()
        return {"status": "ok"}
    except Exception as exc:  # noqa: BLE001 - any failure means "down", and we say why
        log.warning("health check: %s is down: %s", name, exc)
        return {"status": "down", "error": type(exc).__name__}


@bp.get("/healthz")
def healthz():
    checks = {
        "database": _check("database", lambda: db.session.execute(text("SELECT 1"))),
        "redis": _check("redis", redis_client.ping),
    }
    db.session.rollback()
    healthy = all(c["status"] == "ok" for c in checks.values())
    return jsonify({"status": "ok" if healthy else "down", "checks": checks}), (
        200 if healthy else 503
    )
