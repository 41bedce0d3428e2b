"""Voicemail boxes, the messages left in them, and the callbacks every message becomes (R10)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import now
from app.extensions import db

BOX_KINDS = ("department", "agent", "general")
CALLBACK_KINDS = ("voicemail", "missed_call", "requested")
CALLBACK_STATUSES = ("open", "claimed", "closed")
OUTCOMES = ("reached", "left_message", "no_answer", "wrong_number")


class VoicemailBox(db.Model):
    """One per department, one per agent, and a general box for when things fail.

    Who works a box: a department box, that department's agents; an agent box, that agent;
    the general box, supervisors. Business hours (for the callback target) are the
    department's: the box's own, or the agent's first department; the general box has none.
    """

    __tablename__ = "voicemail_boxes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Used in webhook URLs: a department's slug, `agent-<identity>`, or `general`.
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="department", server_default="department")
    name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), nullable=True, index=True
    )
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), nullable=True, index=True
    )
    # {"en": "You have reached billing...", "hi": ...}: overrides of the shipped greeting.
    greetings: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    max_length_seconds: Mapped[int] = mapped_column(Integer, default=120, server_default="120")
    callback_target_minutes: Mapped[int] = mapped_column(Integer, default=15,
                                                         server_default="15")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    department = relationship("Department")
    agent = relationship("Agent")


class Callback(db.Model):
    """A piece of work: call this customer back by `due_at`, until someone clears it."""

    __tablename__ = "callbacks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="missed_call",
                                      server_default="missed_call")
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open",
                                        index=True)
    box_id: Mapped[int] = mapped_column(ForeignKey("voicemail_boxes.id", ondelete="CASCADE"),
                                        index=True)
    # One callback per inbound call, whichever way it reached a box (retries find it again).
    call_sid: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    # Indexed: a caller's abandon and answer look up that number's open callbacks.
    number: Mapped[str] = mapped_column(String(64), default="", server_default="", index=True)
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), nullable=True, index=True
    )
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL"), nullable=True, index=True
    )
    assigned_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), nullable=True, index=True
    )
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    escalations: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Calls from this number that hung up unserved and were folded into this callback (each
    # with its wait in the audit, `abandoned`), so repeated tries are one piece of work.
    abandoned_calls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The last outbound call an agent made for it (agent's softphone leg).
    last_call_sid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(121), nullable=True)

    box: Mapped[VoicemailBox] = relationship()
    assigned_agent = relationship("Agent")
    customer = relationship("Customer")
    message: Mapped[Voicemail | None] = relationship(back_populates="callback", uselist=False)
    events: Mapped[list[CallbackEvent]] = relationship(
        back_populates="callback", order_by="CallbackEvent.id", cascade="all, delete-orphan"
    )


class Voicemail(db.Model):
    """A recorded message: stored exactly once per RecordingSid, complete without a transcript."""

    __tablename__ = "voicemails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    callback_id: Mapped[int | None] = mapped_column(
        ForeignKey("callbacks.id", ondelete="CASCADE"), nullable=True, unique=True
    )
    box_id: Mapped[int] = mapped_column(ForeignKey("voicemail_boxes.id", ondelete="CASCADE"),
                                        index=True)
    call_sid: Mapped[str] = mapped_column(String(64), default="", server_default="", index=True)
    recording_sid: Mapped[str] = mapped_column(String(64), unique=True)
    recording_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    duration_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # not_requested (not English), pending, completed, failed
    transcription_status: Mapped[str] = mapped_column(String(16), default="pending",
                                                      server_default="pending")
    transcription_sid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    transcription_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    recording_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                                  nullable=True)

    callback: Mapped[Callback | None] = relationship(back_populates="message")
    box: Mapped[VoicemailBox] = relationship()


class CallbackEvent(db.Model):
    """The audit: who did what to a callback, and when."""

    __tablename__ = "callback_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    callback_id: Mapped[int] = mapped_column(ForeignKey("callbacks.id", ondelete="CASCADE"),
                                             index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    actor: Mapped[str] = mapped_column(String(121), default="system", server_default="system")
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    callback: Mapped[Callback] = relationship(back_populates="events")
