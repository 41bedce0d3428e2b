"""Every phrase the IVR speaks: its prompt keys with their English texts (R9, R15).

The other languages' texts are in app/floor/locales (one module per language). Operators
override any of them at run time (`flask prompts set`, `PUT /api/prompts/...`); these defaults
apply wherever no override exists. The placeholders a key accepts are the ones its English
text uses, so an override can never ask for a value the IVR cannot give.
"""

from __future__ import annotations

IVR_PROMPTS: dict[str, str] = {
    # -- greetings -------------------------------------------------------------------------
    "greeting.known": "Hello {name}, thank you for calling {organisation}. How can we help you "
                      "today?",
    "greeting.unknown": "Thank you for calling {organisation}. We are here to help.",
    # -- language choice: each option is spoken in its own language -------------------------
    "language.option": "For English, press {key}.",
    # -- common ---------------------------------------------------------------------------
    "common.invalid": "Sorry, that is not one of the choices.",
    "common.not_heard": "Sorry, we did not hear anything.",
    "call.goodbye": "Thank you for calling {organisation}. Goodbye.",
    # -- account number -------------------------------------------------------------------
    "account.ask": "If you have an account number, please key it in now, followed by the hash "
                   "key. If you do not have one, press star.",
    "account.not_found": "Sorry, we could not find that account number. Please try again.",
    "account.give_up": "We could not find your account, but we can still help you.",
    "account.found": "Thank you, {name}. We have found your account.",
    "account.remember_offer": "So that we recognise you when you call from this number, press 1. "
                              "Otherwise, press 2.",
    "account.remembered": "Thank you, we will remember this number.",
    "account.not_remembered": "All right, we will not keep this number.",
    # -- department menu ------------------------------------------------------------------
    "menu.intro": "Please choose a department. You can press a key or say the department's name.",
    "menu.option": "For {department}, press {key}.",
    "menu.to_default": "As we did not receive a choice, we will put you through to {department}, "
                       "who can help you or direct you to the right person.",
    "menu.unavailable": "We are sorry, we cannot connect your call right now.",
    # -- hand-off and after hours -----------------------------------------------------------
    "handoff.connecting": "Thank you. We are connecting you to {department}.",
    "after_hours.closed": "We are sorry, {department} is closed right now. Our opening hours are "
                          "{hours}, {zone} time. Please call us again then.",
    "after_hours.holiday": "We are sorry, {department} is closed today for {holiday}. Our opening "
                           "hours are {hours}, {zone} time. Please call us again then.",
    # -- spoken opening hours: "Monday to Friday, 09:00 to 17:00" ------------------------------
    "hours.range": "{start} to {end}",
    "hours.day_span": "{first} to {last}",
    "hours.and": "and",
    "hours.always_open": "every day, around the clock",
    "hours.none": "not set at the moment",
    "day.mon": "Monday",
    "day.tue": "Tuesday",
    "day.wed": "Wednesday",
    "day.thu": "Thursday",
    "day.fri": "Friday",
    "day.sat": "Saturday",
    "day.sun": "Sunday",
}
