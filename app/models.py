"""Every model, imported in one place so Alembic and the test database see all tables."""

from app.interactions.models import Interaction, InteractionEvent

__all__ = ["Interaction", "InteractionEvent"]
