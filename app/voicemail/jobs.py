"""Periodic work: kept callbacks and missed calls are handled, overdue callbacks escalate,
expired recordings go.

The hold-clock process (or an RQ scheduler) calls `periodic()` every half minute or so,
inside an app context. Each function is safe to run from several processes at once: an
escalation is stamped on the row, and deleting a recording twice is harmless.
"""

from __future__ import annotations

import logging

from app.extensions import db
from app.queue import queue_services
from app.telephony import gateway
from app.voicemail import dialer, inbox, missed, queue_link, services

log = logging.getLogger(__name__)


def check_overdue_callbacks() -> int:
    """Alert supervisors about overdue callbacks and raise their priority; returns how many."""
    events = queue_services().events
    count = services.escalate_overdue(events.supervisor_alert, queue_link.rescore)
    db.session.commit()
    if count:
        log.warning("%d callback(s) overdue: supervisors alerted", count)
    return count


def purge_expired_recordings() -> int:
    """Delete recordings older than VOICEMAIL_RETENTION_DAYS from Twilio and from our rows."""
    telephony = gateway()
    deleted = 0
    for message in services.expired_messages():
        try:
            dialer.delete_recording(telephony, message.recording_sid)
        except Exception:
            # Keep our copy so the next run tries again: forgetting it here would leave the
            # recording at Twilio with nothing pointing at it.
            log.exception("could not delete recording %s at Twilio", message.recording_sid)
            continue
        services.forget_recording(message)
        db.session.commit()
        deleted += 1
    return deleted


def replay_kept_callbacks() -> int:
    """Recording and transcription callbacks that failed (the database was down) and were
    kept in Redis (app/voicemail/inbox.py): handled again, until they succeed."""
    return inbox.replay()


def periodic() -> dict[str, int]:
    return {"replayed": replay_kept_callbacks(), "missed_calls": missed.replay(),
            "escalated": check_overdue_callbacks(),
            "recordings_deleted": purge_expired_recordings()}
