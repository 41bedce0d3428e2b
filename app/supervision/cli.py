"""`flask supervision ...`: the supervisors' audit log."""

from __future__ import annotations

import json

import click

from app.supervision import audit, bp


@bp.cli.command("audit")
@click.option("--limit", default=20, show_default=True, help="How many entries, newest first.")
@click.option("--call", "call_sid", default=None, help="Only this call's entries.")
def show_audit(limit: int, call_sid: str | None) -> None:
    """Print the latest supervisor actions: when, who, what, which call, details."""
    entries = audit.recent(limit, call_sid)
    if not entries:
        click.echo("no supervisor actions yet")
    for entry in entries:
        details = json.dumps(entry["details"], ensure_ascii=False, sort_keys=True)
        click.echo(f"{entry['at']}  {entry['supervisor']:<16} {entry['action']:<12} "
                   f"{entry['call_sid'] or '-'}  {details}")
