"""What callers and agents hear from the voicemail package: its prompt keys, in English.

Registered in the prompt catalogue like every package's (the other languages' texts are in
app/floor/locales), which lets operators override any of them at run time. Box greetings are
data besides: a box's `greetings` override `voicemail.greeting` per language (the API edits
them).
"""

from __future__ import annotations

from typing import Any

from app.floor import languages, prompts

VOICEMAIL_PROMPTS: dict[str, str] = {
    "voicemail.greeting": "You have reached {box}. We are sorry we cannot take your call right "
                          "now. Please leave your name and message after the tone, then press the "
                          "hash key or hang up. We will call you back as soon as we can.",
    "voicemail.thanks": "Thank you. Your message has been saved and we will call you back soon. "
                        "Goodbye.",
    "voicemail.no_message": "We did not hear a message, but we have your number and will call you "
                            "back. Goodbye.",
    "voicemail.callback_kept": "We are sorry to keep you waiting. You keep your place in line: "
                               "when your turn comes, an agent will call you back at this number. "
                               "You can hang up now. Goodbye.",
    "voicemail.no_number": "We are sorry: we cannot see your phone number, so we cannot call you "
                           "back automatically. Please leave a message with your number instead.",
    "voicemail.no_agents": "We are sorry: nobody in {department} can take your call right now.",
    "voicemail.fallback": "We are sorry, we are having trouble connecting your call right now. "
                          "Please leave your name, number and message after the tone, and we will "
                          "call you back.",
    # Heard by the agent on their softphone before the customer's phone rings (agents hear
    # English today; the other languages keep the catalogue complete for when they need not).
    "voicemail.agent_intro": "Callback to {who}. {why} Connecting you now.",
    "voicemail.agent_not_answered": "The customer did not answer. Please record the outcome in "
                                    "your console.",
    "voicemail.agent_done": "The call has ended. Please record the outcome in your console.",
    "voicemail.callback_gone": "This callback is no longer on the list, so nobody will be "
                               "dialled. Please check your console.",
}

REASONS = {
    "voicemail": "They left a message.",
    "missed_call": "They called and did not leave a message.",
    "requested": "They asked to be called back.",
}


def text(key: str, language: str, **values: Any) -> str:
    """The phrase from the catalogue, so an operator's override is heard."""
    return prompts.text(key, language, **values)


def shipped_text(key: str, language: str, **values: Any) -> str:
    """The shipped phrase, read without the database or Redis: for the safe fallback, which
    must speak when both are down."""
    return (languages.translation(language, key) or VOICEMAIL_PROMPTS[key]).format(**values)
