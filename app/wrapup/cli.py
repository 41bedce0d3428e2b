"""`flask wrapup ...`: a department's feedback list, and its post-call survey switch."""

from __future__ import annotations

import click

from app.errors import DomainError
from app.extensions import db
from app.wrapup import bp, services, survey


@bp.cli.command("feedback")
@click.argument("department")
@click.option("--limit", default=50, show_default=True)
def feedback(department: str, limit: int) -> None:
    """Print DEPARTMENT's feedback list, newest first."""
    try:
        listing = services.feedback(department, limit)
    except DomainError as err:
        raise click.ClickException(err.message) from err
    if not listing["items"]:
        click.echo(f"no feedback for {department}")
    for item in listing["items"]:
        click.echo(f"{item['at']}  {item['label']:<22} {item['call_sid']}  by {item['agent']}"
                   f"  ({item['outcome']})")
        if item["notes"]:
            click.echo(f"    {item['notes']}")


@bp.cli.command("survey")
@click.argument("department")
@click.argument("switch", type=click.Choice(["on", "off"]))
def survey_switch(department: str, switch: str) -> None:
    """Turn DEPARTMENT's post-call survey on or off."""
    try:
        result = survey.set_survey(department, switch == "on", "cli")
    except DomainError as err:
        raise click.ClickException(err.message) from err
    db.session.commit()
    click.echo(f"{result['department']}: survey {'on' if result['enabled'] else 'off'}")
