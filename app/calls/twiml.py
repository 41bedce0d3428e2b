"""Pure TwiML builders for call controls. Text arrives already in the caller's language."""

from __future__ import annotations

from app.queue.twiml import Voice, say
from app.telephony import VoiceResponse


def hold_music(*, apology: str | None, music_url: str, again_url: str,
               voice: Voice) -> VoiceResponse:
    """One turn of what a held caller hears: the apology and reason (now and then), music,
    and again. The Redirect keeps it looping for as long as the hold lasts."""
    response = VoiceResponse()
    if apology:
        say(response, apology, voice)
    response.play(music_url)
    response.redirect(again_url, method="POST")
    return response


def announcement(text: str, voice: Voice) -> VoiceResponse:
    """Words played to one participant of a conference (the apology at the hold limit)."""
    response = VoiceResponse()
    say(response, text, voice)
    return response
