"""The agent's own words on a call (R9, R5, R11): what the console shows them to say.

On answer: a greeting in the caller's language with the agent's name, the organisation and
the department; when the caller waited, the reason and an apology; before hanging up,
"anything else?". The texts are the prompt catalogue's (`calls.words_*`, app/calls/
phrases.py), so operators edit them with the rest; a line not in English comes with its
English beside it for an agent who reads the caller's script slowly. What the agent
confirmed having said is kept on the wrap-up (`words_confirmed`, app/wrapup).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from app.agents.models import Agent
from app.auth import Principal
from app.calls import transfers
from app.calls.factory import Controls
from app.calls.services import authorise
from app.extensions import db
from app.floor import languages, prompts
from app.floor.departments import active_departments
from app.interactions.services import find_by_call_sid
from app.queue.livecall import LiveCall
from config import app_settings

# Below this wait a caller was answered promptly: no apology is asked of the agent. The
# queue's own apology is spoken from the first second; this is the agent's, for a wait a
# caller would notice (the ladder's first escalation is at 20 s).
APOLOGY_AFTER_SECONDS = 15
# Why the caller waited, as the apology says it: (reason, prompt key).
REASONS = {
    "busy": "calls.words_apology_busy",  # all agents were helping other customers
    "missed": "calls.words_apology_missed",  # an agent was rung and did not answer
    "transfer": "calls.words_apology_transfer",  # handed over from a colleague
}
GREETING, ANYTHING_ELSE = "calls.words_greeting", "calls.words_anything_else"
# The lines, in the order shown; the wrap-up keeps which were confirmed (its AGENT_LINES,
# app/wrapup, a package beside this one: a test keeps the two lists equal).
LINES = ("greeting", "apology", "anything_else")


def _agent_name(identity: str) -> str:
    agent = db.session.scalars(select(Agent).where(Agent.identity == identity)).first()
    return agent.name if agent is not None and agent.name else identity


def _speaker(c: Controls, principal: Principal, call: LiveCall) -> str:
    """Who says the lines: the principal if on the call (a supervisor who took it, too),
    else the call's agent (a supervisor or the operator reading another's call)."""
    latest = transfers.current(c, call.sid)
    on_call = {call.agent} | ({latest.from_agent, latest.to_agent} if latest else set())
    if principal.kind != "admin" and principal.identity in on_call:
        return principal.identity
    return call.agent or principal.identity


def _department_name(call: LiveCall, language: str) -> str:
    for department in active_departments():
        if department.slug == call.department:
            return department.name_in(language)
    return call.department_name or call.department


def _wait_reason(c: Controls, call: LiveCall, identity: str) -> str:
    latest = transfers.latest(c, call.sid)
    if latest is not None and latest.to_agent == identity:
        return "transfer"
    interaction = find_by_call_sid(call.sid)
    if interaction is not None and any(e.kind == "offer_missed" for e in interaction.events):
        return "missed"
    return "busy"


def _line(key: str, line: str, language: str,
          values: Callable[[str], dict[str, str]] | None = None) -> dict[str, Any]:
    """One line in the caller's language, and in English beside it (`values(language)`: the
    placeholders in that language, as the department's name differs)."""
    fill = values or (lambda _language: {})
    text = prompts.text(key, language, **fill(language))
    english = prompts.text(key, "en", **fill("en")) if language != "en" else None
    return {"key": line, "text": text, "english": english}


def agent_words(c: Controls, principal: Principal, call_sid: str) -> dict[str, Any]:
    """The lines for this agent on this call, in the caller's language."""
    call = authorise(c, principal, call_sid)
    language = languages.language(call.language or "en").code
    identity = _speaker(c, principal, call)
    agent, organisation = _agent_name(identity), app_settings().ORGANISATION_NAME

    def values(lang: str) -> dict[str, str]:
        return {"agent": agent, "organisation": organisation,
                "department": _department_name(call, lang)}

    waited = None
    if call.since is not None:
        waited = round(max(0.0, (call.answered_at or c.now()) - call.since), 1)
    lines = [_line(GREETING, "greeting", language, values)]
    reason = None
    if waited is not None and waited >= APOLOGY_AFTER_SECONDS:
        reason = _wait_reason(c, call, identity)
        lines.append(_line(REASONS[reason], "apology", language))
    lines.append(_line(ANYTHING_ELSE, "anything_else", language))
    return {"call_sid": call_sid, "language": language,
            "language_name": languages.language(language).name,
            "waited_seconds": waited, "wait_reason": reason, "lines": lines}
