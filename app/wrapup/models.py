"""What an agent writes after a call, the feedback it routes, and the post-call survey."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import now
from app.extensions import db


class Wrapup(db.Model):
    """One agent's wrap-up of one call (after a transfer, each agent writes their own)."""

    __tablename__ = "wrapups"
    __table_args__ = (
        UniqueConstraint("interaction_id", "agent_identity", name="uq_wrapups_interaction_agent"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), index=True
    )
    # Kept on the row so "the customer's last wrap-up" is one indexed query on the next call.
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), nullable=True, index=True
    )
    agent_identity: Mapped[str] = mapped_column(String(121))
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    outcome: Mapped[str] = mapped_column(String(40))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    anything_else_asked: Mapped[bool] = mapped_column(Boolean, default=False,
                                                      server_default=false())
    # The console's lines the agent confirmed having said (greeting, apology, anything_else):
    # the agent's own words on the call (R9, R5, R11), kept with the wrap-up.
    words_confirmed: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now,
                                                 onupdate=now)

    items: Mapped[list[FeedbackItem]] = relationship(
        back_populates="wrapup", cascade="all, delete-orphan", order_by="FeedbackItem.id"
    )


class FeedbackItem(db.Model):
    """A tagged piece of customer input on a department's feedback list (R8)."""

    __tablename__ = "feedback_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wrapup_id: Mapped[int] = mapped_column(ForeignKey("wrapups.id", ondelete="CASCADE"),
                                           index=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), nullable=True, index=True
    )
    tag: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    wrapup: Mapped[Wrapup] = relationship(back_populates="items")
    department = relationship("Department")


class DepartmentSurvey(db.Model):
    """Whether a department's callers are asked for a rating after the agent hangs up."""

    __tablename__ = "department_surveys"

    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now,
                                                 onupdate=now)
    updated_by: Mapped[str | None] = mapped_column(String(121), nullable=True)


class SurveyResponse(db.Model):
    """The caller's 1-5 rating of one call (status: asked, answered, no_answer)."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), unique=True
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="asked", server_default="asked")
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
