"""`flask voicemail ...`: boxes, and the periodic jobs run by hand."""

from __future__ import annotations

import click
from sqlalchemy import select

from app.agents.models import Agent
from app.extensions import db
from app.floor.models import Department
from app.voicemail import boxes, bp, jobs
from app.voicemail.models import VoicemailBox


@bp.cli.command("boxes")
@click.option("--open", "open_all", is_flag=True,
              help="First open a box for every department and agent that has none.")
def list_boxes(open_all: bool) -> None:
    """List the voicemail boxes (slug, kind, limits, who works them)."""
    if open_all:
        boxes.general_box()
        for department in db.session.scalars(select(Department)).all():
            boxes.department_box(department.slug)
        for agent in db.session.scalars(select(Agent)).all():
            boxes.agent_box(agent.identity)
        db.session.commit()
    for box in db.session.scalars(select(VoicemailBox).order_by(VoicemailBox.slug)).all():
        click.echo(f"{box.id:>4}  {box.slug:<24} {box.kind:<10} max={box.max_length_seconds}s "
                   f"target={box.callback_target_minutes}min  {boxes.worked_by(box)}")


@bp.cli.command("check")
def check() -> None:
    """Escalate overdue callbacks and delete expired recordings, once."""
    result = jobs.periodic()
    click.echo(f"escalated {result['escalated']}, "
               f"recordings deleted {result['recordings_deleted']}")
