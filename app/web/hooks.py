"""App-wide hooks of the browser layer: CSRF on cookie-authenticated state changes, and what
every template may use (the signed-in user, the CSRF token, the navigation)."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for

from app.auth import has_role
from app.web import sessions
from app.web.assets import asset_url
from config import app_settings

PRODUCT_NAME = "Switchboard"

# (path, label, role needed, only offline). Links appear once some package serves the path,
# so a page built later shows up in the header without touching this list.
NAV = (
    ("/console", "Console", "agent", False),
    ("/supervisor", "Floor", "supervisor", False),
    ("/admin", "Administration", "supervisor", False),
    ("/test-phone", "Test phone", "agent", True),
)


def _served_paths() -> set[str]:
    cached = current_app.extensions.get("web.served_paths")
    if cached is None:
        cached = {rule.rule for rule in current_app.url_map.iter_rules()}
        current_app.extensions["web.served_paths"] = cached
    return cached


def sign_in_page() -> Any:
    """A page's answer to a visitor who is not signed in: sign in, then come back."""
    return redirect(url_for("web.signin", next=request.full_path.rstrip("?")))


def forbidden_page(needed: str) -> Any:
    """A page's answer to a signed-in agent who lacks the role `needed`."""
    return render_template("web/forbidden.html", needed=needed), 403


def nav_links() -> list[dict[str, Any]]:
    user = sessions.current_user()
    if user is None:
        return []
    served = _served_paths()
    offline = app_settings().TWILIO_MODE != "live"
    links = []
    for path, label, role, offline_only in NAV:
        if path in served and has_role(user.role, role) and (offline or not offline_only):
            active = request.path == path or request.path.startswith(path + "/")
            links.append({"path": path, "label": label, "active": active})
    return links


def enforce_csrf():
    """Refuse a state change by a signed-in browser without this page's CSRF token.

    Bearer-token clients (scripts, the API) and Twilio's webhooks carry no session cookie and
    are untouched; the JSON API checks the same token in `app.auth`.
    """
    if request.method in sessions.SAFE_METHODS:
        return None
    if app_settings().SESSION_COOKIE_NAME not in request.cookies:
        return None
    if request.headers.get("Authorization") or not sessions.signed_in_cookie():
        return None
    if sessions.csrf_valid():
        return None
    if request.path.startswith("/api/") or request.is_json:
        raise sessions.CsrfFailed("The request did not carry this page's CSRF token; "
                                  "reload the page.")
    flash("That form had expired, so nothing was changed. Please try again.", "warning")
    referrer = request.referrer or "/"
    if referrer.startswith(request.host_url):
        return redirect(referrer)
    return render_template("web/forbidden.html", needed=None), 403


def template_globals() -> dict[str, Any]:
    return {
        "asset_url": asset_url,
        "current_user": sessions.current_user,
        "csrf_token": sessions.csrf_token,
        "nav_links": nav_links,
        "product_name": PRODUCT_NAME,
        "organisation_name": app_settings().ORGANISATION_NAME,
    }
