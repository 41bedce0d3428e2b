"""What a caller hears from the call controls (R5: apologise and say why): their prompt keys,
in English. The other languages' texts are in app/floor/locales; the prompt catalogue serves
them all and lets operators override them."""

from __future__ import annotations

CALL_PROMPTS: dict[str, str] = {
    "calls.hold_apology": "Thank you for holding. Your agent has put you on hold for a moment to "
                          "look into your request, and will be right back with you.",
    "calls.transfer_hold": "Please hold while we connect you to a colleague who can help you with "
                           "this.",
    "calls.hold_limit_apology": "We are sorry to have kept you waiting. We are reconnecting you "
                                "to your agent now.",
    "calls.transferring": "Please hold while we transfer you to {department}. You are at the "
                          "front of the line.",
    "calls.transferring_agent": "Please hold while we connect you to another agent who can help "
                                "you.",
    "calls.back_in_line": "We are sorry: your agent's line was cut off. You are at the front of "
                          "the line, and the next free agent will take your call.",
    # -- the agent's own words (app/calls/words.py): read out by the agent, not by Twilio ---
    # {department} is the department's own name in the language ("बिलिंग विभाग", "Bahagian
    # Bil"), so no text adds a word for "department" around it.
    "calls.words_greeting": "Hello, thank you for calling {organisation}, {department}. My name "
                            "is {agent}. How can I help you today?",
    "calls.words_apology_busy": "I am sorry to have kept you waiting: all of our agents were "
                                "helping other customers.",
    "calls.words_apology_missed": "I am sorry to have kept you waiting: the first colleague we "
                                  "put you through to could not pick up.",
    "calls.words_apology_transfer": "I am sorry to have kept you waiting while we found the right "
                                    "person to help you.",
    "calls.words_anything_else": "Is there anything else I can help you with today?",
}
