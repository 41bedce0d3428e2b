"""Every model, imported in one place so Alembic and the test database see all tables."""

from app.customers.models import Customer, CustomerPhone
from app.interactions.models import Interaction, InteractionEvent
from app.ivr.models import Department, Holiday, Prompt

__all__ = [
    "Customer",
    "CustomerPhone",
    "Department",
    "Holiday",
    "Interaction",
    "InteractionEvent",
    "Prompt",
]
