"""Page guards for every browser page (the console here; the dashboard, admin pages and the
test phone in their own packages):

    from app.web.auth import login_required

    @bp.get("/supervisor")
    @login_required(role="supervisor")
    def dashboard(): ...

A visitor who is not signed in is sent to the sign-in page and brought back afterwards; a
signed-in agent who lacks the role gets a 403 page. Inside the view, `g.principal` is the
same Principal the JSON API uses, and `g.user` the SessionUser (name, identity, role).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g, redirect, render_template, request, url_for

from app.web.sessions import current_user

# A supervisor may do whatever an agent may.
_ROLES_HELD = {"agent": {"agent"}, "supervisor": {"agent", "supervisor"}}


def has_role(role: str, required: str) -> bool:
    return required in _ROLES_HELD.get(role, set())


def login_required(role: str = "agent") -> Callable:
    """Guard a page: signed in, with `role` ("agent" or "supervisor")."""
    if role not in _ROLES_HELD:
        raise ValueError(f"unknown role {role!r}")

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("web.signin", next=request.full_path.rstrip("?")))
            if not has_role(user.role, role):
                return render_template("web/forbidden.html", needed=role), 403
            g.user = user
            g.principal = user.principal()
            return view(*args, **kwargs)

        return wrapper

    return decorator


def home_for(role: str) -> str:
    """Where someone lands after signing in."""
    return "/supervisor" if role == "supervisor" else "/console"
