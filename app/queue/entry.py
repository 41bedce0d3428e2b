"""The queue's entry point: the IVR hands every caller who chose a department to this one
function, and to nothing else in the queue package.

The queue issue replaces the body (join the department's queue, start the hold clock); until
then it honestly says where the caller is being connected and ends the call politely.
"""

from __future__ import annotations

from flask import current_app

from app.interactions.models import Interaction
from app.ivr import prompts
from app.ivr.departments import DepartmentView
from app.ivr.languages import language as language_of
from app.ivr.twiml import Spoken, speak_and_hang_up
from app.telephony import VoiceResponse


def hand_off(interaction: Interaction, department: DepartmentView,
             language: str) -> VoiceResponse:
    """The caller's TwiML from here on. `department` carries slug, `name_in(language)` and
    `settings` (the queue's ladder); `interaction` the call SID, customer and id."""
    lang = language_of(language)
    organisation = current_app.config["ORGANISATION_NAME"]
    return speak_and_hang_up([
        Spoken(prompts.text("handoff.connecting", lang.code,
                            department=department.name_in(lang.code)), lang),
        Spoken(prompts.text("call.goodbye", lang.code, organisation=organisation), lang),
    ])
