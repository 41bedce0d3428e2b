"""What a caller hears when their department is closed.

Apologise, give the hours in the caller's language and the department's time zone, then
offer the department's voicemail box.
"""

from __future__ import annotations

from app.clock import now
from app.floor import hours, prompts
from app.floor.departments import DepartmentView
from app.floor.languages import language as language_of
from app.interactions.models import Interaction
from app.telephony import VoiceResponse


def closed_message(department: DepartmentView, language: str) -> str:
    """ "We are sorry, Billing is closed ... Monday to Friday, 09:00 to 17:00, Kolkata time." """
    def phrase(key: str, /, **values: str) -> str:
        return prompts.text(key, language, **values)

    values = {
        "department": department.name_in(language),
        "hours": hours.describe(department.hours, phrase),
        "zone": hours.zone_label(department.timezone),
    }
    holiday = hours.holiday_today(department.timezone, department.holidays, now())
    if holiday:  # an unnamed holiday is just "closed": its name is the only extra to say
        return phrase("after_hours.holiday", holiday=holiday, **values)
    return phrase("after_hours.closed", **values)


def after_hours(interaction: Interaction, department: DepartmentView,
                language: str) -> VoiceResponse:
    """The hours, then the department's voicemail box: a closed door still takes a message."""
    from app.voicemail import take_message  # voicemail depends on the IVR, not the reverse

    lang = language_of(language)
    return take_message(department.slug, lang.code, interaction,
                        preface=closed_message(department, lang.code))
