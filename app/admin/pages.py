"""Shared by the administration pages: the guard, and errors shown as messages on the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request

from app.admin import bp
from app.errors import DomainError, NotFound
from app.extensions import db
from app.floor import cache


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
