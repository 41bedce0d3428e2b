"""Twilio webhooks of waiting callers and their agents' legs."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from flask import current_app, request

from app.queue import bp, queue_services, twiml
from app.queue.hooks import queue_hooks
from app.telephony import twilio_webhook

ANSWERED = "in-progress"
NOT_ANSWERED = {"busy", "no-answer", "failed", "canceled"}


def _call() -> str:
    return request.args.get("call", "") or request.form.get("CallSid", "")


def event_time() -> float | None:
    """When the event happened, by Twilio's `Timestamp` (RFC 2822, whole seconds), if sent."""
    try:
        return parsedate_to_datetime(request.form.get("Timestamp", "")).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


@bp.post("/wait")
@twilio_webhook
def wait():
    """The conference wait URL: what the caller hears until an agent joins."""
    return queue_services().service.hold_loop(_call())


@bp.post("/conference-events")
@twilio_webhook
def conference_events():
    service = queue_services().service
    call_sid = request.args.get("call", "")
    event = request.form.get("StatusCallbackEvent", "")
    is_caller = request.form.get("CallSid") == call_sid
    if event == "participant-join" and is_caller:
        # The caller is in the room: now an agent can be rung into it.
        service.caller_in_room(call_sid, request.form.get("ConferenceSid", ""))
    elif event == "participant-leave" and is_caller:
        service.caller_out_of_room(call_sid, request.form.get("ConferenceSid", ""))
        if request.form.get("ReasonParticipantLeft") == "participant_hung_up":
            # Only a hang-up: leaving for the offer menu (a REST redirect) is not leaving the
            # line.
            service.caller_left(call_sid, at=event_time())
    for hook in queue_hooks(current_app).conference_hooks:
        hook(call_sid, event, request.form)
    return twiml.empty()


@bp.post("/agent-leg")
@twilio_webhook
def agent_leg():
    """Call-progress events of the agent's softphone leg."""
    service = queue_services().service
    call_sid, agent = request.args.get("call", ""), request.args.get("agent", "")
    status = request.form.get("CallStatus", "")
    leg = request.form.get("CallSid", "")
    if leg and leg == service.store.call(call_sid).get("withdrawn_leg"):
        return twiml.empty()  # a supervisor took this offer back: its news is stale
    if service.leg_superseded(call_sid, agent, leg):
        # An earlier ring of this agent, given up on: its news must not end the new offer.
        if status == ANSWERED:
            service.drop_untracked_leg(call_sid, agent, leg)
        return twiml.empty()
    if status == ANSWERED:
        if not service.agent_answered(call_sid, agent, leg=leg, at=event_time()):
            service.drop_untracked_leg(call_sid, agent, leg)
    elif status == "canceled":
        service.ring_canceled(call_sid, agent)
    elif status in NOT_ANSWERED:
        service.agent_missed(call_sid, agent, status)
    elif status == "completed" and not service.agent_left(call_sid, agent):
        # A leg that ends `completed` after talking was answered (an unanswered one ends
        # no-answer, busy, canceled or failed): its `in-progress` is still on its way.
        talked = request.form.get("CallDuration", "0")
        if (talked.isdigit() and int(talked) > 0
                and service.agent_answered(call_sid, agent, leg=leg, at=event_time())):
            service.agent_left(call_sid, agent)
        else:
            service.agent_missed(call_sid, agent, "completed before answer")
    return twiml.empty()


@bp.post("/line")
@twilio_webhook
def line():
    """The action of an agent's persistent line's `<Dial>`: the room it was in ended (the
    caller hung up), or the line itself did (the agent's browser went)."""
    return queue_services().lines.dial_ended(request.args.get("agent", ""),
                                    request.form.get("CallSid", ""),
                                    request.form.get("CallStatus", ""),
                                    request.args.get("call", ""))


@bp.post("/offer")
@twilio_webhook
def offer():
    return queue_services().service.offer_menu(_call())


@bp.post("/offer-choice")
@twilio_webhook
def offer_choice():
    return queue_services().service.offer_choice(_call(), request.form.get("Digits", ""))


@bp.post("/after")
@twilio_webhook
def after():
    """The caller's conference is over (the agent hung up): the survey or a goodbye. Asked
    with CallStatus=completed when the caller hung up: nobody is left to hear anything."""
    service = queue_services().service
    caller_gone = request.form.get("CallStatus") == "completed"
    if not caller_gone and (rescued := service.rescue_after_drop(_call())) is not None:
        return rescued  # their agent's line dropped: back in line, not goodbye
    response = service.after_conference(_call(), caller_gone=caller_gone)
    service.caller_left(_call())
    return response
