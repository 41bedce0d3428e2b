"""Nobody ignored (R14): callers who hang up unserved become one missed-call callback.

The queue calls `caller_abandoned` once per caller who hangs up before any agent answers
(its `QueueHooks.abandon_hooks`), and `caller_answered` when an agent answers one
(`answer_hooks`). A caller with a number who waited longer than the department's
`missed_call_after_seconds` (and whose department has `missed_call_callbacks` on) gets a
missed-call callback in the department's box; more such calls from the same number, while
that callback is open, are added to it (`abandoned_calls`, each with its wait in the audit)
rather than opening another. Any open callback of the number in that box counts: a
customer who left a message, or asked to be called back, is already going to be called.
The same number calling in again and being answered closes its open missed-call
callbacks, with that call in their audit.

Idempotent on the call SID: a call is added to a callback once, whichever way its news
came, and a call that already has a callback of its own (it went to a box) gets no other.
Each hook commits its own work. The queue tells each hang-up once, so a hook that fails (the
database is down) keeps what it was told in Redis (`PENDING`) and the periodic sweep
(`replay()`, in `jobs.periodic`) handles it again until it succeeds, in the order it came.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from sqlalchemy import select

from app.clock import now
from app.extensions import db, redis_client
from app.floor.models import Department
from app.interactions import services as interactions
from app.queue.livecall import LiveCall
from app.voicemail import boxes, services
from app.voicemail.models import Callback, VoicemailBox
from app.voicemail.ways_in import dialable

log = logging.getLogger(__name__)

ABANDONED = "abandoned"  # the audit action of a call folded into a callback
ANSWERED_IN = "answered_in"  # the audit action of the call that closed it
CLOSING_OUTCOME = "reached"
# Hang-ups and answers whose callback work failed, kept for the periodic sweep:
# {entry id: {"hook", "sid", "fields", "waited", "at"}}.
PENDING = "voicemail:missed:pending"


def _department(slug: str) -> Department | None:
    return db.session.scalars(select(Department).where(Department.slug == slug)).first()


def _open_for_number(box: VoicemailBox, number: str) -> Callback | None:
    """The number's open callback in this box, newest first; locked where the database
    can (PostgreSQL), so two calls folded in at once both count."""
    return db.session.scalars(
        select(Callback).where(Callback.box_id == box.id, Callback.number == number,
                               Callback.status != "closed")
        .order_by(Callback.created_at.desc(), Callback.id.desc()).limit(1).with_for_update()
    ).first()


def _holds(callback: Callback, call_sid: str) -> bool:
    """Was this call already added to the callback?"""
    return any(
        e.action == ABANDONED and (e.detail or {}).get("call_sid") == call_sid
        for e in callback.events)


def caller_abandoned(call: LiveCall, waited: float) -> Callback | None:
    """The queue's abandon hook: the callback this hang-up went into, or None."""
    try:
        callback = _record_abandon(call, waited)
        db.session.commit()
        return callback
    except Exception:
        db.session.rollback()
        _keep("abandoned", call, waited)
        raise


def _keep(hook: str, call: LiveCall, waited: float = 0.0) -> None:
    entry = {"hook": hook, "sid": call.sid, "fields": dict(call.fields), "waited": waited,
             "at": time.time()}
    try:
        redis_client.hset(PENDING, uuid.uuid4().hex, json.dumps(entry))
    except Exception:  # noqa: BLE001 - Redis down too: the queue logs the hook's failure
        log.warning("could not keep the %s call %s for later", hook, call.sid, exc_info=True)


def replay() -> int:
    """Hang-ups and answers kept after a failure, handled again (oldest first); how many
    succeeded. One that fails again stays for the next sweep."""
    entries = []
    for entry_id, raw in redis_client.hgetall(PENDING).items():
        try:
            entries.append((json.loads(raw), entry_id))
        except ValueError:
            log.error("dropping an unreadable kept call: %r", raw)
            redis_client.hdel(PENDING, entry_id)
    done = 0
    for entry, entry_id in sorted(entries, key=lambda e: e[0].get("at", 0)):
        call = LiveCall.from_fields(entry["sid"], entry["fields"])
        try:
            if entry["hook"] == "abandoned":
                _record_abandon(call, float(entry["waited"]))
            else:
                _close_missed(call)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("kept %s call %s failed again", entry["hook"], entry["sid"])
            continue
        redis_client.hdel(PENDING, entry_id)
        done += 1
    return done


def _record_abandon(call: LiveCall, waited: float) -> Callback | None:
    if call.kind == "callback" or call.answered_at is not None:
        return None  # a requested callback's own entry, or a caller an agent already served
    if not dialable(call.number):
        return None  # nobody to call back (withheld or unknown number)
    department = _department(call.department)
    if department is None or department.missed_call_callbacks is False:
        return None
    if waited <= department.missed_call_after_seconds:
        return None  # not longer than the department's setting
    own = services.callback_for_call(call.sid)
    if own is not None:
        # Either this call's news came twice, or the call reached a box (a message, a
        # callback) and is already someone's work: nothing more either way.
        return own if _holds(own, call.sid) else None
    box = boxes.department_box(department.slug)
    detail: dict[str, Any] = {"call_sid": call.sid, "wait_seconds": round(waited, 1),
                              "department": department.slug}
    callback = _open_for_number(box, call.number)
    if callback is not None:
        if _holds(callback, call.sid):
            return callback  # this call's news came twice
    else:
        callback = services.open_callback(
            box, kind="missed_call", call_sid=call.sid, number=call.number,
            language=call.language or "en", customer_id=call.customer_id,
            interaction_id=call.interaction_id)
    callback.abandoned_calls = (callback.abandoned_calls or 0) + 1
    services.audit(callback, ABANDONED, count=callback.abandoned_calls, **detail)
    interaction = interactions.find_by_call_sid(call.sid)
    if interaction is not None and callback.call_sid != call.sid:
        # open_callback notes it on the call that opened it; a call added later says so too.
        interactions.add_event(interaction, "callback_added_to", callback_id=callback.id,
                               callback_kind=callback.kind, box=box.slug)
    return callback


def caller_answered(call: LiveCall) -> list[Callback]:
    """The queue's answer hook: the number's open missed-call callbacks, closed."""
    try:
        closed = _close_missed(call)
        db.session.commit()
        return closed
    except Exception:
        db.session.rollback()
        _keep("answered", call)
        raise


def _close_missed(call: LiveCall) -> list[Callback]:
    if call.kind == "callback" or not dialable(call.number):
        return []  # the agent's leg of a callback answering is not the customer calling in
    rows = db.session.scalars(
        select(Callback).where(Callback.number == call.number, Callback.kind == "missed_call",
                               Callback.status != "closed").with_for_update()
    ).all()
    at = now()
    for callback in rows:
        callback.status, callback.outcome = "closed", CLOSING_OUTCOME
        callback.closed_at, callback.closed_by = at, "system"
        services.audit(callback, ANSWERED_IN, call_sid=call.sid, agent=call.agent or None,
                       department=call.department, outcome=CLOSING_OUTCOME)
    interaction = interactions.find_by_call_sid(call.sid) if rows else None
    if interaction is not None:
        interactions.add_event(interaction, "callbacks_closed",
                               callback_ids=[c.id for c in rows], outcome=CLOSING_OUTCOME)
    return list(rows)
