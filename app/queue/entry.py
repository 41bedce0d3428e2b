"""The queue's entry point: the IVR hands every caller who chose a department to this one
function, and to nothing else in the queue package."""

from __future__ import annotations

from app.customers.models import Customer
from app.extensions import db
from app.floor.departments import DepartmentView
from app.floor.languages import language as language_of
from app.interactions.models import Interaction
from app.queue import queue_services
from app.queue.services import Caller
from app.telephony import VoiceResponse


def hand_off(interaction: Interaction, department: DepartmentView,
             language: str) -> VoiceResponse:
    """Put the caller in the department's queue; their TwiML from here on."""
    lang = language_of(language).code
    customer = None
    if interaction.customer_id is not None:
        customer = db.session.get(Customer, interaction.customer_id)
    db.session.flush()  # the interaction's id goes into Redis with the caller
    caller = Caller(
        call_sid=interaction.call_sid,
        department=department.slug,
        department_name=department.name_in(lang),
        language=lang,
        number=interaction.from_number,
        interaction_id=interaction.id,
        customer_id=interaction.customer_id,
        vip=customer is not None and customer.tier == "vip",
        ladder_settings=department.settings,
    )
    return queue_services().service.join(caller)
