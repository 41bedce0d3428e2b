"""Callbacks and messages: created idempotently by webhooks, worked by agents. Callers commit.

Every way into a box opens the call's callback first (a missed call), so a caller who hangs
up before the beep is still called back; a recording that arrives later turns it into a
message. Webhooks may come twice and in any order: rows are found by the call SID and the
RecordingSid (both unique), and created inside a savepoint so two racing requests end with
one row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.agents.models import Agent
from app.clock import now
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db, get_row
from app.interactions import services as interactions
from app.interactions.models import Interaction
from app.voicemail import events
from app.voicemail.boxes import due_time
from app.voicemail.models import OUTCOMES, Callback, CallbackEvent, Voicemail, VoicemailBox
from config import app_settings

T = TypeVar("T")

# A callback only ever becomes more informative: a missed call that turns out to have a
# message, or a requested callback, keeps the richer kind.
_KIND_RANK = {"missed_call": 0, "requested": 1, "voicemail": 2}
MAX_PRIORITY = 9


def audit(callback: Callback, action: str, actor: str = "system", **detail: Any) -> None:
    callback.events.append(CallbackEvent(action=action, actor=actor, detail=detail, at=now()))
    events.note(callback, action, actor)


def _race_safe(find: Callable[[], T | None], create: Callable[[], T]) -> tuple[T, bool]:
    """(row, created): find it, or create it in a savepoint; a lost race finds the winner's."""
    row = find()
    if row is not None:
        return row, False
    try:
        with db.session.begin_nested():
            row = create()
            db.session.add(row)
        return row, True
    except IntegrityError:
        found = find()
        if found is None:
            raise
        return found, False


def find_callback(callback_id: int) -> Callback:
    callback = get_row(Callback, callback_id)
    if callback is None:
        raise NotFound("No such callback.", callback_id=callback_id)
    return callback


def callback_for_call(call_sid: str) -> Callback | None:
    return db.session.scalars(select(Callback).where(Callback.call_sid == call_sid)).first()


def open_callback(box: VoicemailBox, *, kind: str, call_sid: str, number: str = "",
                  language: str = "en", customer_id: int | None = None,
                  interaction_id: int | None = None) -> Callback:
    """The call's callback, created once (with its due time) whichever way in came first."""
    interaction = interactions.find_by_call_sid(call_sid) if call_sid else None
    if interaction is not None:
        interaction_id = interaction_id or interaction.id
        customer_id = customer_id or interaction.customer_id
        number = number or interaction.from_number

    def create() -> Callback:
        at = now()
        return Callback(kind=kind, status="open", box=box, call_sid=call_sid or None,
                        number=number, language=language or "en", customer_id=customer_id,
                        interaction_id=interaction_id, assigned_agent_id=box.agent_id,
                        priority=0, due_at=due_time(box, at), created_at=at, attempts=0,
                        escalations=0)

    callback, created = _race_safe(
        lambda: callback_for_call(call_sid) if call_sid else None, create
    )
    if created:
        audit(callback, "created", kind=kind, box=box.slug, due_at=callback.due_at.isoformat())
        if interaction is not None:
            interactions.add_event(interaction, "callback_opened", callback_id=callback.id,
                                   callback_kind=kind, box=box.slug)
    elif _KIND_RANK.get(kind, 0) > _KIND_RANK.get(callback.kind, 0):
        audit(callback, "kind_changed", previous=callback.kind, kind=kind)
        callback.kind = kind
    if number and not callback.number:
        callback.number = number
    return callback


def _find_message(recording_sid: str) -> Voicemail | None:
    return db.session.scalars(
        select(Voicemail).where(Voicemail.recording_sid == recording_sid)
    ).first()


def store_message(box: VoicemailBox, *, call_sid: str, recording_sid: str, recording_url: str,
                  language: str, number: str = "") -> Voicemail:
    """The message for this recording, stored once however many callbacks report it."""
    callback = open_callback(box, kind="voicemail", call_sid=call_sid, number=number,
                             language=language)

    def create() -> Voicemail:
        return Voicemail(
            callback=callback if callback.message is None else None, box=box, call_sid=call_sid,
            recording_sid=recording_sid, recording_url=recording_url,
            transcription_status="pending" if language == "en" else "not_requested",
            created_at=now(),
        )

    message, created = _race_safe(lambda: _find_message(recording_sid), create)
    if created:
        audit(callback, "message_recorded", recording_sid=recording_sid)
    if recording_url and not message.recording_url and message.recording_deleted_at is None:
        message.recording_url = recording_url
    return message


