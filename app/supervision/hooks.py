"""The supervisors' part in the caller's conference events (the queue's hook list)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

log = logging.getLogger(__name__)


def on_conference_event(call_sid: str, event: str, form: Mapping[str, str]) -> None:
    """A participant left the caller's room: if it was the agent a supervisor was whispering
    to (a transfer completed), the whisper follows the call's new agent."""
    if event != "participant-leave":
        return
    from app.queue import queue_services
    from app.supervision import services

    try:
        services.participant_left(queue_services().service, call_sid,
                                  form.get("CallSid", ""), form.get("ConferenceSid", ""))
    except Exception:
        # Other packages' hooks run after this one: never stop them.
        log.exception("supervision hook failed for %s", call_sid)
