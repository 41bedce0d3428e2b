"""Pure TwiML builders for agents' outgoing softphone calls."""

from __future__ import annotations

from app.queue.twiml import Voice
from app.telephony import VoiceResponse

RING_SECONDS = 30  # how long the far end rings (Twilio's <Dial> default)
# What an agent hears when a call cannot be placed (the console is in English).
REFUSALS = {
    "unknown_caller": "This softphone is not allowed to place calls. Goodbye.",
    "yourself": "You cannot call your own softphone. Goodbye.",
    "barred": "Calls to that number are not allowed from the call centre. Goodbye.",
    "not_a_number": "Sorry, that is not a number or an agent we can call. Goodbye.",
}


def dial_number(number: str, *, caller_id: str) -> VoiceResponse:
    """Ring a customer with the call centre's number as caller ID (answerOnBridge: the agent
    hears ringback, not silence, until they pick up)."""
    response = VoiceResponse()
    dial = response.dial(caller_id=caller_id, timeout=RING_SECONDS, answer_on_bridge=True)
    dial.number(number)
    return response


def dial_agent(identity: str) -> VoiceResponse:
    """Ring another agent's softphone (the caller ID is the calling agent's `client:` id)."""
    response = VoiceResponse()
    dial = response.dial(timeout=RING_SECONDS, answer_on_bridge=True)
    dial.client(identity)
    return response


def refuse(reason: str, voice: Voice) -> VoiceResponse:
    response = VoiceResponse()
    response.say(REFUSALS.get(reason, REFUSALS["not_a_number"]), voice=voice.voice,
                 language=voice.language)
    response.hangup()
    return response
