from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.clock import now
from app.extensions import db

ROLES = ("agent", "supervisor")
# Twilio client identities: letters, digits and underscore, at most 121 characters.
IDENTITY_PATTERN = re.compile(r"^[A-Za-z0-9_]{1,121}$")

agent_departments = Table(
    "agent_departments",
    db.Model.metadata,
    Column("agent_id", ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
)


class Agent(db.Model):
    """Someone who answers calls (agent) or also watches the floor (supervisor)."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    identity: Mapped[str] = mapped_column(String(121), unique=True)
    role: Mapped[str] = mapped_column(String(16), default="agent")
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The languages the agent speaks (codes of app/floor/languages.py, comma-separated, the
    # agent's best first): the router offers a caller to an agent who speaks their language.
    languages: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    departments = relationship(
        "Department", secondary=agent_departments, order_by="Department.position"
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def department_slugs(self) -> list[str]:
        return [d.slug for d in self.departments]

    @property
    def language_codes(self) -> list[str]:
        return [code for code in (self.languages or "").split(",") if code]


class AgentToken(db.Model):
    """An API token an agent signed in with. Only its hash is stored."""

    __tablename__ = "agent_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    agent: Mapped[Agent] = relationship()
