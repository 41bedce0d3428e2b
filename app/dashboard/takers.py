"""Who could take a waiting caller now: the floor's count beside each caller.

The same rule as the router (MATCH, app/queue/lua.py), over the presence the snapshot has
already read: an available agent of one of the caller's queues who speaks the caller's
language (or whose languages are not known); any available agent of those queues once the
ladder's `any_language` step fired, or for a caller with no language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.floor.languages import LANGUAGES


def _codes(value: str | None) -> set[str]:
    return {c for c in (value or "").split(",") if c}


def could_take(caller: Mapping[str, Any], presence: Iterable[Mapping[str, str]]) -> list[str]:
    """The identities of the available agents who could be offered this caller now."""
    queues = set(caller.get("queues") or ())
    language = caller.get("language") or ""
    anyone = bool(caller.get("any_language")) or not language
    out = []
    for agent in presence:
        if agent.get("state") != "available" or not queues & _codes(agent.get("departments")):
            continue
        speaks = _codes(agent.get("languages"))
        if anyone or not speaks or language in speaks:
            out.append(agent.get("identity", ""))
    return sorted(out)


def language_name(code: str) -> str:
    """The language's name in its own script ("বাংলা"), or the code if it is not declared."""
    known = LANGUAGES.get(code)
    return known.name if known else code
