"""What a caller hears when something fails underneath: never Twilio's "application error".

Other packages (voicemail) may register a richer builder under
`app.extensions["safe_fallback"]`; if that builder fails too, the plain apology is used,
which needs neither the database nor Redis.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app, has_app_context
from twilio.twiml.voice_response import VoiceResponse

log = logging.getLogger(__name__)

APOLOGY = (
    "We are sorry, we are having trouble connecting your call right now. "
    "Please call us again in a few minutes. Goodbye."
)

FallbackBuilder = Callable[[], VoiceResponse]


def plain_apology() -> VoiceResponse:
    response = VoiceResponse()
    response.say(APOLOGY, voice="Polly.Joanna", language="en-US")
    response.hangup()
    return response


def safe_fallback_response() -> VoiceResponse:
    builder: FallbackBuilder | None = None
    if has_app_context():
        builder = current_app.extensions.get("safe_fallback")
    if builder is None:
        return plain_apology()
    try:
        return builder()
    except Exception:
        log.exception("the registered safe fallback failed; using the plain apology")
        return plain_apology()
