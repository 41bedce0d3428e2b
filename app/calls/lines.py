"""Call controls on agents' persistent lines (docs/queue.md, "The agent's line").

A line is never hung up by the app: where a ring's leg would be hung up (the original agent
leaving after a transfer, a target dropped, a late answer), a line goes back to its agent's
own room instead.
"""

from __future__ import annotations

import logging

from app.calls.factory import Controls
from app.queue import queue_services
from app.queue.agentline import AgentLines

log = logging.getLogger(__name__)

OFFER_KIND = "xferoffer"  # the hold clock's deadline of a transfer offered on a line


def agent_lines() -> AgentLines:
    return queue_services().lines


def offer_member(call_sid: str, transfer_id: str) -> str:
    return f"{OFFER_KIND}|{call_sid}|{transfer_id}|0"


def offerable(agent: str) -> bool:
    """Can a transfer be offered on this agent's console (line mode, their line idle)?"""
    return agent_lines().service.line_ready(agent)


def is_line(agent: str, leg: str) -> bool:
    """Is `leg` this agent's persistent line (up or just dropped)?"""
    line = agent_lines().book.get(agent)
    return bool(leg) and line is not None and line.sid == leg


def end_leg(c: Controls, agent: str, call_sid: str, leg: str) -> None:
    """Take `agent`'s leg out of the caller's room: a line goes home, a ring's leg is hung
    up. Best effort: the leg may have ended on its own."""
    try:
        if agent and is_line(agent, leg):
            agent_lines().leave(agent, call_sid)
        elif leg:
            c.gateway.hang_up(leg)
    except Exception as exc:
        log.warning("could not end %s's leg %s: %s", agent or "an agent", leg, exc)
