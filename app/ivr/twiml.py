"""Pure TwiML builders for the IVR: texts arrive already chosen and filled in.

Every document starts speaking at once (R3): its first verb is a <Say>, or a <Gather> whose
first child is a <Say>.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.floor.languages import Language
from app.telephony import Gather, TwiML, VoiceResponse


@dataclass(frozen=True)
class Spoken:
    """A phrase and the language (voice) to speak it in."""

    text: str
    language: Language


@dataclass(frozen=True)
class Listen:
    """How to listen after speaking: a <Gather> posting to `action`.

    With no input the <Gather> falls through to a <Redirect> to the same `action`, which then
    sees neither Digits nor SpeechResult: that is how "no input" reaches the handler.
    """

    action: str
    input: str = "dtmf"
    num_digits: int | None = None
    finish_on_key: str | None = None
    timeout: int = 5
    speech_language: str | None = None
    hints: str | None = None


def say(parent: VoiceResponse | Gather, phrase: Spoken) -> None:
    parent.say(phrase.text, voice=phrase.language.voice, language=phrase.language.say_language)


def speak_then_listen(before: Sequence[Spoken], inside: Sequence[Spoken],
                      listen: Listen) -> VoiceResponse:
    """Phrases the caller cannot interrupt, then phrases they can answer during."""
    return speak_then(before, listening(inside, listen))


def speak_then(before: Sequence[Spoken], verbs: Sequence[TwiML]) -> VoiceResponse:
    """Phrases the caller cannot interrupt, then `verbs` (from `listening`, which may be
    shared between responses: nothing here or in rendering changes them)."""
    response = VoiceResponse()
    for phrase in before:
        say(response, phrase)
    for verb in verbs:
        response.append(verb)
    return response


def listening(inside: Sequence[Spoken], listen: Listen) -> tuple[TwiML, ...]:
    """The <Gather> speaking `inside`, and the <Redirect> for no input: the part of a question
    that depends only on configuration, so the IVR keeps it per configuration version."""
    response = VoiceResponse()
    options: dict[str, object] = {
        "action": listen.action, "method": "POST", "input": listen.input,
        "timeout": listen.timeout,
    }
    if listen.num_digits:
        options["num_digits"] = listen.num_digits
    if listen.finish_on_key is not None:
        options["finish_on_key"] = listen.finish_on_key
    if "speech" in listen.input:
        options["speech_timeout"] = "auto"
        if listen.speech_language:
            options["language"] = listen.speech_language
        if listen.hints:
            options["hints"] = listen.hints
    gather = response.gather(**options)
    for phrase in inside:
        say(gather, phrase)
    response.redirect(listen.action, method="POST")
    return tuple(response.verbs)


def speak_and_hang_up(phrases: Sequence[Spoken]) -> VoiceResponse:
    response = VoiceResponse()
    for phrase in phrases:
        say(response, phrase)
    response.hangup()
    return response


def prefixed(phrases: Sequence[Spoken], rest: VoiceResponse) -> VoiceResponse:
    """`rest`, with `phrases` spoken first (an explanation before a hand-off's own TwiML)."""
    if not phrases:
        return rest
    response = VoiceResponse()
    for phrase in phrases:
        say(response, phrase)
    for verb in rest.verbs:
        response.append(verb)
    return response


def empty() -> VoiceResponse:
    """The answer to a status callback: Twilio accepts an empty <Response/>."""
    return VoiceResponse()
