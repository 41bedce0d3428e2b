"""Pure TwiML builders for the post-call survey. Text arrives in the caller's language."""

from __future__ import annotations

from app.queue.twiml import Voice, say
from app.telephony import VoiceResponse

GATHER_TIMEOUT = 6


def ask(*, text: str, action_url: str, voice: Voice) -> VoiceResponse:
    """One key, 1 to 5. No key at all still asks the action (with no digits): the retry."""
    response = VoiceResponse()
    gather = response.gather(num_digits=1, action=action_url, method="POST", input="dtmf",
                             timeout=GATHER_TIMEOUT)
    gather.say(text, voice=voice.voice, language=voice.language)
    response.redirect(action_url, method="POST")
    return response


def goodbye(text: str, voice: Voice) -> VoiceResponse:
    response = VoiceResponse()
    say(response, text, voice)
    response.hangup()
    return response
