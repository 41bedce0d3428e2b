"""Logging for every process: one handler on the root logger, text or JSON lines.

Every record gets the call SID it was logged for (a webhook, an API call on a call, a job),
and passes through the scrubber: secrets out, phone numbers masked. The filters sit on the
handlers, not on loggers, because a logger's own filters do not see records propagated from
its children.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, has_app_context, has_request_context, request

from app.observability.context import current_call_sid, current_job_id
from app.observability.redact import scrub
from config import SettingsConfig, app_settings

# Config keys whose values are secrets wherever they turn up in a log line.
SECRET_SETTINGS = ("TWILIO_AUTH_TOKEN", "TWILIO_API_SECRET", "ADMIN_API_TOKEN", "SECRET_KEY")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(call_sid)s]: %(message)s"
CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
SAFE_FIELD = re.compile(r"[A-Za-z]{2}[A-Za-z0-9_\-]{0,62}")  # SIDs; anything else is scrubbed
# Loggers that do not propagate to the root (gunicorn's); their handlers are scrubbed too.
OWN_HANDLER_LOGGERS = ("gunicorn.access", "gunicorn.error")
# Libraries that narrate their own start-up at INFO in every process (alembic: seven "setup
# plugin" lines when Flask-Migrate loads it): warnings only, whatever LOG_LEVEL says, so the
# app's lines are the ones seen. Migrations (`flask db upgrade`) log through alembic's own
# configuration (migrations/alembic.ini) and still say what they run.
QUIET_LOGGERS = ("alembic.runtime.plugins",)
_MARK = "_callcentre_handler"


def _settings_secrets(app: Flask) -> set[str]:
    if not isinstance(app.config, SettingsConfig):
        return set()  # another app in this process (the emulator's), whose settings aren't ours
    settings = app_settings(app)
    return {getattr(settings, name) for name in SECRET_SETTINGS} - {""}


def _job_fields() -> tuple[str | None, str | None]:
    """(job id, call SID) of the RQ job this worker is running, if any."""
    try:
        from rq import get_current_job
    except ImportError:  # pragma: no cover - rq is a dependency
        return None, None
    job = get_current_job()
    if job is None:
        return None, None
    sid = job.meta.get("call_sid") if isinstance(job.meta, dict) else None
    if not sid:
        candidates = [*job.args, *job.kwargs.values()]
        sid = next((a for a in candidates if isinstance(a, str) and CALL_SID.match(a)), None)
    return job.id, sid


def _field(value: str | None) -> str:
    """A context value as it may appear in a log line: the CallSid comes from the request, so
    it is whatever the sender put there (a number, newlines, a megabyte)."""
    if not value:
        return "-"
    if SAFE_FIELD.fullmatch(value):
        return value
    return _one_line(scrub(value[:80]))


def _one_line(text: str) -> str:
    # A line break in attacker-supplied text would forge a log line of its own.
    return text.replace("\r", "\\r").replace("\n", "\\n")


class ContextFilter(logging.Filter):
    """Adds call_sid, job_id and route to each record (`-` when there is none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        sid, job = current_call_sid(), current_job_id()
        route = None
        if has_request_context():
            route = request.endpoint
            if not sid and request.view_args:
                sid = request.view_args.get("call_sid")
        elif not job:
            job, job_sid = _job_fields()
            sid = sid or job_sid
        record.call_sid = _field(sid)
        record.job_id = _field(job)
        record.route = route or "-"
        return True


class ScrubFilter(logging.Filter):
    """Renders the message (and any traceback) once, scrubbed, in place of the original."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = set(secrets)
        self._formatter = logging.Formatter()

    def _secrets(self) -> set[str]:
        if has_app_context():
            from flask import current_app

            return self.secrets | _settings_secrets(current_app)
        return self.secrets

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_scrubbed", False):
            return True
        secrets = self._secrets()
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the line
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = _one_line(scrub(message, secrets)), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info, secrets)
        record._scrubbed = True
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts, level, logger, message, call_sid, job_id, route, exc."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "call_sid": getattr(record, "call_sid", "-"),
            "job_id": getattr(record, "job_id", "-"),
            "route": getattr(record, "route", "-"),
            "process": record.process,
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def build_handler(fmt: str, secrets: Iterable[str] = (),
                  stream: Any = None) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    formatter = JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(formatter)
    handler.addFilter(ContextFilter())
    handler.addFilter(ScrubFilter(secrets))
    setattr(handler, _MARK, True)
    return handler


def configure_logging(app: Flask, stream: Any = None) -> logging.Handler:
    """Install (or replace) the app's handler on the root logger; returns it."""
    settings = app_settings(app)
    level = getattr(logging, settings.LOG_LEVEL.upper(), logging.INFO)
    fmt = settings.LOG_FORMAT.lower()
    secrets = _settings_secrets(app)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
    handler = build_handler(fmt, secrets, stream)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    for name in OWN_HANDLER_LOGGERS:
        for other in logging.getLogger(name).handlers:
            if not any(isinstance(f, ScrubFilter) for f in other.filters):
                other.addFilter(ContextFilter())
                other.addFilter(ScrubFilter(secrets))
    return handler
