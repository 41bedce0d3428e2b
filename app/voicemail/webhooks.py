"""Twilio webhooks: recordings, transcriptions, an agent's direct line, callback calls."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from flask import request

from app.errors import NotFound
from app.extensions import db
from app.floor.languages import language
from app.queue import queue_services
from app.telephony import VoiceResponse, public_url, twilio_webhook
from app.voicemail import boxes, bp, inbox, phrases, services, twiml
from app.voicemail.dialer import caller_id
from app.voicemail.models import Callback
from app.voicemail.ways_in import ring_agent_or_voicemail, take_message, voice
from config import app_settings

ANSWERED = {"completed", "answered"}


def _language() -> str:
    # The query string is ours but anyone can forge a request: an unknown language would
    # not fit the callback's column (PostgreSQL refuses it), so it falls back to the default.
    default = app_settings().DEFAULT_LANGUAGE
    return language(request.args.get("lang"), default).code


def _duration(name: str) -> int | None:
    value = request.form.get(name, "")
    return int(value) if value.isdigit() else None


def _call() -> str:
    return request.args.get("call") or request.form.get("CallSid", "")


@bp.post("/voicemail/recorded")
@twilio_webhook
def recorded():
    """The <Record> action: what the caller hears after the beep.

    It touches no database: the recording status callback stores the message, and the
    callback was opened before the greeting. Too short to be a message: the caller is told
    we will call back anyway.
    """
    language = _language()
    minimum = app_settings().VOICEMAIL_MIN_SECONDS
    duration = _duration("RecordingDuration") or 0
    key = "voicemail.thanks" if duration >= minimum else "voicemail.no_message"
    return twiml.say_and_hang_up(phrases.text(key, language), voice(language))


@bp.post("/voicemail/recording-status")
@twilio_webhook(inbox=inbox)
def recording_status():
    services.recording_finished(
        boxes.box_by_slug(request.args.get("box", "")),
        call_sid=_call(),
        recording_sid=request.form.get("RecordingSid", ""),
        recording_url=request.form.get("RecordingUrl", ""),
        status=request.form.get("RecordingStatus", ""),
        duration=_duration("RecordingDuration"),
        language=_language(),
        number=request.args.get("from", ""),
    )
    db.session.commit()


@bp.post("/voicemail/transcription")
@twilio_webhook(inbox=inbox)
def transcription():
    services.transcription_arrived(
        boxes.box_by_slug(request.args.get("box", "")),
        call_sid=_call(),
        recording_sid=request.form.get("RecordingSid", ""),
        recording_url=request.form.get("RecordingUrl", ""),
        transcription_sid=request.form.get("TranscriptionSid", ""),
        text=request.form.get("TranscriptionText", ""),
        status=request.form.get("TranscriptionStatus", ""),
        language=_language(),
    )
    db.session.commit()


@bp.post("/voicemail/agents/<identity>/direct")
@twilio_webhook
def direct_line(identity: str):
    """An agent's direct line: their softphone rings, or their box takes a message."""
    return ring_agent_or_voicemail(identity, _language())


@bp.post("/voicemail/agents/<identity>/unanswered")
@twilio_webhook
def direct_line_unanswered(identity: str):
    if request.form.get("DialCallStatus", "") in ANSWERED:
        response = VoiceResponse()
        response.hangup()
        return response
    return take_message(boxes.agent_box(identity), _language(),
                        call_sid=request.form.get("CallSid", ""),
                        number=request.form.get("From", ""))


@bp.post("/voicemail/callbacks/<int:callback_id>/connect")
@twilio_webhook
def connect(callback_id: int):
    """The agent answered their softphone for a callback (or took it on their persistent
    line, `home`): tell them who, dial the customer."""
    callback = _callback(callback_id)
    agent_voice = voice("en")
    if callback is None:
        return _gone()
    if callback.status == "closed" or not callback.number:
        return twiml.say_and_hang_up(phrases.text("voicemail.agent_done", "en"), agent_voice,
                                     _home())
    who = callback.customer.name if callback.customer is not None else callback.number
    intro = phrases.text("voicemail.agent_intro", "en", who=who,
                         why=phrases.REASONS.get(callback.kind, ""))
    services.audit(callback, "agent_connected", request.args.get("agent", ""))
    db.session.commit()
    return twiml.connect_to_customer(
        intro, agent_voice, number=callback.number, caller_id=caller_id(),
        action_url=_dialed_url(callback_id),
    )


def _callback(callback_id: int) -> Callback | None:
    # Gone (its box deleted) while the agent's phone rang: without this the agent would hear
    # the callers' safe fallback and be asked to leave a message in the general box.
    try:
        return services.find_callback(callback_id)
    except NotFound:
        return None


def _home() -> str:
    """Where an agent's persistent line goes when the callback is over ("" for a softphone
    rung for it, which is hung up). Only ever one of the app's own URLs."""
    home = request.args.get("home", "")
    return home if home.startswith(public_url("/queue/line?")) else ""


def _gone() -> VoiceResponse:
    return twiml.say_and_hang_up(phrases.text("voicemail.callback_gone", "en"), voice("en"),
                                 _home())


def _dialed_url(callback_id: int) -> str:
    query = {"agent": request.args.get("agent", "")}
    if _home():
        query["home"] = _home()
    return public_url(f"/voicemail/callbacks/{callback_id}/dialed?{urlencode(query)}")


@bp.post("/voicemail/callbacks/<int:callback_id>/dialed")
@twilio_webhook
def dialed(callback_id: int):
    """The customer's leg ended: the agent hears how, and records the outcome in the console."""
    status = request.form.get("DialCallStatus", "")
    callback = _callback(callback_id)
    if callback is None:
        return _gone()
    services.audit(callback, "customer_leg", request.args.get("agent", ""), status=status,
                   duration=_duration("DialCallDuration"))
    db.session.commit()
    key = "voicemail.agent_done" if status in ANSWERED else "voicemail.agent_not_answered"
    if _home() and request.form.get("CallStatus") != "in-progress":
        _line_ended()
    return twiml.say_and_hang_up(phrases.text(key, "en"), voice("en"), _home())


def _line_ended() -> None:
    """The agent's persistent line itself ended during the callback (the browser went): the
    queue hears it as it would from the line's own `<Dial>` action, and puts them away."""
    where = parse_qs(urlsplit(_home()).query)
    queue_services().lines.dial_ended(where.get("agent", [""])[0],
                                      request.form.get("CallSid", ""),
                                      request.form.get("CallStatus", ""),
                                      where.get("call", [""])[0])


@bp.post("/voicemail/callbacks/<int:callback_id>/agent-leg")
@twilio_webhook(inbox=inbox)
def agent_leg(callback_id: int):
    """Progress of the agent's softphone leg when the call was started from the console."""
    status = request.form.get("CallStatus", "")
    if status in {"busy", "no-answer", "failed", "canceled"}:
        callback = _callback(callback_id)  # gone: nothing to record, no retry would help
        if callback is not None:
            services.audit(callback, "agent_missed", request.args.get("agent", ""),
                           status=status)
            db.session.commit()
