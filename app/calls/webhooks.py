"""Twilio webhooks of the call controls: hold music, announcements, the caller's way back
into their room after a cold transfer, and a warm transfer target's call progress."""

from __future__ import annotations

from flask import request

from app.calls import bp, transfers, twiml
from app.calls.factory import Controls, controls
from app.queue.twiml import empty
from app.telephony import twilio_webhook
from config import app_settings

# The words an announcement may speak (never a key from the query string unchecked).
ANNOUNCEMENTS = ("calls.hold_limit_apology",)
APOLOGY_EVERY = 3  # turns of music between repeats of the hold apology


def _call() -> str:
    return request.args.get("call", "")


def _language(c: Controls, sid: str) -> str:
    """The caller's language (English for a call the queue no longer has)."""
    call = c.call(sid)
    return (call.language if call is not None else "") or "en"


@bp.post("/twiml/hold")
@twilio_webhook
def hold_music():
    """The hold URL: the apology with the reason, music, and again."""
    c = controls()
    sid = _call()
    language = _language(c, sid)
    turn = int(request.args.get("turn", "0") or 0)
    apology = None
    if turn % APOLOGY_EVERY == 0:
        key = "calls.transfer_hold" if transfers.current(c, sid) else "calls.hold_apology"
        apology = c.queue.phrases.text(key, language)
    return twiml.hold_music(
        apology=apology, music_url=app_settings().HOLD_MUSIC_URL,
        again_url=c.url(f"/api/calls/twiml/hold?call={sid}&turn={turn + 1}"),
        voice=c.queue.phrases.voice(language))


@bp.post("/twiml/announce")
@twilio_webhook
def announce():
    c = controls()
    key = request.args.get("say", "")
    language = _language(c, _call())
    if key not in ANNOUNCEMENTS:
        return empty()
    return twiml.announcement(c.queue.phrases.text(key, language),
                              c.queue.phrases.voice(language))


@bp.post("/twiml/rejoin")
@twilio_webhook
def rejoin():
    """After a cold transfer (or an agent lost mid-transfer), the caller waits in their room
    again, told why."""
    c = controls()
    sid = _call()
    language = _language(c, sid)
    kind, _, subject = c.store.ctl(sid).get("pending", "").partition(":")
    if kind == "queue":
        intro = c.queue.phrases.text("calls.transferring", language,
                                     department=_department_name(subject, language))
    elif kind == "back":
        intro = c.queue.phrases.text("calls.back_in_line", language)
    else:
        intro = c.queue.phrases.text("calls.transferring_agent", language)
    return c.queue.rejoin(sid, intro)


def _department_name(slug: str, language: str) -> str:
    from app.floor import departments

    try:
        return departments.view(departments.get(slug)).name_in(language)
    except Exception:
        return slug


@bp.post("/twiml/transfer-leg")
@twilio_webhook
def transfer_leg():
    """Call-progress events of a warm transfer target's softphone leg."""
    transfers.on_target_leg(controls(), _call(), request.args.get("transfer", ""),
                            request.args.get("agent", ""), request.form.get("CallSid", ""),
                            request.form.get("CallStatus", ""))
    return empty()
