"""Callbacks, messages and boxes as the JSON API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.voicemail import boxes
from app.voicemail.models import Callback, CallbackEvent, Voicemail, VoicemailBox
from app.voicemail.services import aware, is_overdue


def _time(moment: datetime | None) -> str | None:
    return aware(moment).isoformat() if moment is not None else None


def message(item: Voicemail | None, callback_id: int) -> dict[str, Any] | None:
    if item is None:
        return None
    available = item.recording_deleted_at is None and bool(item.recording_sid)
    return {
        "id": item.id,
        "duration_seconds": item.duration_seconds,
        "recorded_at": _time(item.created_at),
        # Served through the app with the agent's token; Twilio's URL is never shown.
        "recording": f"/api/callbacks/{callback_id}/recording" if available else None,
        "recording_deleted_at": _time(item.recording_deleted_at),
        "transcription": {"status": item.transcription_status, "text": item.transcription_text},
    }


def event(item: CallbackEvent) -> dict[str, Any]:
    return {"at": _time(item.at), "actor": item.actor, "action": item.action,
            "detail": item.detail}


def callback(item: Callback, *, detail: bool = False) -> dict[str, Any]:
    data = {
        "id": item.id,
        "kind": item.kind,
        "status": item.status,
        "outcome": item.outcome,
        "overdue": is_overdue(item),
        "priority": item.priority,
        "due_at": _time(item.due_at),
        "created_at": _time(item.created_at),
        "closed_at": _time(item.closed_at),
        "attempts": item.attempts,
        # Calls from the number that hung up unserved, folded into this callback (R14).
        "abandoned_calls": item.abandoned_calls or 0,
        "number": item.number,
        "language": item.language,
        "customer": ({"id": item.customer.id, "name": item.customer.name}
                     if item.customer is not None else None),
        "interaction_id": item.interaction_id,
        "call_sid": item.call_sid,
        "box": {"id": item.box.id, "slug": item.box.slug, "name": item.box.name},
        "assigned_to": item.assigned_agent.identity if item.assigned_agent else None,
        "message": message(item.message, item.id),
    }
    if detail:
        data["events"] = [event(e) for e in item.events]
        # Each of those calls' wait, oldest first (from the audit's `abandoned` lines).
        data["waits"] = [{"call_sid": (e.detail or {}).get("call_sid"),
                          "wait_seconds": (e.detail or {}).get("wait_seconds"),
                          "at": _time(e.at)}
                         for e in item.events if e.action == "abandoned"]
    return data


def box(item: VoicemailBox) -> dict[str, Any]:
    return {
        "id": item.id,
        "slug": item.slug,
        "kind": item.kind,
        "name": item.name,
        "greetings": item.greetings or {},
        "max_length_seconds": item.max_length_seconds,
        "callback_target_minutes": item.callback_target_minutes,
        "worked_by": boxes.worked_by(item),
    }
