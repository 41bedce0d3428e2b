"""Agents from a CSV file: create new ones, update the departments, languages and role of
those that exist (`flask agents import FILE`; docs/queue.md, "Agents from a CSV file").

All or nothing: every row is checked, and if one is refused nothing is kept (the caller
rolls back); the report says which lines and why. Callers commit.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from typing import TextIO

from app.agents import services
from app.agents.models import Agent
from app.errors import DomainError, InvalidInput
from app.queue.services import QueueService

COLUMNS = ("identity", "name", "role", "departments", "languages", "password")
# Lists inside one cell: "billing support", "billing;support" or a quoted "billing,support".
_LIST = re.compile(r"[;,\s]+")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _items(cell: str | None) -> list[str]:
    return [item for item in _LIST.split(cell or "") if item]


def _row(row: dict[str, str]) -> Agent | None:
    """One row; the agent it updated (None: it created one). Raises DomainError saying what
    is wrong."""
    identity = (row.get("identity") or "").strip()
    try:
        agent: Agent | None = services.find_agent(identity)
    except DomainError:
        agent = None
    languages = _items(row.get("languages")) or None
    if agent is None:
        services.create_agent(row.get("name") or "", identity,
                              role=(row.get("role") or "agent").strip(),
                              departments=_items(row.get("departments")),
                              password=row.get("password") or None, languages=languages)
        return None
    if (row.get("role") or "").strip():
        role = row["role"].strip()
        if role not in ("agent", "supervisor"):
            raise InvalidInput("Unknown role.", field="role")
        agent.role = role
    if (row.get("name") or "").strip():
        agent.name = row["name"].strip()[:120]
    if (row.get("departments") or "").strip():
        agent.departments = services.departments_named(_items(row["departments"]))
    if languages:
        agent.languages = ",".join(services.parse_languages(languages))
    return agent


def import_csv(handle: TextIO, service: QueueService) -> ImportReport:
    """Read every row (header: identity, name, role, departments, languages, password)."""
    report = ImportReport()
    reader = csv.DictReader(handle)
    missing = {"identity"} - set(reader.fieldnames or ())
    if missing:
        report.errors.append((1, f"the header needs the columns {', '.join(COLUMNS)}"))
        return report
    updated: list[Agent] = []
    for line, row in enumerate(reader, start=2):
        try:
            agent = _row(row)
        except DomainError as err:
            report.errors.append((line, f"{err.message} {err.details or ''}".strip()))
            continue
        if agent is None:
            report.created += 1
        else:
            updated.append(agent)
    report.updated = len(updated)
    if not report.errors:
        # Only a file taken whole changes the floor: an available agent's lines follow now.
        for agent in updated:
            services.set_languages(service, agent, agent.language_codes)
    return report
