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
}