def _discarded(callback: Callback, recording_sid: str) -> bool:
    """Was this recording already judged no message? (Its `no_message` audit line is the
    tombstone a late or retried transcription callback must respect.)"""
    return any(e.action == "no_message" and (e.detail or {}).get("recording_sid") == recording_sid
               for e in callback.events)


def recording_finished(box: VoicemailBox, *, call_sid: str, recording_sid: str,
                       recording_url: str, status: str, duration: int | None, language: str,
                       number: str = "") -> Voicemail | None:
    """The recording status callback. Too short or absent: no message, the missed call stays.

    A transcription callback that came first may already have stored the message; if the
    recording turns out too short, that message goes again.
    """
    minimum = app_settings().VOICEMAIL_MIN_SECONDS
    existing = _find_message(recording_sid) if recording_sid else None
    # Twilio always reports a duration; without one, only a message already stored stands.
    too_short = existing is None if duration is None else duration < minimum
    if status != "completed" or not recording_sid or too_short:
        callback = open_callback(box, kind="missed_call", call_sid=call_sid, number=number,
                                 language=language)
        if existing is not None:
            db.session.delete(existing)
            if callback.kind == "voicemail":
                audit(callback, "kind_changed", previous=callback.kind, kind="missed_call")
                callback.kind = "missed_call"
        if not _discarded(callback, recording_sid):
            audit(callback, "no_message", status=status, duration=duration,
                  recording_sid=recording_sid)
        return None
    message = store_message(box, call_sid=call_sid, recording_sid=recording_sid,
                            recording_url=recording_url, language=language, number=number)
    if duration is not None:
        message.duration_seconds = duration
    return message


def transcription_arrived(box: VoicemailBox, *, call_sid: str, recording_sid: str,
                          recording_url: str, transcription_sid: str, text: str, status: str,
                          language: str) -> Voicemail | None:
    """The transcription callback: may come before the recording's; the first one stores.

    None if the recording was already found too short to be a message.
    """
    callback = callback_for_call(call_sid) if call_sid else None
    if callback is not None and _discarded(callback, recording_sid):
        return None
    message = store_message(box, call_sid=call_sid, recording_sid=recording_sid,
                            recording_url=recording_url, language=language)
    if message.transcription_status == "completed" or message.recording_deleted_at is not None:
        return message  # a retried callback, or a message whose retention has passed
    message.transcription_sid = transcription_sid or message.transcription_sid
    if status == "completed":
        message.transcription_status = "completed"
        message.transcription_text = text
    else:
        message.transcription_status = "failed"
    if message.callback is not None:  # the list shows the words (or "Transcribing…") now
        events.note(message.callback, "transcribed")
    return message


# -- agents working callbacks ---------------------------------------------------------------

def find_agent(identity: str) -> Agent:
    agent = db.session.scalars(select(Agent).where(Agent.identity == identity)).first()
    if agent is None or not agent.active:
        raise NotFound("No such agent.", identity=identity)
    return agent


def can_work(agent: Agent | None, callback: Callback) -> bool:
    """Supervisors (and the operator, agent None) work anything; agents their boxes' own."""
    if agent is None or agent.role == "supervisor":
        return True
    if callback.assigned_agent_id == agent.id:
        return True
    box = callback.box
    if box.kind == "agent":
        return box.agent_id == agent.id
    return box.department_id is not None and box.department_id in {
        d.id for d in agent.departments
    }


def _open(callback: Callback) -> None:
    if callback.status == "closed":
        raise Conflict("This callback is already cleared.", callback_id=callback.id,
                       outcome=callback.outcome)


