"""The administration overview page."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from app.admin import bp
from app.agents.models import Agent
from app.auth import login_required
from app.extensions import db
from app.floor.models import Department, Prompt
from app.voicemail.models import VoicemailBox


@bp.get("")
@bp.get("/")
@login_required(role="supervisor")
def index():
    def count(query) -> int:
        return db.session.scalar(query) or 0

    return render_template(
        "admin/index.html",
        departments=count(select(func.count(Department.id))),
        overrides=count(select(func.count(Prompt.id))),
        boxes=count(select(func.count(VoicemailBox.id))),
        agents=count(select(func.count(Agent.id)).where(Agent.active)),
    )
