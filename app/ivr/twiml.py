"""Pure TwiML builders for the IVR."""

from __future__ import annotations

from app.telephony import VoiceResponse

DEFAULT_VOICE = "Polly.Joanna"
DEFAULT_LANGUAGE = "en-US"


def greeting_and_goodbye(organisation: str) -> VoiceResponse:
    response = VoiceResponse()
    response.say(
        f"Thank you for calling {organisation}. We are here to help.",
        voice=DEFAULT_VOICE,
        language=DEFAULT_LANGUAGE,
    )
    response.hangup()
    return response


def empty() -> VoiceResponse:
    """The answer to a status callback: Twilio accepts an empty <Response/>."""
    return VoiceResponse()