def claim(callback: Callback, agent: Agent) -> Callback:
    _open(callback)
    if callback.status == "claimed" and callback.assigned_agent_id not in (None, agent.id):
        raise Conflict("Another agent is working this callback.", callback_id=callback.id,
                       agent=callback.assigned_agent.identity if callback.assigned_agent else None)
    if callback.status != "claimed" or callback.assigned_agent_id != agent.id:
        callback.status, callback.assigned_agent_id = "claimed", agent.id
        callback.claimed_at = now()
        audit(callback, "claimed", agent.identity)
    return callback


def release(callback: Callback, actor: str) -> Callback:
    _open(callback)
    box = callback.box
    callback.status = "open"
    callback.assigned_agent_id = box.agent_id
    audit(callback, "released", actor)
    return callback


def reassign(callback: Callback, identity: str, actor: str) -> Callback:
    """A supervisor hands a callback to an agent (who then owns it: claimed)."""
    _open(callback)
    agent = find_agent(identity)
    previous = callback.assigned_agent.identity if callback.assigned_agent else None
    callback.assigned_agent_id, callback.status, callback.claimed_at = agent.id, "claimed", now()
    audit(callback, "reassigned", actor, previous=previous, to=identity)
    return callback


def clear(callback: Callback, outcome: str, actor: str, note: str = "") -> Callback:
    """Record the outcome of an attempt. No answer: retried later, up to the maximum."""
    _open(callback)
    if outcome not in OUTCOMES:
        raise InvalidInput("Unknown outcome.", field="outcome", allowed=list(OUTCOMES))
    at = now()
    callback.attempts += 1
    max_attempts = app_settings().CALLBACK_MAX_ATTEMPTS
    if outcome == "no_answer" and callback.attempts < max_attempts:
        retry = at + timedelta(minutes=app_settings().CALLBACK_RETRY_MINUTES)
        callback.status, callback.due_at = "open", retry
        callback.escalated_at, callback.escalations = None, 0
        callback.assigned_agent_id = callback.box.agent_id
        audit(callback, "attempt", actor, outcome=outcome, attempt=callback.attempts,
              retry_at=retry.isoformat(), note=note)
        return callback
    callback.status, callback.outcome = "closed", outcome
    callback.closed_at, callback.closed_by = at, actor
    audit(callback, "cleared", actor, outcome=outcome, attempt=callback.attempts, note=note,
          gave_up=outcome == "no_answer")
    return callback


