"""`flask agents ...`: create and list agents."""

from __future__ import annotations

import click

from app.agents import bp, services
from app.errors import DomainError
from app.extensions import db
from config import app_settings
from config.settings import declared_default


@bp.cli.command("create")
@click.argument("name")
@click.argument("identity")
@click.option("--role", type=click.Choice(["agent", "supervisor"]), default="agent")
@click.option("--departments", default="", help="Comma-separated department ids.")
@click.option("--languages", default=None,
              help="Comma-separated language codes they speak (default: DEFAULT_LANGUAGE).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create(name: str, identity: str, role: str, departments: str, languages: str | None,
           password: str) -> None:
    """Create an agent NAME with softphone IDENTITY (letters, digits, underscore)."""
    slugs = [d.strip() for d in departments.split(",") if d.strip()]
    try:
        agent = services.create_agent(name, identity, role=role, departments=slugs,
                                      password=password, languages=languages)
    except DomainError as err:
        raise click.ClickException(f"{err.message} {err.details or ''}".strip()) from err
    db.session.commit()
    click.echo(f"created {agent.role} {agent.identity} ({agent.name}) in "
               f"{', '.join(agent.department_slugs) or 'no department'}, speaking "
               f"{', '.join(agent.language_codes)}")


@bp.cli.command("list")
def list_agents() -> None:
    """Every active agent with their role, departments and languages."""
    for agent in services.all_agents():
        click.echo(f"{agent.identity:<20} {agent.role:<10} {agent.name:<24} "
                   f"{','.join(agent.department_slugs):<24} {','.join(agent.language_codes)}")


@bp.cli.command("languages")
@click.argument("identity")
@click.argument("languages")
def set_languages(identity: str, languages: str) -> None:
    """Set the LANGUAGES (comma-separated codes, e.g. en,bn) agent IDENTITY speaks."""
    from app.queue import queue_services

    try:
        agent = services.set_languages(queue_services().service, services.find_agent(identity),
                                       languages)
    except DomainError as err:
        raise click.ClickException(f"{err.message} {err.details or ''}".strip()) from err
    db.session.commit()
    click.echo(f"{agent.identity} speaks {', '.join(agent.language_codes)}")


@bp.cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_agents(path: str) -> None:
    """Create or update agents from a CSV file (docs/queue.md, "Agents from a CSV file")."""
    from app.agents import importer
    from app.queue import queue_services

    with open(path, newline="", encoding="utf-8-sig") as handle:
        report = importer.import_csv(handle, queue_services().service)
    if report.errors:
        db.session.rollback()
        for line, message in report.errors:
            click.echo(f"line {line}: {message}", err=True)
        raise click.ClickException(f"{len(report.errors)} rows refused; nothing was imported.")
    db.session.commit()
    click.echo(f"{report.created} created, {report.updated} updated")


@bp.cli.command("demo")
@click.argument("identity", default="demo_agent")
@click.option("--departments", default="", help="Comma-separated; default: every department.")
@click.option("--answer-after", default=3.0, show_default=True,
              help="Seconds the emulated softphone rings before it answers.")
@click.option("--languages", default="", help="Comma-separated; default: every language.")
def demo(identity: str, departments: str, answer_after: float, languages: str) -> None:
    """Play an available agent whose softphone the running emulator answers (offline only)."""
    import requests
    from sqlalchemy import select

    from app.floor.languages import LANGUAGES
    from app.floor.models import Department
    from app.queue import queue_services

    config = app_settings()
    if config.TWILIO_MODE == "live":
        raise click.ClickException("TWILIO_MODE=live: use a real softphone instead.")
    slugs = [d.strip() for d in departments.split(",") if d.strip()] or list(
        db.session.scalars(select(Department.slug).where(Department.active.is_(True)))
    )
    try:
        agent = services.find_agent(identity)
    except DomainError:
        agent = services.create_agent(identity.replace("_", " ").title(), identity,
                                      departments=slugs, languages=languages or list(LANGUAGES))
        db.session.commit()
    sim = f"http://127.0.0.1:{config.EMULATOR_PORT}/_sim/softphones"
    try:
        requests.post(sim, json={"identity": identity, "answer_after": answer_after},
                      timeout=5).raise_for_status()
    except requests.RequestException as exc:
        raise click.ClickException(f"the emulator did not answer at {sim}: {exc}") from exc
    services.change_state(queue_services().service, agent, "available")
    click.echo(f"{identity} is available in {', '.join(agent.department_slugs)}; the "
               f"emulator answers their softphone after {answer_after:g} s. Call in with:\n"
               f"  .venv/bin/flask --app app sim call +919876543210")


# Sign-in accounts for trying the browser pages after `make run`; the Makefile's seed runs it.
DEMO_ACCOUNTS = (
    ("Alice Martin", "alice", "agent", ["billing", "support"], ["en", "hi"]),
    ("Bob Okafor", "bob", "agent", ["support", "sales"], ["en", "bn", "ms"]),
    ("Sam Reyes", "sam", "supervisor", ["billing", "support", "sales"], ["en"]),
)
DEMO_PASSWORD = "demo-password"


@bp.cli.command("seed-demo")
def seed_demo() -> None:
    """Demo sign-ins alice and bob (agents) and sam (supervisor); refused outside development."""
    import os

    # A known password must never reach a real deployment.
    if (os.environ.get("APP_ENV") or declared_default("APP_ENV")).lower() != "development":
        raise click.ClickException("demo accounts exist only in development (APP_ENV).")
    for name, identity, role, departments, languages in DEMO_ACCOUNTS:
        try:
            services.find_agent(identity)
            click.echo(f"{role} {identity}: already there")
            continue
        except DomainError:
            pass
        try:
            services.create_agent(name, identity, role=role, departments=departments,
                                  password=DEMO_PASSWORD, languages=languages)
        except DomainError as err:  # a department the demo expects is missing
            raise click.ClickException(f"{err.message} {err.details or ''}".strip()) from err
        click.echo(f"{role} {identity}: created, password {DEMO_PASSWORD}, speaks "
                   f"{', '.join(languages)}")
    db.session.commit()
