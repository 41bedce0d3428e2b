"""The agent console page (its live parts are in static/js/console.js)."""

from __future__ import annotations

from flask import current_app, g, render_template

from app.web import bp
from app.web.auth import login_required


@bp.get("/console")
@login_required(role="agent")
def console():
    return render_template("web/console.html", user=g.user,
                           twilio_mode=current_app.config["TWILIO_MODE"])
