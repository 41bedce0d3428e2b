"""What the caller hears in the post-call survey (R11, R15): its prompt keys, in English.

The other languages' texts are in app/floor/locales. Operators override any of them at run
time (`flask prompts set survey.question hi "..."`), as every other prompt.
"""

from __future__ import annotations

SURVEY_PROMPTS: dict[str, str] = {
    "survey.question": "Before you go: how satisfied are you with the help you received today? "
                       "Press a key from 1, very unsatisfied, to 5, very satisfied.",
    "survey.retry": "Sorry, please press a key from 1 to 5.",
    "survey.thanks": "Thank you for your rating, and thank you for calling. Goodbye.",
}
