"""Every way a caller reaches a box, as functions other packages call.

- the hold-clock offer: keys 2 (a message) and 3 (a callback keeping their place), through
  `app.extensions["queue.offer_handlers"]`;
- nobody signed in for the department: `no_agents_message`;
- outside business hours: `take_message(box, language, interaction)`;
- an agent's direct line unanswered: `ring_agent_or_voicemail` (and its Dial action route);
- anything failing underneath: `fallback_twiml`, registered as the app's safe fallback.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from flask import has_request_context, request

from app.clock import timestamp
from app.extensions import db
from app.floor import languages
from app.queue import queue_services
from app.queue.twiml import Voice
from app.telephony import VoiceResponse, public_url
from app.voicemail import boxes, phrases, services, twiml
from app.voicemail.inbox import must_arrive
from app.voicemail.models import VoicemailBox
from config import app_settings

log = logging.getLogger(__name__)

DIRECT_RING_SECONDS = 20


def voice(language: str) -> Voice:
    spoken = languages.language(language)
    return Voice(spoken.voice, spoken.say_language)


def webhook_urls(box_slug: str, language: str, call_sid: str,
                 **extra: str) -> dict[str, str | None]:
    query = urlencode({"box": box_slug, "lang": language, "call": call_sid, **extra})
    return {
        "action_url": public_url(f"/voicemail/recorded?{query}"),
        # They carry the message: overrides have Twilio retry a 5xx (inbox.DELIVERY).
        "status_url": must_arrive(public_url(f"/voicemail/recording-status?{query}")),
        # Twilio transcribes English only; for other languages it would only ever fail.
        "transcribe_url": must_arrive(public_url(f"/voicemail/transcription?{query}"))
        if language == "en" else None,
    }


def _form(name: str) -> str:
    return request.form.get(name, "") if has_request_context() else ""


def take_message(box: VoicemailBox | str, language: str, interaction: Any = None, *,
                 call_sid: str | None = None, number: str | None = None,
                 customer_id: int | None = None, preface: str | None = None) -> VoiceResponse:
    """The box's greeting and a <Record>; the call's callback is opened (and committed) first,
    so a caller who hangs up before the beep is still called back."""
    if isinstance(box, str):
        box = boxes.box_by_slug(box)
    call_sid = call_sid or (interaction.call_sid if interaction is not None else "") or _form(
        "CallSid")
    number = number or (interaction.from_number if interaction is not None else "") or _form(
        "From")
    language = language if languages.is_supported(language) else "en"
    services.open_callback(
        box, kind="missed_call", call_sid=call_sid, number=number, language=language,
        customer_id=customer_id,
        interaction_id=interaction.id if interaction is not None else None,
    )
    db.session.commit()
    return twiml.record_message(
        boxes.greeting(box, language), voice(language),
        max_length=box.max_length_seconds, preface=preface,
        no_audio=phrases.text("voicemail.no_message", language),
        **webhook_urls(box.slug, language, call_sid),
    )


def no_agents_message(department: str, language: str, *, call_sid: str | None = None,
                      department_name: str | None = None) -> VoiceResponse:
    """Nobody of the department is signed in: say so, then take a message for them."""
    box = boxes.department_box(department)
    name = department_name or box.name or department
    return take_message(box, language, call_sid=call_sid,
                        preface=phrases.text("voicemail.no_agents", language, department=name))


# -- the hold-clock offer -------------------------------------------------------------------

def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def leave_message_from_offer(call_sid: str, call: dict[str, str]) -> VoiceResponse:
    """Key 2 at the offer: the caller leaves the line for the department's box."""
    queue = queue_services()
    queue.store.hang_up(call_sid, timestamp())
    queue.events.call_event(call_sid, "to_voicemail", department=call.get("department", ""))
    return take_message(boxes.department_box(call.get("department", "")),
                        call.get("language", "en"), call_sid=call_sid,
                        number=call.get("number", ""), customer_id=_int(call.get("customer_id")))


def dialable(number: str) -> bool:
    digits = number.lstrip("+")
    return number.startswith("+") and digits.isdigit() and len(digits) >= 6


def request_callback_from_offer(call_sid: str, call: dict[str, str]) -> VoiceResponse:
    """Key 3 at the offer: a callback that keeps the caller's place in line.

    The caller's queue entry stays, marked kind=callback, with its score (place) kept; when
    the router offers it to an agent, the queue calls `start_callback_call` instead of
    ringing the agent into a conference. The hold clock stops (a new generation): nobody is
    on the line to hear an offer.
    """
    language = call.get("language", "en")
    number = call.get("number", "")
    if not dialable(number):
        return _no_number(call_sid, call)
    box = boxes.department_box(call.get("department", ""))
    callback = services.open_callback(
        box, kind="requested", call_sid=call_sid, number=number, language=language,
        customer_id=_int(call.get("customer_id")), interaction_id=_int(call.get("interaction_id")),
    )
    db.session.commit()
    store = queue_services().store
    # Marked before it re-enters the queue, so the router never sees it unmarked.
    store.set_call_fields(call_sid, kind="callback", callback_id=callback.id,
                          generation=int(call.get("generation") or 1) + 1)
    if store.unpark(call_sid):
        queue_services().events.call_event(call_sid, "callback_requested", callback_id=callback.id,
                                  department=call.get("department", ""))
        # An agent freed (or signed in) while the caller was in the menu was not offered
        # this caller then (it was parked); nothing else would offer it until the next
        # change on the floor.
        service = queue_services().service
        service.route(service.queues_of(call_sid))
    return twiml.say_and_hang_up(phrases.text("voicemail.callback_kept", language),
                                 voice(language))


def _no_number(call_sid: str, call: dict[str, str]) -> VoiceResponse:
    language = call.get("language", "en")
    queue_services().store.hang_up(call_sid, timestamp())
    return take_message(boxes.department_box(call.get("department", "")), language,
                        call_sid=call_sid, customer_id=_int(call.get("customer_id")),
                        preface=phrases.text("voicemail.no_number", language))


# -- an agent's direct line -----------------------------------------------------------------

def ring_agent_or_voicemail(identity: str, language: str = "en") -> VoiceResponse:
    """Ring the agent's softphone; unanswered, busy or offline, the Dial action takes a
    message for the agent's own box."""
    response = VoiceResponse()
    query = urlencode({"lang": language})
    dial = response.dial(action=public_url(f"/voicemail/agents/{identity}/unanswered?{query}"),
                         method="POST", timeout=DIRECT_RING_SECONDS)
    dial.client(identity)
    return response


# -- when something fails underneath --------------------------------------------------------

def fallback_twiml() -> VoiceResponse:
    """The app's safe fallback: an apology and a message into the general box.

    Built from configuration only (no database, no Redis): they may be what failed. The
    webhooks that receive the recording open the callback once the database answers again;
    the caller's number travels in the URLs because no row holds it yet.
    """
    call_sid, number = _form("CallSid"), _form("From")
    max_length = app_settings().VOICEMAIL_MAX_SECONDS
    return twiml.record_message(
        phrases.shipped_text("voicemail.fallback", "en"), voice("en"), max_length=max_length,
        no_audio=phrases.shipped_text("voicemail.no_message", "en"),
        **webhook_urls(boxes.GENERAL, "en", call_sid, **({"from": number} if number else {})),
    )