def handled_on_call(callback: Callback, interaction: Interaction, actor: str,
                    note: str = "") -> Callback:
    """The agent sorted it out with the customer on this (inbound) call: closed as reached,
    the call named in its audit and the callback in the call's timeline. Not an attempt:
    nobody called the customer."""
    _open(callback)
    at = now()
    # Two requests at once (a double click, a retry, a colleague clearing it): only the one
    # whose UPDATE still finds it open closes it and writes the audit line.
    changed = db.session.execute(
        update(Callback).where(Callback.id == callback.id, Callback.status != "closed")
        .values(status="closed", outcome="reached", closed_at=at, closed_by=actor)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise Conflict("This callback was cleared a moment ago.", callback_id=callback.id)
    callback.status, callback.outcome = "closed", "reached"  # the loaded row, in step
    callback.closed_at, callback.closed_by = at, actor
    audit(callback, "handled_on_call", actor, outcome="reached", call_sid=interaction.call_sid,
          note=note)
    interactions.add_event(interaction, "callback_handled", callback_id=callback.id,
                           callback_kind=callback.kind, box=callback.box.slug, agent=actor)
    return callback


# What a listed callback shows beside its own row, loaded with the list (not one by one).
SHOWN_WITH = (selectinload(Callback.box), selectinload(Callback.message),
              selectinload(Callback.customer), selectinload(Callback.assigned_agent))


def open_for_caller(customer_id: int | None, numbers: Iterable[str], *,
                    exclude_call_sid: str | None = None, limit: int = 20) -> list[Callback]:
    """The callbacks still owed to this caller (their customer record, or any of their
    numbers), in the order a worklist shows them: overdue first, priority, due time."""
    numbers = [n for n in dict.fromkeys(numbers) if n]
    who = []
    if customer_id is not None:
        who.append(Callback.customer_id == customer_id)
    if numbers:
        who.append(Callback.number.in_(numbers))
    if not who:
        return []
    query = select(Callback).options(*SHOWN_WITH).where(Callback.status != "closed", or_(*who))
    if exclude_call_sid:
        query = query.where(or_(Callback.call_sid.is_(None), Callback.call_sid != exclude_call_sid))
    rows = db.session.scalars(query.order_by(Callback.due_at).limit(limit)).all()
    at = now()
    return sorted(rows, key=lambda c: (not is_overdue(c, at), -c.priority, aware(c.due_at)))


def call_started(callback: Callback, agent: Agent, leg_sid: str) -> None:
    callback.status, callback.assigned_agent_id = "claimed", agent.id
    callback.claimed_at = callback.claimed_at or now()
    callback.last_call_sid = leg_sid
    audit(callback, "call_started", agent.identity, leg=leg_sid, number=callback.number)


def worklist(agent: Agent | None, scope: str = "all", include_closed: bool = False,
             limit: int = 200) -> list[Callback]:
    """Overdue first, then by priority, then by due time.

    scope: "mine" (assigned to me), "departments" (my departments' boxes), "all" (everything
    I may work: mine and my departments'; for supervisors, everything).
    """
    query = select(Callback).join(VoicemailBox, Callback.box_id == VoicemailBox.id)
    if not include_closed:
        query = query.where(Callback.status != "closed")
    if agent is not None:
        department_ids = [d.id for d in agent.departments]
        in_departments = VoicemailBox.department_id.in_(department_ids)
        mine = (Callback.assigned_agent_id == agent.id) | (VoicemailBox.agent_id == agent.id)
        if scope == "mine":
            query = query.where(mine)
        elif scope == "departments":
            query = query.where(in_departments)
        elif agent.role != "supervisor":
            query = query.where(mine | in_departments)
    rows = db.session.scalars(query.order_by(Callback.due_at).limit(limit)).all()
    at = now()
    return sorted(rows, key=lambda c: (not is_overdue(c, at), -c.priority, aware(c.due_at)))


def aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC.
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_overdue(callback: Callback, at: datetime | None = None) -> bool:
    return callback.status != "closed" and aware(callback.due_at) <= (at or now())


# -- escalation and retention -------------------------------------------------------------

def escalate_overdue(alert: Callable[..., None], rescore: Callable[[Callback], None]) -> int:
    """Alert supervisors about callbacks past due and raise their priority.

    Once when they fall due, then again every CALLBACK_REALERT_MINUTES while still open.
    """
    at = now()
    realert = timedelta(minutes=app_settings().CALLBACK_REALERT_MINUTES)
    due = db.session.scalars(
        select(Callback).where(Callback.status != "closed", Callback.due_at <= at)
    ).all()
    count = 0
    for callback in due:
        if callback.escalated_at is not None and aware(callback.escalated_at) + realert > at:
            continue
        callback.escalations += 1
        callback.escalated_at = at
        callback.priority = min(MAX_PRIORITY, callback.priority + 1)
        overdue_minutes = round((at - aware(callback.due_at)).total_seconds() / 60, 1)
        audit(callback, "escalated", priority=callback.priority, overdue_minutes=overdue_minutes)
        alert("callback_overdue", callback_id=callback.id, callback_kind=callback.kind,
              box=callback.box.slug, number=callback.number, priority=callback.priority,
              due_at=aware(callback.due_at).isoformat(), overdue_minutes=overdue_minutes,
              agent=callback.assigned_agent.identity if callback.assigned_agent else None)
        rescore(callback)
        count += 1
    return count


def expired_messages(limit: int = 500) -> list[Voicemail]:
    days = app_settings().VOICEMAIL_RETENTION_DAYS
    cutoff = now() - timedelta(days=days)
    return list(db.session.scalars(
        select(Voicemail).where(Voicemail.recording_deleted_at.is_(None),
                                Voicemail.created_at < cutoff).limit(limit)
    ).all())


def forget_recording(message: Voicemail) -> None:
    """Our copy of an expired recording goes: its URL and its transcript (the same words)."""
    message.recording_url = ""
    message.transcription_text = None
    message.recording_deleted_at = now()
    if message.callback is not None:
        audit(message.callback, "recording_deleted", recording_sid=message.recording_sid)
