"""The administration overview page, and what every admin page shares: saving a change,
and errors shown as messages on the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request
from sqlalchemy import func, select

from app.admin import bp
from app.agents.models import Agent
from app.auth import login_required
from app.errors import DomainError, NotFound
from app.extensions import db
from app.floor import cache
from app.floor.models import Department, Prompt
from app.voicemail.models import VoicemailBox


@bp.get("")
@bp.get("/")
@login_required(role="supervisor")
def index():
    def count(query) -> int:
        return db.session.scalar(query) or 0

    return render_template(
        "admin/index.html",
        departments=count(select(func.count(Department.id))),
        overrides=count(select(func.count(Prompt.id))),
        boxes=count(select(func.count(VoicemailBox.id))),
        agents=count(select(func.count(Agent.id)).where(Agent.active)),
    )


def explain(err: DomainError) -> str:
    """The error's message, with the step it is about (ladder rows are numbered from 1)."""
    message = err.message
    step = err.details.get("step")
    if isinstance(step, int) and f"Step {step + 1}" not in message:
        message = f"Step {step + 1}: {message}"
    return message


def save(change: Callable[[], Any], done: str, *, to: str, config: bool = False,
         failed_to: str | None = None):
    """Run a change, commit it, say so, and go to `to`; a refused change is rolled back and
    its reason shown instead, back where the form was (`failed_to`, else the referring page
    or `to`). `config`: prompts and departments, which every web process
    caches, are announced as changed (the next call hears them)."""
    try:
        change()
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        flash(explain(err), "error")
        return redirect(failed_to or request.referrer or to)
    if config:
        cache.changed()
    flash(done, "success")
    return redirect(to)


@bp.errorhandler(NotFound)
def missing(err: NotFound):
    """A page about something that is not there (an old link): said on a page, not in JSON."""
    return render_template("admin/missing.html", message=err.message), 404
