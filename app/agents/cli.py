"""`flask agents ...`: create and list agents."""

from __future__ import annotations

import click

from app.agents import bp, services
from app.errors import DomainError
from app.extensions import db


@bp.cli.command("create")
@click.argument("name")
@click.argument("identity")
@click.option("--role", type=click.Choice(["agent", "supervisor"]), default="agent")
@click.option("--departments", default="", help="Comma-separated department ids.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create(name: str, identity: str, role: str, departments: str, password: str) -> None:
    """Create an agent NAME with softphone IDENTITY (letters, digits, underscore)."""
    slugs = [d.strip() for d in departments.split(",") if d.strip()]
    try:
        agent = services.create_agent(name, identity, role=role, departments=slugs,
                                      password=password)
    except DomainError as err:
        raise click.ClickException(f"{err.message} {err.details or ''}".strip()) from err
    db.session.commit()
    click.echo(f"created {agent.role} {agent.identity} ({agent.name}) in "
               f"{', '.join(agent.department_slugs) or 'no department'}")


@bp.cli.command("list")
def list_agents() -> None:
    """Every active agent with their role and departments."""
    for agent in services.all_agents():
        click.echo(f"{agent.identity:<20} {agent.role:<10} {agent.name:<24} "
                   f"{','.join(agent.department_slugs)}")
