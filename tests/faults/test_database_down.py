"""Fault 3: the database is unavailable when a voicemail's recording callback arrives.

A caller leaves a message. While they speak, another process takes SQLite's write lock and
holds it (with PostgreSQL this would be "connection refused"; either way SQLAlchemy raises
OperationalError in the web process). Twilio sends the recording and transcription
callbacks that arrive then once (an error answer is not retried by default), so the web
process keeps them in Redis before handling them (app/voicemail/inbox.py), answers 200, and
stores nothing half-done. When the database is back, the clock's sweep handles what was
kept and stores the message; a late retry of the same callback does not store it twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from app.extensions import db
from app.voicemail import inbox
from app.voicemail.models import Callback, Voicemail
from tests.faults.conftest import CALLERS, until

pytestmark = pytest.mark.faults

MESSAGE = " ".join(["My internet has been down since this morning, please call me back."] * 4)


@contextmanager
def database_locked(path) -> Iterator[None]:
    """Hold SQLite's write lock from another process: every write elsewhere fails."""
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.rollback()
        conn.close()


def replay(stack, event: dict) -> requests.Response:
    """Twilio's retry: the same URL and parameters, signed again (the same signature)."""
    token = stack.app.config["TWILIO_AUTH_TOKEN"]
    signature = RequestValidator(token).compute_signature(event["url"], event["params"])
    return requests.post(event["url"], data=event["params"],
                         headers={"X-Twilio-Signature": signature}, timeout=20)


def stored(stack, call_sid: str) -> tuple[int, Callback | None]:
    with stack.app.app_context():
        messages = db.session.scalar(select(func.count()).select_from(Voicemail).where(
            Voicemail.call_sid == call_sid))
        callback = db.session.scalars(select(Callback).where(
            Callback.call_sid == call_sid)).first()
        if callback is not None:
            db.session.expunge(callback)
        db.session.rollback()
        return messages, callback


def test_a_recording_callback_during_an_outage_is_kept_then_stored_once(stack):
    # Nobody is signed in: the caller is offered a message at once, and takes it.
    sid = stack.dial_in(CALLERS[11])
    until(lambda: stack.call(sid)["awaiting_input"], 20, "the caller hears the menu")
    stack.press(sid, "2")
    # The offer's own words: the menu before it also says "press 2", and may still be
    # awaiting input while the first press is on its way.
    until(lambda: stack.has_heard(sid, "to leave a message, press 2")
          and stack.call(sid)["awaiting_input"], 20,
          lambda: f"the caller is offered a message: {stack.heard(sid)}")
    stack.press(sid, "2")
    until(lambda: stack.call(sid)["activity"] == "record", 20, "the beep")
    assert stored(stack, sid)[1] is not None  # the callback opened before the greeting

    with database_locked(stack.database):
        stack.say(sid, MESSAGE)
        until(lambda: stack.call(sid)["status"] == "completed", 30, "silence ends the call")
        until(lambda: {"recording-status", "transcription"} <= {
            e["purpose"] for e in stack.events("webhook") if e.get("call_sid") == sid}, 30,
            "the recording and transcription callbacks")
        assert stack.has_heard(sid, "Your message has been saved")
    callbacks = [e for e in stack.events("webhook") if e.get("call_sid") == sid
                 and e["purpose"] in ("recording-status", "transcription")]
    assert sorted(e["purpose"] for e in callbacks) == ["recording-status", "transcription"]
    assert [e["status"] for e in callbacks] == [200, 200], callbacks  # kept: nothing to retry
    messages, callback = stored(stack, sid)
    assert messages == 0 and callback.kind == "missed_call"  # nothing half-stored
    assert not stack.events("application_error")
    assert len(stack.redis_client().hgetall(inbox.KEY)) == 2

    # The database is back; the sweep (the clock's, here the test's own) handles them.
    with stack.app.app_context():
        assert inbox.replay(stack.app, older_than=0) == 2
    messages, callback = stored(stack, sid)
    assert messages == 1 and callback.kind == "voicemail"
    recording = next(e for e in callbacks if e["purpose"] == "recording-status")
    for event in callbacks:  # each callback again (a late retry), the recording's twice
        assert replay(stack, event).status_code == 200
    messages, callback = stored(stack, sid)
    assert messages == 1 and callback.kind == "voicemail"
    with stack.app.app_context():
        message = db.session.scalars(select(Voicemail).where(Voicemail.call_sid == sid)).one()
        assert message.recording_sid == recording["params"]["RecordingSid"]
        assert message.duration_seconds and message.duration_seconds >= 2
        assert "internet has been down" in (message.transcription_text or "")
        db.session.rollback()
