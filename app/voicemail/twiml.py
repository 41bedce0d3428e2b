"""Pure TwiML builders for voicemail. Text arrives already in the caller's language."""

from __future__ import annotations

from app.queue.twiml import Voice
from app.telephony import VoiceResponse

FINISH_ON_KEY = "#"
# Seconds of silence after which Twilio ends the recording on its own.
SILENCE_TIMEOUT = 5


def record_message(greeting: str, voice: Voice, *, action_url: str, status_url: str,
                   transcribe_url: str | None, max_length: int,
                   preface: str | None = None, no_audio: str | None = None) -> VoiceResponse:
    """The greeting, a beep, and the recording.

    `transcribe_url` is None for languages Twilio cannot transcribe (it does English only):
    asking would only yield failed transcriptions. Twilio calls the action whenever there is
    a recording, even when the caller hangs up while recording; with no audio at all it
    skips the action and goes on to the next verb (and reports the recording `absent`): the
    caller who said nothing then hears `no_audio` (we will call back anyway), not silence.
    """
    response = VoiceResponse()
    if preface:
        response.say(preface, voice=voice.voice, language=voice.language)
    response.say(greeting, voice=voice.voice, language=voice.language)
    options = {
        "action": action_url,
        "method": "POST",
        "max_length": max_length,
        "finish_on_key": FINISH_ON_KEY,
        "play_beep": True,
        "timeout": SILENCE_TIMEOUT,
        "trim": "trim-silence",
        "recording_status_callback": status_url,
        "recording_status_callback_method": "POST",
        "recording_status_callback_event": "completed absent",
    }
    if transcribe_url:
        options.update(transcribe=True, transcribe_callback=transcribe_url)
    response.record(**options)
    if no_audio:
        response.say(no_audio, voice=voice.voice, language=voice.language)
        response.hangup()
    return response


def say_and_hang_up(text: str, voice: Voice, home: str = "") -> VoiceResponse:
    """`home`: the call is an agent's persistent line, which is never hung up: it is sent
    there (the queue's URL that puts it back in the agent's own room) instead."""
    response = VoiceResponse()
    response.say(text, voice=voice.voice, language=voice.language)
    if home:
        response.redirect(home, method="POST")
    else:
        response.hangup()
    return response


def connect_to_customer(intro: str, voice: Voice, *, number: str, caller_id: str,
                        action_url: str, timeout: int = 30) -> VoiceResponse:
    """What the agent's softphone runs once answered: who they are calling, then the customer.

    answerOnBridge keeps the agent hearing ringback until the customer picks up.
    """
    response = VoiceResponse()
    response.say(intro, voice=voice.voice, language=voice.language)
    dial = response.dial(caller_id=caller_id, action=action_url, method="POST",
                         timeout=timeout, answer_on_bridge=True)
    dial.number(number)
    return response


def empty() -> VoiceResponse:
    return VoiceResponse()
