"""Every model, imported in one place so Alembic and the test database see all tables."""

from app.agents.models import Agent, AgentToken
from app.customers.models import Customer, CustomerPhone
from app.floor.models import Department, Holiday, Prompt
from app.interactions.models import Interaction, InteractionEvent
from app.supervision.models import SupervisorAction  # noqa: F401
from app.voicemail.models import Callback, CallbackEvent, Voicemail, VoicemailBox
from app.wrapup.models import DepartmentSurvey, FeedbackItem, SurveyResponse, Wrapup  # noqa: F401

__all__ = [
    "Agent",
    "AgentToken",
    "Callback",
    "CallbackEvent",
    "Customer",
    "CustomerPhone",
    "Department",
    "Holiday",
    "Interaction",
    "InteractionEvent",
    "Prompt",
    "Voicemail",
    "VoicemailBox",
]
