"""What the call controls do with the caller's conference events (the queue passes them on)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from app.calls import hold, transfers
from app.calls.factory import controls
from app.telephony import VoiceResponse

log = logging.getLogger(__name__)

ROOM_ENDED = {"moderator_ended_conference", "conference_ended_via_api"}


def on_agent_lost(call_sid: str) -> VoiceResponse | None:
    """The queue found the caller's agent lost mid-call (their line dropped)."""
    return transfers.on_agent_lost(controls(), call_sid)


def on_conference_event(call_sid: str, event: str, form: Mapping[str, str]) -> None:
    try:
        _handle(call_sid, event, form)
    except Exception:
        # The queue has already done its part; a failure here must not undo it.
        log.exception("call controls could not handle %s on %s", event, call_sid)


def _handle(call_sid: str, event: str, form: Mapping[str, str]) -> None:
    c = controls()
    who = form.get("CallSid", "")
    conference = form.get("ConferenceSid", "")
    if event == "participant-join" and who == call_sid:
        c.store.set_ctl(call_sid, conference_sid=conference)
        transfers.on_caller_joined(c, call_sid)
    elif event == "participant-leave" and who == call_sid:
        if form.get("ReasonParticipantLeft") == "participant_hung_up":
            transfers.on_caller_left(c, call_sid)
    elif event == "participant-leave" and who:
        # The room ended under the agent (the caller, who ends it on exit, hung up): not the
        # agent leaving. Twilio may report this before the caller's own leave.
        room_ended = form.get("ReasonParticipantLeft") in ROOM_ENDED
        agent = transfers.on_agent_left(c, call_sid, who, room_ended=room_ended)
        if agent:
            c.events.agent_event(agent, "call.ended", call_sid=call_sid,
                                 reason=form.get("ReasonParticipantLeft") or None)
    elif event == "conference-end" and c.store.ctl(call_sid).get("conference_sid") == conference:
        if form.get("CallSidEndingConference") == call_sid:
            transfers.on_caller_left(c, call_sid)  # the caller's own leave may come later
        c.store.set_ctl(call_sid, conference_sid="")
        if hold.is_held(c, call_sid):
            hold.end_hold(c, call_sid)
        # A call outlives its room only briefly (a survey, a rejoin), never a day.
        c.store.forget_later(call_sid)
