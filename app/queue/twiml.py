"""Pure TwiML builders for waiting callers. Text arrives already in the caller's language."""

from __future__ import annotations

from dataclasses import dataclass

from app.telephony import VoiceResponse


@dataclass(frozen=True)
class Voice:
    """How to speak one language: Twilio's voice name and language code."""

    voice: str
    language: str


def say(response: VoiceResponse, text: str, voice: Voice) -> None:
    response.say(text, voice=voice.voice, language=voice.language)


def wait_in_conference(conference: str, *, wait_url: str, events_url: str, after_url: str,
                       intro: str | None, voice: Voice) -> VoiceResponse:
    """The caller waits in a conference named after their call until an agent joins it.

    startConferenceOnEnter=false makes the caller hear the wait URL (apology, position, music)
    until someone who starts the conference (the agent) arrives. endConferenceOnExit: when the
    caller hangs up, the conference ends and nobody is left talking to an empty room.
    """
    response = VoiceResponse()
    if intro:
        say(response, intro, voice)
    dial = response.dial(action=after_url, method="POST")
    dial.conference(
        conference,
        start_conference_on_enter=False,
        end_conference_on_exit=True,
        beep=False,
        wait_url=wait_url,
        wait_method="POST",
        status_callback=events_url,
        status_callback_method="POST",
        status_callback_event="start end join leave",
        participant_label="caller",
    )
    return response


def hold_loop(*, announcement: str | None, music_url: str, again_url: str,
              voice: Voice) -> VoiceResponse:
    """One turn of the hold loop: the apology and position, a stretch of music, again.

    The explicit Redirect keeps the loop going: Twilio documents only that the wait URL's
    TwiML is played, not that it repeats.
    """
    response = VoiceResponse()
    if announcement:
        say(response, announcement, voice)
    response.play(music_url)
    response.redirect(again_url, method="POST")
    return response


def offer_menu(*, text: str, action_url: str, voice: Voice, language: str) -> VoiceResponse:
    response = VoiceResponse()
    gather = response.gather(num_digits=1, action=action_url, method="POST", timeout=6,
                             input="dtmf", language=language)
    gather.say(text, voice=voice.voice, language=voice.language)
    # No key pressed: the action is asked with no digits, which counts as "keep waiting".
    response.redirect(action_url, method="POST")
    return response


def speak_and_hang_up(text: str, voice: Voice) -> VoiceResponse:
    response = VoiceResponse()
    say(response, text, voice)
    response.hangup()
    return response


def empty() -> VoiceResponse:
    """The answer to a status callback."""
    return VoiceResponse()


def line_room(room: str, *, label: str, action_url: str, starts: bool = True,
              ends: bool = True, muted: bool = False, coach: str = "") -> VoiceResponse:
    """An agent's persistent line in a room: their own (`line-<identity>`, silence until a
    caller's room takes them) or a caller's (the call SID). The `<Dial>`'s action is asked
    when the room ends under the line (the caller hung up: CallStatus=in-progress) or the
    line itself ends (the browser went: CallStatus=completed); a REST update moving the line
    elsewhere does not ask it.

    An agent taking a caller starts the room and ends it on leaving (a caller is never left
    alone in a silent room); `waitUrl=""` is silence while the agent sits alone in their own.
    A warm transfer's target starts it but does not end it (`ends=False`) until the transfer
    completes; a supervisor neither (`muted` to listen, `coach`: the agent leg they whisper
    to).
    """
    response = VoiceResponse()
    dial = response.dial(action=action_url, method="POST")
    extra = {"coach": coach} if coach else {}
    dial.conference(room, beep=False, start_conference_on_enter=starts,
                    end_conference_on_exit=ends, wait_url="", participant_label=label,
                    muted=muted, **extra)
    return response
