"""Calling customers back, and the recordings' media, through Twilio.

`start_callback_call` rings the agent's softphone first; when the agent answers, their leg
runs `/voicemail/callbacks/<id>/connect`, which dials the customer. The queue calls it when
a requested callback reaches the head of the line; the API calls it when an agent presses
"call back".
"""

from __future__ import annotations

import logging
from typing import Any, Protocol
from urllib.parse import urlencode

import requests

from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.queue import queue_services
from app.telephony import gateway, public_url
from app.voicemail import queue_link, services
from app.voicemail.models import Callback
from config import app_settings

log = logging.getLogger(__name__)

AGENT_RING_SECONDS = 30
MEDIA_TIMEOUT = 10
CALL_EVENTS = ["initiated", "ringing", "answered", "completed"]


class CallPlacer(Protocol):
    def place_call(self, to: str, *, from_: str, url: str, status_callback: str,
                   timeout: int) -> str: ...


def place_call(telephony: Any, to: str, *, from_: str, url: str, status_callback: str,
               timeout: int) -> str:
    """An outbound call; returns its SID. Uses `gateway.place_call` where the gateway has it."""
    if hasattr(telephony, "place_call"):
        return telephony.place_call(to, from_=from_, url=url, status_callback=status_callback,
                                    timeout=timeout)
    call = telephony.client.calls.create(
        to=to, from_=from_, url=url, method="POST", timeout=timeout,
        status_callback=status_callback, status_callback_method="POST",
        status_callback_event=CALL_EVENTS,
    )
    return call.sid


def caller_id() -> str:
    settings = app_settings()
    return settings.CALLBACK_CALLER_ID or settings.TWILIO_PHONE_NUMBER


def _callable(callback_id: int) -> Callback:
    """The callback, if it can be called back now."""
    callback = services.find_callback(callback_id)
    if callback.status == "closed":
        raise Conflict("This callback is already cleared.", callback_id=callback_id)
    if not callback.number:
        raise InvalidInput("This caller's number is unknown: there is nobody to call.",
                           callback_id=callback_id)
    return callback


def start_callback_call(agent_identity: str, callback_id: int, *,
                        status_callback: str | None = None, timeout: int | None = None) -> str:
    """Ring the agent's softphone for this callback; returns the agent leg's call SID.

    `status_callback` receives the agent leg's progress (the queue passes its own agent-leg
    URL so presence and routing work as for any offer); by default the voicemail package
    logs it on the callback's audit. Commits.
    """
    callback = _callable(callback_id)
    agent = services.find_agent(agent_identity)
    queue_link.reconcile(callback)  # the agent the router rang before may have missed it
    leg = place_call(
        gateway(),
        f"client:{agent_identity}",
        from_=caller_id(),
        url=public_url(f"/voicemail/callbacks/{callback_id}/connect?agent={agent_identity}"),
        status_callback=status_callback or public_url(
            f"/voicemail/callbacks/{callback_id}/agent-leg?agent={agent_identity}"
        ),
        timeout=timeout or AGENT_RING_SECONDS,
    )
    services.call_started(callback, agent, leg)
    db.session.commit()
    return leg


def call_back_now(agent_identity: str, callback_id: int) -> str:
    """The agent pressed "call back": on their persistent line when it is up and idle (the
    Voice SDK ignores a ring while its device holds a call, and the line is one), otherwise
    their softphone is rung. Either way they are away meanwhile ("calling out"): no caller is
    offered to a browser busy with this call. Returns the agent's leg (the line's SID on a
    line). Commits."""
    services_ = queue_services()
    lines = services_.lines
    if not services_.service.calling_out(agent_identity):
        raise Conflict("You are on a call: call back once it is over.", error_id="agent_busy",
                       callback_id=callback_id)
    line_sid = lines.call_out(agent_identity, f"callback-{callback_id}")
    if not line_sid and lines.leg_of(agent_identity):
        # Up but in another room (monitoring): a ring to the browser would be ignored.
        raise Conflict("Your line is in another call: leave it first.", error_id="line_busy",
                       callback_id=callback_id)
    if not line_sid:
        return start_callback_call(agent_identity, callback_id)
    try:
        take_callback_on_line(agent_identity, callback_id, line_sid,
                              lines.home_url(agent_identity))
    except Exception:
        lines.call_out_failed(agent_identity, line_sid)
        raise
    return line_sid


def take_callback_on_line(agent_identity: str, callback_id: int, line_sid: str,
                          home: str) -> None:
    """The agent took this requested callback on their persistent line (the queue's hook):
    the line is redirected to the same TwiML a rung softphone runs once answered, which
    `<Dial>`s the customer: no call is created over the API, so no CPS. `home` is where the
    line goes when the call is over (the queue's line URL; the line is never hung up).
    Commits."""
    callback = _callable(callback_id)
    agent = services.find_agent(agent_identity)
    queue_link.reconcile(callback)
    query = urlencode({"agent": agent_identity, "home": home})
    gateway().redirect_call(
        line_sid, public_url(f"/voicemail/callbacks/{callback_id}/connect?{query}"))
    services.call_started(callback, agent, line_sid)
    db.session.commit()


def recording_media_url(recording_sid: str) -> str:
    """Built from our account and the SID, never from a stored URL: our credentials only ever
    go to Twilio's API (or, offline, the emulator)."""
    config = app_settings()
    base = ("https://api.twilio.com" if config.TWILIO_MODE == "live"
            else config.TWILIO_API_BASE_URL.rstrip("/"))
    return (f"{base}/2010-04-01/Accounts/{config.TWILIO_ACCOUNT_SID}"
            f"/Recordings/{recording_sid}.mp3")


class MediaUnavailable(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"Twilio answered {status}")
        self.status = status


def http_get(url: str, auth: tuple[str, str]) -> requests.Response:
    return requests.get(url, auth=auth, timeout=MEDIA_TIMEOUT)


def fetch_recording(recording_sid: str) -> tuple[bytes, str]:
    """The recording's audio (bytes, content type), fetched with the account's credentials."""
    config = app_settings()
    response = http_get(recording_media_url(recording_sid),
                        (config.TWILIO_ACCOUNT_SID, config.TWILIO_AUTH_TOKEN))
    if response.status_code != 200:
        raise MediaUnavailable(response.status_code)
    return response.content, response.headers.get("Content-Type", "audio/mpeg")


def delete_recording(telephony: Any, recording_sid: str) -> bool:
    """Delete a recording at Twilio. False if it was already gone (404), which is fine."""
    if hasattr(telephony, "delete_recording"):
        return telephony.delete_recording(recording_sid)
    try:
        telephony.client.recordings(recording_sid).delete()
    except Exception as exc:  # TwilioRestException; telephony alone imports twilio
        if getattr(exc, "status", None) == 404:
            return False
        raise
    return True
