"""Sign-in and sign-out pages (agents and supervisors share one door)."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.agents.models import Agent
from app.errors import Conflict
from app.extensions import db
from app.web import bp, ratelimit, sessions

# Checked against when the identity is unknown, so a wrong name costs as long as a wrong
# password and response times do not reveal which identities exist.
_DECOY_HASH = generate_password_hash("decoy-password-never-matches")


def home_for(role: str) -> str:
    """Where someone lands after signing in."""
    return "/supervisor" if role == "supervisor" else "/console"


def _safe_next(target: str | None) -> str | None:
    # Only a path on this site: never "//evil.example" or "https://...".
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def authenticate(identity: str, password: str) -> Agent | None:
    agent = db.session.scalars(select(Agent).where(Agent.identity == identity)).first()
    if agent is None or not agent.active or not agent.password_hash:
        check_password_hash(_DECOY_HASH, password)
        return None
    return agent if agent.check_password(password) else None


@bp.get("/signin")
def signin():
    user = sessions.current_user()
    if user is not None:
        return redirect(_safe_next(request.args.get("next")) or home_for(user.role))
    return render_template("web/signin.html", identity="", next=request.args.get("next", ""))


@bp.post("/signin")
def signin_post():
    identity = request.form.get("identity", "").strip()
    password = request.form.get("password", "")
    next_page = request.form.get("next", "")
    if not sessions.csrf_valid():
        flash("This form had expired. Please sign in again.", "warning")
        return render_template("web/signin.html", identity=identity, next=next_page), 400
    address = request.remote_addr or "unknown"
    verdict = ratelimit.check(identity, address)
    if not verdict.allowed:
        minutes = max(1, round(verdict.retry_after / 60))
        flash(f"Too many failed sign-ins. Try again in {minutes} minute"
              f"{'s' if minutes != 1 else ''}, or ask a supervisor to reset your password.",
              "error")
        response = render_template("web/signin.html", identity=identity, next=next_page)
        return response, 429, {"Retry-After": str(verdict.retry_after)}
    agent = authenticate(identity, password)
    if agent is None:
        ratelimit.record_failure(identity, address)
        flash("Unknown identity or wrong password.", "error")
        return render_template("web/signin.html", identity=identity, next=next_page), 401
    ratelimit.clear(identity, address)
    sessions.start(agent.id, agent.identity, agent.name, agent.role)
    current_app.logger.info("web sign-in: %s (%s)", agent.identity, agent.role)
    return redirect(_safe_next(next_page) or home_for(agent.role))


@bp.post("/signout")
def signout():
    user = sessions.current_user()
    if user is not None:
        from app.agents import services
        from app.queue import queue_services

        agent = services.find_agent(user.identity)
        try:
            services.change_state(queue_services().service, agent, "offline")
        except Conflict:
            flash("You are on a call: finish it (and its wrap-up) before signing out.", "warning")
            return redirect(home_for(user.role))
    sessions.end()
    flash("You are signed out.", "info")
    return redirect(url_for("web.signin"))


@bp.get("/")
def index():
    user = sessions.current_user()
    return redirect(home_for(user.role) if user else url_for("web.signin"))
