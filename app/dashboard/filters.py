"""Template filters for the dashboard's times (the browser keeps them ticking afterwards)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from app.dashboard import bp
from app.floor import ladder_actions


@bp.app_template_filter("dash_elapsed")
def elapsed(since: float | None, now: float) -> str:
    """"0:42", "12:05", "1:02:09": time since `since` (epoch seconds)."""
    if since is None:
        return "—"
    seconds = max(0, int(now - since))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@bp.app_template_filter("dash_due")
def due(at: float, now: float) -> str:
    """"in 12 min" or "8 min overdue"."""
    minutes = round((at - now) / 60)
    if at > now:
        return "due now" if minutes < 1 else f"in {_span(minutes)}"
    late = round((now - at) / 60)
    return "overdue" if late < 1 else f"{_span(late)} overdue"


def _span(minutes: int) -> str:
    if minutes < 90:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d}"


@bp.app_template_filter("dash_clock")
def clock(at: float | None) -> str:
    """"14:05:09" (UTC) for an epoch timestamp."""
    if at is None:
        return ""
    return datetime.fromtimestamp(float(at), UTC).strftime("%H:%M:%S")


@bp.app_template_filter("dash_level")
def level(since: float | None, now: float) -> str:
    """The hold clock's colour: ok below 30 s, warn from 30 s, danger from 45 s."""
    if since is None:
        return "ok"
    waited = now - since
    return "danger" if waited >= 45 else "warn" if waited >= 30 else "ok"


@bp.app_template_filter("dash_steps")
def steps(items: list[dict[str, Any]]) -> Markup:
    """A caller's ladder as chips, fired ones ticked. Most callers share a ladder and differ
    only in how far it has fired, so the few distinct rows are built once (200 callers'
    chips cost more than the rest of the queues panel when rendered one by one)."""
    return _chips(tuple((s.get("action") or "", s.get("at"), bool(s.get("fired")))
                        for s in items))


@lru_cache(maxsize=256)
def _chips(items: tuple[tuple[str, Any, bool], ...]) -> Markup:
    out = []
    for action, at, fired in items:
        seconds = int(float(at or 0))
        label = ladder_actions.chip(action)
        done = " (done)" if fired else ""
        out.append(
            f'<span class="step{" fired" if fired else ""} step-{escape(action)}" '
            f'title="{escape(action.replace("_", " "))} at {seconds} s{done}">'
            f"{escape(label)} <small>{seconds}s</small></span>"
        )
    return Markup("".join(out))
