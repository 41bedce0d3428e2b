"""Prompts and departments: data, editable at run time, never a deploy (R9)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import now
from app.extensions import db


class Prompt(db.Model):
    """A run-time override of a shipped default phrase, per key and language."""

    __tablename__ = "prompts"
    __table_args__ = (UniqueConstraint("key", "language", name="uq_prompts_key_language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now,
                                                 onupdate=now)


# Nobody ignored (R14): a department's default wait before a hang-up is a missed call.
MISSED_CALL_AFTER_SECONDS = 20


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Language-independent id, used in URLs, queues and prompt keys.
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    menu_key: Mapped[str] = mapped_column(String(1), unique=True)
    # {"en": ["billing", "invoice"], "hi": ["बिलिंग"], ...}
    speech_keywords: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # {"mon": [["09:00", "17:00"]], ..., "sun": []}; a day missing or empty is closed.
    hours: Mapped[dict[str, list[list[str]]]] = mapped_column(JSON, default=dict)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Nobody ignored (R14): a caller with a number who hangs up after waiting longer than
    # this, unserved and without a message, gets a missed-call callback in the box.
    missed_call_callbacks: Mapped[bool] = mapped_column(Boolean, default=True,
                                                        server_default=true())
    missed_call_after_seconds: Mapped[int] = mapped_column(
        Integer, default=MISSED_CALL_AFTER_SECONDS, server_default=str(MISSED_CALL_AFTER_SECONDS))

    holidays: Mapped[list[Holiday]] = relationship(
        back_populates="department", cascade="all, delete-orphan", order_by="Holiday.day"
    )


class Holiday(db.Model):
    """A closed day, in the department's own time zone."""

    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("department_id", "day", name="uq_holidays_department_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(120), default="")

    department: Mapped[Department] = relationship(back_populates="holidays")
