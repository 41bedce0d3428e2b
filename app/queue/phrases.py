"""What waiting callers hear (R5: apologise and say why): the queue's prompt keys, in English.

The other languages' texts are in app/floor/locales; the prompt catalogue serves them all and
lets an operator override any of them at run time.
"""

from __future__ import annotations

QUEUE_PROMPTS: dict[str, str] = {
    "queue.apology_position": "We are sorry to keep you waiting. All of our agents are helping "
                              "other customers right now. You are number {position} in line.",
    "queue.offer": "We are sorry for the wait: all of our agents are still busy. To keep waiting "
                   "and keep your place, press 1. To leave a message, press 2. To have us call "
                   "you back without losing your place in line, press 3.",
    "queue.keep_waiting": "Thank you for your patience. You keep your place in line.",
    "queue.no_agents": "We are sorry: nobody in {department} can take your call right now.",
    "queue.goodbye": "Thank you for calling. Goodbye.",
}
