"""The supervisors' audit log: who did what to which call, and when (R13)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now
from app.extensions import db


class SupervisorAction(db.Model):
    __tablename__ = "supervisor_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, index=True)
    supervisor: Mapped[str] = mapped_column(String(121), index=True)
    action: Mapped[str] = mapped_column(String(40))
    call_sid: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
