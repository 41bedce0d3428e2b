"""The supervisor dashboard: the page, its live feed (SSE), and the floor as JSON."""

from __future__ import annotations

from flask import (
    Response,
    jsonify,
    render_template,
    request,
    stream_with_context,
)

from app.auth import login_required, require_api_auth
from app.dashboard import bp, services, sse
from app.web.hangup import client_gone
from config import app_settings


@bp.get("")
@bp.get("/")
@login_required(role="supervisor")
def page():
    floor = services.floor()
    items = services.figures_today()
    feed = services.DashboardFeed()
    feed.remember_names(floor)
    lines = [line for line in map(feed.describe, floor["events"][:30]) if line][:15]
    return render_template(
        "dashboard/floor.html", floor=floor, counts=services.counts(floor),
        panels=services.render_panels(floor), figures_html=services.render_figures(items),
        departments=floor["departments"], feed=lines,
        agents=[a for a in floor["agents"] if a["role"] in ("agent", "supervisor")],
        offline=app_settings().TWILIO_MODE != "live",
    )


@bp.get("/events")
@login_required(role="supervisor")
def events():
    """Server-sent events: panels, figures, then every floor event as it happens."""
    after = request.headers.get("Last-Event-ID") or request.args.get("after") or None
    body = stream_with_context(sse.stream(services.DashboardFeed(), after,
                                           gone=client_gone(request.environ)))
    return Response(body, mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@bp.get("/api/floor")
@require_api_auth("supervisor")
def floor_json():
    return jsonify(services.floor())


@bp.get("/api/figures")
@require_api_auth("supervisor")
def figures_json():
    return jsonify({"departments": services.figures_today()})
